package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/catalog"
	"github.com/totalrec/totalrec/recordings/retention"
)

// TestCLI_RetentionCrashSafety kills `retention run` with SIGKILL at random points,
// twenty times, then lets it finish. Afterwards the catalogue and the disk agree
// (a row marked deleted has no file; a file on disk is not marked deleted) and the
// files gone are exactly those the plan showed before the first run. Every killed
// run that deleted files is on record, marked interrupted, with the number of
// files it deleted, and the runs' counts add up to the files deleted.
func TestCLI_RetentionCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	s := newRetSpool(t, "", 30, 100, "max_age = 10d\n")
	now := "--now=" + retNow.Format(time.RFC3339)
	p := decode[planOut](t, cli(t, s.env(), "retention", "plan", "--json", "--list", now).must(t, exitOK).stdout)
	planned := map[string]bool{}
	for _, f := range p.Files {
		planned[f.Path] = true
	}
	if len(planned) != 2000 {
		t.Fatalf("plan deletes %d files, want 2000", len(planned))
	}
	before := s.files(t)

	// left counts the planned files still on disk, listing only their directories.
	dirs := map[string]bool{}
	for f := range planned {
		dirs[filepath.Join(s.root, filepath.Dir(f))] = true
	}
	left := func() int {
		n := 0
		for d := range dirs {
			ents, _ := os.ReadDir(d)
			n += len(ents)
		}
		return n
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 4))
	env := append(os.Environ(), s.env()...)
	var midRun int
	deleted := map[int]int{} // pid → files deleted by that process
	killed := map[int]bool{} // the processes the kill reached (a run may finish first)
	for i := range 20 {
		args := []string{"retention", "run", "--force", "--batch", "40", now}
		if i%2 == 1 {
			args = append(args, "--check-every-file")
		}
		cmd := exec.Command(bin, args...)
		cmd.Env = append(env, "TOTALREC_FS_ROOT="+t.TempDir())
		start := left()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		// A quarter of the kills land at a random time (startup, planning); the
		// others once a random number of files, up to 150, are gone.
		if rng.IntN(4) == 0 {
			time.Sleep(time.Duration(rng.IntN(60)) * time.Millisecond)
		} else {
			target, giveUp := start-1-rng.IntN(150), time.Now().Add(5*time.Second)
			for left() > target && time.Now().Before(giveUp) {
				select {
				case <-done:
				case <-time.After(300 * time.Microsecond):
					continue
				}
				break
			}
		}
		cmd.Process.Signal(syscall.SIGKILL)
		<-done
		n := left()
		if n < start && n > 0 {
			midRun++
		}
		deleted[cmd.Process.Pid] = start - n
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			killed[cmd.Process.Pid] = true
		}
	}
	t.Logf("%d of 20 kills landed while files were being deleted", midRun)

	unfinished := storedRuns(t, s, "running")
	fin := cli(t, s.env(), "retention", "run", "--force", now).must(t, exitOK)
	for _, r := range unfinished {
		want := fmt.Sprintf("the previous run (started 2026-11-26 03:00:00, pid %d on ", r.pid)
		if !strings.Contains(fin.stdout, want) || !strings.Contains(fin.stdout, fmt.Sprintf("did not finish: %d files", deleted[r.pid])) {
			t.Errorf("the last run does not report the killed run %d (pid %d, %d files):\n%s", r.ID, r.pid, deleted[r.pid], fin.stdout)
		}
	}
	t.Logf("%d killed runs left running before the last run; it said:\n%s", len(unfinished), fin.stdout)
	checkRunRecords(t, s, deleted, killed, 2000)
	after := s.files(t)
	for f := range before {
		if !after[f] && !planned[f] {
			t.Errorf("%s is gone and was not in the plan", f)
		}
		if after[f] && planned[f] {
			t.Errorf("%s was planned and is still there", f)
		}
	}
	checkCatalogueMatchesDisk(t, s, after)
	// Idempotent: one more run changes nothing.
	cli(t, s.env(), "retention", "run", "--force", now).must(t, exitOK)
	if n := len(s.files(t)); n != len(after) {
		t.Errorf("a rerun left %d files, want %d", n, len(after))
	}
}

// storedRun is a retention run's record and the pid its report names.
type storedRun struct {
	recordings.RetentionRun
	pid int
}

// storedRuns reads the runs of s's catalogue with the given status ("" for all),
// oldest first.
func storedRuns(t *testing.T, s retSpool, status string) []storedRun {
	t.Helper()
	c, err := catalog.Open(context.Background(), s.db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	runs, err := c.RetentionRuns(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []storedRun
	for i := len(runs) - 1; i >= 0; i-- {
		if status != "" && runs[i].Status != status {
			continue
		}
		var rep retention.Report
		if err := json.Unmarshal([]byte(runs[i].Report), &rep); err != nil {
			t.Fatalf("run %d: report %q: %v", runs[i].ID, runs[i].Report, err)
		}
		out = append(out, storedRun{runs[i], rep.PID})
	}
	return out
}

// checkRunRecords checks the run records against what the killed processes
// deleted (pid → files): each killed run that deleted files is recorded as
// interrupted with its count, no run is left running, the starts and interruptions
// of those runs are on the audit trail, and the counts of all runs add up to total.
func checkRunRecords(t *testing.T, s retSpool, deleted map[int]int, killed map[int]bool, total int64) {
	t.Helper()
	runs := storedRuns(t, s, "")
	byPID := map[int]storedRun{}
	var sum int64
	for _, r := range runs {
		byPID[r.pid] = r
		sum += r.DeletedFiles
		if r.Status == "running" {
			t.Errorf("run %d (pid %d) is still marked running", r.ID, r.pid)
		}
		// A kill that lands after the run stored its end (while it prints its
		// report) leaves it done; one that lands before, interrupted.
		if killed[r.pid] && r.Status != "interrupted" && r.Status != "done" {
			t.Errorf("killed run %d (pid %d) is marked %s", r.ID, r.pid, r.Status)
		}
	}
	for pid, n := range deleted {
		r, ok := byPID[pid]
		switch {
		case !ok && n > 0:
			t.Errorf("pid %d deleted %d files and is not on record", pid, n)
		case ok && r.DeletedFiles != int64(n):
			t.Errorf("run %d (pid %d) records %d files deleted; %d were", r.ID, pid, r.DeletedFiles, n)
		}
	}
	if sum != total {
		t.Errorf("the runs record %d files deleted in all, want %d", sum, total)
	}
	c, err := catalog.Open(context.Background(), s.db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// A run that deleted files put its start on the trail before, and the run
	// that found it killed its interruption (before marking it: a kill in between
	// repeats the entry, never loses it).
	for action, want := range map[string]int{"retention.start": 0, "retention.interrupted": 0} {
		got, _, err := c.AuditLog(context.Background(), recordings.AuditQuery{Action: action, Limit: recordings.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range runs {
			if r.DeletedFiles == 0 || action == "retention.interrupted" && r.Status != "interrupted" {
				continue
			}
			want++
			found := false
			for _, e := range got {
				found = found || strings.HasPrefix(e.Detail, fmt.Sprintf("run=%d ", r.ID))
			}
			if !found {
				t.Errorf("no %s entry for run %d on the audit trail", action, r.ID)
			}
		}
		if want == 0 {
			t.Errorf("no run to check %s entries against", action)
		}
	}
}

func checkCatalogueMatchesDisk(t *testing.T, s retSpool, onDisk map[string]bool) {
	t.Helper()
	c, err := catalog.Open(context.Background(), s.db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rows, err := c.DB().QueryContext(context.Background(), `SELECT path, state FROM totalrec_recordings`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var path, state string
		if err := rows.Scan(&path, &state); err != nil {
			t.Fatal(err)
		}
		n++
		if deleted := state == "deleted"; deleted == onDisk[path] {
			t.Errorf("%s: catalogue says %s, on disk %v", path, state, onDisk[path])
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != 3000 {
		t.Errorf("%d catalogue rows, want 3000", n)
	}
	if _, err := os.Stat(filepath.Join(s.data, "retention.lock")); err != nil {
		t.Errorf("lock file: %v", err)
	}
}
