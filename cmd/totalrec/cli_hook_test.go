package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/catalog"
	"github.com/totalrec/totalrec/recordings/daemon"
	"github.com/totalrec/totalrec/recordings/hook"
	"github.com/totalrec/totalrec/recordings/ingest"
	"github.com/totalrec/totalrec/recordings/spool"
)

// hookForms are the two ways to run the hook: the command of the full binary, and
// the small binary that the dialplan runs.
var hookForms = []string{"totalrec hook", "totalrec-hook"}

// hookAs runs the hook in the form named, with args.
func hookAs(t *testing.T, form string, env []string, args ...string) result {
	t.Helper()
	if form == "totalrec hook" {
		return cli(t, env, append([]string{"hook"}, args...)...)
	}
	return runIn(t, env, "", hookBin, args...)
}

// hookMedian runs the hook in form on file five times and returns the median time
// of a run, the process's start included.
func hookMedian(t *testing.T, form string, env []string, file string) time.Duration {
	t.Helper()
	var took []time.Duration
	for range 5 {
		start := time.Now()
		hookAs(t, form, env, "--file", file, "--uniqueid", "1795680900.11").must(t, exitOK)
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	return took[len(took)/2]
}

// hookFixture is a spool with one finished recording and a data directory.
func hookFixture(t *testing.T) (spoolDir, dataDir, file string) {
	t.Helper()
	base := t.TempDir()
	spoolDir, dataDir = filepath.Join(base, "monitor"), filepath.Join(base, "data")
	day := filepath.Join(spoolDir, "2026", "11", "26")
	must(t, os.MkdirAll(day, 0o755))
	must(t, os.MkdirAll(dataDir, 0o755))
	file = filepath.Join(day, "in-74951234567-+79161234567-20261126-101500-1795680900.11.wav")
	must(t, os.WriteFile(file, pcmWAV(8000), 0o644))
	return spoolDir, dataDir, file
}

// TestCLI_HookJournal: with no daemon listening the hook journals the recording,
// durably, and the next scan catalogues it from the journal.
func TestCLI_HookJournal(t *testing.T) {
	for _, form := range hookForms {
		t.Run(form, func(t *testing.T) {
			spoolDir, dataDir, file := hookFixture(t)
			env := []string{"TOTALREC_SPOOL=" + spoolDir, "TOTALREC_DATA_DIR=" + dataDir}
			t.Logf("hook with no daemon (journal, fsync): median %v of 5 runs", hookMedian(t, form, env, file))
			b, err := os.ReadFile(filepath.Join(dataDir, "journal", "hook.jsonl"))
			if err != nil || len(b) == 0 {
				t.Fatalf("journal: %q, %v", b, err)
			}
			// Outside the spool: refused (exit 2), and journalled for the scan to set aside
			// with the reason, so a spool set up wrong shows in the scan's report.
			hookAs(t, form, env, "--file", "/etc/passwd").must(t, exitUsage)

			// The day directory is then scanned as usual and the journal drained; the five
			// announcements of one file make one recording.
			s := decode[daemon.ScanResult](t, cli(t, env, "scan", "--json").must(t, exitOK).stdout)
			if s.Journal.Done != 5 || s.Scan.Files != 1 {
				t.Errorf("scan after journalling: journal %+v, scan %+v", s.Journal, s.Scan)
			}
			if len(s.Journal.SetAside) != 1 || s.Journal.SetAside[0].File != "/etc/passwd" {
				t.Errorf("set aside: %+v, want /etc/passwd", s.Journal.SetAside)
			}
			if _, err := os.Stat(filepath.Join(dataDir, "journal", "hook.jsonl")); !os.IsNotExist(err) {
				t.Errorf("journal still there after the drain: %v", err)
			}
			p := decode[recordings.PageJSON](t, cli(t, env, "search", "--json").must(t, exitOK).stdout)
			if len(p.Items) != 1 || p.Items[0].UniqueID != "1795680900.11" {
				t.Errorf("catalogue after the drain: %+v", p.Items)
			}
		})
	}
}

// TestCLI_HookDaemon: with the daemon's socket up the hook's recording is catalogued
// before the hook returns.
func TestCLI_HookDaemon(t *testing.T) {
	for _, form := range hookForms {
		t.Run(form, func(t *testing.T) {
			spoolDir, dataDir, file := hookFixture(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			cat, err := catalog.Open(ctx, "sqlite:"+filepath.Join(dataDir, "totalrec.db"), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer cat.Close()
			tree, err := spool.OpenTree(spoolDir)
			if err != nil {
				t.Fatal(err)
			}
			defer tree.Close()
			log := slog.New(slog.DiscardHandler)
			sc := &ingest.Scanner{Tree: tree, Cat: cat, Loc: time.UTC, Log: log}
			done := make(chan error, 1)
			go func() {
				done <- daemon.ServeHook(ctx, hook.Socket(dataDir), &daemon.HookServer{Scanner: sc, Log: log})
			}()
			waitFor(t, hook.Socket(dataDir))

			env := []string{"TOTALREC_SPOOL=" + spoolDir, "TOTALREC_DATA_DIR=" + dataDir}
			t.Logf("hook with the daemon listening: median %v of 5 runs", hookMedian(t, form, env, file))
			if _, err := os.Stat(filepath.Join(dataDir, "journal", "hook.jsonl")); !os.IsNotExist(err) {
				t.Errorf("the hook journalled although the daemon answered: %v", err)
			}
			rec, err := cat.GetByPath(ctx, "", "2026/11/26/"+filepath.Base(file))
			if err != nil || rec.Duration != time.Second {
				t.Errorf("recording after the hook: %+v, %v", rec, err)
			}
			// A file that is not there (never bridged) is fine; a symlink is refused.
			hookAs(t, form, env, "--file", filepath.Join(filepath.Dir(file), "never-bridged.wav")).must(t, exitOK)
			must(t, os.Symlink("/etc/passwd", filepath.Join(filepath.Dir(file), "evil.wav")))
			hookAs(t, form, env, "--file", filepath.Join(filepath.Dir(file), "evil.wav")).must(t, exitError)
			if _, err := cat.GetByPath(ctx, "", "2026/11/26/evil.wav"); err == nil {
				t.Error("a symlink was catalogued through the hook")
			}
			if _, err := os.Stat(filepath.Join(dataDir, "journal", "hook.jsonl")); !os.IsNotExist(err) {
				t.Errorf("a refused file was journalled: %v", err)
			}
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		})
	}
}

func waitFor(t *testing.T, path string) {
	t.Helper()
	for i := 0; i < 200; i++ {
		if _, err := os.Stat(path); err == nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s did not appear", path)
}

// TestCLI_HookBadConfig: a hook whose configuration does not load still keeps the
// recording (journalled by absolute name in TOTALREC_DATA_DIR), fails loudly, and the
// next scan with a working configuration catalogues it.
func TestCLI_HookBadConfig(t *testing.T) {
	for _, form := range hookForms {
		t.Run(form, func(t *testing.T) {
			spoolDir, dataDir, file := hookFixture(t)
			env := []string{"TOTALREC_SPOOL=" + spoolDir, "TOTALREC_DATA_DIR=" + dataDir}
			r := hookAs(t, form, append(env, "TOTALREC_SCAN_INTERVAL=often"), "--file", file, "--uniqueid", "1795680900.11")
			if r.code == exitOK || !strings.Contains(r.stderr, "journalled") {
				t.Fatalf("hook with a broken configuration: exit %d, stderr %q", r.code, r.stderr)
			}
			s := decode[daemon.ScanResult](t, cli(t, env, "scan", "--json").must(t, exitOK).stdout)
			if s.Journal.Done != 1 || len(s.Journal.SetAside) != 0 {
				t.Errorf("scan after the journalled hook: %+v", s.Journal)
			}
			p := decode[recordings.PageJSON](t, cli(t, env, "search", "--json").must(t, exitOK).stdout)
			if len(p.Items) != 1 {
				t.Errorf("catalogue: %+v", p.Items)
			}
		})
	}
}

// TestCLI_HookJournalBadEntries: journal entries that can no longer be applied (the
// day's directory removed since, a file outside the spool) never stop ingest: the
// scan catalogues what arrived after them, reports the entries it set aside, and
// keeps them in rejected.jsonl.
func TestCLI_HookJournalBadEntries(t *testing.T) {
	spoolDir, dataDir, file := hookFixture(t)
	env := []string{"TOTALREC_SPOOL=" + spoolDir, "TOTALREC_DATA_DIR=" + dataDir}
	gone := filepath.Join(spoolDir, "2026", "12", "03", "x.wav")
	must(t, os.MkdirAll(filepath.Dir(gone), 0o755))
	must(t, os.WriteFile(gone, pcmWAV(8000), 0o644))
	cli(t, env, "hook", "--file", gone).must(t, exitOK)
	must(t, os.RemoveAll(filepath.Dir(gone)))
	j := hook.Journal{Dir: filepath.Join(dataDir, "journal")}
	must(t, j.Append(hook.Entry{File: "/srv/elsewhere/y.wav", At: time.Now()}))
	cli(t, env, "hook", "--file", file).must(t, exitOK)

	r := cli(t, env, "scan").must(t, exitOK)
	if !strings.Contains(r.stdout, "set aside /srv/elsewhere/y.wav") {
		t.Errorf("scan report does not name the set-aside entry:\n%s", r.stdout)
	}
	p := decode[recordings.PageJSON](t, cli(t, env, "search", "--json").must(t, exitOK).stdout)
	if len(p.Items) != 1 || p.Items[0].UniqueID != "1795680900.11" {
		t.Errorf("catalogue: %+v", p.Items)
	}
	b, err := os.ReadFile(filepath.Join(dataDir, "journal", "rejected.jsonl"))
	if err != nil || !strings.Contains(string(b), "/srv/elsewhere/y.wav") || strings.Contains(string(b), "x.wav") {
		t.Errorf("rejected.jsonl: %q, %v", b, err)
	}
	// The next scan starts clean: nothing left to drain, nothing failing.
	s := decode[daemon.ScanResult](t, cli(t, env, "scan", "--json").must(t, exitOK).stdout)
	if s.Journal.Done+len(s.Journal.SetAside) != 0 {
		t.Errorf("second drain: %+v", s.Journal)
	}
}
