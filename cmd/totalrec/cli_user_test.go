package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// newToken runs `token add` and returns the token it prints.
func newToken(t *testing.T, env []string, name, scope string) string {
	t.Helper()
	out := cli(t, env, "token", "add", name, "--scope", scope, "--expires", "90d").must(t, exitOK).stdout
	for _, f := range strings.Fields(out) {
		if strings.HasPrefix(f, "trk_") {
			return f
		}
	}
	t.Fatalf("token add printed no token:\n%s", out)
	return ""
}

func TestCLI_UserTokenAudit(t *testing.T) {
	env := []string{"TOTALREC_DB=sqlite:" + filepath.Join(t.TempDir(), "totalrec.db")}
	r := cli(t, env, "user", "add", "anna", "--role", "supervisor", "--ext", "100-199,205").must(t, exitOK)
	if !strings.Contains(r.stdout, "password: ") || !strings.Contains(r.stdout, "100-199,205") {
		t.Errorf("user add: %s", r.stdout)
	}
	cli(t, env, "user", "add", "anna", "--role", "user", "--ext", "1").must(t, exitUsage)
	cli(t, env, "user", "add", "bob", "--role", "user").must(t, exitUsage)               // no --ext
	cli(t, env, "user", "add", "bob", "--role", "boss", "--ext", "1").must(t, exitUsage) // bad role
	cli(t, env, "user", "add", "bob", "--role", "user", "--ext", "1-99").must(t, exitUsage)
	r = cliIn(t, env, "short\n", "user", "add", "bob", "--role", "user", "--ext", "101", "--password-stdin")
	r.must(t, exitUsage)
	r = cliIn(t, env, "a long enough password\n", "user", "add", "bob", "--role", "user", "--ext", "101", "--password-stdin").must(t, exitOK)
	if strings.Contains(r.stdout, "password: ") {
		t.Error("a password from stdin was printed")
	}
	users := decode[[]userJSON](t, cli(t, env, "user", "ls", "--json").must(t, exitOK).stdout)
	if len(users) != 2 || users[0].Name != "anna" || users[0].Role != "supervisor" || users[0].Scope != "100-199,205" || users[1].Scope != "101" {
		t.Errorf("user ls: %+v", users)
	}
	cli(t, env, "user", "passwd", "bob").must(t, exitOK)
	cli(t, env, "user", "rm", "bob").must(t, exitOK)
	cli(t, env, "user", "rm", "bob").must(t, exitUsage)

	tok := newToken(t, env, "crm", "100-199")
	tokens := decode[[]tokenJSON](t, cli(t, env, "token", "ls", "--json").must(t, exitOK).stdout)
	if len(tokens) != 1 || tokens[0].Scope != "100-199" || tokens[0].Expires == nil {
		t.Errorf("token ls: %+v", tokens)
	}
	if out := cli(t, env, "token", "ls").must(t, exitOK).stdout; strings.Contains(out, tok) {
		t.Error("token ls shows the token")
	}
	cli(t, env, "token", "rm", "crm").must(t, exitOK)

	entries := decode[[]auditJSON](t, cli(t, env, "audit", "ls", "--json").must(t, exitOK).stdout)
	want := map[string]int{"user.add": 2, "user.passwd": 1, "user.rm": 1, "token.add": 1, "token.rm": 1}
	got := map[string]int{}
	for _, e := range entries {
		got[e.Action]++
	}
	for a, n := range want {
		if got[a] != n {
			t.Errorf("audit: %d %s entries, want %d (%v)", got[a], a, n, got)
		}
	}

}
