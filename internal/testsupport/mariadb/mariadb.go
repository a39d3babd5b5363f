// Package mariadb is test support, imported by tests only: it gives each test a
// fresh MariaDB (or MySQL) database of its own.
//
// The server comes from TOTALREC_TEST_MYSQL_DSN, a DSN without a database (default
// root@tcp(127.0.0.1:3306)/, which scripts/test provides). Each call creates a
// database with a random name and drops it when the test ends, so tests never see
// each other's state. An unreachable server fails the test: the MySQL half of a
// contract suite is not optional. TOTALREC_TEST_MYSQL=skip skips it instead, for a
// quick run on a machine without a server.
package mariadb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

// DefaultDSN is the server the tests use when TOTALREC_TEST_MYSQL_DSN is unset.
const DefaultDSN = "root@tcp(127.0.0.1:3306)/"

// NewDatabase creates an empty database named prefix_<random> and returns a DSN for
// it as go-sql-driver/mysql takes it.
func NewDatabase(t testing.TB, prefix string) string {
	t.Helper()
	if os.Getenv("TOTALREC_TEST_MYSQL") == "skip" {
		t.Skip("TOTALREC_TEST_MYSQL=skip")
	}
	base := os.Getenv("TOTALREC_TEST_MYSQL_DSN")
	if base == "" {
		base = DefaultDSN
	}
	cfg, err := mysql.ParseDSN(base)
	if err != nil {
		t.Fatalf("TOTALREC_TEST_MYSQL_DSN: %v", err)
	}
	cfg.DBName = ""
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatalf("mysql: %v", err)
	}
	t.Cleanup(func() { admin.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		t.Fatalf("mysql at %s unreachable (set TOTALREC_TEST_MYSQL_DSN, or TOTALREC_TEST_MYSQL=skip to skip): %v", cfg.Addr, err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := prefix + "_" + hex.EncodeToString(b)
	// name is made here, never input: it may be formatted into DDL.
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name+" CHARACTER SET utf8mb4"); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP DATABASE IF EXISTS " + name); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	cfg.DBName = name
	return cfg.FormatDSN()
}
