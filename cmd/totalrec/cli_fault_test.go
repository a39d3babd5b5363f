package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/catalog"
)

// The fault-injection suite (go test -run Fault) runs a second binary, built with
// -tags faultinject, whose faultpoint.Hit calls kill the process with SIGKILL at the
// Nth hit of a named point (recordings/faultpoint). It checks what survives a crash
// against the real disk and the real catalogue.

var (
	faultOnce sync.Once
	faultPath string
	faultErr  error
)

// faultBin builds the fault-injection binary once, beside bin.
func faultBin(t *testing.T) string {
	t.Helper()
	faultOnce.Do(func() {
		faultPath = filepath.Join(filepath.Dir(bin), "totalrec-faultinject")
		out, err := exec.Command("go", "build", "-tags", "faultinject", "-o", faultPath, ".").CombinedOutput()
		if err != nil {
			faultErr = fmt.Errorf("go build -tags faultinject: %w\n%s", err, out)
		}
	})
	if faultErr != nil {
		t.Fatal(faultErr)
	}
	return faultPath
}

// faultResult is a run of the fault binary: its output, exit code, pid, and
// whether a fault point killed it.
type faultResult struct {
	result
	pid    int
	killed bool
}

// faultTimeout bounds one run: a command that stalls fails the test instead of
// hanging it.
const faultTimeout = 90 * time.Second

// runFault runs the fault binary with args in cli's environment plus env, armed to
// die at killAt ("point:N"; "" runs it unarmed), and with the hits traced to trace
// when it is not "".
func runFault(t *testing.T, env []string, killAt, trace string, args ...string) faultResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), faultTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, faultBin(t), args...)
	home := t.TempDir()
	cmd.Env = append([]string{"HOME=" + home, "PATH=/usr/bin:/bin", "TZ=UTC",
		"TOTALREC_FS_ROOT=" + t.TempDir(), "TOTALREC_DATA_DIR=" + filepath.Join(home, "data"), "TOTALREC_COMPRESS=keep"}, env...)
	if killAt != "" {
		cmd.Env = append(cmd.Env, "TOTALREC_FAULT_KILL_AT="+killAt)
	}
	if trace != "" {
		cmd.Env = append(cmd.Env, "TOTALREC_FAULT_TRACE="+trace)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := faultResult{result: result{stdout: stdout.String(), stderr: stderr.String()}}
	if cmd.Process != nil {
		r.pid = cmd.Process.Pid
	}
	if ctx.Err() != nil {
		t.Fatalf("totalrec %v (kill at %q) did not end within %v\nstderr:\n%s", args, killAt, faultTimeout, r.stderr)
	}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			r.killed = true
		}
	case err != nil:
		t.Fatalf("run totalrec %v: %v", args, err)
	}
	if r.killed && !strings.Contains(r.stderr, "faultpoint: SIGKILL at "+strings.Replace(killAt, ":", " hit ", 1)) {
		t.Fatalf("totalrec %v died of SIGKILL, but not at %s\nstderr:\n%s", args, killAt, r.stderr)
	}
	return r
}

// hitCounts reads a trace file: how often each point was hit.
func hitCounts(t *testing.T, trace string) map[string]int {
	t.Helper()
	b, err := os.ReadFile(trace)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, l := range strings.Fields(string(b)) {
		n[l]++
	}
	return n
}

// copyTree copies the directory src to dst with the files' and directories'
// modification times: the copy of a scanned spool is, to an incremental scan, the
// spool it scanned.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	type dirTime struct {
		path string
		mt   time.Time
	}
	var dirs []dirTime
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		fi, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			dirs = append(dirs, dirTime{to, fi.ModTime()})
			return os.MkdirAll(to, fi.Mode().Perm())
		case !d.Type().IsRegular():
			return nil // the daemon's socket, say
		}
		if err := copyFile(p, to, fi.Mode().Perm()); err != nil {
			return err
		}
		return os.Chtimes(to, fi.ModTime(), fi.ModTime())
	})
	if err != nil {
		t.Fatalf("copy %s: %v", src, err)
	}
	// Deepest first: setting a directory's time after its children were made.
	sort.Slice(dirs, func(i, j int) bool { return len(dirs[i].path) > len(dirs[j].path) })
	for _, d := range dirs {
		must(t, os.Chtimes(d.path, d.mt, d.mt))
	}
}

func copyFile(src, dst string, perm os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// diskFiles lists the regular files under root with their sizes, by path relative
// to root.
func diskFiles(t *testing.T, root string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil // removed while we walked (the daemon test)
			}
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		out[filepath.ToSlash(rel)] = fi.Size()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// catRow is what the invariants need of one catalogue row.
type catRow struct {
	id      int64
	state   string
	size    int64
	held    bool
	claimed bool // deleted_at set on a row not deleted: a retention claim
}

func (r catRow) live() bool {
	switch r.state {
	case "ok", "writing", "corrupt", "empty":
		return true
	}
	return false
}

// openForChecks opens the catalogue db for a test's checks; the caller closes it.
func openForChecks(t *testing.T, db string) *catalog.Catalog {
	t.Helper()
	c, err := catalog.Open(context.Background(), db, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// catalogueRows reads every recording row of the catalogue db, by path.
func catalogueRows(t *testing.T, db string) map[string]catRow {
	t.Helper()
	ctx := context.Background()
	c := openForChecks(t, db)
	defer c.Close()
	rows, err := c.DB().QueryContext(ctx, `SELECT id, path, state, size, held, deleted_at IS NOT NULL FROM totalrec_recordings`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]catRow{}
	for rows.Next() {
		var (
			r             catRow
			path          string
			held, deleted int
		)
		if err := rows.Scan(&r.id, &path, &r.state, &r.size, &held, &deleted); err != nil {
			t.Fatal(err)
		}
		r.held, r.claimed = held != 0, deleted != 0 && r.state != "deleted"
		out[path] = r
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkAgreement checks the catalogue db against the spool root, after the
// interrupted command was run again to completion and the spool scanned (see
// agreement). Every message starts with label: the seed, point and N.
func checkAgreement(t *testing.T, label, root, db string, held map[string]bool, wantRows int) {
	t.Helper()
	problems := agreement(t, root, db, held, wantRows)
	for i, p := range problems {
		if i == 20 {
			t.Errorf("%s: ... and %d more", label, len(problems)-20)
			break
		}
		t.Errorf("%s: %s", label, p)
	}
}

// agreement lists where the catalogue db and the spool root disagree: a live row
// without its file (of the size catalogued), a file without a live row, a claim
// left, a held recording gone or no longer held, not wantRows rows (0: not
// checked).
func agreement(t *testing.T, root, db string, held map[string]bool, wantRows int) []string {
	t.Helper()
	disk := diskFiles(t, root)
	rows := catalogueRows(t, db)
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	for p, r := range rows {
		size, on := disk[p]
		switch {
		case r.live() && !on:
			add("row %d %s is %s but the file is gone", r.id, p, r.state)
		case r.live() && size != r.size:
			add("row %d %s catalogues %d bytes; the file has %d", r.id, p, r.size, size)
		case !r.live() && on:
			add("file %s is on disk but its row %d is %s", p, r.id, r.state)
		}
		if r.claimed {
			add("row %d %s is still claimed (%s) after the run completed", r.id, p, r.state)
		}
	}
	for p := range disk {
		if _, ok := rows[p]; !ok {
			add("file %s has no row after the scan", p)
		}
	}
	for p := range held {
		r, ok := rows[p]
		switch {
		case !ok || !r.held:
			add("held recording %s lost its hold (row %+v)", p, r)
		case !r.live():
			add("held recording %s is %s", p, r.state)
		}
		if _, on := disk[p]; !on {
			add("held recording %s was deleted from disk", p)
		}
	}
	if wantRows > 0 && len(rows) != wantRows {
		add("%d catalogue rows, want %d", len(rows), wantRows)
	}
	out = append(out, keysOutOfStep(t, db)...)
	sort.Strings(out)
	return out
}

// keysOutOfStep lists number keys whose presence does not mirror their recording's
// state, and recordings whose keys still wait for a sweep.
func keysOutOfStep(t *testing.T, db string) []string {
	t.Helper()
	ctx := context.Background()
	c := openForChecks(t, db)
	defer c.Close()
	var out []string
	rows, err := c.DB().QueryContext(ctx, `SELECT r.id, r.state, n.presence FROM totalrec_numbers n
		JOIN totalrec_recordings r ON r.id = n.recording_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id       int64
			state    string
			presence int
		)
		if err := rows.Scan(&id, &state, &presence); err != nil {
			t.Fatal(err)
		}
		if want := catalog.KeyPresence(recordings.State(state)); presence != want {
			out = append(out, fmt.Sprintf("row %d is %s but a number key of it has presence %d, want %d", id, state, presence, want))
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	var pending int
	if err := c.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM totalrec_key_sweep`).Scan(&pending); err != nil {
		t.Fatal(err)
	}
	if pending != 0 {
		out = append(out, fmt.Sprintf("%d recordings' number keys still wait for a sweep after the run completed", pending))
	}
	return out
}
