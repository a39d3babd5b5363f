<?php
// Runs the module's Backup.php and Restore.php on a stand-in for FreePBX 16's
// Backup & Restore models (backup/Models/{ModelBase,Backup,Restore,SplFileInfo}.php
// and backup/{BackupBase,RestoreBase}.php: same constructors, the same add*/get*
// methods and data layout), with FreePBX's $db (PEAR DB style, as lib/config.php
// uses it) on a real SQLite file. Prints JSON.
//
// Usage: php backup_restore.php <module dir> <sqlite file> install|reset|dump
//        php backup_restore.php <module dir> <sqlite file> backup
//        php backup_restore.php <module dir> <sqlite file> restore <manifest.json> <extracted dir>
//        php backup_restore.php <module dir> <sqlite file> legacy <legacy sqlite file> <extracted dir>
namespace FreePBX\modules\Backup\Models {
	class ModelBase {
		protected $FreePBX;
		protected $backupModVer;
		protected $data = array(
			'version' => null,
			'module' => null,
			'pbx_version' => null,
			'skip_reset' => false,
			'dirs' => array(),
			'files' => array(),
			'configs' => array(),
			'dependencies' => array(),
			'garbage' => array(),
		);
		protected $defaultFallback = false;
		public $tmpdir;

		public function __construct($freepbx, $backupModVer, $logger, $transactionId, $modData, $defaultFallback) {
			$this->FreePBX = $freepbx;
			$this->backupModVer = $backupModVer;
			$this->defaultFallback = $defaultFallback;
			foreach ($this->data as $key => $data) {
				if (!isset($modData[$key])) {
					$modData[$key] = $data;
				}
			}
			$this->data = $modData;
		}
		public function getDirs($options = array()) {
			return $this->data['dirs'];
		}
		public function getFiles($options = array()) {
			return $this->data['files'];
		}
		public function getConfigs($options = array()) {
			return $this->data['configs'];
		}
		public function getData() {
			return $this->data;
		}
		protected function log($message = '', $level = 'INFO') {
			$GLOBALS['kit_log'][] = $level . ': ' . $message;
		}
	}

	class Backup extends ModelBase {
		private $modified = false;

		final public function __construct($freepbx, $backupModVer, $logger, $transactionId, $modData, $defaultFallback) {
			parent::__construct($freepbx, $backupModVer, $logger, $transactionId, $modData, $defaultFallback);
		}
		public function addFiles($list) {
			if (empty($list)) {
				return;
			}
			$this->modified = true;
			foreach ($list as $file) {
				if (empty($file['type']) || empty($file['filename'])) {
					continue;
				}
				$this->data['files'][] = $file;
			}
		}
		public function addConfigs($settings) {
			if (empty($settings)) {
				return;
			}
			$this->modified = true;
			$this->data['configs'] = $settings;
		}
		public function addConfig($key, $settings) {
			if (empty($settings)) {
				return;
			}
			$this->modified = true;
			$this->data['configs'][$key] = $settings;
		}
		public function addDependency($dependency) {
			$this->modified = true;
			$this->data['dependencies'][] = $dependency;
		}
		public function addDirectories($list) {
			if (empty($list)) {
				return;
			}
			$this->modified = true;
			foreach ($list as $dir) {
				$this->data['dirs'][] = $dir;
			}
		}
		public function getModified() {
			return $this->modified;
		}
		public function addFile($filename, $path, $base, $type = 'file') {
			$this->addFiles(array(array('type' => $type, 'filename' => $filename, 'pathto' => $path, 'base' => $base)));
		}
	}

	abstract class Restore extends ModelBase {
		final public function __construct($freepbx, $backupModVer, $logger, $transactionId, $modData, $backupTmpDir, $defaultFallback) {
			parent::__construct($freepbx, $backupModVer, $logger, $transactionId, $modData, $defaultFallback);
			$this->tmpdir = $backupTmpDir;
			foreach ($this->data['files'] as &$file) {
				$file = new SplFileInfo($this->tmpdir . '/files' . $file['pathto'] . '/' . $file['filename'], $file['type'], $file['pathto'], $file['base']);
			}
			unset($file);
			foreach ($this->data['dirs'] as &$dir) {
				$dir = new SplFileInfo($this->tmpdir . '/files' . $dir, 'dir', $dir, '');
			}
			unset($dir);
		}
	}

	class SplFileInfo extends \SplFileInfo {
		private $type;
		private $pathTo;
		private $base;

		public function __construct($file, $type, $pathTo, $base) {
			parent::__construct($file);
			$this->type = $type;
			$this->pathTo = $pathTo;
			$this->base = $base;
		}
		public function getType() {
			return $this->type;
		}
		public function getPathTo() {
			return $this->pathTo;
		}
		public function getBase() {
			return $this->base;
		}
	}
}

namespace FreePBX\modules\Backup {
	class BackupBase extends Models\Backup {
		public function runBackup($id, $transaction) {
			$this->log('RunBackup method is not implemented', 'WARNING');
		}
	}

	class RestoreBase extends Models\Restore {
		public function runRestore() {
			$this->log('RunRestore method is not implemented', 'WARNING');
		}
		public function processLegacy($pdo, $data, $tables, $unknownTables) {
			$this->log('Legacy Restore is not implemented', 'WARNING');
		}
	}
}

namespace {
	// FreePBX's PEAR-DB-style $db: query() and getAll() return an error object on failure.
	define('DB_FETCHMODE_ASSOC', 2);
	class KitDBError {
		public $message;
		public function __construct($message) { $this->message = $message; }
	}
	class DB {
		public static function IsError($v) { return $v instanceof KitDBError; }
	}
	class KitDB {
		private $pdo;
		public function __construct($pdo) { $this->pdo = $pdo; }
		public function query($sql, $params = array()) {
			$st = $this->pdo->prepare($sql);
			if ($st === false || !$st->execute($params)) {
				$info = $st === false ? $this->pdo->errorInfo() : $st->errorInfo();
				return new KitDBError($info[2]);
			}
			return $st;
		}
		public function getAll($sql, $params = array(), $mode = DB_FETCHMODE_ASSOC) {
			$st = $this->query($sql, $params);
			return ($st instanceof KitDBError) ? $st : $st->fetchAll(PDO::FETCH_ASSOC);
		}
	}
	class FreePBX_Helpers {
	}
	interface BMO {
	}
	class KitConfig {
		public function get($keyword) {
			return $keyword == 'AMPASTERISKGROUP' ? 'kit-no-such-group' : false;
		}
	}
	class KitFreePBX {
		public $Totalrec;
		public $Config;
	}

	if ($argc < 4) {
		fwrite(STDERR, "usage: backup_restore.php MODULE_DIR SQLITE_FILE STEP [ARGS]\n");
		exit(2);
	}
	$pdo = new PDO('sqlite:' . $argv[2]);
	$pdo->setAttribute(PDO::ATTR_ERRMODE, PDO::ERRMODE_SILENT);
	$db = new KitDB($pdo);
	$GLOBALS['kit_log'] = array();

	require $argv[1] . '/Totalrec.class.php';
	require $argv[1] . '/Backup.php';
	require $argv[1] . '/Restore.php';
	$freepbx = new KitFreePBX();
	$freepbx->Config = new KitConfig();
	$freepbx->Totalrec = new \FreePBX\modules\Totalrec($freepbx);

	$out = array();
	switch ($argv[3]) {
	case 'install':
		$out['ok'] = $freepbx->Totalrec->install();
		break;
	case 'reset': // what the restore does first: uninstall and install the module
		$freepbx->Totalrec->uninstall();
		$out['ok'] = $freepbx->Totalrec->install();
		break;
	case 'dump':
		$out['settings'] = $freepbx->Totalrec->storedSettings();
		$out['effective'] = totalrec_get_settings();
		break;
	case 'backup': // as backup/Handlers/Backup/Common.php processModule() does
		$b = new \FreePBX\modules\Totalrec\Backup($freepbx, '16.0.0', null, 'kit', array('module' => 'totalrec', 'version' => null), false);
		$b->runBackup('backup-id', 'kit');
		$out['modified'] = $b->getModified();
		$out['data'] = $b->getData();
		break;
	case 'restore': // as backup/Handlers/Restore/Common.php processModule() does, reset left to the caller
		$modData = json_decode(file_get_contents($argv[4]), true);
		$modData['module'] = 'totalrec';
		$modData['version'] = '1.1.0';
		$modData['pbx_version'] = null;
		$r = new \FreePBX\modules\Totalrec\Restore($freepbx, '16.0.0', null, 'kit', $modData, $argv[5], false);
		$r->runRestore();
		break;
	case 'legacy': // as backup/Handlers/Restore/Legacy.php processLegacyModule() does
		$legacy = new PDO('sqlite:' . $argv[4]);
		$legacy->setAttribute(PDO::ATTR_ERRMODE, PDO::ERRMODE_EXCEPTION);
		$modData = array('module' => 'totalrec', 'version' => '1.0.0', 'pbx_version' => '14.0.1', 'configs' => array());
		$r = new \FreePBX\modules\Totalrec\Restore($freepbx, '16.0.0', null, 'kit', $modData, $argv[5], false);
		$r->processLegacy($legacy, array('manifest' => array(), 'astdb' => array()), array(), array());
		break;
	default:
		fwrite(STDERR, "unknown step {$argv[3]}\n");
		exit(2);
	}
	$out['log'] = $GLOBALS['kit_log'];
	echo json_encode($out);
}
