package main

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/totalrec/totalrec/internal/testsupport/mariadb"
	"github.com/totalrec/totalrec/recordings/hook"
)

// faultTemplate is the spool every kill trial starts from: scanned into a SQLite
// catalogue, with holds on recordings the policy would delete.
type faultTemplate struct {
	spool    retSpool
	files    map[string]bool // on disk
	held     map[string]bool // paths held
	retained map[string]bool // what a complete retention run leaves
	points   map[string]int  // hits per fault point of an unarmed run
}

// newFaultTemplate writes and scans the spool, holds four planned recordings in
// each of days 6 and 7 (so that days 8 to 10 empty and are pruned), and counts the
// fault points of an unarmed retention run and scan on copies of it.
func newFaultTemplate(t *testing.T) *faultTemplate {
	t.Helper()
	faultBin(t)
	tpl := &faultTemplate{spool: newRetSpool(t, "", faultDays, faultPerDay, faultPolicy), held: map[string]bool{}, points: map[string]int{}}
	s := tpl.spool
	now := "--now=" + retNow.Format(time.RFC3339)
	p := decode[planOut](t, cli(t, s.env(), "retention", "plan", "--json", "--list", now).must(t, exitOK).stdout)
	perDay := map[string]int{}
	planned := map[string]bool{}
	for _, f := range p.Files {
		planned[f.Path] = true
		day := path.Dir(f.Path)
		if (day == faultDay(6) || day == faultDay(7)) && perDay[day] < 4 {
			perDay[day]++
			tpl.held[f.Path] = true
			cli(t, s.env(), "hold", "add", strconv.FormatInt(f.ID, 10), "--reason", "fault test", "--by", "test").must(t, exitOK)
		}
	}
	if len(planned) != 5*faultPerDay || len(tpl.held) != 8 {
		t.Fatalf("template: %d planned, %d held; want %d and 8", len(planned), len(tpl.held), 5*faultPerDay)
	}
	tpl.files = s.files(t)
	tpl.retained = map[string]bool{}
	for f := range tpl.files {
		if !planned[f] || tpl.held[f] {
			tpl.retained[f] = true
		}
	}

	// Calibration: an unarmed run of each command, traced, on a copy; the run must
	// do what the trials expect of a complete one.
	trace := filepath.Join(t.TempDir(), "trace")
	c := tpl.cloneSQLite(t)
	runFault(t, c.env(), "", trace, "retention", "run", "--force", "--batch", faultBatch, now).must(t, exitOK)
	if got := c.files(t); !sameSet(got, tpl.retained) {
		t.Fatalf("calibration: a complete run left %d files, want %d", len(got), len(tpl.retained))
	}
	c = tpl.cloneSQLite(t)
	faultScanMutate(t, c)
	runFault(t, c.env(), "", trace, "scan", "--no-cdr").must(t, exitOK)
	checkAgreement(t, "calibration scan", c.root, c.db, tpl.held, len(tpl.files)+faultScanNew)
	for p, n := range hitCounts(t, trace) {
		tpl.points[p] = n
	}
	t.Logf("hits of an unarmed run: %v", tpl.points)
	return tpl
}

func sameSet(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

// faultDay is the directory of the calls d days before retNow.
func faultDay(d int) string { return retNow.AddDate(0, 0, -d).Format("2006/01/02") }

// cloneSQLite copies the template, catalogue and all.
func (tpl *faultTemplate) cloneSQLite(t *testing.T) retSpool {
	t.Helper()
	dst := t.TempDir()
	copyTree(t, filepath.Dir(tpl.spool.root), dst)
	return retSpool{root: filepath.Join(dst, "monitor"), data: filepath.Join(dst, "data"),
		policy: filepath.Join(dst, "retention.conf"), db: "sqlite:" + filepath.Join(dst, "data", "totalrec.db")}
}

// cloneMySQL copies the template's spool and policy, scans them into a new
// MariaDB database and holds the same recordings.
func (tpl *faultTemplate) cloneMySQL(t *testing.T) retSpool {
	t.Helper()
	dst := t.TempDir()
	copyTree(t, tpl.spool.root, filepath.Join(dst, "monitor"))
	must(t, os.WriteFile(filepath.Join(dst, "retention.conf"), []byte(faultPolicy), 0o644))
	s := retSpool{root: filepath.Join(dst, "monitor"), data: filepath.Join(dst, "data"),
		policy: filepath.Join(dst, "retention.conf"), db: mariadb.NewDatabase(t, "totalrec_fault")}
	cli(t, s.env(), "scan", "--no-cdr").must(t, exitOK)
	rows := catalogueRows(t, s.db)
	for p := range tpl.held {
		cli(t, s.env(), "hold", "add", strconv.FormatInt(rows[p].id, 10), "--reason", "fault test", "--by", "test").must(t, exitOK)
	}
	return s
}

// faultRecording writes recording i of the calls of day d into s's spool.
func faultRecording(t *testing.T, s retSpool, d, i, samples int) string {
	t.Helper()
	rel := faultRecordingPath(d, i)
	name := filepath.Join(s.root, filepath.FromSlash(rel))
	must(t, os.MkdirAll(filepath.Dir(name), 0o755))
	// Written beside the spool and renamed in, as a changed file would be: the
	// directory's mtime changes, so an incremental scan lists it again.
	tmp := filepath.Join(filepath.Dir(s.root), "new.wav")
	must(t, os.WriteFile(tmp, pcmWAV(samples), 0o644))
	mt := retNow.AddDate(0, 0, -d).Add(time.Duration(i)*time.Second + 2*time.Minute)
	must(t, os.Chtimes(tmp, mt, mt))
	must(t, os.Rename(tmp, name))
	return rel
}

// faultScanMutate changes the spool the way days of calls and a careless
// administrator do, and journals some of it as hooks would: day 3's directory
// removed, five files of day 2 removed, three of day 5 rewritten longer, ten new
// calls in day 4 and 220 in a new day 0; fourteen journal entries in two files,
// one of them already set aside for draining by a drain that was killed.
func faultScanMutate(t *testing.T, s retSpool) {
	t.Helper()
	must(t, os.RemoveAll(filepath.Join(s.root, faultDay(3))))
	var gone []string
	for i := range 5 {
		p := faultRecordingPath(2, i)
		must(t, os.Remove(filepath.Join(s.root, p)))
		gone = append(gone, p)
	}
	for i := range 3 {
		faultRecording(t, s, 5, i, 1600)
	}
	var day4, day0 []string
	for i := range 10 {
		day4 = append(day4, faultRecording(t, s, 4, 100+i, 800))
	}
	for i := range faultScanNew - 10 {
		day0 = append(day0, faultRecording(t, s, 0, i, 800))
	}
	j := hook.Journal{Dir: filepath.Join(s.data, "journal")}
	at := retNow
	for _, p := range append(day0[:5:5], gone[0]) {
		must(t, j.Append(hook.Entry{Path: p, At: at}))
	}
	must(t, os.Rename(filepath.Join(j.Dir, "hook.jsonl"), filepath.Join(j.Dir, "hook.00000000000000000001.draining")))
	for _, p := range append(append(day4[:5:5], day0[5:7]...), faultRecordingPath(3, 7)) {
		must(t, j.Append(hook.Entry{Path: p, At: at}))
	}
}

// faultRecordingPath is the path newRetSpool gives recording i of day d.
func faultRecordingPath(d, i int) string {
	ct := retNow.AddDate(0, 0, -d).Add(time.Duration(i) * time.Second)
	return faultDay(d) + "/" + fmt.Sprintf("out-74955550%03d-101-%s-%d.%d.wav", i, ct.Format("20060102-150405"), ct.Unix(), i)
}
