<?php
// Prints, as JSON, the URLs of Totalrec the module uses for the given settings and
// Totalrec configuration file: internal (this server) and browser.
// Usage: php module_urls.php CONFIG_PHP SETTINGS_JSON CONF_FILE HTTP_HOST [on]
if ($argc < 5) {
	fwrite(STDERR, "usage: module_urls.php CONFIG_PHP SETTINGS_JSON CONF_FILE HTTP_HOST [on]\n");
	exit(2);
}
require $argv[1];
$settings = array_merge(totalrec_settings_defaults(), json_decode($argv[2], true));
$conf = totalrec_read_conf($argv[3]);
$_SERVER['HTTP_HOST'] = $argv[4];
if ($argc > 5) {
	$_SERVER['HTTPS'] = $argv[5];
}
echo json_encode(array('internal' => totalrec_internal_url($settings, $conf),
	'browser' => totalrec_browser_url($settings, $conf)));
