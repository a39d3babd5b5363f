package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The command-line tests run the real binaries as processes, the way cron, the
// installer, Asterisk and people run them: bin is totalrec, hookBin totalrec-hook.
var bin, hookBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "totalrec-cli-")
	if err != nil {
		panic(err)
	}
	bin, hookBin = filepath.Join(dir, "totalrec"), filepath.Join(dir, "totalrec-hook")
	for out, pkg := range map[string]string{bin: ".", hookBin: "../totalrec-hook"} {
		if msg, err := exec.Command("go", "build", "-o", out, pkg).CombinedOutput(); err != nil {
			os.Stderr.Write(msg)
			panic(err)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	stdout, stderr string
	code           int
}

// cli runs totalrec with args in an environment of its own: no FreePBX files are
// discovered (the file-system root is an empty directory) and the data directory is
// temporary. env adds variables.
func cli(t *testing.T, env []string, args ...string) result {
	t.Helper()
	return cliIn(t, env, "", args...)
}

// cliIn is cli with stdin as the standard input.
func cliIn(t *testing.T, env []string, stdin string, args ...string) result {
	t.Helper()
	return runIn(t, env, stdin, bin, args...)
}

// runIn runs the program path with args in cli's environment.
func runIn(t *testing.T, env []string, stdin, path string, args ...string) result {
	t.Helper()
	cmd := exec.Command(path, args...)
	cmd.Stdin = strings.NewReader(stdin)
	home := t.TempDir()
	cmd.Env = append([]string{"HOME=" + home, "PATH=/usr/bin:/bin", "TZ=Europe/Moscow",
		"TOTALREC_FS_ROOT=" + t.TempDir(), "TOTALREC_DATA_DIR=" + filepath.Join(home, "data"), "TOTALREC_COMPRESS=keep"}, env...)
	return runCmd(t, cmd)
}

// runCmd runs cmd to its end and returns what it printed and its exit code.
func runCmd(t *testing.T, cmd *exec.Cmd) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run %v: %v", cmd.Args, err)
	}
	return r
}

func (r result) must(t *testing.T, code int) result {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
	return r
}

func decode[T any](t *testing.T, s string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("decode JSON: %v\n%s", err, s)
	}
	return v
}

func TestCLI_VersionAndUsage(t *testing.T) {
	r := cli(t, nil, "version").must(t, exitOK)
	if !strings.HasPrefix(r.stdout, "totalrec ") {
		t.Errorf("version printed %q", r.stdout)
	}
	for _, args := range [][]string{
		{"nosuchcommand"},
		{"search", "--limit", "0"},
		{"search", "--since", "the day before"},
		{"search", "--sort", "size"},
		{"search", "--no-such-flag"},
		{"scan", "extra-arg"},
	} {
		r := cli(t, nil, args...)
		if r.code != exitUsage {
			t.Errorf("totalrec %v: exit %d, want %d (usage)\n%s", args, r.code, exitUsage, r.stderr)
		}
		if !strings.Contains(r.stderr, "totalrec") {
			t.Errorf("totalrec %v: no message on stderr", args)
		}
	}
}
