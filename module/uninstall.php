<?php
/**
 * Totalrec module uninstall: stops and unhooks the module's own totalrec, if it
 * runs one (lib/bundle.php), and drops the module's settings table. Recordings, the
 * catalogue and Totalrec's configuration are not touched.
 */
if (!defined('FREEPBX_IS_AUTH') && !function_exists('needreload')) {
	die('No direct script access allowed');
}
require_once dirname(__FILE__) . '/lib/config.php';
require_once dirname(__FILE__) . '/lib/sso.php';
require_once dirname(__FILE__) . '/lib/bundle.php';

if (totalrec_bundle_applies()) {
	foreach (totalrec_bundle_remove() as $line) {
		out($line);
	}
}
totalrec_uninstall_tables();
out(_('Removed the totalrec_settings table; recordings are kept'));
needreload();
