<?php
// Runs the module's totalrec_status() against a real `totalrec serve` and prints
// the retention lines the settings page shows, one a line.
// Usage: php status.php <module dir> <internal url> <sso secret> <cron file>
define('FREEPBX_IS_AUTH', true);
session_start();
$_SESSION['AMP_user'] = (object)array('username' => 'admin');
require $argv[1] . '/functions.inc.php';
$settings = totalrec_settings_defaults();
$settings['internal_url'] = $argv[2];
$status = totalrec_status($settings, array('sso_secret' => $argv[3], 'listen' => ''));
$status['next_run'] = totalrec_next_run($argv[4], mktime(12, 0, 0, 12, 4, 2026));
echo $status['health'], "\n";
foreach (totalrec_retention_lines($status) as $line) {
	echo $line, "\n";
}
