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
require_once dirname(__FILE__) . '/lib/bundle.php';

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
		// GET /api/v1/retention takes a single-use sign-on token of the signed-in
		// administrator, as /sso does (docs/api.md, "Retention status").
		$token = totalrec_sso_token($conf['sso_secret'], totalrec_current_user() !== '' ? totalrec_current_user() : 'admin', 30);
		$res = totalrec_http_get($internal . '/api/v1/retention', array('Authorization: FreePBX-SSO ' . $token));
		if ($res[0] == 200) {
			$data = json_decode($res[1], true);
			if (is_array($data)) {
				$status['retention'] = $data;
			}
		} elseif ($res[0] > 0) {
			$status['retention_error'] = 'HTTP ' . $res[0];
		}
	}
	if (totalrec_bundle_applies()) {
		$status['next_run'] = totalrec_next_run_of(totalrec_bundle_cron_lines(), time());
	} else {
		$status['next_run'] = totalrec_next_run('/etc/cron.d/totalrec', time());
	}
	return $status;
}

/**
 * When the nightly `totalrec retention run` of $cronfile (a "M H * * * user
 * command" line, as install.sh writes it) runs next after $now; false when the
 * file has no such line.
 */
function totalrec_next_run($cronfile, $now) {
	$lines = @file($cronfile, FILE_IGNORE_NEW_LINES);
	return is_array($lines) ? totalrec_next_run_of($lines, $now) : false;
}

/**
 * totalrec_next_run() of crontab lines: "M H * * * [user] command", a system
 * crontab's or a user's (the module's own totalrec is in FreePBX's user's).
 */
function totalrec_next_run_of($lines, $now) {
	foreach ($lines as $line) {
		if (strpos($line, 'retention run') === false || !preg_match('/^\s*(\d{1,2})\s+(\d{1,2})\s+\*\s+\*\s+\*\s/', $line, $m)) {
			continue;
		}
		$next = mktime((int)$m[2], (int)$m[1], 0, (int)date('n', $now), (int)date('j', $now), (int)date('Y', $now));
		return $next > $now ? $next : strtotime('+1 day', $next);
	}
	return false;
}

/** $n bytes for people: 1.5 GB. */
function totalrec_bytes($n) {
	$units = array('B', 'KB', 'MB', 'GB', 'TB');
	$i = 0;
	$n = (float)$n;
	while ($n >= 1024 && $i < count($units) - 1) {
		$n /= 1024;
		$i++;
	}
	return ($i == 0 ? (int)$n : sprintf('%.1f', $n)) . ' ' . $units[$i];
}

/**
 * The retention summary in words, one line each: last run, what the next run
 * deletes, disk and forecast, next run.
 */
function totalrec_retention_lines($status) {
	$r = $status['retention'];
	$out = array();
	if (!is_array($r)) {
		$out[] = _('unreachable') . (isset($status['retention_error']) ? ' (' . $status['retention_error'] . ')' : '');
		return $out;
	}
	if (!empty($r['last_run'])) {
		$l = $r['last_run'];
		$out[] = sprintf(_('Last run: %s, %s: %d files (%s) deleted'), date('Y-m-d H:i', strtotime($l['started'])),
			$l['status'], $l['files'], totalrec_bytes($l['bytes']));
	} else {
		$out[] = _('Last run: none yet');
	}
	if ($r['policy'] == 'no_rule') {
		$out[] = _('Policy: no rule, every recording is kept');
	} elseif ($r['policy'] == 'error') {
		$out[] = sprintf(_('Policy: %s'), $r['policy_error']);
	} elseif (!empty($r['tonight']['refused'])) {
		$out[] = sprintf(_('Next run would be refused: %s'), $r['tonight']['refused']);
	} else {
		$out[] = sprintf(_('Next run deletes: %d files (%s)'), $r['tonight']['files'], totalrec_bytes($r['tonight']['bytes']));
	}
	if (!empty($r['disk']['total'])) {
		$line = sprintf(_('Disk: %s free of %s'), totalrec_bytes($r['disk']['free']), totalrec_bytes($r['disk']['total']));
		if (isset($r['forecast_days']) && $r['forecast_days'] !== null) {
			$line .= ', ' . sprintf(_('full in about %d days at the recent rate'), $r['forecast_days']);
		}
		$out[] = $line;
	}
	if (!empty($status['next_run'])) {
		$out[] = sprintf(_('Next run: %s'), date('Y-m-d H:i', $status['next_run']));
	}
	return $out;
}
