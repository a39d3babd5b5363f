<?php
/**
 * Totalrec module install (FreePBX 2.x runs this; 13+ run it after the BMO install()).
 * Idempotent: it creates the settings table when missing and, when the module
 * carries its own totalrec (the Module Admin tarball) and install.sh has not
 * installed one, sets that up and (re)starts it (lib/bundle.php).
 */
if (!defined('FREEPBX_IS_AUTH') && !function_exists('needreload')) {
	die('No direct script access allowed');
}
require_once dirname(__FILE__) . '/lib/config.php';
require_once dirname(__FILE__) . '/lib/sso.php';
require_once dirname(__FILE__) . '/lib/bundle.php';

if (!totalrec_install_tables()) {
	out(_('Could not create the totalrec_settings table'));
} else {
	out(_('Totalrec settings table ready'));
	if (totalrec_bundle_applies()) {
		foreach (totalrec_bundle_setup() as $line) {
			out($line);
		}
	}
}
needreload();
