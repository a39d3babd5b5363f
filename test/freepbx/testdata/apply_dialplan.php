<?php
// Runs the module's totalrec_apply_dialplan() on a minimal stand-in for FreePBX's
// extensions class (same public fields and splice-at-0 behaviour) and prints the result
// as JSON. Usage: php apply_dialplan.php <module dir> <2.11|16> <existing MIXMON_POST>
class extensions {
	var $_exts = array();
	var $_globals = array();
	function add($section, $extension, $tag, $command) {
		$this->_exts[$section][' ' . $extension . ' '][] = array('tag' => $tag, 'cmd' => $command);
	}
	function addGlobal($k, $v) {
		$this->_globals[$k] = $v;
	}
	function splice($section, $extension, $priority, $command) {
		if (!is_int($priority)) {
			throw new Exception('only numeric splices are expected');
		}
		$key = ' ' . $extension . ' ';
		if (!isset($this->_exts[$section][$key][0])) {
			throw new Exception("died in splice $section $extension");
		}
		array_splice($this->_exts[$section][$key], $priority, 0, array(array('tag' => '', 'cmd' => $command)));
	}
}
class ext_execif {
	var $s;
	function __construct($expr, $app, $data = '') {
		$this->s = 'ExecIf(' . $expr . '?' . $app . '(' . $data . '))';
	}
	function output() {
		return $this->s;
	}
}
class ext_set extends ext_execif {
	function __construct($var, $value) {
		$this->s = 'Set(' . $var . '=' . $value . ')';
	}
}
class ext_noop extends ext_execif {
	function __construct($s) {
		$this->s = 'NoOp(' . $s . ')';
	}
}
require $argv[1] . '/lib/config.php';
require $argv[1] . '/lib/dialplan.php';

$ext = new extensions();
$ext->addGlobal('MIXMON_POST', $argv[3]);
$c = 'sub-record-check';
$ext->add($c, 's', '', new ext_noop('entry'));
if ($argv[2] == '16') {
	foreach (array('recordcheck', 'recconf', 'out', 'exten') as $e) {
		$ext->add($c, $e, '', new ext_noop($e));
	}
} else {
	foreach (array('record', 'recq', 'recconf', 'out', 'exten', 'rg', 'q', 'conf', 'page', 'force') as $e) {
		$ext->add($c, $e, '', new ext_noop($e));
	}
}
$settings = totalrec_settings_defaults();
$done = totalrec_apply_dialplan($ext, $settings, '');
$first = array();
$all = array();
foreach ($ext->_exts[$c] as $name => $lines) {
	$first[trim($name)] = $lines[0]['cmd']->output();
	foreach ($lines as $l) {
		$all[trim($name)][] = $l['cmd']->output();
	}
}
echo json_encode(array('done' => $done, 'globals' => $ext->_globals, 'first' => $first, 'lines' => $all));
