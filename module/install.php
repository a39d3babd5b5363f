<?php
/**
 * Totalrec module install (FreePBX 2.x runs this; 13+ run it after the BMO install()).
 * Idempotent: it only creates the settings table when missing.
 */
if (!defined('FREEPBX_IS_AUTH') && !function_exists('needreload')) {
	die('No direct script access allowed');
}
require_once dirname(__FILE__) . '/lib/config.php';

if (!totalrec_install_tables()) {
	out(_('Could not create the totalrec_settings table'));
} else {
	out(_('Totalrec settings table ready'));
}
needreload();
