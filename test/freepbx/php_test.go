package freepbx

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings/auth"
)

// phpFiles are the module's PHP files (the repository's module/ directory) and the
// PHP test scripts.
func phpFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, root := range []string{"../../module", "testdata"} {
		err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(path, ".php") {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(files) < 8 {
		t.Fatalf("found only %d PHP files: %v", len(files), files)
	}
	return files
}

// php returns the php CLI. The test command installs Debian's php-cli, so a missing
// php is a failure, not a skip.
func php(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("php")
	if err != nil {
		t.Fatalf("php CLI not found (install php-cli): %v", err)
	}
	return p
}

func TestPHPLint(t *testing.T) {
	bin := php(t)
	for _, f := range phpFiles(t) {
		out, err := exec.Command(bin, "-l", f).CombinedOutput()
		if err != nil {
			t.Errorf("php -l %s: %v\n%s", f, err, out)
		}
	}
}

// The module targets PHP 5.3 (FreePBX 2.x) to 8.2: php -l on a modern PHP accepts
// newer syntax, so look for the constructs PHP 5.3 would not parse (short array
// syntax, ??, ?->, arrow functions, match, ::class).
func TestPHPOldSyntax(t *testing.T) {
	for _, f := range phpFiles(t) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for n, line := range strings.Split(string(b), "\n") {
			code, _, _ := strings.Cut(line, "//")
			trim := strings.TrimSpace(code)
			if strings.HasPrefix(trim, "*") {
				continue // doc comment
			}
			for _, bad := range []string{"??", "= [", "([", "?->", "fn(", "match (", "::class"} {
				if strings.Contains(code, bad) {
					t.Errorf("%s:%d: %q is not PHP 5.3: %s", f, n+1, bad, trim)
				}
			}
		}
	}
}

func phpToken(t *testing.T, secret, user string, ttl int, now time.Time) string {
	t.Helper()
	out, err := exec.Command(php(t), "testdata/sso_token.php", "../../module/lib/sso.php",
		secret, user, strconv.Itoa(ttl), strconv.FormatInt(now.Unix(), 10)).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("php sso_token.php: %v\n%s", err, ee.Stderr)
		}
		t.Fatal(err)
	}
	return string(out)
}

// Contract: a token signed by the module's PHP is accepted by the Go verifier once,
// and refused when tampered with, signed with another secret, expired, or replayed.
func TestSSOContract(t *testing.T) {
	secret := "s3cret-from-totalrec.conf"
	now := time.Now().Truncate(time.Second)
	tok := phpToken(t, secret, "admin", 60, now)

	nonces := auth.NewMemoryNonces()
	user, err := auth.VerifySSO(tok, []byte(secret), now.Add(5*time.Second), nonces)
	if err != nil || user != "admin" {
		t.Fatalf("PHP token refused: user %q, err %v", user, err)
	}
	if _, err := auth.VerifySSO(tok, []byte(secret), now.Add(6*time.Second), nonces); !errors.Is(err, auth.ErrTokenReplayed) {
		t.Errorf("replayed token: err %v, want ErrTokenReplayed", err)
	}

	fresh := func() string { return phpToken(t, secret, "admin", 60, now) }
	body, sig, _ := strings.Cut(fresh(), ".")
	flip := func(s string) string {
		b := []byte(s)
		if b[len(b)/2] == 'A' {
			b[len(b)/2] = 'B'
		} else {
			b[len(b)/2] = 'A'
		}
		return string(b)
	}
	bad := map[string]string{
		"payload tampered":   flip(body) + "." + sig,
		"signature tampered": body + "." + flip(sig),
		"no signature":       body,
		"empty":              "",
	}
	for name, tk := range bad {
		if _, err := auth.VerifySSO(tk, []byte(secret), now, auth.NewMemoryNonces()); !errors.Is(err, auth.ErrTokenInvalid) {
			t.Errorf("%s: err %v, want ErrTokenInvalid", name, err)
		}
	}
	if _, err := auth.VerifySSO(fresh(), []byte("another secret"), now, auth.NewMemoryNonces()); !errors.Is(err, auth.ErrTokenInvalid) {
		t.Errorf("wrong secret: err %v, want ErrTokenInvalid", err)
	}
	if _, err := auth.VerifySSO(fresh(), []byte(secret), now.Add(60*time.Second+auth.ClockSkew+time.Second), auth.NewMemoryNonces()); !errors.Is(err, auth.ErrTokenExpired) {
		t.Errorf("expired: err %v, want ErrTokenExpired", err)
	}
	// The PHP side clamps the lifetime to the verifier's maximum.
	long := phpToken(t, secret, "admin", 3600, now)
	if _, err := auth.VerifySSO(long, []byte(secret), now, auth.NewMemoryNonces()); err != nil {
		t.Errorf("ttl 3600 (clamped to 120): %v", err)
	}
	// User names with JSON-special characters survive.
	odd := `o'brien "x" / ü`
	if u, err := auth.VerifySSO(phpToken(t, secret, odd, 30, now), []byte(secret), now, nil); err != nil || u != odd {
		t.Errorf("odd user: %q, %v", u, err)
	}
}

type applyResult struct {
	Done    []string            `json:"done"`
	Globals map[string]string   `json:"globals"`
	First   map[string]string   `json:"first"`
	Lines   map[string][]string `json:"lines"`
}

func runApply(t *testing.T, version, post string) applyResult {
	t.Helper()
	out, err := exec.Command(php(t), "testdata/apply_dialplan.php", "../../module", version, post).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("php apply_dialplan.php: %v\n%s", err, ee.Stderr)
		}
		t.Fatal(err)
	}
	var r applyResult
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return r
}

// The FreePBX 2.10+ dialplan change: the hook goes first in MIXMON_POST, and each
// recording decision gets a forcing first line, on the 12-17 and 2.10/2.11 layouts.
func TestApplyDialplan(t *testing.T) {
	const hook = "/usr/local/bin/totalrec hook --file '^{MIXMONITOR_FILENAME}' --uniqueid '^{UNIQUEID}'" +
		" --recorded-by '^{TOTALREC_RECORDED_BY}' --announced '^{TOTALREC_ANN}'"
	const force = `ExecIf($["${TOUPPER(${TOTALREC_FORCE})}" != "NO"]?`

	r := runApply(t, "16", "/usr/local/sbin/convert.sh ^{MIXMONITOR_FILENAME}")
	if got, want := r.Globals["MIXMON_POST"], hook+` \; /usr/local/sbin/convert.sh ^{MIXMONITOR_FILENAME}`; got != want {
		t.Errorf("MIXMON_POST = %q, want %q", got, want)
	}
	if r.Globals["TOTALREC_FORCE"] != "yes" {
		t.Errorf("TOTALREC_FORCE = %q", r.Globals["TOTALREC_FORCE"])
	}
	if r.First["recordcheck"] != force+"Set(ARG1=force))" || r.First["recconf"] != force+"Set(ARG3=always))" {
		t.Errorf("12-17 splices: %v", r.First)
	}
	// A transferred channel still recording keeps its one file: the next two lines.
	const kept = `ExecIf($["${TOUPPER(${TOTALREC_FORCE})}" != "NO" & "${BLINDTRANSFER}${ATTENDEDTRANSFER}" != "" & ("${RECORD_ID}" = "${CHANNEL(name)}"` +
		` | ("${ATTENDEDTRANSFER}" != "" & "${ATTENDEDTRANSFER}" != "${RECORD_ID}" & "${IMPORT(${IF($["${RECORD_ID}" = ""]?none:${RECORD_ID})},REC_STATUS)}" = "RECORDING"))]?`
	const recordedBy = `Set(__TOTALREC_RECORDED_BY=${IF($["${TOUPPER(${TOTALREC_FORCE})}" != "NO"]?forced:policy)})`
	const announced = `Set(__TOTALREC_ANN=${IF($["${TOTALREC_ANNOUNCED}" = ""]?no:yes)})`
	if rc := r.Lines["recordcheck"]; len(rc) != 6 || rc[1] != kept+"Set(CDR(recordingfile)=${CALLFILENAME}.${MON_FMT}))" || rc[2] != kept+"Return())" ||
		rc[3] != recordedBy || rc[4] != announced || rc[5] != "NoOp(recordcheck)" {
		t.Errorf("recordcheck after the splices: %q", rc)
	}
	if !strings.HasPrefix(r.First["out"], "NoOp") || !strings.HasPrefix(r.First["s"], "NoOp") {
		t.Errorf("12-17: handlers other than recordcheck/recconf changed: %v", r.First)
	}

	r = runApply(t, "2.11", "")
	if r.Globals["MIXMON_POST"] != hook {
		t.Errorf("MIXMON_POST = %q, want the hook alone", r.Globals["MIXMON_POST"])
	}
	for _, h := range []string{"out", "exten", "rg", "q", "conf", "page", "force"} {
		if r.First[h] != force+"Set(__REC_POLICY_MODE=always))" {
			t.Errorf("2.10/2.11 handler %s starts with %q", h, r.First[h])
		}
	}
	for _, h := range []string{"s", "record", "recq", "recconf"} {
		if !strings.HasPrefix(r.First[h], "NoOp") {
			t.Errorf("2.10/2.11 action %s changed: %q", h, r.First[h])
		}
	}

	// Applied twice (or with the hook already configured), MIXMON_POST is not doubled.
	if r := runApply(t, "16", hook); r.Globals["MIXMON_POST"] != hook {
		t.Errorf("hook doubled: %q", r.Globals["MIXMON_POST"])
	}
}

// TestHookCommandConfig: with the module's own totalrec (its config outside
// /etc/totalrec) the hook command names that config; a second run does not add
// the hook twice; a path that is not plain is not put into the shell command.
func TestHookCommandConfig(t *testing.T) {
	run := func(code string, args ...string) string {
		t.Helper()
		out, err := exec.Command(php(t), append([]string{"-r", `require "../../module/lib/config.php"; require "../../module/lib/dialplan.php"; ` + code}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("php: %v\n%s", err, out)
		}
		return string(out)
	}
	const bin, conf = "/var/www/html/admin/modules/totalrec/bin/totalrec", "/var/lib/asterisk/totalrec/totalrec.conf"
	hook := run(`echo totalrec_hook_command($argv[1], $argv[2]);`, bin, conf)
	if want := bin + " --config " + conf + " hook --file '^{MIXMONITOR_FILENAME}' --uniqueid '^{UNIQUEID}' --recorded-by '^{TOTALREC_RECORDED_BY}' --announced '^{TOTALREC_ANN}'"; hook != want {
		t.Errorf("hook command %q, want %q", hook, want)
	}
	if got := run(`echo totalrec_hook_command("/usr/local/bin/totalrec", "/etc/totalrec/totalrec.conf");`); strings.Contains(got, "--config") {
		t.Errorf("the default config is named: %q", got)
	}
	if got := run(`echo totalrec_hook_command($argv[1], $argv[2]);`, bin, "/tmp/x;reboot"); strings.Contains(got, "reboot") || strings.Contains(got, "--config") {
		t.Errorf("a config path with a ';' reaches the command: %q", got)
	}
	post := run(`echo totalrec_mixmon_post(totalrec_mixmon_post("/usr/local/sbin/convert.sh", $argv[1]), $argv[1]);`, hook)
	if want := hook + ` \; /usr/local/sbin/convert.sh`; post != want {
		t.Errorf("MIXMON_POST after two runs %q, want %q", post, want)
	}

	// With totalrec-hook installed beside the binary, the dialplan runs it.
	dir := t.TempDir()
	small := filepath.Join(dir, "totalrec-hook")
	if err := os.WriteFile(small, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	hook = run(`echo totalrec_hook_command($argv[1], $argv[2]);`, filepath.Join(dir, "totalrec"), conf)
	if want := small + " --config " + conf + " --file '^{MIXMONITOR_FILENAME}' --uniqueid '^{UNIQUEID}' --recorded-by '^{TOTALREC_RECORDED_BY}' --announced '^{TOTALREC_ANN}'"; hook != want {
		t.Errorf("hook command with totalrec-hook %q, want %q", hook, want)
	}
	if !runsHook.MatchString(hook) {
		t.Errorf("the dialplan checks do not know %q", hook)
	}
	post = run(`echo totalrec_mixmon_post(totalrec_mixmon_post("/usr/local/sbin/convert.sh", $argv[1]), $argv[1]);`, hook)
	if want := hook + ` \; /usr/local/sbin/convert.sh`; post != want {
		t.Errorf("MIXMON_POST with totalrec-hook after two runs %q, want %q", post, want)
	}
}
