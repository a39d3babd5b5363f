<?php
/**
 * Totalrec module for FreePBX 13 and later (BMO).
 *
 * The dialplan hook runs at priority 900, after core (100) and callrecording's
 * hookGet_config (600), so [sub-record-check] is complete when it is changed.
 */
namespace FreePBX\modules;

require_once __DIR__ . '/lib/sso.php';
require_once __DIR__ . '/lib/config.php';
require_once __DIR__ . '/lib/dialplan.php';

class Totalrec extends \FreePBX_Helpers implements \BMO {
	/** @var object FreePBX's BMO object */
	public $FreePBX;

	public function __construct($freepbx = null) {
		if ($freepbx === null) {
			throw new \Exception('Not given a FreePBX object');
		}
		$this->FreePBX = $freepbx;
	}

	public function install() {
		return totalrec_install_tables();
	}

	public function uninstall() {
		totalrec_uninstall_tables();
		return true;
	}

	public function backup() {
	}

	public function restore($backup) {
	}

	public function doConfigPageInit($page) {
	}

	/** Priority of the dialplan hook: after callrecording's hookGet_config (600). */
	public static function myDialplanHooks() {
		return 900;
	}

	/** Forces recording and adds `totalrec hook` to MIXMON_POST (lib/dialplan.php). */
	public function doDialplanHook(&$ext, $engine, $priority) {
		if ($engine != 'asterisk') {
			return;
		}
		$post = '';
		try {
			$post = (string)$this->FreePBX->Config->get('MIXMON_POST');
		} catch (\Exception $e) {
			$post = '';
		}
		totalrec_apply_dialplan($ext, totalrec_get_settings(), $post);
	}
}
