<?php
/**
 * The module's own Totalrec, for an administrator who installs it from Module Admin
 * and never opens a shell.
 *
 * The tarball `make dist` writes for Module Admin carries a static totalrec in the
 * module's bin/. Its install (install.php, as the FreePBX web user or as root) sets
 * up what install.sh sets up as root, in places the web user owns:
 *   - <ASTVARLIBDIR>/totalrec/ (0750): totalrec.conf (0640: listen, data_dir,
 *     base_path /totalrec, retention_policy, a generated sso_secret), retention.conf
 *     (every rule commented out: nothing is deleted until the administrator writes
 *     one) and data/;
 *   - the module's settings hook_binary and config_file, so that the dialplan hook
 *     and the pages use them;
 *   - <AMPWEBROOT>/totalrec, a link to the module's htdocs/, whose index.php passes
 *     requests to the daemon on 127.0.0.1 (FreePBX's Apache needs no proxy module);
 *   - the nightly `totalrec retention run` in the web user's crontab (FreePBX's Cron);
 *   - `totalrec serve`, started now and by `fwconsole start` (the Start hook).
 * Uninstalling stops the daemon and removes the link and the cron line; the state
 * directory, the catalogue and the recordings are kept.
 *
 * When install.sh has installed Totalrec (/usr/local/bin/totalrec and
 * /etc/totalrec/totalrec.conf), the module uses that one and none of this applies.
 * Plain functions, PHP 5.3 to 8.x.
 */

if (!function_exists('totalrec_bundle_paths')) {

	/** Where the bundled Totalrec lives: binary, state directory and its files. */
	function totalrec_bundle_paths() {
		global $amp_conf;
		$lib = (isset($amp_conf['ASTVARLIBDIR']) && $amp_conf['ASTVARLIBDIR'] !== '') ? $amp_conf['ASTVARLIBDIR'] : '/var/lib/asterisk';
		$web = (isset($amp_conf['AMPWEBROOT']) && $amp_conf['AMPWEBROOT'] !== '') ? $amp_conf['AMPWEBROOT'] : '/var/www/html';
		$module = dirname(__DIR__);
		$dir = rtrim($lib, '/') . '/totalrec';
		return array(
			'bin' => $module . '/bin/totalrec',
			'htdocs' => $module . '/htdocs',
			'dir' => $dir,
			'conf' => $dir . '/totalrec.conf',
			'policy' => $dir . '/retention.conf',
			'data' => $dir . '/data',
			'link' => rtrim($web, '/') . '/totalrec',
		);
	}

	/** The user FreePBX's web server and Asterisk run as. */
	function totalrec_bundle_user() {
		global $amp_conf;
		foreach (array('AMPASTERISKWEBUSER', 'AMPASTERISKUSER') as $key) {
			if (!empty($amp_conf[$key])) {
				return $amp_conf[$key];
			}
		}
		return 'asterisk';
	}

	/**
	 * True when the module carries its own totalrec and install.sh has not
	 * installed one: the module then sets up, runs and removes its own.
	 */
	function totalrec_bundle_applies() {
		$p = totalrec_bundle_paths();
		return is_file($p['bin']) && !(is_file(TOTALREC_DEFAULT_BINARY) && is_file(TOTALREC_DEFAULT_CONFIG));
	}

	/** As root, gives $path to the web user (what it creates must stay its own). */
	function totalrec_bundle_own($path) {
		if (function_exists('posix_getuid') && posix_getuid() == 0) {
			$user = totalrec_bundle_user();
			@chown($path, $user);
			@chgrp($path, $user);
		}
	}

	/** A free port on 127.0.0.1 from 8080 on (the daemon's listen address). */
	function totalrec_bundle_port() {
		for ($port = 8080; $port < 8100; $port++) {
			$s = @fsockopen('127.0.0.1', $port, $errno, $errstr, 0.5);
			if ($s === false) {
				return $port;
			}
			fclose($s);
		}
		return 8080;
	}

	/**
	 * Sets up the bundled Totalrec and starts it. Idempotent: existing files are
	 * kept (an upgrade keeps the secret and the policy), the daemon is restarted so
	 * that a new binary runs.
	 *
	 * @return array what it did, one line each, for out(); a line starting with
	 *               "ERROR: " is a failure
	 */
	function totalrec_bundle_setup() {
		$p = totalrec_bundle_paths();
		$log = array();
		@chmod($p['bin'], 0755);
		@chmod($p['bin'] . '-hook', 0755); // the dialplan's hook (totalrec_hook_command)
		foreach (array($p['dir'], $p['data']) as $dir) {
			if (!is_dir($dir) && !@mkdir($dir, 0750, true)) {
				return array('ERROR: ' . sprintf(_('Could not create %s'), $dir));
			}
			totalrec_bundle_own($dir);
		}
		if (!is_file($p['conf'])) {
			$conf = "# Totalrec's configuration, written by the FreePBX module's install. Settings\n"
				. "# not given here come from FreePBX's own files; see 'totalrec config'.\n"
				. 'listen = 127.0.0.1:' . totalrec_bundle_port() . "\n"
				. 'data_dir = ' . $p['data'] . "\n"
				. "# The UI's path, on FreePBX's own origin (" . $p['link'] . ").\n"
				. "base_path = /totalrec\n"
				. 'retention_policy = ' . $p['policy'] . "\n"
				. 'sso_secret = ' . bin2hex(totalrec_random_bytes(32)) . "\n";
			if (!totalrec_bundle_write($p['conf'], $conf, 0640)) {
				return array('ERROR: ' . sprintf(_('Could not write %s'), $p['conf']));
			}
			$log[] = sprintf(_('Wrote %s'), $p['conf']);
		}
		if (!is_file($p['policy'])) {
			$policy = (string)@file_get_contents(dirname(__DIR__) . '/retention.conf');
			if (!totalrec_bundle_write($p['policy'], $policy, 0644)) {
				return array('ERROR: ' . sprintf(_('Could not write %s'), $p['policy']));
			}
			$log[] = sprintf(_('Wrote %s (no rule: nothing is deleted until you add one)'), $p['policy']);
		}
		totalrec_set_setting('hook_binary', $p['bin']);
		totalrec_set_setting('config_file', $p['conf']);
		$log[] = totalrec_bundle_link($p);
		$log[] = totalrec_bundle_cron($p, true);
		$log[] = totalrec_bundle_restart();
		return $log;
	}

	/** Writes $path whole (through a temporary file), with $mode, owned by the web user. */
	function totalrec_bundle_write($path, $content, $mode) {
		$tmp = $path . '.tmp';
		if (@file_put_contents($tmp, $content) === false) {
			return false;
		}
		@chmod($tmp, $mode);
		totalrec_bundle_own($tmp);
		return @rename($tmp, $path);
	}

	/** The daemon's address for htdocs/index.php, and the link that serves it. */
	function totalrec_bundle_link($p) {
		$conf = totalrec_read_conf($p['conf']);
		$upstream = totalrec_internal_url(array('internal_url' => ''), $conf);
		$base = totalrec_base_path($conf);
		$origin = substr($upstream, 0, strlen($upstream) - strlen($base));
		$php = "<?php\n// Written by the module's install: the daemon htdocs/index.php passes requests to.\n"
			. 'return ' . var_export(array('origin' => $origin, 'base' => $base), true) . ";\n";
		if (!totalrec_bundle_write($p['htdocs'] . '/upstream.php', $php, 0640)) {
			return 'ERROR: ' . sprintf(_('Could not write %s'), $p['htdocs'] . '/upstream.php');
		}
		if (is_link($p['link']) && readlink($p['link']) === $p['htdocs']) {
			return sprintf(_('The UI is at %s on FreePBX\'s own web server'), '/totalrec/');
		}
		if (file_exists($p['link']) || is_link($p['link'])) {
			return 'ERROR: ' . sprintf(_('%s exists and is not the module\'s: the UI is not served under /totalrec/'), $p['link']);
		}
		if (!@symlink($p['htdocs'], $p['link'])) {
			return 'ERROR: ' . sprintf(_('Could not link %s'), $p['link']);
		}
		if (function_exists('lchown') && function_exists('posix_getuid') && posix_getuid() == 0) {
			@lchown($p['link'], totalrec_bundle_user());
		}
		return sprintf(_('The UI is at %s on FreePBX\'s own web server'), '/totalrec/');
	}

	/**
	 * The jobs of the web user's crontab, added ($on) or removed: the nightly
	 * retention run, and the hourly seal (the evidence manifests; the key is then
	 * this user's, in the data directory).
	 */
	function totalrec_bundle_cron($p, $on) {
		// FreePBX::Cron() is reached through __callStatic: method_exists() cannot see it.
		if (!class_exists('FreePBX')) {
			return 'ERROR: ' . _('No FreePBX Cron: add the nightly "totalrec retention run" by hand');
		}
		$jobs = array('retention run' => '30 3 * * *', 'seal' => '20 * * * *');
		try {
			$cron = \FreePBX::Cron();
			foreach ($jobs as $job => $when) {
				$line = $when . ' ' . $p['bin'] . ' --config ' . $p['conf'] . ' ' . $job . ' 2>&1 | logger -t totalrec';
				foreach (totalrec_bundle_cron_lines() as $l) {
					if (strpos($l, ' --config ' . $p['conf'] . ' ' . $job . ' 2>&1') !== false && ($l !== $line || !$on)) {
						$cron->remove($l);
					}
				}
				if ($on && !in_array($line, $cron->getAll())) {
					$cron->add($line);
				}
			}
		} catch (\Exception $e) {
			return 'ERROR: ' . $e->getMessage();
		}
		return $on ? _('Nightly retention: 03:30, in the crontab of FreePBX\'s user') : _('Removed the nightly retention job');
	}

	/** The lines of the web user's crontab (empty without FreePBX's Cron). */
	function totalrec_bundle_cron_lines() {
		if (!class_exists('FreePBX')) {
			return array();
		}
		try {
			return \FreePBX::Cron()->getAll();
		} catch (\Exception $e) {
			return array();
		}
	}

	/** The pid of the bundled daemon, or 0 when it does not run. */
	function totalrec_bundle_pid() {
		$p = totalrec_bundle_paths();
		$pid = (int)trim((string)@file_get_contents($p['data'] . '/serve.lock'));
		if ($pid <= 0) {
			return 0;
		}
		$cmd = (string)@file_get_contents('/proc/' . $pid . '/cmdline');
		$args = explode("\0", $cmd);
		return ($args[0] === $p['bin'] && in_array('serve', $args)) ? $pid : 0;
	}

	/** Stops the bundled daemon (SIGTERM, up to 15 s). */
	function totalrec_bundle_stop() {
		$pid = totalrec_bundle_pid();
		if ($pid == 0) {
			return _('Totalrec was not running');
		}
		if (function_exists('posix_kill')) {
			posix_kill($pid, 15);
		} else {
			exec('kill -TERM ' . (int)$pid);
		}
		for ($i = 0; $i < 150 && totalrec_bundle_pid() == $pid; $i++) {
			usleep(100000);
		}
		return totalrec_bundle_pid() == $pid ? 'ERROR: ' . sprintf(_('Totalrec (pid %d) did not stop'), $pid) : _('Stopped Totalrec');
	}

	/**
	 * (Re)starts the bundled daemon as the web user, detached from this process
	 * (its own session, none of its descriptors), logging to syslog, and waits up
	 * to 30 s for /healthz.
	 */
	function totalrec_bundle_restart() {
		$p = totalrec_bundle_paths();
		if (totalrec_bundle_pid() != 0) {
			$stopped = totalrec_bundle_stop();
			if (strpos($stopped, 'ERROR: ') === 0) {
				return $stopped;
			}
		}
		$serve = escapeshellarg($p['bin']) . ' --config ' . escapeshellarg($p['conf']) . ' serve 2>&1 | logger -t totalrec';
		$run = 'setsid sh -c ' . escapeshellarg($serve);
		if (function_exists('posix_getuid') && posix_getuid() == 0) {
			$run = 'runuser -u ' . escapeshellarg(totalrec_bundle_user()) . ' -- ' . $run;
		}
		// Descriptors above 2 are closed first: PHP's own (fwconsole's output, or
		// Apache's connection when Module Admin installs from the browser) would
		// otherwise stay open in the daemon (and in runuser, which waits for it),
		// and the install would never finish.
		$detach = 'PATH="$PATH:/usr/sbin:/sbin"; for f in /proc/$$/fd/*; do n=${f##*/}; '
			. '[ "$n" -gt 2 ] && eval "exec $n>&-" 2>/dev/null; done; exec ' . $run;
		$cmd = 'bash -c ' . escapeshellarg($detach);
		exec($cmd . ' </dev/null >/dev/null 2>&1 &');
		$url = totalrec_internal_url(array('internal_url' => ''), totalrec_read_conf($p['conf'])) . '/healthz';
		for ($i = 0; $i < 60; $i++) {
			list($status) = totalrec_http_get($url, array(), 1);
			if ($status == 200) {
				return sprintf(_('Totalrec is running (%s)'), $url);
			}
			usleep(500000);
		}
		return 'ERROR: ' . sprintf(_('Totalrec did not answer at %s: see the system log (tag totalrec)'), $url);
	}

	/**
	 * Removes what totalrec_bundle_setup() set up, but the state directory (the
	 * configuration, its secret and the policy stay for a reinstall).
	 */
	function totalrec_bundle_remove() {
		$p = totalrec_bundle_paths();
		$log = array(totalrec_bundle_stop(), totalrec_bundle_cron($p, false));
		if (is_link($p['link']) && readlink($p['link']) === $p['htdocs']) {
			@unlink($p['link']);
			$log[] = sprintf(_('Removed %s'), $p['link']);
		}
		@unlink($p['htdocs'] . '/upstream.php');
		$log[] = sprintf(_('Kept %s (configuration, retention policy, data) and every recording'), $p['dir']);
		return $log;
	}
}
