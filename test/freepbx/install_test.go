package freepbx

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// The installer is tested from a release tarball, the way a FreePBX box without Go
// gets it: scripts/dist builds one once, and install.sh runs from it with --root on a
// fake FreePBX tree and --tools pointing at stubs that log what would run.

var (
	distOnce sync.Once
	distDir  string
	distErr  error
)

func release(t *testing.T) string {
	t.Helper()
	distOnce.Do(func() {
		out, err := os.MkdirTemp("", "totalrec-dist-")
		if err != nil {
			distErr = err
			return
		}
		cmd := exec.Command("../../scripts/dist")
		cmd.Env = append(os.Environ(), "DIST_DIR="+out, "VERSION=test")
		b, err := cmd.CombinedOutput()
		if err != nil {
			distErr = err
			t.Logf("%s", b)
			return
		}
		distDir = filepath.Join(out, "totalrec-test-linux-amd64")
	})
	if distErr != nil {
		t.Fatalf("scripts/dist: %v", distErr)
	}
	return distDir
}

// fakeFreePBX lays out a FreePBX tree: 2.9 (flat spool, [macro-record-enable]) or 16,
// booted with systemd, with Debian's Apache (/etc/apache2).
func fakeFreePBX(t *testing.T, generation string) (root, tools, log string) {
	t.Helper()
	root, tools = t.TempDir(), t.TempDir()
	log = filepath.Join(tools, "calls.log")
	files := map[string]string{
		"etc/amportal.conf":                             "AMPWEBROOT=/var/www/html\nAMPASTERISKUSER=asterisk\nASTETCDIR=/etc/asterisk\n",
		"etc/asterisk/extensions_override_freepbx.conf": "; the admin's own override\n[from-internal-custom]\nexten => 1234,1,Playback(demo-congrats)\n",
		"etc/systemd/system/.keep":                      "",
		"etc/apache2/conf-available/.keep":              "",
		"run/systemd/system/.keep":                      "",
		"var/www/html/admin/modules/core/module.xml":    "<module/>",
	}
	if generation == "2.9" {
		files["etc/asterisk/extensions_additional.conf"] = "[macro-record-enable]\nexten => s,1,GotoIf($[\"${BLINDTRANSFER}\" = \"\"]?check)\n"
	} else {
		files["etc/freepbx.conf"] = "<?php\n$amp_conf['AMPDBUSER'] = 'freepbxuser';\n$amp_conf['AMPDBPASS'] = 'pw';\n"
		files["etc/asterisk/extensions_additional.conf"] = "[sub-record-check]\nexten => s,1,GotoIf($[${LEN(${FROMEXTEN})}]?initialized)\n"
	}
	for name, body := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tool := range []string{"fwconsole", "systemctl", "asterisk", "runuser", "a2enmod", "a2enconf", "a2disconf", "apache2ctl", "apachectl"} {
		stub := "#!/bin/sh\necho \"" + tool + " $*\" >> " + log + "\n"
		if err := os.WriteFile(filepath.Join(tools, tool), []byte(stub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return root, tools, log
}

func install(t *testing.T, dir, root, tools string, args ...string) string {
	t.Helper()
	cmd := exec.Command(filepath.Join(dir, "install.sh"), append([]string{"--root", root, "--tools", tools}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("install.sh %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestInstall_FreePBX29(t *testing.T) {
	dir := release(t)
	root, tools, log := fakeFreePBX(t, "2.9")
	install(t, dir, root, tools)

	for _, b := range []string{"totalrec", "totalrec-hook"} {
		if fi, err := os.Stat(filepath.Join(root, "usr/local/bin", b)); err != nil || fi.Mode()&0o111 == 0 {
			t.Fatalf("binary %s: %v %v", b, fi, err)
		}
	}
	if out, err := exec.Command(filepath.Join(root, "usr/local/bin/totalrec"), "version").Output(); err != nil || !strings.Contains(string(out), "test") {
		t.Errorf("installed binary: %q, %v", out, err)
	}
	conf := filepath.Join(root, "etc/totalrec/totalrec.conf")
	body := read(t, conf)
	if !strings.Contains(body, "sso_secret = ") {
		t.Errorf("config has no generated secret:\n%s", body)
	}
	if fi, _ := os.Stat(conf); fi.Mode().Perm() != 0o640 {
		t.Errorf("config mode %v, want 0640", fi.Mode().Perm())
	}
	// The manifest key is made at install, root's alone, and the binary reads it.
	key := filepath.Join(root, "etc/totalrec/manifest.key")
	if fi, err := os.Stat(key); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("manifest key: %v, %v", fi, err)
	}
	pub := exec.Command(filepath.Join(root, "usr/local/bin/totalrec"), "verify", "--pubkey")
	pub.Env = []string{"TOTALREC_FS_ROOT=" + t.TempDir(), "TOTALREC_MANIFEST_KEY=" + key, "TOTALREC_DATA_DIR=" + t.TempDir(), "PATH=/usr/bin:/bin"}
	if out, err := pub.CombinedOutput(); err != nil || !strings.Contains(string(out), "BEGIN PUBLIC KEY") {
		t.Errorf("verify --pubkey with the installed key: %v\n%s", err, out)
	}
	if !strings.Contains(body, "manifest_key = /etc/totalrec/manifest.key") {
		t.Errorf("config does not name the manifest key:\n%s", body)
	}
	if cron := read(t, filepath.Join(root, "etc/cron.d/totalrec")); !strings.Contains(cron, "root /usr/local/bin/totalrec seal") {
		t.Errorf("no hourly seal job:\n%s", cron)
	}
	for _, f := range []string{"module.xml", "page.totalrec.php", "Totalrec.class.php", "lib/sso.php"} {
		if _, err := os.Stat(filepath.Join(root, "var/www/html/admin/modules/totalrec", f)); err != nil {
			t.Errorf("module file %s: %v", f, err)
		}
	}
	over := read(t, filepath.Join(root, "etc/asterisk/extensions_override_freepbx.conf"))
	if strings.Count(over, "#include extensions_override_totalrec.conf") != 1 || !strings.Contains(over, "Playback(demo-congrats)") {
		t.Errorf("override include on 2.9:\n%s", over)
	}
	if _, err := os.Stat(filepath.Join(root, "etc/asterisk/extensions_override_totalrec.conf")); err != nil {
		t.Errorf("override file: %v", err)
	}
	if unit := read(t, filepath.Join(root, "etc/systemd/system/totalrec.service")); !strings.Contains(unit, "ExecStart=/usr/local/bin/totalrec serve") || !strings.Contains(unit, "User=asterisk") {
		t.Errorf("unit:\n%s", unit)
	}
	if cron := read(t, filepath.Join(root, "etc/cron.d/totalrec")); !strings.Contains(cron, "retention run") || !strings.Contains(cron, "logger -t totalrec") {
		t.Errorf("cron:\n%s", cron)
	}
	calls := read(t, log)
	if policy := read(t, filepath.Join(root, "etc/totalrec/retention.conf")); !strings.Contains(policy, "# max_age = 365d") {
		t.Errorf("retention policy:\n%s", policy)
	}
	for _, want := range []string{"systemctl enable --now totalrec.service", "fwconsole ma install totalrec", "fwconsole reload", "runuser -u asterisk -- /usr/local/bin/totalrec doctor --fix"} {
		if !strings.Contains(calls, want) {
			t.Errorf("install.sh did not run %q; it ran:\n%s", want, calls)
		}
	}

	// Again: nothing doubles, the secret stays, the admin's lines stay.
	install(t, dir, root, tools)
	if again := read(t, conf); again != body {
		t.Errorf("a second install changed the config:\n%s\n%s", body, again)
	}
	over2 := read(t, filepath.Join(root, "etc/asterisk/extensions_override_freepbx.conf"))
	if over2 != over {
		t.Errorf("a second install changed the override include:\n%s", over2)
	}

	// A dry run says what it would do and changes nothing.
	before := snapshotTree(t, root)
	out := install(t, dir, root, tools, "--dry-run")
	if !strings.Contains(out, "would install") || !strings.Contains(out, "nothing was changed") {
		t.Errorf("dry run output:\n%s", out)
	}
	if after := snapshotTree(t, root); after != before {
		t.Errorf("a dry run changed the tree:\n%s\n---\n%s", before, after)
	}

	// Uninstall removes only what it installed, and has FreePBX write its dialplan
	// again without the module.
	must(t, os.WriteFile(log, nil, 0o644))
	install(t, dir, root, tools, "--uninstall")
	if calls := read(t, log); !regexp.MustCompile(`(?s)fwconsole ma uninstall totalrec\n.*fwconsole reload\n`).MatchString(calls) {
		t.Errorf("--uninstall did not regenerate the dialplan after removing the module; it ran:\n%s", calls)
	}
	for _, gone := range []string{"usr/local/bin/totalrec", "usr/local/bin/totalrec-hook", "etc/systemd/system/totalrec.service", "etc/cron.d/totalrec", "etc/asterisk/extensions_override_totalrec.conf", "var/www/html/admin/modules/totalrec"} {
		if _, err := os.Stat(filepath.Join(root, gone)); !os.IsNotExist(err) {
			t.Errorf("%s still there after --uninstall", gone)
		}
	}
	if left := read(t, filepath.Join(root, "etc/asterisk/extensions_override_freepbx.conf")); strings.Contains(left, "totalrec") || !strings.Contains(left, "Playback(demo-congrats)") {
		t.Errorf("override after --uninstall:\n%s", left)
	}
	if _, err := os.Stat(conf); err != nil {
		t.Errorf("--uninstall removed the config: %v", err)
	}

	// --purge removes the configuration and the data directory too, and asks the
	// binary to drop the catalogue's tables before removing it.
	install(t, dir, root, tools)
	must(t, os.WriteFile(filepath.Join(root, "var/lib/totalrec/totalrec.db"), []byte("x"), 0o640))
	install(t, dir, root, tools, "--uninstall", "--purge")
	for _, gone := range []string{"etc/totalrec", "var/lib/totalrec", "usr/local/bin/totalrec"} {
		if _, err := os.Stat(filepath.Join(root, gone)); !os.IsNotExist(err) {
			t.Errorf("%s still there after --purge", gone)
		}
	}
	if calls := read(t, log); !strings.Contains(calls, "totalrec purge --yes") {
		t.Errorf("--purge did not drop the catalogue's tables; it ran:\n%s", calls)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// snapshotTree lists every path under root with its size and mode.
func snapshotTree(t *testing.T, root string) string {
	t.Helper()
	var b strings.Builder
	filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %d %v %v\n", strings.TrimPrefix(p, root), fi.Size(), fi.Mode(), fi.ModTime().UnixNano())
		return nil
	})
	return b.String()
}

func TestInstall_FreePBX16(t *testing.T) {
	dir := release(t)
	root, tools, _ := fakeFreePBX(t, "16")
	out := install(t, dir, root, tools)
	if !strings.Contains(out, "2.10 or later") {
		t.Errorf("install output:\n%s", out)
	}
	if over := read(t, filepath.Join(root, "etc/asterisk/extensions_override_freepbx.conf")); strings.Contains(over, "totalrec") {
		t.Errorf("the 2.9 override was included on FreePBX 16:\n%s", over)
	}
	if _, err := os.Stat(filepath.Join(root, "etc/asterisk/extensions_override_totalrec.conf")); !os.IsNotExist(err) {
		t.Errorf("override file installed on FreePBX 16: %v", err)
	}
}

func TestInstall_RefusesWithoutFreePBX(t *testing.T) {
	dir := release(t)
	cmd := exec.Command(filepath.Join(dir, "install.sh"), "--root", t.TempDir())
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "no FreePBX here") {
		t.Errorf("install.sh on an empty root: %v\n%s", err, out)
	}
}

// TestInstall_NoSystemd: on a machine whose init is not systemd (a container, the
// test PBX) the install completes: no unit, the daemon started at boot by cron, the
// nightly job, the module registered and the dialplan regenerated.
func TestInstall_NoSystemd(t *testing.T) {
	dir := release(t)
	root, tools, log := fakeFreePBX(t, "16")
	must(t, os.RemoveAll(filepath.Join(root, "run")))
	out := install(t, dir, root, tools)
	if !strings.Contains(out, "no systemd") {
		t.Errorf("install.sh does not say how the daemon runs:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(root, "etc/systemd/system/totalrec.service")); !os.IsNotExist(err) {
		t.Errorf("a systemd unit was written without systemd: %v", err)
	}
	cron := read(t, filepath.Join(root, "etc/cron.d/totalrec"))
	if !strings.Contains(cron, "@reboot asterisk /usr/local/bin/totalrec serve") || !strings.Contains(cron, "retention run") {
		t.Errorf("cron:\n%s", cron)
	}
	calls := read(t, log)
	if strings.Contains(calls, "systemctl") {
		t.Errorf("systemctl run without systemd:\n%s", calls)
	}
	for _, want := range []string{"fwconsole ma install totalrec", "fwconsole reload"} {
		if !strings.Contains(calls, want) {
			t.Errorf("install.sh did not run %q; it ran:\n%s", want, calls)
		}
	}
	// The nightly job with the installed policy: nothing to do, exit 0.
	bin := filepath.Join(root, "usr/local/bin/totalrec")
	cmd := exec.Command(bin, "retention", "run", "--policy", filepath.Join(root, "etc/totalrec/retention.conf"))
	cmd.Env = []string{"TOTALREC_FS_ROOT=" + t.TempDir(), "TOTALREC_SPOOL=" + t.TempDir(), "TOTALREC_DATA_DIR=" + t.TempDir(), "PATH=/usr/bin:/bin"}
	if b, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(b), "nothing to do") {
		t.Errorf("retention run with the installed policy: %v\n%s", err, b)
	}
}
