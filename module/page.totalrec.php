<?php
/**
 * Reports > Call Recordings: the Totalrec UI, signed in as the FreePBX administrator,
 * and (view=settings) the module settings and the daemon's status.
 *
 * Works on FreePBX 2.x (plain functions) and 13+ (config.php includes this file the
 * same way).
 */
if (!defined('FREEPBX_IS_AUTH') && !function_exists('needreload')) {
	die('No direct script access allowed');
}
require_once dirname(__FILE__) . '/lib/sso.php';
require_once dirname(__FILE__) . '/lib/config.php';
if (!function_exists('totalrec_status')) {
	require_once dirname(__FILE__) . '/functions.inc.php';
}

$totalrec_view = isset($_REQUEST['view']) && $_REQUEST['view'] == 'settings' ? 'settings' : 'main';
$totalrec_settings = totalrec_get_settings();
$totalrec_errors = array();
$totalrec_saved = false;

if ($totalrec_view == 'settings' && isset($_SERVER['REQUEST_METHOD']) && $_SERVER['REQUEST_METHOD'] == 'POST') {
	$token = isset($_POST['totalrec_csrf']) ? (string)$_POST['totalrec_csrf'] : '';
	if ($token === '' || $token !== totalrec_csrf_token()) {
		$totalrec_errors['form'] = _('The form has expired; please try again.');
	} else {
		$new = array();
		foreach (array_keys(totalrec_settings_defaults()) as $key) {
			$value = isset($_POST[$key]) ? trim((string)$_POST[$key]) : $totalrec_settings[$key];
			$msg = totalrec_validate_setting($key, $value);
			if ($msg !== '') {
				$totalrec_errors[$key] = $msg;
			}
			$new[$key] = $value;
		}
		if (empty($totalrec_errors)) {
			foreach ($new as $key => $value) {
				totalrec_set_setting($key, $value);
			}
			// hook_binary and force change the generated dialplan.
			needreload();
			$totalrec_saved = true;
		}
		$totalrec_settings = $new;
	}
}

$totalrec_conf = totalrec_get_config_file($totalrec_settings);
$totalrec_base = 'config.php?display=totalrec';
// "/totalrec" on FreePBX's own origin when the daemon has a base path (install.sh
// sets FreePBX's Apache up as its proxy); views/reach.php warns when the browser
// cannot reach it.
$totalrec_browser = totalrec_browser_url($totalrec_settings, $totalrec_conf);
include dirname(__FILE__) . '/views/reach.php';

if ($totalrec_view == 'settings') {
	$totalrec_status = totalrec_status($totalrec_settings, $totalrec_conf);
	include dirname(__FILE__) . '/views/settings.php';
	return;
}

$totalrec_user = totalrec_current_user();
$totalrec_src = '';
$totalrec_problem = '';
if (!is_array($totalrec_conf)) {
	$totalrec_problem = sprintf(_('Cannot read %s (it must be readable by the web server user).'), $totalrec_settings['config_file']);
} elseif (!isset($totalrec_conf['sso_secret']) || $totalrec_conf['sso_secret'] === '') {
	$totalrec_problem = sprintf(_('%s has no sso_secret.'), $totalrec_settings['config_file']);
} elseif ($totalrec_user === '') {
	$totalrec_problem = _('No logged-in FreePBX administrator.');
} else {
	// A fresh token on every page view; the daemon accepts each token once.
	$token = totalrec_sso_token($totalrec_conf['sso_secret'], $totalrec_user, 60);
	$totalrec_src = $totalrec_browser . '/sso?token=' . rawurlencode($token);
}
include dirname(__FILE__) . '/views/main.php';
