package main

import (
	"context"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings/catalog"
)

// TestCLI_RetentionCrashSafety kills `retention run` with SIGKILL at random points,
// twenty times, then lets it finish. Afterwards the catalogue and the disk agree
// (a row marked deleted has no file; a file on disk is not marked deleted) and the
// files gone are exactly those the plan showed before the first run.
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
		if n := left(); n < start && n > 0 {
			midRun++
		}
	}
	t.Logf("%d of 20 kills landed while files were being deleted", midRun)

	cli(t, s.env(), "retention", "run", "--force", now).must(t, exitOK)
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
