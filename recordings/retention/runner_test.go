package retention

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/totalrec/totalrec/internal/testsupport/mariadb"
	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/catalog"
	"github.com/totalrec/totalrec/recordings/spool"
)

// testSpool is a spool on disk and its catalogue, built to agree.
type testSpool struct {
	root    string
	outside string
	cat     *catalog.Catalog
	tree    *spool.Tree
}

var backends = []struct {
	name string
	dsn  func(t *testing.T) string
}{
	{"sqlite", func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "totalrec.db") }},
	{"mysql", func(t *testing.T) string { return mariadb.NewDatabase(t, "totalrec_ret_test") }},
}

func newTestSpool(t *testing.T, dsn string) *testSpool {
	t.Helper()
	base := t.TempDir()
	s := &testSpool{root: filepath.Join(base, "monitor"), outside: filepath.Join(base, "outside")}
	for _, d := range []string{s.root, s.outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	var err error
	if s.cat, err = catalog.Open(context.Background(), dsn, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.cat.Close() })
	if s.tree, err = spool.OpenTree(s.root); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.tree.Close() })
	return s
}

// add writes a recording whose call was age before now into its day directory and
// catalogues it; it returns the recording with its id.
func (s *testSpool) add(t *testing.T, typ, dest string, age time.Duration, size int) recordings.Recording {
	t.Helper()
	ct := now.Add(-age).Truncate(time.Second)
	name := fmt.Sprintf("%s-%s-100-%s-%d.%d.wav", typ, dest, ct.Format("20060102-150405"), ct.Unix(), size)
	rel := ct.Format("2006/01/02/") + name
	full := filepath.Join(s.root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(full, make([]byte, size), 0o644); err != nil {
		t.Fatal(err)
	}
	mt := ct.Add(time.Minute)
	if err := os.Chtimes(full, mt, mt); err != nil {
		t.Fatal(err)
	}
	r := recordings.Recording{Path: rel, Size: int64(size), ModTime: mt, CallTime: ct, State: recordings.StateOK,
		Format: recordings.FormatWAV, Name: recordings.Name{Type: typ, Dest: dest, From: "100", Time: ct, Ext: "wav"}}
	r.Direction = r.Name.Direction()
	if _, _, err := s.cat.Upsert(context.Background(), []recordings.Recording{r}); err != nil {
		t.Fatal(err)
	}
	got, err := s.cat.GetByPath(context.Background(), "", rel)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func (s *testSpool) exists(rel string) bool {
	_, err := os.Lstat(filepath.Join(s.root, filepath.FromSlash(rel)))
	return err == nil
}

func (s *testSpool) runner(t *testing.T, policy string) *Runner {
	t.Helper()
	p, err := Parse(strings.NewReader(policy), "test.conf")
	if err != nil {
		t.Fatal(err)
	}
	return &Runner{Store: s.cat, Tree: s.tree, Policy: p, Now: now, Loc: time.UTC, Page: 7, Batch: 5, Workers: 3}
}

func TestRunnerRun(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { testRunnerRun(t, b.dsn(t)) })
	}
}

func testRunnerRun(t *testing.T, dsn string) {
	ctx := context.Background()
	s := newTestSpool(t, dsn)
	day := 24 * time.Hour
	var old, young []recordings.Recording
	for i := range 23 {
		old = append(old, s.add(t, "out", fmt.Sprint(5550000+i), time.Duration(400+i%3)*day+time.Duration(i)*time.Minute, 1000+i))
	}
	for i := range 9 {
		young = append(young, s.add(t, "in", fmt.Sprint(7770000+i), time.Duration(10+i)*day, 2000+i))
	}
	recent := s.add(t, "in", "7771111", 5*time.Minute, 3000)
	heldRec := old[0]
	if _, err := s.cat.AddHold(ctx, recordings.Hold{RecordingID: heldRec.ID, Reason: "court order 12", Since: now}); err != nil {
		t.Fatal(err)
	}
	// A file that changed since the catalogue saw it, one replaced by a symlink to a
	// file outside the spool, and one replaced by a directory.
	changed, linked, dirInstead := old[1], old[2], old[3]
	full := func(r recordings.Recording) string { return filepath.Join(s.root, filepath.FromSlash(r.Path)) }
	if err := os.WriteFile(full(changed), make([]byte, 5555), 0o644); err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(s.outside, "secret.wav")
	os.WriteFile(secret, []byte("keep me"), 0o644)
	os.Remove(full(linked))
	must(t, os.Symlink(secret, full(linked)))
	os.Remove(full(dirInstead))
	must(t, os.Mkdir(full(dirInstead), 0o755))
	// One already gone.
	gone := old[4]
	os.Remove(full(gone))

	r := s.runner(t, "max_age = 365d\ngrace = 15m")
	r.NoFastPath = true // every file is checked (TestRunnerFastPathAndPrune covers the other path)
	plan, err := r.Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Summary.Delete.Files != 22 || plan.Summary.Total.Files != 33 {
		t.Fatalf("plan: delete %d of %d, want 22 of 33", plan.Summary.Delete.Files, plan.Summary.Total.Files)
	}
	if len(plan.Summary.Protected) != 1 || plan.Summary.Protected[0].ID != heldRec.ID {
		t.Errorf("protected: %+v", plan.Summary.Protected)
	}
	rep, err := r.Run(ctx, plan)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Deleted.Files != 18 || rep.Gone != 1 || rep.Changed != 1 || rep.Failed != 2 || rep.Status != StatusPartial {
		t.Errorf("report: deleted %d gone %d changed %d failed %d status %s, want 18 1 1 2 partial\n%+v",
			rep.Deleted.Files, rep.Gone, rep.Changed, rep.Failed, rep.Status, rep.Failures)
	}
	if b, err := os.ReadFile(secret); err != nil || string(b) != "keep me" {
		t.Errorf("the file outside the spool: %q %v", b, err)
	}
	for _, rec := range append(append([]recordings.Recording{heldRec, changed, recent}, young...), linked, dirInstead) {
		if !s.exists(rec.Path) {
			t.Errorf("%s was deleted", rec.Path)
		}
	}
	for _, rec := range old[4:] {
		if s.exists(rec.Path) {
			t.Errorf("%s was not deleted", rec.Path)
		}
		got, err := s.cat.Get(ctx, rec.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != recordings.StateDeleted || got.DeletedReason != "retention max_age on 2026-11-26" {
			t.Errorf("%s: state %s reason %q", rec.Path, got.State, got.DeletedReason)
		}
	}
	for _, rec := range []recordings.Recording{heldRec, changed, linked, dirInstead} {
		if got, _ := s.cat.Get(ctx, rec.ID); got.State == recordings.StateDeleted {
			t.Errorf("%s is marked deleted", rec.Path)
		}
	}
	// Idempotent: the second run deletes nothing more and fails the same two.
	plan2, _ := r.Plan(ctx)
	rep2, err := r.Run(ctx, plan2)
	if err != nil || rep2.Deleted.Files != 0 || rep2.Failed != 2 || rep2.Changed != 1 {
		t.Errorf("second run: %+v %v", rep2, err)
	}
}

func TestRunnerFastPathAndPrune(t *testing.T) {
	ctx := context.Background()
	s := newTestSpool(t, backends[0].dsn(t))
	day := 24 * time.Hour
	var old []recordings.Recording
	for i := range 40 {
		old = append(old, s.add(t, "out", fmt.Sprint(5550000+i), time.Duration(100+i/10)*day, 500))
	}
	keep := s.add(t, "out", "5559999", 10*day, 500)
	// The fast path does not stat, but it reads the entry types: a symlink put in a
	// catalogued file's place is neither followed nor removed.
	secret := filepath.Join(s.outside, "secret.wav")
	os.WriteFile(secret, []byte("keep me"), 0o644)
	linked := old[5]
	os.Remove(filepath.Join(s.root, linked.Path))
	must(t, os.Symlink(secret, filepath.Join(s.root, linked.Path)))
	// A file nobody catalogued in an expired day directory is not in the plan: it stays.
	stray := path.Dir(old[0].Path) + "/stray.wav"
	os.WriteFile(filepath.Join(s.root, stray), []byte("x"), 0o644)

	r := s.runner(t, "max_age = 30d")
	plan, err := r.Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := r.Run(ctx, plan)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Deleted.Files != 39 || rep.Failed != 1 || rep.FastBatches == 0 || rep.Status != StatusPartial {
		t.Errorf("report %+v", rep)
	}
	if b, err := os.ReadFile(secret); err != nil || string(b) != "keep me" || !s.exists(linked.Path) {
		t.Errorf("the symlink or its target is gone: %q %v", b, err)
	}
	if !s.exists(stray) || !s.exists(keep.Path) {
		t.Error("the stray or the young file was deleted")
	}
	// Three of the four day directories are empty and pruned, with their month when
	// it is empty too; the one with the stray stays.
	if rep.DirsPruned < 3 || s.exists(path.Dir(old[39].Path)) || !s.exists(path.Dir(stray)) {
		t.Errorf("pruned %d; last day dir exists %v", rep.DirsPruned, s.exists(path.Dir(old[39].Path)))
	}
}

func TestRunnerInterruptKeepsCatalogueTrue(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := newTestSpool(t, backends[0].dsn(t))
	var all []recordings.Recording
	for i := range 30 {
		all = append(all, s.add(t, "out", fmt.Sprint(5550000+i), time.Duration(40+i)*24*time.Hour, 100))
	}
	r := s.runner(t, "max_age = 30d")
	r.OnProgress = func(Progress) { cancel() }
	plan, err := r.Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := r.Run(ctx, plan)
	if !rep.Interrupted || err == nil {
		t.Fatalf("run was not interrupted: %+v %v", rep, err)
	}
	if rep.Deleted.Files == 0 || rep.Deleted.Files == 30 {
		t.Errorf("deleted %d; want some", rep.Deleted.Files)
	}
	for _, rec := range all {
		got, _ := s.cat.Get(context.Background(), rec.ID)
		if (got.State == recordings.StateDeleted) == s.exists(rec.Path) {
			t.Errorf("%s: catalogue %s, on disk %v", rec.Path, got.State, s.exists(rec.Path))
		}
	}
}

func TestRunnerRefusesEmptyPolicy(t *testing.T) {
	s := newTestSpool(t, backends[0].dsn(t))
	s.add(t, "out", "1", 1000*24*time.Hour, 100)
	r := s.runner(t, "grace = 1h")
	if _, err := r.Plan(context.Background()); err == nil || !strings.Contains(err.Error(), "names no rule") {
		t.Errorf("Plan of an empty policy: %v", err)
	}
}

// TestRunnerScopedAges runs a policy with a per-type and a per-extension age: the
// runner reads the names and CDR fields those need, on both backends, and deletes
// by them across several directories at once.
func TestRunnerScopedAges(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			s := newTestSpool(t, b.dsn(t))
			day := 24 * time.Hour
			var in, out, vip []recordings.Recording
			for i := range 6 {
				in = append(in, s.add(t, "in", fmt.Sprint(7770000+i), time.Duration(20+i)*day, 100))
				out = append(out, s.add(t, "out", fmt.Sprint(5550000+i), time.Duration(20+i)*day, 100))
				vip = append(vip, s.add(t, "in", "101", time.Duration(20+i)*day+time.Hour, 100))
			}
			r := s.runner(t, "max_age = 365d\nmax_age.type.in = 10d\nmax_age.ext.101 = 90d\nmax_share = 100%")
			plan, err := r.Plan(ctx)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := r.Run(ctx, plan)
			if err != nil || rep.Deleted.Files != 6 || rep.ByRule["max_age.type.in"].Files != 6 || rep.Status != StatusDone {
				t.Fatalf("run: %+v %v", rep, err)
			}
			for _, rec := range in {
				if s.exists(rec.Path) {
					t.Errorf("%s (in, older than 10d) was kept", rec.Path)
				}
			}
			for _, rec := range append(out, vip...) {
				if !s.exists(rec.Path) {
					t.Errorf("%s was deleted", rec.Path)
				}
			}
		})
	}
}

func TestLock(t *testing.T) {
	dir := t.TempDir()
	release, err := Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Lock(dir); err == nil || !strings.Contains(err.Error(), "another retention run holds the lock") {
		t.Errorf("second Lock: %v", err)
	}
	must(t, release())
	release, err = Lock(dir)
	if err != nil {
		t.Fatalf("Lock after release: %v", err)
	}
	release()
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
