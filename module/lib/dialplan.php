<?php
/**
 * Total recording on FreePBX 2.10 to 17, applied to the dialplan FreePBX generates.
 *
 * FreePBX 2.10+ start recordings in [sub-record-check], already in YYYY/MM/DD/
 * directories with the <type>-<dest>-<from>-<time>-<uniqueid> name. Totalrec changes
 * the generated $ext object, after core (2.10/2.11) and callrecording (12+) built it:
 *   - MIXMON_POST (global) runs the hook (totalrec-hook) first, then the administrator's own
 *     post-command, if any;
 *   - global TOTALREC_FORCE (the module's "force" setting; globals_custom.conf can
 *     override it) makes every recording decision "record":
 *       12-17: [sub-record-check] recordcheck gets a first line setting its policy
 *              argument to "force", recconf (conferences) its ARG3 to "always"; a
 *              transferred call still recording keeps its one file (the next two
 *              lines of recordcheck, for blind and attended transfers);
 *       2.10/2.11: every type handler (exten, out, rg, q, force, conf, page...) gets a
 *              first line setting __REC_POLICY_MODE=always, which each of them tests.
 *     Set TOTALREC_FORCE=no to fall back to FreePBX's own policies at run time.
 * On FreePBX 2.5-2.9 there is no [sub-record-check]; recording is changed by
 * freepbx-overrides/extensions_override_freepbx.conf and this does nothing.
 *
 * Why $ext and not an extensions_override_freepbx.conf override of recordcheck: an
 * override wins per priority number, and recordcheck's priorities differ between
 * callrecording 12, 13, 14, 15, 16 and 17 (and core 2.10/2.11 has no recordcheck);
 * a spliced line is placed relative to whatever the installed version generated,
 * survives module upgrades, and leaves the administrator's override file alone.
 */

if (!function_exists('totalrec_hook_command')) {

	/**
	 * The MixMonitor post-command. MixMonitor turns ^{X} into ${X} and substitutes it
	 * when the recording starts, then runs the result with /bin/sh -c when the file is
	 * closed: MIXMONITOR_FILENAME (the file's absolute path, built by FreePBX from its
	 * own fields) and UNIQUEID are the only values used, single-quoted for the shell.
	 * $binary and $config must be plain absolute paths (see totalrec_validate_setting());
	 * --config is given when $config is not the default the binary reads anyway.
	 * The command is totalrec-hook, the small binary installed beside $binary that
	 * starts in a fraction of totalrec's time, or `totalrec hook` where there is none
	 * (an older install).
	 */
	function totalrec_hook_command($binary, $config = TOTALREC_DEFAULT_CONFIG) {
		$plain = '#^/[A-Za-z0-9._/+\-]+$#';
		if (!preg_match($plain, $binary)) {
			$binary = TOTALREC_DEFAULT_BINARY;
		}
		$opt = ($config !== TOTALREC_DEFAULT_CONFIG && preg_match($plain, $config)) ? ' --config ' . $config : '';
		$args = " --file '^{MIXMONITOR_FILENAME}' --uniqueid '^{UNIQUEID}'"
			. " --recorded-by '^{TOTALREC_RECORDED_BY}' --announced '^{TOTALREC_ANN}'";
		if (is_file($binary . '-hook') && is_executable($binary . '-hook')) {
			return $binary . '-hook' . $opt . $args;
		}
		return $binary . $opt . ' hook' . $args;
	}

	/**
	 * MIXMON_POST with the hook first. ';' separates the commands for the shell; it is
	 * written "\;" because a bare ';' starts a comment in extensions_additional.conf.
	 */
	function totalrec_mixmon_post($existing, $hook) {
		$existing = trim((string)$existing);
		if (preg_match('#totalrec(-hook( --config \S+)? --file|( --config \S+)? hook) #', $existing)) {
			return $existing; // already there (set by hand, or a second run)
		}
		return $existing === '' ? $hook : $hook . ' \; ' . $existing;
	}

	/** Names of the extensions of $context in $ext (FreePBX pads them with spaces). */
	function totalrec_ext_names($ext, $context) {
		if (!isset($ext->_exts[$context]) || !is_array($ext->_exts[$context])) {
			return array();
		}
		$out = array();
		foreach (array_keys($ext->_exts[$context]) as $name) {
			$out[] = trim($name);
		}
		return $out;
	}

	/**
	 * Applies total recording and the hook to $ext (an object of FreePBX's extensions
	 * class). Returns what it did, for logging, or false when there is nothing to change.
	 *
	 * @param object $ext      FreePBX's dialplan being generated
	 * @param array  $settings totalrec_get_settings()
	 * @param string $amp_post the MIXMON_POST Advanced Setting, used when $ext has none
	 */
	function totalrec_apply_dialplan($ext, $settings, $amp_post = '') {
		$ctx = 'sub-record-check';
		$names = totalrec_ext_names($ext, $ctx);
		if (empty($names)) {
			return false;
		}
		$done = array();
		$existing = isset($ext->_globals['MIXMON_POST']) ? $ext->_globals['MIXMON_POST'] : $amp_post;
		$ext->addGlobal('MIXMON_POST', totalrec_mixmon_post($existing, totalrec_hook_command($settings['hook_binary'], $settings['config_file'])));
		$ext->addGlobal('TOTALREC_FORCE', $settings['force'] == 'no' ? 'no' : 'yes');
		$done[] = 'MIXMON_POST';

		$force = '"${TOUPPER(${TOTALREC_FORCE})}" != "NO"';
		$forced = '$[' . $force . ']';
		if (in_array('recordcheck', $names)) {
			// FreePBX 12-17: recordcheck(policy, type, dest) decides for every type.
			$ext->splice($ctx, 'recordcheck', 0, new ext_execif($forced, 'Set', 'ARG1=force'));
			// After a blind or attended transfer [sub-record-check] sets REC_STATUS=NO
			// and the check for the new destination would start a second file, while
			// the call's recording goes on: on the transferred channel itself (blind:
			// RECORD_ID is this channel), or, for the new leg of an attended transfer, on
			// a channel other than the transferer that still records and stays in the
			// call. Keep the one file, named in the new CDR row. (The consultation, while
			// the transferee holds, is in no file, as on FreePBX 2.9 with the override.
			// When the transferer is the one recording, the new leg records as FreePBX
			// decides.) IMPORT never gets an empty channel name: Asterisk logs an ERROR.
			$recording = '${IMPORT(${IF($["${RECORD_ID}" = ""]?none:${RECORD_ID})},REC_STATUS)}';
			$kept = '$[' . $force . ' & "${BLINDTRANSFER}${ATTENDEDTRANSFER}" != "" & ("${RECORD_ID}" = "${CHANNEL(name)}"'
				. ' | ("${ATTENDEDTRANSFER}" != "" & "${ATTENDEDTRANSFER}" != "${RECORD_ID}" & "' . $recording . '" = "RECORDING"))]';
			$ext->splice($ctx, 'recordcheck', 1, new ext_execif($kept, 'Set', 'CDR(recordingfile)=${CALLFILENAME}.${MON_FMT}'));
			$ext->splice($ctx, 'recordcheck', 2, new ext_execif($kept, 'Return'));
			// Which policy records the call, for the hook: Totalrec's total recording
			// or FreePBX's own (the dialplan may set TOTALREC_ANNOUNCED too).
			$ext->splice($ctx, 'recordcheck', 3, new ext_set('__TOTALREC_RECORDED_BY', '${IF(' . $forced . '?forced:policy)}'));
			// The administrator's TOTALREC_ANNOUNCED, reduced to yes or no before it
			// reaches the hook's shell command.
			$ext->splice($ctx, 'recordcheck', 4, new ext_set('__TOTALREC_ANN', '${IF($["${TOTALREC_ANNOUNCED}" = ""]?no:yes)}'));
			$done[] = 'recordcheck';
			if (in_array('recconf', $names)) {
				$ext->splice($ctx, 'recconf', 0, new ext_execif($forced, 'Set', 'ARG3=always'));
				$done[] = 'recconf';
			}
			return $done;
		}
		// FreePBX 2.10/2.11: each type handler tests REC_POLICY_MODE; the action
		// subroutines (record, recq, recconf) and the entry (s) are left alone.
		$actions = array('s', 'record', 'recq', 'recconf');
		foreach ($names as $name) {
			if (in_array($name, $actions) || $name === '' || $name[0] == '_') {
				continue;
			}
			$ext->splice($ctx, $name, 0, new ext_execif($forced, 'Set', '__REC_POLICY_MODE=always'));
			$done[] = $name;
		}
		return $done;
	}
}
