package catalog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/totalrec/totalrec/internal/testsupport/mariadb"
	"github.com/totalrec/totalrec/recordings"
)

// The contract suite runs every test on SQLite (a file in t.TempDir) and on MySQL or
// MariaDB (a fresh database per test). TOTALREC_TEST_MYSQL_DSN names a server DSN
// without a database (default root@tcp(127.0.0.1:3306)/); an unreachable server fails
// the MySQL half unless TOTALREC_TEST_MYSQL=skip.

// backend makes a fresh, empty catalogue DSN for one test.
type backend struct {
	name   string
	newDSN func(t *testing.T) string
}

var backends = []backend{
	{DialectSQLite, func(t *testing.T) string {
		return "sqlite:" + filepath.Join(t.TempDir(), "data", "totalrec.db")
	}},
	{DialectMySQL, newMySQLDatabase},
}

// each runs fn once per dialect on a freshly migrated catalogue.
func each(t *testing.T, fn func(t *testing.T, c *Catalog)) {
	t.Helper()
	eachDSN(t, func(t *testing.T, dsn string) { fn(t, openTest(t, dsn)) })
}

// eachDSN runs fn once per dialect with the DSN of an empty catalogue.
func eachDSN(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Helper()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { fn(t, b.newDSN(t)) })
	}
}

func openTest(t *testing.T, dsn string) *Catalog {
	t.Helper()
	c, err := Open(context.Background(), dsn, testLogger(t))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) { w.t.Log(string(p)); return len(p), nil }

// newMySQLDatabase creates a fresh MariaDB database, dropped when the test ends.
func newMySQLDatabase(t *testing.T) string { return mariadb.NewDatabase(t, "totalrec_test") }

// t0 is a fixed call time; fixtures count from it.
var t0 = time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC)

// rec returns a live recording at p with a call time of t0 + minutes.
func rec(p string, minutes int) recordings.Recording {
	ct := t0.Add(time.Duration(minutes) * time.Minute)
	return recordings.Recording{
		Path:      p,
		Storage:   "local",
		Size:      16044,
		ModTime:   ct.Add(time.Minute),
		Format:    recordings.FormatWAV,
		Duration:  time.Second,
		State:     recordings.StateOK,
		Name:      recordings.Name{Type: "in", Dest: "201", From: "+79123456789", Time: ct, UniqueID: fmt.Sprintf("1788970278.%d", minutes), Ext: "wav"},
		Direction: recordings.DirIn,
		CallTime:  ct,
	}
}

func mustUpsert(t *testing.T, c *Catalog, recs ...recordings.Recording) {
	t.Helper()
	if _, _, err := c.Upsert(context.Background(), recs); err != nil {
		t.Fatalf("Upsert: %v", err)
	}
}

func mustGet(t *testing.T, c *Catalog, p string) recordings.Recording {
	t.Helper()
	r, err := c.GetByPath(context.Background(), "", p)
	if err != nil {
		t.Fatalf("GetByPath(%q): %v", p, err)
	}
	return r
}

func TestOpen(t *testing.T) {
	eachDSN(t, func(t *testing.T, dsn string) {
		c := openTest(t, dsn)
		if c.DB() == nil {
			t.Fatal("DB() is nil")
		}
		if got := c.Dialect(); got != DialectSQLite && got != DialectMySQL {
			t.Fatalf("Dialect() = %q", got)
		}
		if c.Dialect() == DialectSQLite {
			st, err := os.Stat(filepath.Dir(dsn[len(sqlitePrefix):]))
			if err != nil {
				t.Fatal(err)
			}
			if st.Mode().Perm() != 0o750 {
				t.Errorf("data dir mode = %v, want 0750", st.Mode().Perm())
			}
			var mode string
			if err := c.DB().QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
				t.Errorf("journal_mode = %q, %v; want wal", mode, err)
			}
		}
	})
}

func TestOpenRefusesBadDSN(t *testing.T) {
	for _, dsn := range []string{"sqlite:", "sqlite:/tmp/x?y.db", "root@tcp(127.0.0.1:3306)/", "::bogus"} {
		if _, err := Open(context.Background(), dsn, nil); !errors.Is(err, recordings.ErrInvalid) {
			t.Errorf("Open(%q) = %v, want ErrInvalid", dsn, err)
		}
	}
}

func TestPurge(t *testing.T) {
	each(t, func(t *testing.T, c *Catalog) {
		ctx := context.Background()
		mustUpsert(t, c, rec("a.wav", 0))
		// A table that is not Totalrec's stays.
		if _, err := c.DB().ExecContext(ctx, "CREATE TABLE cdr_keep (id INTEGER)"); err != nil {
			t.Fatal(err)
		}
		dropped, err := c.Purge(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(dropped) < 4 {
			t.Errorf("dropped %v", dropped)
		}
		var n int
		if err := c.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM cdr_keep").Scan(&n); err != nil {
			t.Errorf("a foreign table was dropped: %v", err)
		}
		if _, err := c.Search(ctx, recordings.Query{}); err == nil {
			t.Error("the catalogue still answers after Purge")
		}
	})
}
