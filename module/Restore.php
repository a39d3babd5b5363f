<?php
/**
 * Restores what Backup.php saved (FreePBX 15 and later), and Totalrec's settings from
 * a FreePBX 14-or-earlier ("legacy") backup.
 *
 * The settings table becomes exactly the backup's rows, less the values
 * totalrec_validate_setting() refuses. Files are written only to the paths the
 * restored settings name (Totalrec::configFiles()), whatever paths the archive lists,
 * each through a temporary file renamed over the old one, with the backed-up mode,
 * owner and group (owner and group where the restoring user may set them).
 */
namespace FreePBX\modules\Totalrec;

use FreePBX\modules\Backup as Base;

class Restore extends Base\RestoreBase {
	public function runRestore() {
		$configs = $this->getConfigs();
		$this->restoreSettings(isset($configs['settings']) && is_array($configs['settings']) ? $configs['settings'] : array());
		$sources = array();
		foreach ($this->getFiles() as $file) {
			$sources[$file->getPathTo() . '/' . $file->getFilename()] = $file->getPathname();
		}
		$this->restoreFiles($sources, isset($configs['files']) && is_array($configs['files']) ? $configs['files'] : array());
	}

	/**
	 * A legacy backup holds FreePBX's whole database ($pdo, a temporary copy), so
	 * totalrec_settings if the module was installed; files only if the administrator
	 * added /etc/totalrec to the backup, under the archive's root or files/.
	 */
	public function processLegacy($pdo, $data, $tables, $unknownTables) {
		$settings = array();
		try {
			$sth = $pdo->query('SELECT keyword, value FROM totalrec_settings');
		} catch (\Exception $e) {
			$sth = false;
		}
		if ($sth === false) {
			$this->log(_('The legacy backup has no Totalrec settings: the defaults apply'), 'WARNING');
		} else {
			foreach ($sth->fetchAll(\PDO::FETCH_ASSOC) as $row) {
				$settings[$row['keyword']] = $row['value'];
			}
		}
		$this->restoreSettings($settings);
		$sources = array();
		foreach ($this->FreePBX->Totalrec->configFiles() as $path) {
			foreach (array($this->tmpdir . $path, $this->tmpdir . '/files' . $path) as $src) {
				if (is_file($src)) {
					$sources[$path] = $src;
					break;
				}
			}
		}
		$this->restoreFiles($sources, array());
	}

	private function restoreSettings($settings) {
		$skipped = $this->FreePBX->Totalrec->replaceSettings($settings);
		foreach ($skipped as $key => $why) {
			$this->log(sprintf(_('Setting %s not restored: %s'), $key, $why), 'WARNING');
		}
		$this->log(sprintf(_('Totalrec settings restored: %d'), count($settings) - count($skipped)));
	}

	/**
	 * Writes $sources (path => extracted file) to the paths configFiles() names with
	 * the restored settings; $meta is path => mode, owner, group (a legacy backup has
	 * none: an existing file keeps its own, a new one gets 0640 and FreePBX's group,
	 * which the web server and the daemon run as).
	 */
	private function restoreFiles($sources, $meta) {
		$allowed = $this->FreePBX->Totalrec->configFiles();
		$written = 0;
		foreach ($sources as $path => $src) {
			if (!in_array($path, $allowed, true)) {
				$this->log(sprintf(_('%s is not a Totalrec configuration file: not restored'), $path), 'WARNING');
				continue;
			}
			$m = isset($meta[$path]) && is_array($meta[$path]) ? $meta[$path] : $this->defaultMeta($path);
			if ($this->writeFile($path, $src, $m)) {
				$this->log(sprintf(_('Restored %s'), $path));
				$written++;
			} else {
				$this->log(sprintf(_('Could not write %s: copy it from the backup by hand'), $path), 'ERROR');
			}
		}
		if ($written == 0) {
			return;
		}
		$restarted = $this->FreePBX->Totalrec->restartBundled();
		if ($restarted === '') {
			$this->log(_('Restart the totalrec daemon to apply the restored configuration'), 'WARNING');
		} elseif (strpos($restarted, 'ERROR: ') === 0) {
			$this->log(substr($restarted, 7), 'ERROR');
		} else {
			$this->log($restarted);
		}
	}

	private function defaultMeta($path) {
		if (file_exists($path)) {
			return array('mode' => sprintf('%04o', fileperms($path) & 0777), 'owner' => (string)fileowner($path), 'group' => (string)filegroup($path));
		}
		$group = $this->FreePBX->Config->get('AMPASTERISKGROUP');
		return array('mode' => '0640', 'owner' => '', 'group' => $group ? (string)$group : 'asterisk');
	}

	private function writeFile($path, $src, $meta) {
		$data = @file_get_contents($src);
		$dir = dirname($path);
		if ($data === false || (!is_dir($dir) && !@mkdir($dir, 0755, true))) {
			return false;
		}
		$mode = (isset($meta['mode']) && preg_match('/^0?[0-7]{3}$/', (string)$meta['mode'])) ? octdec($meta['mode']) : 0640;
		$tmp = $dir . '/.' . basename($path) . '.restore-' . getmypid();
		$umask = umask(077);
		$ok = @file_put_contents($tmp, $data) === strlen($data);
		umask($umask);
		if ($ok) {
			@chmod($tmp, $mode);
			// Owner and group by name or number; refused unless allowed (root), kept then.
			$owner = isset($meta['owner']) ? (string)$meta['owner'] : '';
			$group = isset($meta['group']) ? (string)$meta['group'] : '';
			if ($owner !== '') {
				@chown($tmp, ctype_digit($owner) ? (int)$owner : $owner);
			}
			if ($group !== '') {
				@chgrp($tmp, ctype_digit($group) ? (int)$group : $group);
			}
			$ok = @rename($tmp, $path);
		}
		if (!$ok) {
			@unlink($tmp);
		}
		return $ok;
	}
}
