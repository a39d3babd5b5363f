<?php
/**
 * Totalrec FreePBX module: functions FreePBX 2.x loads for every page and reload.
 *
 * FreePBX 13+ use the BMO class Totalrec.class.php instead; the hook below returns at
 * once there, so the dialplan is changed exactly once.
 */
if (!defined('FREEPBX_IS_AUTH') && !function_exists('needreload')) {
	die('No direct script access allowed');
}

require_once dirname(__FILE__) . '/lib/sso.php';
require_once dirname(__FILE__) . '/lib/config.php';
require_once dirname(__FILE__) . '/lib/dialplan.php';

/**
 * Dialplan hook for FreePBX 2.10 and 2.11 (no BMO). It runs after every module's
 * <module>_get_config(), i.e. after core generated [sub-record-check]; on 2.5-2.9
 * there is no [sub-record-check] and it changes nothing (the override file does the
 * work there).
 */
function totalrec_hookGet_config($engine) {
	global $ext, $amp_conf;
	if ($engine != 'asterisk' || class_exists('FreePBX_Helpers')) {
		return true;
	}
	$post = isset($amp_conf['MIXMON_POST']) ? $amp_conf['MIXMON_POST'] : '';
	totalrec_apply_dialplan($ext, totalrec_get_settings(), $post);
	return true;
}

/** The user name of the logged-in FreePBX administrator, or ''. */
function totalrec_current_user() {
	if (isset($_SESSION['AMP_user']) && is_object($_SESSION['AMP_user']) && isset($_SESSION['AMP_user']->username)) {
		return (string)$_SESSION['AMP_user']->username;
	}
	return '';
}

/** HTML-escapes $s for text and attribute values. */
function totalrec_h($s) {
	return htmlspecialchars((string)$s, ENT_QUOTES, 'UTF-8');
}

/** A per-session token for the settings form. */
function totalrec_csrf_token() {
	if (empty($_SESSION['totalrec_csrf'])) {
		$_SESSION['totalrec_csrf'] = bin2hex(totalrec_random_bytes(16));
	}
	return $_SESSION['totalrec_csrf'];
}

/**
 * Everything the pages show about the daemon: URLs, reachability, retention summary.
 */
function totalrec_status($settings, $conf) {
	$internal = totalrec_internal_url($settings, $conf);
	$status = array(
		'internal_url' => $internal,
		'browser_url' => totalrec_browser_url($settings, $conf),
		'config_readable' => is_array($conf),
		'has_secret' => is_array($conf) && isset($conf['sso_secret']) && $conf['sso_secret'] !== '',
		'health' => 'unreachable',
		'retention' => null,
	);
	$res = totalrec_http_get($internal . '/healthz');
	if ($res[0] >= 200 && $res[0] < 300) {
		$status['health'] = 'ok';
	} elseif ($res[0] > 0) {
		$status['health'] = 'HTTP ' . $res[0];
	}
	if ($status['health'] == 'ok' && $status['has_secret']) {
		// The API takes the same short-lived token as a bearer credential.
		$token = totalrec_sso_token($conf['sso_secret'], totalrec_current_user() !== '' ? totalrec_current_user() : 'freepbx', 30);
		$res = totalrec_http_get($internal . '/api/v1/retention', array('Authorization: Bearer ' . $token));
		if ($res[0] == 200) {
			$data = json_decode($res[1], true);
			if (is_array($data)) {
				$status['retention'] = $data;
			}
		}
	}
	return $status;
}
