package subject_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"database/sql"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"archive/zip"

	"github.com/totalrec/totalrec/internal/testsupport/mariadb"
	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/catalog"
	"github.com/totalrec/totalrec/recordings/cdr"
	"github.com/totalrec/totalrec/recordings/demo"
	"github.com/totalrec/totalrec/recordings/evidence"
	"github.com/totalrec/totalrec/recordings/ingest"
	"github.com/totalrec/totalrec/recordings/spool"
	"github.com/totalrec/totalrec/recordings/subject"
)

var now = time.Date(2026, 11, 26, 18, 0, 0, 0, time.UTC)

type fixture struct {
	spool string
	cat   *catalog.Catalog
	cdr   *cdr.Reader
	tree  *spool.Tree
	s     *subject.Subject
}

func newFixture(t *testing.T, dsn string) *fixture {
	t.Helper()
	ctx := context.Background()
	root := t.TempDir()
	f := &fixture{spool: filepath.Join(root, "monitor")}
	cdrFile := filepath.Join(root, "cdr.sqlite")
	raw, err := sql.Open("sqlite", cdrFile)
	must(t, err)
	_, err = demo.Build(ctx, demo.Options{Spool: f.spool, CDR: raw, CDRDialect: cdr.SQLite, Days: 5, CallsPerDay: 30, Seed: 5, Now: now, Loc: time.UTC})
	raw.Close()
	must(t, err)
	f.cat, err = catalog.Open(ctx, dsn, nil)
	must(t, err)
	t.Cleanup(func() { f.cat.Close() })
	f.cat.SetClock(func() time.Time { return now })
	f.cdr, err = cdr.Open(ctx, "sqlite:"+cdrFile, "cdr", cdr.WithLocation(time.UTC))
	must(t, err)
	t.Cleanup(func() { f.cdr.Close() })
	f.tree, err = spool.OpenTree(f.spool)
	must(t, err)
	t.Cleanup(func() { f.tree.Close() })
	sc := &ingest.Scanner{Tree: f.tree, Cat: f.cat, Loc: time.UTC, CDR: true, Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }}
	_, err = sc.Scan(ctx, true)
	must(t, err)
	e := &ingest.Enricher{Cat: f.cat, CDR: f.cdr, Window: time.Hour, Now: func() time.Time { return now }, Log: slog.New(slog.DiscardHandler)}
	_, err = e.RunAll(ctx)
	must(t, err)
	f.s = &subject.Subject{Store: f.cat, CDR: f.cdr, Tree: f.tree, Suffix: catalog.NumberSuffix}
	return f
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// busiest is the external number in the most recordings (at least two).
func (f *fixture) busiest(t *testing.T) string {
	t.Helper()
	p, err := f.cat.Search(context.Background(), recordings.Query{Limit: 1000})
	must(t, err)
	count := map[string]int{}
	best := ""
	for _, r := range p.Items {
		for _, n := range []string{r.Caller(), r.Callee()} {
			if len(n) >= 10 {
				count[n]++
				if count[n] > count[best] {
					best = n
				}
			}
		}
	}
	if count[best] < 2 {
		t.Fatalf("no external number in two recordings: %v", count)
	}
	return best
}

// TestEraseSubject: a number's recordings are found in the catalogue and the
// CDR, exported, and erased: the files of those not held are gone, their rows
// no longer name any party, the CDR rows lose the number but the held call's,
// the certificate says so, and the evidence chain verifies with the erasures
// listed as deletions.
func TestEraseSubject(t *testing.T) {
	for _, b := range []struct{ name, dsn string }{
		{"sqlite", "sqlite:" + filepath.Join(t.TempDir(), "db.sqlite")},
		{"mariadb", mariadb.NewDatabase(t, "totalrec_subject_test")},
	} {
		t.Run(b.name, func(t *testing.T) { testEraseSubject(t, b.dsn) })
	}
}

func testEraseSubject(t *testing.T, dsn string) {
	ctx := context.Background()
	f := newFixture(t, dsn)
	number := f.busiest(t)
	// Sealed before the erasure, with a manifest: the chain must survive it.
	must(t, passSeal(t, f, now))
	key := newKey(t)
	evDir := filepath.Join(t.TempDir(), "evidence")
	sealer := &evidence.Sealer{Store: f.cat, Dir: evDir, Key: key}
	if _, err := sealer.SealDue(ctx, now.Add(7*time.Hour)); err != nil {
		t.Fatal(err)
	}

	found, err := f.s.Find(ctx, "+7 "+number)
	must(t, err)
	if len(found.Recordings) < 2 || len(found.CDR) == 0 || len(found.Retained) != 0 {
		t.Fatalf("found %d recordings, %d CDR rows, retained %v", len(found.Recordings), len(found.CDR), found.Retained)
	}
	held := found.Recordings[0]
	if _, err := f.cat.AddHold(ctx, recordings.Hold{RecordingID: held.ID, Reason: "court order 17", Who: "legal", Since: now}); err != nil {
		t.Fatal(err)
	}
	found, err = f.s.Find(ctx, number)
	must(t, err)
	if len(found.Retained) != 1 || found.Retained[0].ID != held.ID || !strings.Contains(found.Retained[0].Reason, "court order 17") {
		t.Fatalf("retained: %+v", found.Retained)
	}

	// The export holds every file on disk and every row.
	var zbuf bytes.Buffer
	must(t, f.s.Export(ctx, &zbuf, number, found, time.UTC, now))
	zr, err := zip.NewReader(bytes.NewReader(zbuf.Bytes()), int64(zbuf.Len()))
	must(t, err)
	files := 0
	for _, zf := range zr.File {
		if strings.HasPrefix(zf.Name, "recordings/") {
			files++
		}
	}
	if files == 0 || zr.File[len(zr.File)-1].Name != "subject.json" {
		t.Errorf("export holds %d recordings", files)
	}

	at := now.Add(30 * time.Hour)
	cert, err := f.s.Erase(ctx, found, "cli:dpo", "", true, at)
	must(t, err)
	if len(cert.Erased) != len(found.Recordings)-1 || len(cert.Retained) != 1 || len(cert.Failed) != 0 || cert.CDRRows == 0 {
		t.Fatalf("certificate: %+v", cert)
	}
	if cert.Subject != subject.DigitsHash(found.Digits) || strings.Contains(cert.Subject, number) {
		t.Errorf("the certificate names the subject as %q", cert.Subject)
	}
	for _, e := range cert.Erased {
		r, err := f.cat.Get(ctx, e.ID)
		must(t, err)
		if r.Path != catalog.Erased(e.ID) || r.Caller() != "" || r.Callee() != "" || r.State != recordings.StateDeleted ||
			!recordings.IsErasure(r.DeletedReason) {
			t.Errorf("erased row %d: %+v", e.ID, r)
		}
		if e.SHA256 == "" {
			t.Errorf("erased recording %d has no seal in the certificate", e.ID)
		}
	}
	for _, r := range found.Recordings {
		_, err := os.Stat(filepath.Join(f.spool, r.Path))
		if (r.ID == held.ID) != (err == nil) {
			t.Errorf("recording %d (held %v): file %v", r.ID, r.ID == held.ID, err)
		}
	}
	// What remains of the number: the held recording and its call's CDR rows.
	again, err := f.s.Find(ctx, number)
	must(t, err)
	if len(again.Recordings) != 1 || again.Recordings[0].ID != held.ID {
		t.Errorf("after the erasure, found %d recordings", len(again.Recordings))
	}
	for _, c := range again.CDR {
		if c.LinkedID != held.LinkedID && c.UniqueID != held.Name.UniqueID {
			t.Errorf("a CDR row of another call still names the number: %+v", c)
		}
	}
	// The chain: the next manifest lists the erasures, and everything verifies.
	ms, err := sealer.SealDue(ctx, at.Add(25*time.Hour))
	must(t, err)
	deleted := 0
	for _, m := range ms {
		deleted += m.Deleted
	}
	if deleted != len(cert.Erased) {
		t.Errorf("the manifests list %d deletions, want %d", deleted, len(cert.Erased))
	}
	v := &evidence.Verifier{Store: f.cat, Tree: f.tree, Dir: evDir, Pub: key.Public().(ed25519.PublicKey)}
	rep, err := v.Verify(ctx, evidence.Selection{})
	must(t, err)
	if len(rep.Problems) != 0 || rep.Deleted != len(cert.Erased) {
		t.Errorf("verify after the erasure: %+v", rep)
	}
	for _, day := range ms {
		b, err := os.ReadFile(filepath.Join(evDir, day.Day[:4], day.Day+".jsonl"))
		must(t, err)
		if bytes.Contains(b, []byte(number[len(number)-7:])) {
			t.Errorf("the manifest of %s holds the number", day.Day)
		}
	}
	// A second erasure finds nothing more to do.
	cert2, err := f.s.Erase(ctx, again, "cli:dpo", "", true, at)
	must(t, err)
	if len(cert2.Erased) != 0 || cert2.CDRRows != 0 {
		t.Errorf("a second erasure: %+v", cert2)
	}
}

func passSeal(t *testing.T, f *fixture, at time.Time) error {
	t.Helper()
	_, err := (&evidence.Hasher{Store: f.cat, Tree: f.tree}).Pass(context.Background(), at, true)
	return err
}

func newKey(t *testing.T) ed25519.PrivateKey {
	t.Helper()
	file := filepath.Join(t.TempDir(), "k")
	_, err := evidence.GenerateKey(file)
	must(t, err)
	k, err := evidence.LoadKey(file)
	must(t, err)
	return k
}

// TestFindRefusesShortNumbers: an extension or a short code names no one person.
func TestFindRefusesShortNumbers(t *testing.T) {
	s := &subject.Subject{Suffix: catalog.NumberSuffix}
	for _, n := range []string{"101", "12345", "ab"} {
		if _, err := s.Find(context.Background(), n); err == nil {
			t.Errorf("Find(%q) did not refuse", n)
		}
	}
}
