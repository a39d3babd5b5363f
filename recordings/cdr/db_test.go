package cdr_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	_ "modernc.org/sqlite"

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
	base := os.Getenv("TOTALREC_TEST_MYSQL_DSN")
	if base == "" {
		base = "root@tcp(127.0.0.1:3306)/"
	}
	cfg, err := mysql.ParseDSN(base)
	if err != nil {
		t.Fatalf("parse TOTALREC_TEST_MYSQL_DSN: %v", err)
	}
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatalf("open mariadb: %v", err)
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		if os.Getenv("TOTALREC_TEST_MYSQL") == "skip" {
			t.Skipf("mariadb at %s unreachable and TOTALREC_TEST_MYSQL=skip: %v", cfg.Addr, err)
		}
		t.Fatalf("mariadb at %s unreachable (set TOTALREC_TEST_MYSQL_DSN, or TOTALREC_TEST_MYSQL=skip): %v", cfg.Addr, err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "totalrec_cdr_test_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("mysql", cfg.FormatDSN())
		if err != nil {
			t.Errorf("drop database %s: %v", name, err)
			return
		}
		defer a.Close()
		if _, err := a.Exec("DROP DATABASE " + name); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	cfg.DBName = name
	dsn := cfg.FormatDSN()
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
