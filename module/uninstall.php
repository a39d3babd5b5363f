<?php
/**
 * Totalrec module uninstall: drops the module's settings table. Recordings, the
 * Totalrec daemon and its catalogue are not touched.
 */
if (!defined('FREEPBX_IS_AUTH') && !function_exists('needreload')) {
	die('No direct script access allowed');
}
require_once dirname(__FILE__) . '/lib/config.php';

totalrec_uninstall_tables();
out(_('Removed the totalrec_settings table; recordings are kept'));
needreload();
