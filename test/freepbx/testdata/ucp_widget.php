<?php
// Renders the module's UCP widget for a User Manager user with default extension
// $argv[3] and UCP-assigned extensions $argv[4] (comma-separated), on a stand-in
// for UCP's classes, and prints the iframe's src.
// Usage: php ucp_widget.php <module dir> <config file> <default ext> <assigned>
namespace UCP {
	class Modules {
		public function __get($name) {
			return $name == 'UCP' ? $GLOBALS['kit_ucp'] : null;
		}
		public function load_view($file, $vars) {
			extract($vars);
			ob_start();
			include $file;
			return ob_get_clean();
		}
	}
}
namespace {
	class KitUser {
		public function getUser() {
			global $argv;
			return array('id' => 7, 'username' => 'alice', 'default_extension' => $argv[3]);
		}
	}
	class KitUCP {
		public $User;
		public function __construct() { $this->User = new KitUser(); }
		public function getCombinedSettingByID($id, $module, $key) {
			global $argv;
			return ($module == 'Settings' && $key == 'assigned' && $argv[4] !== '') ? explode(',', $argv[4]) : false;
		}
	}
	// The module's settings live in FreePBX's database: here only config_file.
	define('DB_FETCHMODE_ASSOC', 2);
	class KitDB {
		public function getAll($sql, $args, $mode) {
			global $argv;
			return array(array('keyword' => 'config_file', 'value' => $argv[2]));
		}
	}
	$db = new KitDB();
	$GLOBALS['kit_ucp'] = new KitUCP();
	require $argv[1] . '/ucp/Totalrec.class.php';
	$m = new \UCP\Modules\Totalrec(null);
	$list = $m->getWidgetList();
	$w = $m->getWidgetDisplay('recordings', 'u1');
	echo json_encode(array('extensions' => $m->extensions(), 'widgets' => isset($list['list']) ? array_keys($list['list']) : array(), 'html' => $w['html']));
}
