package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings/hook"
)

// TestCLI_FaultDirsRemovedUnderDaemon removes directories from the spool while
// `totalrec serve` runs (scanning every second) and hooks announce recordings:
// a month directory, a day directory, and a day directory whose recordings were
// just announced. The daemon must keep cataloguing (every hook answered at once,
// no failed scan or ingest, scans going on), and the catalogue must come to agree
// with the disk: the removed recordings missing, every other one live, none lost.
func TestCLI_FaultDirsRemovedUnderDaemon(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	base := t.TempDir()
	s := retSpool{root: filepath.Join(base, "monitor"), data: filepath.Join(base, "data")}
	s.db = "sqlite:" + filepath.Join(s.data, "totalrec.db")
	env := []string{"TOTALREC_SPOOL=" + s.root, "TOTALREC_DATA_DIR=" + s.data, "TOTALREC_DB=" + s.db,
		"TOTALREC_SCAN_INTERVAL=1s", "TZ=UTC"}
	total := 0
	write := func(d, from, n int) []string {
		var out []string
		for i := from; i < from+n; i++ {
			out = append(out, faultRecording(t, s, d, i, 800))
		}
		total += n
		return out
	}
	// Day 37 is alone in its month (October): removing the month takes a level
	// the scan knows only by its marks.
	write(37, 0, 40)
	write(2, 0, 40)
	write(1, 0, 40)

	d := start(t, env, "serve", "--listen", "127.0.0.1:0")
	d.url(t, "Totalrec is serving on ")
	waitFor(t, hook.Socket(s.data))
	scans := func() int { return strings.Count(d.stderr.String(), `msg="scan done"`) }
	waitUntil(t, "the startup scan", func() bool { return scans() > 0 })

	// hook announces recordings one by one; each must be answered well within
	// its timeout (a daemon that stalls makes the hook wait, then journal).
	hook := func(label string, rels []string) {
		t.Helper()
		for _, rel := range rels {
			began := time.Now()
			r := runIn(t, env, "", hookBin, "--timeout", "10s", "--file", filepath.Join(s.root, filepath.FromSlash(rel)))
			if took := time.Since(began); r.code != exitOK || took > 5*time.Second {
				t.Fatalf("%s: hook %s: exit %d after %v\n%s\ndaemon:\n%s", label, rel, r.code, took, r.stderr, d.stderr.String())
			}
		}
	}
	hook("before any removal", write(0, 0, 10))

	// Removed while the daemon runs and hooks go on: the month of day 37, day 2.
	done := make(chan struct{})
	go func() {
		defer close(done)
		time.Sleep(300 * time.Millisecond)
		os.RemoveAll(filepath.Join(s.root, filepath.Dir(faultDay(37))))
		time.Sleep(700 * time.Millisecond)
		os.RemoveAll(filepath.Join(s.root, faultDay(2)))
	}()
	hook("while directories are removed", write(0, 10, 30))
	<-done
	// A day made, announced, scanned and removed, then announced again.
	gone := write(5, 0, 15)
	hook("a day about to go", gone)
	seen := scans()
	pollUntil(30*time.Second, func() bool { return scans() >= seen+2 })
	must(t, os.RemoveAll(filepath.Join(s.root, faultDay(5))))
	hook("a removed day", gone[:3])
	after := scans()
	hook("after the removals", write(0, 40, 20))

	// The catalogue comes to agree with the disk within a few scans.
	var problems []string
	pollUntil(30*time.Second, func() bool {
		problems = agreement(t, s.root, s.db, nil, total)
		return len(problems) == 0 && scans() >= after+2
	})
	if scans() < after+2 {
		t.Errorf("the daemon scanned %d times after the removals, want 2 or more\n%s", scans()-after, d.stderr.String())
	}
	if len(problems) > 0 {
		t.Errorf("the catalogue disagrees with the disk after the removals:\n%s", strings.Join(problems, "\n"))
	}
	missing := 0
	for p, r := range catalogueRows(t, s.db) {
		removed := strings.HasPrefix(p, filepath.Dir(faultDay(37))+"/") || strings.HasPrefix(p, faultDay(2)+"/") || strings.HasPrefix(p, faultDay(5)+"/")
		if removed != (r.state == "missing") {
			t.Errorf("%s: %s", p, r.state)
		}
		if removed {
			missing++
		}
	}
	if missing != 95 {
		t.Errorf("%d rows of removed recordings, want 95", missing)
	}
	log := d.stderr.String()
	for _, bad := range []string{"scan failed", "hook ingest failed", "drain the hook journal"} {
		if strings.Contains(log, bad) {
			t.Errorf("the daemon logged %q:\n%s", bad, log)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(s.data, "journal", "*")); len(left) != 0 {
		t.Errorf("journal files left (a hook the daemon did not take): %v", left)
	}
	if code := d.stop(t, syscall.SIGTERM); code != exitOK {
		t.Errorf("exit %d after SIGTERM\n%s", code, log)
	}
	t.Logf("%d scans while the test ran; %d recordings, %d of them removed", scans(), total, missing)
}

// pollUntil calls cond every 50 ms until it holds or limit passed.
func pollUntil(limit time.Duration, cond func() bool) {
	for deadline := time.Now().Add(limit); !cond() && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
}

// TestCLI_FaultUnscannedDirRemoved: recordings the hook catalogued in a directory
// no scan has listed yet (a new day, between two scans), whose directory is then
// removed, must be marked missing by the next scan.
func TestCLI_FaultUnscannedDirRemoved(t *testing.T) {
	base := t.TempDir()
	s := retSpool{root: filepath.Join(base, "monitor"), data: filepath.Join(base, "data")}
	s.db = "sqlite:" + filepath.Join(s.data, "totalrec.db")
	env := []string{"TOTALREC_SPOOL=" + s.root, "TOTALREC_DATA_DIR=" + s.data, "TOTALREC_DB=" + s.db, "TZ=UTC"}
	for i := range 5 {
		faultRecording(t, s, 1, i, 800)
	}
	cli(t, env, "scan", "--no-cdr").must(t, exitOK)
	d := start(t, env, "serve", "--no-scan", "--listen", "127.0.0.1:0")
	d.url(t, "Totalrec is serving on ")
	waitFor(t, hook.Socket(s.data))
	for i := range 5 {
		rel := faultRecording(t, s, 0, i, 800)
		runIn(t, env, "", hookBin, "--file", filepath.Join(s.root, filepath.FromSlash(rel))).must(t, exitOK)
	}
	if code := d.stop(t, syscall.SIGTERM); code != exitOK {
		t.Errorf("exit %d after SIGTERM\n%s", code, d.stderr.String())
	}
	must(t, os.RemoveAll(filepath.Join(s.root, faultDay(0))))
	cli(t, env, "scan", "--no-cdr").must(t, exitOK)
	cli(t, env, "scan", "--full", "--no-cdr").must(t, exitOK)
	problems := agreement(t, s.root, s.db, nil, 10)
	for _, p := range problems {
		t.Error(p)
	}
}
