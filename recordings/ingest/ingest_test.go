package ingest

import (
	"context"
	"database/sql"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/totalrec/totalrec/internal/testsupport/mariadb"
	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/catalog"
	"github.com/totalrec/totalrec/recordings/cdr"
	"github.com/totalrec/totalrec/recordings/demo"
	"github.com/totalrec/totalrec/recordings/spool"
)

// backend is one place both the catalogue and the CDR table live.
type backend struct {
	name    string
	dialect cdr.Dialect
	dsn     func(t *testing.T) string // a fresh, empty database
}

var backends = []backend{
	{"sqlite", cdr.SQLite, func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "db.sqlite") }},
	{"mariadb", cdr.MySQL, func(t *testing.T) string { return mariadb.NewDatabase(t, "totalrec_ingest_test") }},
}

// fixture is a demo spool with its CDR table, and a catalogue, on one backend.
type fixture struct {
	spool string
	cat   *catalog.Catalog
	cdr   *cdr.Reader
	raw   *sql.DB // the CDR database, for tests that add rows
	dial  cdr.Dialect
	built demo.Summary
}

// now is the fixtures' present: demo calls end before it, new rows are due at it.
var now = time.Date(2026, 11, 26, 18, 0, 0, 0, time.UTC)

func newFixture(t *testing.T, b backend, days, calls int) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{spool: filepath.Join(t.TempDir(), "monitor"), dial: b.dialect}
	catDSN, cdrDSN := b.dsn(t), b.dsn(t)
	driver, source := "mysql", cdrDSN
	if b.dialect == cdr.SQLite {
		driver, source = "sqlite", strings.TrimPrefix(cdrDSN, "sqlite:")
	}
	var err error
	if f.raw, err = sql.Open(driver, source); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.raw.Close() })
	if days > 0 {
		f.built, err = demo.Build(ctx, demo.Options{Spool: f.spool, CDR: f.raw, CDRDialect: b.dialect, Days: days, CallsPerDay: calls, Seed: 7, Now: now, Loc: time.UTC})
	} else {
		err = cdr.CreateTable(ctx, f.raw, b.dialect, "cdr", cdr.Schema16)
		os.MkdirAll(f.spool, 0o755)
	}
	if err != nil {
		t.Fatal(err)
	}
	if f.cat, err = catalog.Open(ctx, catDSN, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.cat.Close() })
	f.cat.SetClock(func() time.Time { return now })
	if f.cdr, err = cdr.Open(ctx, cdrDSN, "cdr", cdr.WithLocation(time.UTC)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.cdr.Close() })
	return f
}

func (f *fixture) scan(t *testing.T, full bool) Report {
	t.Helper()
	tree, err := spool.OpenTree(f.spool)
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	s := &Scanner{Tree: tree, Cat: f.cat, Loc: time.UTC, CDR: true, Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }}
	r, err := s.Scan(context.Background(), full)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (f *fixture) enrich(t *testing.T, at time.Time) EnrichReport {
	t.Helper()
	e := &Enricher{Cat: f.cat, CDR: f.cdr, Window: time.Hour, Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return at }}
	r, err := e.RunAll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func all(t *testing.T, c *catalog.Catalog) []recordings.Recording {
	t.Helper()
	var out []recordings.Recording
	q := recordings.Query{Limit: 1000, WithDeleted: true}
	for {
		p, err := c.Search(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p.Items...)
		if p.Next == "" {
			return out
		}
		q.After = p.Next
	}
}

// TestScanAndEnrich catalogues a demo PBX and links its recordings to the right CDR
// legs, on SQLite and on MariaDB.
func TestScanAndEnrich(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			f := newFixture(t, b, 8, 10)
			r := f.scan(t, false)
			if r.New != f.built.Recordings || r.Oddities != 0 || r.Corrupt != 0 {
				t.Fatalf("scan %+v, built %+v", r, f.built)
			}
			if r.Empty != f.built.Empty || r.Unnamed != f.built.Other {
				t.Errorf("empty %d unnamed %d, built %+v", r.Empty, r.Unnamed, f.built)
			}
			e := f.enrich(t, now.Add(time.Minute))
			if e.Linked+e.GaveUp+e.Retry != f.built.Recordings || e.Linked < f.built.Recordings*9/10 {
				t.Errorf("enrich %+v of %d recordings", e, f.built.Recordings)
			}
			byLinked := map[string]int{}
			for _, rec := range all(t, f.cat) {
				if rec.CDRStatus != recordings.CDRLinked {
					continue
				}
				byLinked[rec.LinkedID]++
				c := rec.CDR
				if c.Dst == "h" {
					t.Errorf("%s linked to the hangup row %+v", rec.Path, c)
				}
				if rec.Name.UniqueID != "" && c.UniqueID != rec.Name.UniqueID {
					t.Errorf("%s linked to leg %s, want %s", rec.Path, c.UniqueID, rec.Name.UniqueID)
				}
				if rec.State == recordings.StateOK && rec.Name.Type == "in" && c.Disposition != "ANSWERED" {
					t.Errorf("%s: answered recording linked to a %s leg", rec.Path, c.Disposition)
				}
				if rec.State == recordings.StateEmpty && c.Billsec != 0 {
					t.Errorf("%s: empty recording linked to a leg with %d s of talk", rec.Path, c.Billsec)
				}
			}
			transfers := 0
			for _, n := range byLinked {
				if n > 1 {
					transfers++
				}
			}
			if transfers == 0 {
				t.Error("no call has two recordings under one linkedid (transfers)")
			}
			// Nothing changed: every directory is skipped, nothing is probed.
			if r := f.scan(t, false); r.DirsSkipped != r.Dirs || r.New+r.Changed+r.Missing != 0 {
				t.Errorf("rescan of an unchanged spool: %+v", r)
			}
			if r := f.scan(t, true); r.DirsSkipped != 0 || r.New+r.Changed+r.Missing != 0 || r.Files != f.built.Recordings {
				t.Errorf("full rescan of an unchanged spool: %+v", r)
			}
		})
	}
}
