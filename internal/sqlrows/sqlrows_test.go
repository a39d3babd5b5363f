package sqlrows

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite"
)

func openDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`CREATE TABLE n (v INTEGER); INSERT INTO n VALUES (1), (2), (3)`); err != nil {
		t.Fatal(err)
	}
	return db
}

func scanInt(s Scanner) (int, error) {
	var v int
	err := s.Scan(&v)
	return v, err
}

func TestAll(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	got, err := All(ctx, db, scanInt, `SELECT v FROM n WHERE v > ? ORDER BY v`, 1)
	if err != nil || len(got) != 2 || got[0] != 2 || got[1] != 3 {
		t.Fatalf("All = %v, %v; want [2 3]", got, err)
	}
	none, err := All(ctx, db, scanInt, `SELECT v FROM n WHERE v > 9`)
	if err != nil || none != nil {
		t.Fatalf("All of no rows = %v, %v; want nil, nil", none, err)
	}
	if _, err := All(ctx, db, scanInt, `SELECT nope FROM n`); err == nil {
		t.Fatal("All of a bad query: no error")
	}
}

func TestEachStopsAtFirstErrorAndFreesTheConnection(t *testing.T) {
	db := openDB(t)
	db.SetMaxOpenConns(1) // a row set left open would block the next query forever
	ctx := context.Background()
	stop := errors.New("stop")
	seen := 0
	err := Each(ctx, db, func(s Scanner) error {
		seen++
		return stop
	}, `SELECT v FROM n`)
	if !errors.Is(err, stop) || seen != 1 {
		t.Fatalf("Each = %v after %d rows; want stop after 1", err, seen)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	n := 0
	if err := Each(ctx, tx, func(s Scanner) error { n++; return nil }, `SELECT v FROM n`); err != nil || n != 3 {
		t.Fatalf("Each in a transaction = %v, %d rows; want 3", err, n)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM n`); err != nil {
		t.Fatalf("the transaction's connection after Each: %v", err)
	}
}
