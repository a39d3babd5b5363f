<?php
/**
 * Totalrec module settings and the daemon's configuration file.
 *
 * Module settings live in the table totalrec_settings (keyword, value) of FreePBX's
 * database; Totalrec's own configuration file (/etc/totalrec/totalrec.conf by default)
 * is only read, for sso_secret, listen and base_path. Plain functions, PHP 5.3 to 8.x.
 */

if (!function_exists('totalrec_settings_defaults')) {

	define('TOTALREC_DEFAULT_CONFIG', '/etc/totalrec/totalrec.conf');
	define('TOTALREC_DEFAULT_BINARY', '/usr/local/bin/totalrec');

	/** Setting keyword => default value. */
	function totalrec_settings_defaults() {
		return array(
			'daemon_url' => '',     // as the browser reaches it; '' = base_path on this origin, else this host, listen port
			'internal_url' => '',   // as this server reaches it; '' = from listen
			'config_file' => TOTALREC_DEFAULT_CONFIG,
			'hook_binary' => TOTALREC_DEFAULT_BINARY,
			'force' => 'yes',       // FreePBX 2.10+: record every call
		);
	}

	/**
	 * Reads Totalrec's configuration file: "key = value" lines, '#' or ';' comments at
	 * the start of a line, "[section]" headers that prefix the keys below with
	 * "section_", '-' in keys read as '_', values in double quotes unescaped, in single
	 * quotes taken literally.
	 *
	 * @return array|false key => value, or false when the file cannot be read
	 */
	function totalrec_read_conf($path) {
		if (!is_readable($path)) {
			return false;
		}
		$lines = file($path, FILE_IGNORE_NEW_LINES);
		if ($lines === false) {
			return false;
		}
		$out = array();
		$section = '';
		foreach ($lines as $line) {
			$line = trim($line);
			if ($line === '' || $line[0] == '#' || $line[0] == ';') {
				continue;
			}
			if ($line[0] == '[') {
				$section = str_replace('-', '_', trim(substr($line, 1, -1)));
				continue;
			}
			$eq = strpos($line, '=');
			if ($eq === false) {
				continue;
			}
			$key = str_replace('-', '_', trim(substr($line, 0, $eq)));
			$val = trim(substr($line, $eq + 1));
			$len = strlen($val);
			if ($len >= 2 && $val[0] == '"' && $val[$len - 1] == '"') {
				$val = stripcslashes(substr($val, 1, -1));
			} elseif ($len >= 2 && $val[0] == "'" && $val[$len - 1] == "'") {
				$val = substr($val, 1, -1);
			}
			if ($section !== '') {
				$key = $section . '_' . $key;
			}
			$out[$key] = $val;
		}
		return $out;
	}

	/** Creates the settings table (idempotent; MySQL and SQLite). */
	function totalrec_install_tables() {
		global $db;
		$res = $db->query('CREATE TABLE IF NOT EXISTS totalrec_settings ('
			. 'keyword VARCHAR(50) NOT NULL PRIMARY KEY, value VARCHAR(255) NOT NULL DEFAULT \'\')');
		return !(is_object($res) && DB::IsError($res));
	}

	/** Drops the settings table. */
	function totalrec_uninstall_tables() {
		global $db;
		$res = $db->query('DROP TABLE IF EXISTS totalrec_settings');
		return !(is_object($res) && DB::IsError($res));
	}

	/** All settings, stored values over defaults. */
	function totalrec_get_settings() {
		global $db;
		$out = totalrec_settings_defaults();
		if (!isset($db) || !is_object($db)) {
			return $out;
		}
		$rows = $db->getAll('SELECT keyword, value FROM totalrec_settings', array(), DB_FETCHMODE_ASSOC);
		if (is_array($rows)) {
			foreach ($rows as $row) {
				if (array_key_exists($row['keyword'], $out)) {
					$out[$row['keyword']] = $row['value'];
				}
			}
		}
		return $out;
	}

	/** Stores one setting; unknown keywords are ignored. */
	function totalrec_set_setting($keyword, $value) {
		global $db;
		if (!array_key_exists($keyword, totalrec_settings_defaults())) {
			return false;
		}
		$res = $db->query('REPLACE INTO totalrec_settings (keyword, value) VALUES (?, ?)',
			array($keyword, (string)$value));
		return !(is_object($res) && DB::IsError($res));
	}

	/**
	 * Checks a setting value; returns an error message or '' when it is acceptable.
	 */
	function totalrec_validate_setting($keyword, $value) {
		switch ($keyword) {
		case 'daemon_url':
		case 'internal_url':
			if ($value !== '' && !preg_match('#^https?://[A-Za-z0-9.\-\[\]:]+(/[A-Za-z0-9._~/\-]*)?$#', $value)) {
				return _('A URL like http://pbx.example.com:8080 (or empty)');
			}
			return '';
		case 'config_file':
		case 'hook_binary':
			// Runs in a shell (the MixMonitor post-command): plain absolute paths only.
			if (!preg_match('#^/[A-Za-z0-9._/+\-]+$#', $value)) {
				return _('An absolute path of letters, digits and ._/+-');
			}
			return '';
		case 'force':
			return ($value == 'yes' || $value == 'no') ? '' : _('yes or no');
		}
		return _('Unknown setting');
	}

	/** Totalrec's configuration for the settings given (false if unreadable). */
	function totalrec_get_config_file($settings) {
		return totalrec_read_conf($settings['config_file']);
	}

	/**
	 * The path the daemon serves its UI and API under: base_path of its configuration
	 * ("/totalrec" behind FreePBX's Apache, as install.sh sets it up), '' at the root
	 * or when it is not a plain /seg[/seg...] path.
	 */
	function totalrec_base_path($conf) {
		$base = (is_array($conf) && isset($conf['base_path'])) ? $conf['base_path'] : '';
		if (!preg_match('#^(/[A-Za-z0-9._~\-]+)+$#', $base)) {
			return '';
		}
		return $base;
	}

	/** $url without a trailing slash, ending with the daemon's base path. */
	function totalrec_with_base($url, $base) {
		$url = rtrim($url, '/');
		if ($base !== '' && substr($url, -strlen($base)) !== $base) {
			$url .= $base;
		}
		return $url;
	}

	/**
	 * The base URL this server uses to reach the daemon: internal_url, else the
	 * listen address, with the base path (the API and /healthz are under it).
	 */
	function totalrec_internal_url($settings, $conf) {
		$base = totalrec_base_path($conf);
		if ($settings['internal_url'] !== '') {
			return totalrec_with_base($settings['internal_url'], $base);
		}
		$listen = (is_array($conf) && isset($conf['listen']) && $conf['listen'] !== '') ? $conf['listen'] : '127.0.0.1:8080';
		$colon = strrpos($listen, ':');
		$host = $colon === false ? $listen : substr($listen, 0, $colon);
		$port = $colon === false ? '8080' : substr($listen, $colon + 1);
		if ($host === '' || $host === '0.0.0.0' || $host === '[::]' || $host === '::') {
			$host = '127.0.0.1';
		}
		return 'http://' . $host . ':' . $port . $base;
	}

	/**
	 * The base URL the administrator's browser uses to reach the daemon: daemon_url
	 * (with the base path, which every link the daemon makes carries); else, when the
	 * daemon has a base path, that path on this page's own origin (FreePBX's Apache
	 * proxies it: same host, port and TLS whatever name the browser used, so the
	 * iframe and its cookies are same-origin); else this host on the listen port.
	 */
	function totalrec_browser_url($settings, $conf) {
		$base = totalrec_base_path($conf);
		if ($settings['daemon_url'] !== '') {
			return totalrec_with_base($settings['daemon_url'], $base);
		}
		if ($base !== '') {
			return $base;
		}
		$internal = totalrec_internal_url($settings, $conf);
		$port = parse_url($internal, PHP_URL_PORT);
		$host = isset($_SERVER['HTTP_HOST']) ? preg_replace('/:\d+$/', '', $_SERVER['HTTP_HOST']) : 'localhost';
		if (!preg_match('/^[A-Za-z0-9.\-\[\]:]+$/', $host)) {
			$host = 'localhost';
		}
		$scheme = (!empty($_SERVER['HTTPS']) && $_SERVER['HTTPS'] != 'off') ? 'https' : 'http';
		return $scheme . '://' . $host . ($port ? ':' . $port : '');
	}

	/**
	 * GET $url with a short timeout.
	 *
	 * @return array array(status, body); status 0 when unreachable
	 */
	function totalrec_http_get($url, $headers = array(), $timeout = 2) {
		if (function_exists('curl_init')) {
			$ch = curl_init($url);
			curl_setopt($ch, CURLOPT_RETURNTRANSFER, true);
			curl_setopt($ch, CURLOPT_CONNECTTIMEOUT, $timeout);
			curl_setopt($ch, CURLOPT_TIMEOUT, $timeout);
			curl_setopt($ch, CURLOPT_HTTPHEADER, $headers);
			$body = curl_exec($ch);
			$status = (int)curl_getinfo($ch, CURLINFO_HTTP_CODE);
			curl_close($ch);
			return array($body === false ? 0 : $status, $body === false ? '' : $body);
		}
		$ctx = stream_context_create(array('http' => array(
			'timeout' => $timeout, 'ignore_errors' => true, 'header' => implode("\r\n", $headers))));
		$body = @file_get_contents($url, false, $ctx);
		if ($body === false || !isset($http_response_header[0])) {
			return array(0, '');
		}
		$status = preg_match('#^HTTP/\S+\s+(\d+)#', $http_response_header[0], $m) ? (int)$m[1] : 0;
		return array($status, $body);
	}
}
