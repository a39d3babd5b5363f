package freepbx

import (
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// serve builds totalrec and runs `totalrec serve` on a free loopback port with
// the given environment (an empty spool and data directory, no FreePBX files);
// it returns the daemon's URL.
func serve(t *testing.T, env ...string) string {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "totalrec")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/totalrec").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	for _, d := range []string{"spool", "data", "root"} {
		must(t, os.MkdirAll(filepath.Join(dir, d), 0o755))
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = append([]string{"PATH=/usr/bin:/bin", "TOTALREC_LISTEN=" + addr,
		"TOTALREC_SPOOL=" + filepath.Join(dir, "spool"), "TOTALREC_DATA_DIR=" + filepath.Join(dir, "data"),
		"TOTALREC_FS_ROOT=" + filepath.Join(dir, "root")}, env...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() })
	url := "http://" + addr
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if resp, err := http.Get(url + "/healthz"); err == nil {
			resp.Body.Close()
			return url
		}
	}
	t.Fatal("totalrec serve did not answer in 20 s")
	return ""
}

// TestModuleRetentionStatus: the settings page's retention summary comes from a
// real daemon, through the module's signed single-use request; a wrong secret
// gets no summary.
func TestModuleRetentionStatus(t *testing.T) {
	const secret = "0123456789abcdef0123456789abcdef"
	policy := filepath.Join(t.TempDir(), "retention.conf")
	must(t, os.WriteFile(policy, []byte("# nothing yet\n"), 0o644))
	url := serve(t, "TOTALREC_SSO_SECRET="+secret, "TOTALREC_RETENTION_POLICY="+policy)
	cron := filepath.Join(t.TempDir(), "totalrec")
	must(t, os.WriteFile(cron, []byte("SHELL=/bin/sh\n30 3 * * * asterisk /usr/local/bin/totalrec retention run 2>&1 | logger -t totalrec\n"), 0o644))

	run := func(secret string) string {
		out, err := exec.Command(php(t), "testdata/status.php", "../../module", url, secret, cron).CombinedOutput()
		if err != nil {
			t.Fatalf("php status.php: %v\n%s", err, out)
		}
		return string(out)
	}
	out := run(secret)
	for _, want := range []string{"ok\n", "Last run: none yet", "Policy: no rule, every recording is kept", "Disk: ", "Next run: 2026-12-05 03:30"} {
		if !strings.Contains(out, want) {
			t.Errorf("the module's retention status lacks %q:\n%s", want, out)
		}
	}
	if out := run("another-secret-another-secret-00"); !strings.Contains(out, "unreachable (HTTP 403)") {
		t.Errorf("with a wrong secret:\n%s", out)
	}
}
