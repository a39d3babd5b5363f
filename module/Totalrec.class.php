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
require_once __DIR__ . '/lib/bundle.php';

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

	/** The BMO interface of FreePBX 12-14 declares it; 15+ back up with Backup.php. */
	public function backup() {
	}

	/** The BMO interface of FreePBX 12-14 declares it; 15+ restore with Restore.php. */
	public function restore($backup) {
	}

	/**
	 * The settings as stored (keyword => value), without the defaults: what a backup
	 * holds, so that a restore writes back exactly these rows and defaults stay defaults.
	 */
	public function storedSettings() {
		global $db;
		$rows = $db->getAll('SELECT keyword, value FROM totalrec_settings ORDER BY keyword', array(), DB_FETCHMODE_ASSOC);
		if (!is_array($rows)) {
			throw new \Exception(_('Could not read the totalrec_settings table'));
		}
		$out = array();
		foreach ($rows as $row) {
			$out[$row['keyword']] = $row['value'];
		}
		return $out;
	}

	/**
	 * Makes the stored settings exactly $settings (keyword => value, a backup's): known
	 * keywords whose values pass totalrec_validate_setting() are stored, as the settings
	 * page would (hook_binary goes into MixMonitor's shell command, config_file names a
	 * file Restore.php writes); every other row is removed, so its default applies.
	 *
	 * @return array keyword => why it was not restored
	 */
	public function replaceSettings($settings) {
		global $db;
		if (!totalrec_install_tables()) {
			throw new \Exception(_('Could not create the totalrec_settings table'));
		}
		$skipped = array();
		$kept = array();
		foreach ($settings as $key => $value) {
			$why = is_scalar($value) ? totalrec_validate_setting($key, (string)$value) : _('Unknown setting');
			if ($why !== '') {
				$skipped[$key] = $why;
				continue;
			}
			if (!totalrec_set_setting($key, $value)) {
				throw new \Exception(sprintf(_('Could not store the setting %s'), $key));
			}
			$kept[] = $key;
		}
		$sql = 'DELETE FROM totalrec_settings';
		if (count($kept) > 0) {
			$sql .= ' WHERE keyword NOT IN (' . implode(', ', array_fill(0, count($kept), '?')) . ')';
		}
		$res = $db->query($sql, $kept);
		if (is_object($res) && \DB::IsError($res)) {
			throw new \Exception(_('Could not update the totalrec_settings table'));
		}
		return $skipped;
	}

	/**
	 * Totalrec's own configuration files, which a backup holds beside the settings:
	 * the configuration file the settings name and the retention policy next to it
	 * (install.sh writes both to /etc/totalrec).
	 */
	public function configFiles() {
		$settings = totalrec_get_settings();
		$conf = $settings['config_file'];
		return array_values(array_unique(array($conf, dirname($conf) . '/retention.conf')));
	}

	public function doConfigPageInit($page) {
	}

	/**
	 * `fwconsole start` (at boot, and by hand) starts the module's own totalrec when
	 * it runs one (lib/bundle.php; module.xml hooks this to Start's post hooks).
	 */
	public function startFreepbx($output = null) {
		if (!totalrec_bundle_applies() || totalrec_bundle_pid() != 0) {
			return;
		}
		$line = totalrec_bundle_restart();
		if ($output !== null && method_exists($output, 'writeln')) {
			$output->writeln($line);
		}
	}

	/** After a restore wrote its configuration, the module's own totalrec reads it. */
	public function restartBundled() {
		return totalrec_bundle_applies() ? totalrec_bundle_restart() : '';
	}

	/** Priority of the dialplan hook: after callrecording's hookGet_config (600). */
	public static function myDialplanHooks() {
		return 900;
	}

	/** Forces recording and adds the hook (`totalrec-hook`) to MIXMON_POST (lib/dialplan.php). */
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
