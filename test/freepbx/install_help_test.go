package freepbx

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestInstall_Help: --help prints the script's own description, --tools and
// --no-start among the options, and exits 0; an unknown option exits 2.
func TestInstall_Help(t *testing.T) {
	dir := release(t)
	out, err := exec.Command(filepath.Join(dir, "install.sh"), "--help").CombinedOutput()
	if err != nil {
		t.Fatalf("install.sh --help: %v\n%s", err, out)
	}
	text := string(out)
	if !strings.HasPrefix(text, "Installs Totalrec on a FreePBX box") || !strings.HasSuffix(text, "the source is here.\n") {
		t.Errorf("--help does not print the script's description:\n%s", text)
	}
	for _, want := range []string{"--tools DIR", "--no-start", "--dry-run", "--uninstall", "--root DIR", "--help"} {
		if !strings.Contains(text, want) {
			t.Errorf("--help does not document %s:\n%s", want, text)
		}
	}
	if strings.Contains(text, "set -") || strings.Contains(text, "#") {
		t.Errorf("--help prints script lines:\n%s", text)
	}
	cmd := exec.Command(filepath.Join(dir, "install.sh"), "--bogus")
	if out, err := cmd.CombinedOutput(); cmd.ProcessState.ExitCode() != 2 || !strings.Contains(string(out), "unknown option --bogus") {
		t.Errorf("an unknown option: %v\n%s", err, out)
	}
}

// TestInstall_DryRunSaysWould: every line of a dry run says what it would do.
func TestInstall_DryRunSaysWould(t *testing.T) {
	dir := release(t)
	for _, gen := range []string{"2.9", "16"} {
		root, tools, _ := fakeFreePBX(t, gen)
		out := install(t, dir, root, tools, "--dry-run")
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			if !strings.HasPrefix(line, "totalrec: would ") {
				t.Errorf("FreePBX %s: a dry run's line does not say would: %q", gen, line)
			}
		}
		if !strings.Contains(out, "would install /usr/local/bin/totalrec") {
			t.Errorf("FreePBX %s: the dry run does not say it would install the binary:\n%s", gen, out)
		}
	}
}

// TestInstall_ReportsOnlyWhenInstalled: the last line points to FreePBX's
// Reports menu only when FreePBX's module installer ran.
func TestInstall_ReportsOnlyWhenInstalled(t *testing.T) {
	dir := release(t)
	root, tools, _ := fakeFreePBX(t, "16")
	out := install(t, dir, root, tools)
	if last := lastLine(out); !strings.Contains(last, "open FreePBX > Reports > Call Recordings") {
		t.Errorf("with fwconsole the install ends with %q", last)
	}
	root, tools, _ = fakeFreePBX(t, "16")
	must(t, os.Remove(filepath.Join(tools, "fwconsole")))
	out = install(t, dir, root, tools)
	if strings.Contains(out, "open FreePBX > Reports") || !strings.Contains(lastLine(out), "fwconsole ma install totalrec") {
		t.Errorf("without fwconsole the install says:\n%s", out)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
