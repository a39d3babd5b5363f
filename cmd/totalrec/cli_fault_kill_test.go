package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/daemon"
	"github.com/totalrec/totalrec/recordings/retention"
)

// faultSeed chooses the kill points of TestCLI_FaultKills. TOTALREC_FAULT_SEED
// replaces it to explore; a failure names the seed, the trial, the point and N.
const faultSeed = 20261126

// The fault points each command reaches (recordings/faultpoint names). A point no
// calibration run reaches fails the test: a Hit lost in an edit is noticed.
var (
	retentionFaultPoints = []string{
		"retention.run.start", "retention.batch.send", "retention.dir.opened",
		"retention.claim.before", "retention.claim.after", "retention.unlink.before", "retention.unlink.after",
		"retention.batch.unlinked", "retention.release.after", "retention.settle.before", "retention.settle.after",
		"retention.sweep.after", "retention.record.before", "retention.record.after",
		"retention.prune.before", "retention.prune.rmdir.after", "retention.run.workers.done",
	}
	scanFaultPoints = []string{
		"journal.drain.renamed", "journal.entry.handled", "journal.file.remove.before",
		"scan.dir.listed", "scan.missing.before", "scan.missing.after",
		"scan.flush.before", "scan.flush.after", "scan.dirs.saved", "scan.vanished.marked",
		"catalog.upsert.begin", "catalog.upsert.rows.written", "catalog.upsert.chunk.after", "catalog.upsert.committed",
	}
)

// Kill-trial spool: 10 day directories of 32 recordings; max_age = 5d deletes the
// calls of days 6 to 10 (160 files), less the 8 held ones, with batches of 8.
const (
	faultDays, faultPerDay = 10, 32
	faultPolicy            = "max_age = 5d\n"
	faultBatch             = "8"
	faultScanNew           = 230 // recordings the scan trials add (faultScanMutate)
	faultScanGone          = 37  // and remove
)

// faultTrial is one kill: cmd (retention or scan) armed to die at point's nth hit.
type faultTrial struct {
	seed             uint64
	i                int
	cmd, point       string
	n                int
	checkEveryFile   bool   // retention: --check-every-file (no fast path)
	scanBeforeFinish bool   // retention: a scan between the killed run and the next
	again            string // retention: a second run armed at "point:N" before the one that completes
}

func (tr faultTrial) killAt() string { return tr.point + ":" + strconv.Itoa(tr.n) }

func (tr faultTrial) String() string {
	s := fmt.Sprintf("seed %d trial %d: %s killed at %s", tr.seed, tr.i, tr.cmd, tr.killAt())
	if tr.checkEveryFile {
		s += " --check-every-file"
	}
	if tr.scanBeforeFinish {
		s += ", scanned after it"
	}
	if tr.again != "" {
		s += ", the next run killed at " + tr.again
	}
	return s
}

// TestCLI_FaultKills kills `retention run` and `scan` with SIGKILL at seeded fault
// points, lets the command run again to completion and scans, then checks the
// catalogue against the disk (checkAgreement) and, for retention, that the files
// gone are exactly those a run deletes and that every run started is on record,
// the killed one as interrupted with the files it deleted. Every fault point is
// killed at least once on SQLite; a seeded subset runs on MariaDB.
func TestCLI_FaultKills(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	seed := uint64(faultSeed)
	if v := os.Getenv("TOTALREC_FAULT_SEED"); v != "" {
		var err error
		if seed, err = strconv.ParseUint(v, 10, 64); err != nil {
			t.Fatalf("TOTALREC_FAULT_SEED: %v", err)
		}
	}
	t.Logf("fault seed %d (TOTALREC_FAULT_SEED=%d replays it; -run 'TestCLI_FaultKills/sqlite/NN_' one trial)", seed, seed)
	tpl := newFaultTemplate(t)
	trials := faultTrials(t, seed, tpl.points)
	t.Run("sqlite", func(t *testing.T) {
		for _, tr := range trials {
			t.Run(fmt.Sprintf("%02d_%s_%d", tr.i, tr.point, tr.n), func(t *testing.T) {
				t.Logf("%s", tr)
				skipKnownFaultBug(t, tr)
				runFaultTrial(t, tpl, tr, tpl.cloneSQLite(t))
			})
		}
	})
	t.Run("mysql", func(t *testing.T) {
		// Four of each command, seeded from the same seed, none of a known bug.
		rng := rand.New(rand.NewPCG(seed, 2))
		var picked []faultTrial
		for _, cmd := range []string{"retention", "scan"} {
			var of []faultTrial
			for _, tr := range trials {
				if _, known := knownFaultBugs[tr.point]; tr.cmd == cmd && !known {
					of = append(of, tr)
				}
			}
			for _, k := range rng.Perm(len(of))[:4] {
				picked = append(picked, of[k])
			}
		}
		for _, tr := range picked {
			t.Run(fmt.Sprintf("%02d_%s_%d", tr.i, tr.point, tr.n), func(t *testing.T) {
				t.Logf("%s (MariaDB)", tr)
				skipKnownFaultBug(t, tr)
				runFaultTrial(t, tpl, tr, tpl.cloneMySQL(t))
			})
		}
	})
}

// faultTrials draws the trials from seed: every point reached once, in a seeded
// order, then fifteen more points at random; each with N in 1..hits of an unarmed run.
func faultTrials(t *testing.T, seed uint64, hits map[string]int) []faultTrial {
	rng := rand.New(rand.NewPCG(seed, 1))
	cmdOf := map[string]string{}
	var all []string
	for cmd, pts := range map[string][]string{"retention": retentionFaultPoints, "scan": scanFaultPoints} {
		for _, p := range pts {
			if hits[p] == 0 {
				t.Errorf("fault point %s: an unarmed %s never reaches it", p, cmd)
				continue
			}
			cmdOf[p] = cmd
			all = append(all, p)
		}
	}
	sort.Strings(all) // the map's order is random; the seed's is not
	order := slices.Clone(all)
	rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	for range 15 {
		order = append(order, all[rng.IntN(len(all))])
	}
	var trials []faultTrial
	for i, p := range order {
		tr := faultTrial{seed: seed, i: i, cmd: cmdOf[p], point: p, n: 1 + rng.IntN(hits[p])}
		if tr.cmd == "retention" {
			tr.checkEveryFile, tr.scanBeforeFinish = rng.IntN(2) == 0, rng.IntN(3) == 0
			if rng.IntN(3) == 0 { // fewer files are left: a smaller N, to land
				p := retentionFaultPoints[rng.IntN(len(retentionFaultPoints))]
				tr.again = fmt.Sprintf("%s:%d", p, 1+rng.IntN(hits[p]/2+1))
			}
		}
		trials = append(trials, tr)
	}
	for _, tr := range trials {
		t.Logf("%s (of %d hits)", tr, hits[tr.point])
	}
	return trials
}

// knownFaultBugs are the points where a kill is known to break an invariant; their
// trials are skipped, saying why, until the bug is fixed.
var knownFaultBugs = map[string]string{}

func skipKnownFaultBug(t *testing.T, tr faultTrial) {
	if why, ok := knownFaultBugs[tr.point]; ok {
		t.Skipf("%s: %s", tr, why)
	}
}

func runFaultTrial(t *testing.T, tpl *faultTemplate, tr faultTrial, s retSpool) {
	if tr.cmd == "retention" {
		retentionFaultTrial(t, tpl, tr, s)
		return
	}
	faultScanMutate(t, s)
	scanFaultTrial(t, tpl, tr, s)
}

// scanFaultTrial kills a scan of the mutated spool, scans again, and checks the
// catalogue against the disk and that the journal was drained.
func scanFaultTrial(t *testing.T, tpl *faultTemplate, tr faultTrial, s retSpool) {
	r := runFault(t, s.env(), tr.killAt(), "", "scan", "--no-cdr")
	switch {
	case r.killed:
	case r.code == exitOK:
		t.Logf("%s: the point was not reached; the scan finished", tr)
	default:
		t.Fatalf("%s: exit %d\nstdout:\n%s\nstderr:\n%s", tr, r.code, r.stdout, r.stderr)
	}
	fin := cli(t, s.env(), "scan", "--no-cdr")
	if fin.code != exitOK {
		t.Fatalf("%s: the scan after the kill: exit %d\n%s%s", tr, fin.code, fin.stdout, fin.stderr)
	}
	checkAgreement(t, tr.String(), s.root, s.db, tpl.held, len(tpl.files)+faultScanNew)
	rows := catalogueRows(t, s.db)
	missing := 0
	for _, r := range rows {
		if r.state == "missing" {
			missing++
		}
	}
	if missing != faultScanGone {
		t.Errorf("%s: %d rows missing, want %d", tr, missing, faultScanGone)
	}
	left, _ := filepath.Glob(filepath.Join(s.data, "journal", "*"))
	if len(left) != 0 {
		t.Errorf("%s: journal files left after the scan: %v", tr, left)
	}
}

// armedRun is a retention run armed to die: its pid, whether it died, and the
// files it deleted.
type armedRun struct {
	pid     int
	killed  bool
	deleted int
}

// retentionFaultTrial kills a retention run (and, in some trials, the next one
// too), runs it again to completion (after a scan, in some trials), scans, and
// checks the catalogue, the disk and the runs' records.
func retentionFaultTrial(t *testing.T, tpl *faultTemplate, tr faultTrial, s retSpool) {
	now := "--now=" + retNow.Format(time.RFC3339)
	args := []string{"retention", "run", "--force", "--batch", faultBatch, now}
	if tr.checkEveryFile {
		args = append(args, "--check-every-file")
	}
	// reported checks that a run's output reports the killed run before it.
	reported := func(out string, prev armedRun) {
		t.Helper()
		if prev.killed && (!strings.Contains(out, fmt.Sprintf(", pid %d on ", prev.pid)) ||
			!strings.Contains(out, fmt.Sprintf("did not finish: %d files", prev.deleted))) {
			t.Errorf("%s: the next run does not report the killed one (pid %d, %d files deleted):\n%s", tr, prev.pid, prev.deleted, out)
		}
	}
	kills := []string{tr.killAt()}
	if tr.again != "" {
		kills = append(kills, tr.again)
	}
	var armed []armedRun
	for k, at := range kills {
		before := len(s.files(t))
		r := runFault(t, s.env(), at, "", args...)
		switch {
		case r.killed:
		case r.code == exitOK:
			t.Logf("%s: %s was not reached; the run finished", tr, at)
		default:
			t.Fatalf("%s: the run armed at %s: exit %d\nstdout:\n%s\nstderr:\n%s", tr, at, r.code, r.stdout, r.stderr)
		}
		if k > 0 {
			reported(r.stdout, armed[k-1])
		}
		armed = append(armed, armedRun{pid: r.pid, killed: r.killed, deleted: before - len(s.files(t))})
		if tr.scanBeforeFinish && k == 0 {
			if sc := cli(t, s.env(), "scan", "--no-cdr"); sc.code != exitOK {
				t.Fatalf("%s: the scan after the kill: exit %d\n%s%s", tr, sc.code, sc.stdout, sc.stderr)
			}
		}
	}
	fin := cli(t, s.env(), "retention", "run", "--force", now)
	if fin.code != exitOK {
		t.Fatalf("%s: the run after the kill: exit %d\n%s%s", tr, fin.code, fin.stdout, fin.stderr)
	}
	reported(fin.stdout, armed[len(armed)-1])
	sc := decode[daemon.ScanResult](t, cli(t, s.env(), "scan", "--json", "--no-cdr").must(t, exitOK).stdout)
	if sc.Scan.New != 0 || sc.Scan.Missing != 0 {
		t.Errorf("%s: the scan after the runs found %d new and %d missing recordings; retention left the catalogue behind the disk",
			tr, sc.Scan.New, sc.Scan.Missing)
	}
	checkAgreement(t, tr.String(), s.root, s.db, tpl.held, len(tpl.files))
	after := s.files(t)
	for f := range tpl.files {
		if after[f] != tpl.retained[f] {
			t.Errorf("%s: %s on disk %v; a complete run leaves it %v", tr, f, after[f], tpl.retained[f])
		}
	}
	checkFaultRuns(t, tr, s.db, armed, int64(len(tpl.files)-len(tpl.retained)))
}

// checkFaultRuns checks the runs on record after the armed runs and the run that
// completed them: all there, none still running; each killed one interrupted
// with the files it deleted, its start and interruption on the audit trail; all
// together counting total files.
func checkFaultRuns(t *testing.T, tr faultTrial, db string, armed []armedRun, total int64) {
	t.Helper()
	ctx := context.Background()
	c := openForChecks(t, db)
	defer c.Close()
	runs, err := c.RetentionRuns(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != len(armed)+1 {
		t.Errorf("%s: %d runs on record, want %d (the armed ones and the next)", tr, len(runs), len(armed)+1)
	}
	byPID := map[int]recordings.RetentionRun{}
	var sum int64
	for _, run := range runs {
		var rep retention.Report
		if err := json.Unmarshal([]byte(run.Report), &rep); err != nil {
			t.Fatalf("%s: run %d: report %q: %v", tr, run.ID, run.Report, err)
		}
		sum += run.DeletedFiles
		byPID[rep.PID] = run
		if run.Status == retention.StatusRunning {
			t.Errorf("%s: run %d (pid %d) is still marked running", tr, run.ID, rep.PID)
		}
	}
	for _, a := range armed {
		run, ok := byPID[a.pid]
		if !ok {
			t.Errorf("%s: the run of pid %d is not on record", tr, a.pid)
			continue
		}
		switch {
		case a.killed && run.Status != retention.StatusInterrupted:
			t.Errorf("%s: the killed run %d is marked %s, want interrupted", tr, run.ID, run.Status)
		case !a.killed && run.Status != retention.StatusDone:
			t.Errorf("%s: the run %d is marked %s, want done", tr, run.ID, run.Status)
		}
		if run.DeletedFiles != int64(a.deleted) {
			t.Errorf("%s: run %d (pid %d) records %d files deleted; it deleted %d", tr, run.ID, a.pid, run.DeletedFiles, a.deleted)
		}
		for action, want := range map[string]bool{"retention.start": true, "retention.interrupted": a.killed} {
			got, _, err := c.AuditLog(ctx, recordings.AuditQuery{Action: action, Limit: recordings.MaxLimit})
			if err != nil {
				t.Fatal(err)
			}
			on := slices.ContainsFunc(got, func(e recordings.AuditEntry) bool { return strings.HasPrefix(e.Detail, fmt.Sprintf("run=%d ", run.ID)) })
			if on != want {
				t.Errorf("%s: run %d on the audit trail as %s: %v, want %v", tr, run.ID, action, on, want)
			}
		}
	}
	if sum != total {
		t.Errorf("%s: the runs record %d files deleted in all, want %d", tr, sum, total)
	}
}
