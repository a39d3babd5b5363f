package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/go-sql-driver/mysql"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/totalrec/totalrec/recordings"
)

// Dialect names returned by Catalog.Dialect.
const (
	DialectSQLite = "sqlite"
	DialectMySQL  = "mysql"
)

// sqlitePrefix marks an SQLite DSN; anything else is a go-sql-driver/mysql DSN.
const sqlitePrefix = "sqlite:"

// sqliteReaders is the size of the SQLite read pool. Writes go through one connection.
const sqliteReaders = 4

// Catalog is Totalrec's catalogue of recording files. It is safe for concurrent use.
type Catalog struct {
	dialect string
	db      *sql.DB // writes (and reads inside write transactions)
	rdb     *sql.DB // plain reads; the same pool as db on MySQL
	log     *slog.Logger
	now     func() time.Time

	getOnce sync.Once // prepares getStmt on first use
	getStmt *sql.Stmt
	getErr  error
}

// SetClock replaces the clock that stamps rows (created, updated, due for
// enrichment). The daemon keeps the wall clock; simulations and tests pass their own,
// so that "due now" means their now.
func (c *Catalog) SetClock(now func() time.Time) { c.now = now }

// Open connects to the catalogue named by dsn and applies missing migrations.
//
// dsn is "sqlite:/path/to/file.db" (the file's directory is created with mode 0750 if
// missing) or a go-sql-driver/mysql DSN such as
// "user:pass@tcp(host:3306)/asterisk"; parseTime, loc=UTC, charset utf8mb4, a UTC
// session time zone and clientFoundRows are set whatever the DSN says. A nil logger
// discards.
func Open(ctx context.Context, dsn string, logger *slog.Logger) (*Catalog, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	c := &Catalog{log: logger, now: time.Now}
	var err error
	if file, ok := strings.CutPrefix(dsn, sqlitePrefix); ok {
		err = c.openSQLite(file)
	} else {
		err = c.openMySQL(dsn)
	}
	if err != nil {
		return nil, err
	}
	if err := c.rdb.PingContext(ctx); err != nil {
		c.Close()
		return nil, fmt.Errorf("open catalogue: %w", err)
	}
	if err := c.Migrate(ctx, "catalog", catalogMigrations); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func (c *Catalog) openSQLite(file string) error {
	if file == "" || strings.ContainsAny(file, "?#") {
		return fmt.Errorf("open catalogue: sqlite path %q: %w", file, recordings.ErrInvalid)
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o750); err != nil {
		return fmt.Errorf("open catalogue: %w", err)
	}
	// WAL lets readers run beside the single writer; busy_timeout makes a second
	// process wait for the write lock instead of failing; _txlock=immediate takes the
	// write lock at BEGIN so a read-then-write transaction cannot deadlock.
	// The writer gets a 24 MB page cache (bulk upserts touch many index pages); the
	// readers keep SQLite's 2 MB default, so that memory stays bounded however many
	// of them are open.
	const common = "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
	w, err := sql.Open("sqlite", file+common+"&_pragma=cache_size(-24576)&_txlock=immediate")
	if err != nil {
		return fmt.Errorf("open catalogue: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	r, err := sql.Open("sqlite", file+common+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return fmt.Errorf("open catalogue: %w", err)
	}
	r.SetMaxOpenConns(sqliteReaders)
	r.SetMaxIdleConns(sqliteReaders)
	// The writer creates the file and switches it to WAL before any reader opens it.
	if err := w.Ping(); err != nil {
		w.Close()
		r.Close()
		return fmt.Errorf("open catalogue: %w", err)
	}
	c.dialect, c.db, c.rdb = DialectSQLite, w, r
	return nil
}

func (c *Catalog) openMySQL(dsn string) error {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return fmt.Errorf("open catalogue: %w: %w", recordings.ErrInvalid, err)
	}
	if cfg.DBName == "" {
		return fmt.Errorf("open catalogue: mysql dsn names no database: %w", recordings.ErrInvalid)
	}
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	cfg.ClientFoundRows = true // RowsAffected counts matched rows: "not found" is 0
	cfg.MultiStatements = false
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	cfg.Params["time_zone"] = "'+00:00'"
	cfg.Collation = "utf8mb4_general_ci"
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return fmt.Errorf("open catalogue: %w", err)
	}
	db := sql.OpenDB(conn)
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(4)
	db.SetConnMaxLifetime(time.Hour)
	c.dialect, c.db, c.rdb = DialectMySQL, db, db
	return nil
}

// Close closes the database connections.
func (c *Catalog) Close() error {
	var err error
	if c.getStmt != nil {
		err = c.getStmt.Close()
	}
	err = errors.Join(err, c.db.Close())
	if c.rdb != c.db {
		err = errors.Join(err, c.rdb.Close())
	}
	if err != nil {
		return fmt.Errorf("close catalogue: %w", err)
	}
	return nil
}

// Dialect returns "sqlite" or "mysql".
func (c *Catalog) Dialect() string { return c.dialect }

// DB returns the connection pool that writes, for packages that keep their own tables
// beside the catalogue (they add them with Migrate). On SQLite it holds a single
// connection: finish (close) one statement's rows before running the next.
func (c *Catalog) DB() *sql.DB { return c.db }

// inTx runs fn in a write transaction and commits when it returns nil.
func (c *Catalog) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}
