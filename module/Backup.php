<?php
/**
 * What FreePBX's Backup & Restore module (FreePBX 15 and later) saves of Totalrec:
 * the rows of totalrec_settings as stored (configs "settings"), and Totalrec's own
 * configuration file and retention policy (files, with their mode, owner and group
 * in configs "files"). Restore.php puts them back. The recordings and their catalogue
 * are Totalrec's data, not FreePBX's configuration, and are not in it.
 *
 * FreePBX 2.x to 14 never load this file (their backups dump the whole database).
 */
namespace FreePBX\modules\Totalrec;

use FreePBX\modules\Backup as Base;

class Backup extends Base\BackupBase {
	public function runBackup($id, $transaction) {
		$totalrec = $this->FreePBX->Totalrec;
		$files = array();
		$dirs = array();
		foreach ($totalrec->configFiles() as $path) {
			if (!file_exists($path)) {
				continue;
			}
			if (!is_file($path) || !is_readable($path)) {
				$this->log(sprintf(_('Cannot read %s: it is not in this backup'), $path), 'WARNING');
				continue;
			}
			$files[$path] = $this->fileMeta($path);
			$this->addFile(basename($path), dirname($path), '', 'totalrec');
			$dirs[dirname($path)] = true;
		}
		$this->addDirectories(array_keys($dirs));
		$this->addConfigs(array(
			'settings' => $totalrec->storedSettings(),
			'files' => $files,
		));
	}

	/** Mode (octal string), owner and group (names when known) of $path. */
	private function fileMeta($path) {
		$owner = fileowner($path);
		$group = filegroup($path);
		if (function_exists('posix_getpwuid')) {
			$pw = posix_getpwuid($owner);
			$gr = posix_getgrgid($group);
			$owner = is_array($pw) ? $pw['name'] : $owner;
			$group = is_array($gr) ? $gr['name'] : $group;
		}
		return array(
			'mode' => sprintf('%04o', fileperms($path) & 0777),
			'owner' => (string)$owner,
			'group' => (string)$group,
		);
	}
}
