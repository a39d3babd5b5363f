package cdr_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/totalrec/totalrec/internal/testsupport/mariadb"
	"github.com/totalrec/totalrec/recordings/cdr"
)

// testDB is one empty database of one dialect, dropped when the test ends.
type testDB struct {
	dialect cdr.Dialect
	dsn     string // as cdr.Open takes it
	db      *sql.DB
}

// eachDB runs f against a fresh SQLite file and a fresh MariaDB database.
//
// MariaDB comes from TOTALREC_TEST_MYSQL_DSN, a DSN without a database (default
// root@tcp(127.0.0.1:3306)/). An unreachable server fails the test unless
// TOTALREC_TEST_MYSQL=skip.
func eachDB(t *testing.T, f func(t *testing.T, tdb testDB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { f(t, newSQLite(t)) })
	t.Run("mariadb", func(t *testing.T) { f(t, newMariaDB(t)) })
}

func newSQLite(t *testing.T) testDB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cdr.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Ping(); err != nil {
		t.Fatalf("create sqlite file: %v", err)
	}
	return testDB{dialect: cdr.SQLite, dsn: "sqlite:" + path, db: db}
}

func newMariaDB(t *testing.T) testDB {
	t.Helper()
	dsn := mariadb.NewDatabase(t, "totalrec_cdr_test")
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatalf("open mariadb database: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return testDB{dialect: cdr.MySQL, dsn: dsn, db: db}
}

// openTable creates a table of the schema, fills it and opens a Reader on it.
func openTable(t *testing.T, tdb testDB, s cdr.Schema, loc *time.Location, rows ...[]cdrRow) *cdr.Reader {
	t.Helper()
	ctx := context.Background()
	if err := cdr.CreateTable(ctx, tdb.db, tdb.dialect, "", s); err != nil {
		t.Fatalf("CreateTable(%s): %v", s, err)
	}
	for _, rs := range rows {
		if err := cdr.Insert(ctx, tdb.db, tdb.dialect, "cdr", toCDRs(rs, loc)); err != nil {
			t.Fatalf("Insert: %v", err)
		}
	}
	r, err := cdr.Open(ctx, tdb.dsn, "", cdr.WithLocation(loc))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}
