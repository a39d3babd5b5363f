package main

import (
	"net/http"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestCLI_ServeBasePath runs `totalrec serve` with base_path, as install.sh
// configures it behind FreePBX's Apache: the UI and the API answer under the
// base, /healthz at the root too (the module's check), nothing else outside.
func TestCLI_ServeBasePath(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	cli(t, nil, "demo", "--dir", dir, "--days", "1", "--calls-per-day", "3", "--no-serve").must(t, exitOK)
	env := []string{"TOTALREC_SPOOL=" + filepath.Join(dir, "monitor"), "TOTALREC_DB=sqlite:" + filepath.Join(dir, "totalrec.db"),
		"TOTALREC_BASE_PATH=/totalrec"}
	token := newToken(t, env, "base-path-test", "all")
	d := start(t, env, "serve", "--no-scan", "--listen", "127.0.0.1:0")
	root := d.url(t, "Totalrec is serving on ")
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for path, want := range map[string]int{"healthz": 200, "totalrec/healthz": 200, "totalrec/api/v1/recordings?limit=1": 200,
		"api/v1/recordings?limit=1": 404, "totalrec/": 303, "": 302} {
		if res, body := httpDo(t, noRedirect, root+path, "Authorization", "Bearer "+token); res.StatusCode != want {
			t.Errorf("GET /%s: %d, want %d\n%s", path, res.StatusCode, want, body)
		}
	}
	if res, _ := httpDo(t, noRedirect, root+"totalrec/"); res.Header.Get("Location") != "/totalrec/login?next=%2Ftotalrec%2F" {
		t.Errorf("the search page without a session sends to %q", res.Header.Get("Location"))
	}
	if code := d.stop(t, syscall.SIGTERM); code != exitOK {
		t.Errorf("exit %d after SIGTERM\n%s", code, d.stderr.String())
	}

	// A base path that is not one is refused, naming the setting.
	bad := append(env[:len(env):len(env)], "TOTALREC_BASE_PATH=/totalrec/")
	if r := cli(t, bad, "serve", "--no-scan", "--listen", "127.0.0.1:0"); r.code == exitOK || !strings.Contains(r.stderr, "base_path") {
		t.Errorf("serve with base_path /totalrec/: exit %d\n%s", r.code, r.stderr)
	}
}
