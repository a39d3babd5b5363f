<?php
// Prints a bare FreePBX-like page with the module's reachability warning
// (views/reach.php) and its script, for a browser test.
// Usage: php reach_page.php MODULE_DIR BROWSER_URL
if ($argc < 3) {
	fwrite(STDERR, "usage: reach_page.php MODULE_DIR BROWSER_URL\n");
	exit(2);
}
define('FREEPBX_IS_AUTH', true);
function totalrec_h($s) {
	return htmlspecialchars((string)$s, ENT_QUOTES, 'UTF-8');
}
$totalrec_browser = $argv[2];
$totalrec_base = 'config.php?display=totalrec';
echo "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>FreePBX</title></head><body>\n";
include $argv[1] . '/views/reach.php';
echo "<script src=\"/admin/assets/totalrec/js/totalrec.js\"></script>\n</body></html>\n";
