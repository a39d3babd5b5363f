package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/config"
)

// demoConfigFile, in the demo's directory, holds the demo's settings for the
// commands the demo suggests.
const demoConfigFile = "totalrec.conf"

// demoHints builds the commands the demo prints so that they work pasted into a
// shell as printed: this program by a name the shell finds, and the demo's
// settings in a config file rather than in flags one could leave out.
type demoHints struct {
	exe    string // "totalrec", or a full path
	config string // the demo's config file
}

// newDemoHints writes the demo's settings to its config file and finds how to
// name this program.
func newDemoHints(dir string, cfg config.Config) (demoHints, error) {
	h := demoHints{config: filepath.Join(dir, demoConfigFile)}
	var b strings.Builder
	b.WriteString("# The demo's settings, written by totalrec demo on every run: totalrec --config " + h.config + " …\n")
	for _, kv := range [][2]string{{"spool", cfg.Spool}, {"db", cfg.DB}, {"data_dir", cfg.DataDir}, {"cdr_db", cfg.CDRDB}} {
		fmt.Fprintf(&b, "%s = %s\n", kv[0], strconv.Quote(kv[1]))
	}
	// 0600: a --db given to the demo may hold a password.
	if err := writeFileAtomic(h.config, []byte(b.String()), 0o600); err != nil {
		return h, fmt.Errorf("demo: write its settings: %w", err)
	}
	var err error
	if h.exe, err = demoExecutable(dir); err != nil {
		return h, fmt.Errorf("demo: %w", err)
	}
	return h, nil
}

// command is the shell command that runs totalrec with args on the demo.
func (h demoHints) command(args ...string) string {
	words := []string{shellQuote(h.exe), "--config", shellQuote(h.config)}
	for _, a := range args {
		words = append(words, shellQuote(a))
	}
	return strings.Join(words, " ")
}

// demoExecutable is how a shell reaches this program: "totalrec" when that is
// this program, else its full path. A program "go run" built lives in a temporary
// directory that go run deletes when it ends: it is copied into dir first.
func demoExecutable(dir string) (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("find this program: %w", err)
	}
	if resolved, err := filepath.EvalSymlinks(exe); err == nil {
		exe = resolved
	}
	if onPath, err := exec.LookPath("totalrec"); err == nil && sameFile(onPath, exe) {
		return "totalrec", nil
	}
	// go run builds into $GOTMPDIR/go-build…/b001/exe/NAME.
	if strings.Contains(exe, string(filepath.Separator)+"go-build") && filepath.Base(filepath.Dir(exe)) == "exe" {
		b, err := os.ReadFile(exe)
		if err != nil {
			return "", fmt.Errorf("copy this program: %w", err)
		}
		kept := filepath.Join(dir, "totalrec")
		if err := writeFileAtomic(kept, b, 0o755); err != nil {
			return "", fmt.Errorf("copy this program: %w", err)
		}
		return kept, nil
	}
	return exe, nil
}

func sameFile(a, b string) bool {
	fa, err := os.Stat(a)
	if err != nil {
		return false
	}
	fb, err := os.Stat(b)
	return err == nil && os.SameFile(fa, fb)
}

// writeFileAtomic replaces name with data: readers see the old file or the new.
func writeFileAtomic(name string, data []byte, perm os.FileMode) error {
	tmp := name + ".tmp"
	if err := os.WriteFile(tmp, data, perm); err != nil {
		return err
	}
	if err := os.Chmod(tmp, perm); err != nil { // WriteFile keeps an existing file's mode
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, name); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=+,@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// demoNumber is a number the suggested search finds: the last four digits of a
// caller among the latest recordings.
func demoNumber(page recordings.Page) string {
	for _, r := range page.Items {
		digits := strings.Map(func(c rune) rune {
			if c >= '0' && c <= '9' {
				return c
			}
			return -1
		}, r.Caller())
		if len(digits) >= 7 {
			return digits[len(digits)-4:]
		}
	}
	return "1234"
}

// indexDemoCDR creates the CDR indexes that FreePBX's table lacks, as install.sh
// does with doctor --fix, so that doctor passes on the demo as on an installed box.
func indexDemoCDR(ctx context.Context, a *app) error {
	if a.cdr == nil {
		return nil
	}
	var failed []string
	err := checkCDRIndexes(ctx, a.cdr, true, func(name, status, format string, args ...any) {
		if status == "fail" {
			failed = append(failed, name+": "+fmt.Sprintf(format, args...))
		}
	})
	if err != nil {
		return err
	}
	if len(failed) > 0 {
		return fmt.Errorf("demo: %s", strings.Join(failed, "; "))
	}
	return nil
}
