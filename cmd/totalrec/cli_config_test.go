package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLI_ConfigOnFreePBX runs `totalrec config` against a fake FreePBX 16 tree: the
// database comes from freepbx.conf, the spool from MIXMON_DIR, and the password is
// never printed.
func TestCLI_ConfigOnFreePBX(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"etc/freepbx.conf": `<?php
$amp_conf['AMPDBUSER'] = 'freepbxuser';
$amp_conf['AMPDBPASS'] = 'S3cr3t-pa55';
$amp_conf['AMPDBHOST'] = '127.0.0.1';
$amp_conf['AMPDBNAME'] = 'asterisk';
$amp_conf['AMPDBENGINE'] = 'mysql';
require_once('/var/www/html/admin/bootstrap.php');
`,
		"etc/amportal.conf":          "MIXMON_DIR=/srv/recordings/\nCDRDBNAME=asteriskcdrdb\n",
		"etc/asterisk/asterisk.conf": "[directories](!)\nastspooldir => /var/spool/asterisk\n",
	}
	for name, body := range files {
		p := filepath.Join(root, name)
		must(t, os.MkdirAll(filepath.Dir(p), 0o755))
		must(t, os.WriteFile(p, []byte(body), 0o644))
	}
	r := cli(t, []string{"TOTALREC_FS_ROOT=" + root}, "config", "--json").must(t, exitOK)
	if strings.Contains(r.stdout, "S3cr3t") {
		t.Fatalf("the password is printed:\n%s", r.stdout)
	}
	entries := decode[[]struct{ Key, Value, Source string }](t, r.stdout)
	got := map[string][2]string{}
	for _, e := range entries {
		got[e.Key] = [2]string{e.Value, e.Source}
	}
	if v := got["spool"]; v[0] != "/srv/recordings" || !strings.Contains(v[1], "amportal") {
		t.Errorf("spool = %v", v)
	}
	if v := got["db"]; !strings.Contains(v[0], "freepbxuser") || !strings.Contains(v[0], "/asterisk") || !strings.Contains(v[1], "freepbx.conf") {
		t.Errorf("db = %v", v)
	}
	if v := got["cdr_db"]; !strings.Contains(v[0], "/asteriskcdrdb") {
		t.Errorf("cdr_db = %v", v)
	}

	// The environment overrides FreePBX, a flag overrides the environment.
	r = cli(t, []string{"TOTALREC_FS_ROOT=" + root, "TOTALREC_SPOOL=/env/spool"}, "--spool", "/flag/spool", "config").must(t, exitOK)
	if !strings.Contains(r.stdout, "/flag/spool") || strings.Contains(r.stdout, "/env/spool") {
		t.Errorf("flag did not win:\n%s", r.stdout)
	}

	// A broken config file is a clear error naming the file and line.
	bad := filepath.Join(t.TempDir(), "totalrec.conf")
	must(t, os.WriteFile(bad, []byte("spool = /x\nno_such_key = 1\n"), 0o644))
	r = cli(t, nil, "--config", bad, "config")
	if r.code != exitError || !strings.Contains(r.stderr, "totalrec.conf:2") {
		t.Errorf("bad config: exit %d, stderr %q", r.code, r.stderr)
	}
}
