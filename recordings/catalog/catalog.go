package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-sql-driver/mysql"
	"modernc.org/sqlite" // also registers the "sqlite" driver

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

// Errors of opening a catalogue that is not there, or not as this program needs it.
var (
	// ErrNoCatalogue: Open was told not to create the catalogue, and there is none.
	ErrNoCatalogue = errors.New("no catalogue")
	// ErrSchemaTooOld: the catalogue lacks migrations this program has, and the
	// command opened it without migrating (see CheckSchema).
	ErrSchemaTooOld = errors.New("catalogue schema is older than this program")
)

// sqliteCantOpen is SQLITE_CANTOPEN, SQLite's "unable to open database file".
const sqliteCantOpen = 14

// sqliteBusy is SQLITE_BUSY, "database is locked".
const sqliteBusy = 5

// sqliteBusyTimeout is how long a connection waits for another's lock.
const sqliteBusyTimeout = 10 * time.Second

// OpenOption changes what Open does.
type OpenOption func(*openOptions)

type openOptions struct{ existing bool }

// Existing makes Open use the catalogue as it finds it: it creates no file,
// directory or table and applies no migration, and a catalogue that does not exist
// is ErrNoCatalogue. On SQLite the catalogue exists when its file does and holds
// the catalogue's tables; on MySQL when the database holds them. Commands that only
// read, or change what is already there, open it so.
func Existing() OpenOption { return func(o *openOptions) { o.existing = true } }

// Catalog is Totalrec's catalogue of recording files. It is safe for concurrent use.
type Catalog struct {
	dialect string
	db      *sql.DB // writes (and reads inside write transactions)
	rdb     *sql.DB // plain reads; the same pool as db on MySQL
	log     *slog.Logger
	now     func() time.Time
	where   string // the file or database, for messages; never a password

	getOnce sync.Once // prepares getStmt on first use
	getStmt *sql.Stmt
	getErr  error

	stmts writerStmts // the bulk writes' prepared statements

	noReadCommitted atomic.Bool // the server refused READ COMMITTED writes (statement binlog)
}

// SetClock replaces the clock that stamps rows (created, updated, due for
// enrichment). The daemon keeps the wall clock; simulations and tests pass their own,
// so that "due now" means their now.
func (c *Catalog) SetClock(now func() time.Time) { c.now = now }

// Open connects to the catalogue named by dsn and applies the migration steps it
// lacks (migrations.go): every table of the store, whoever opens it.
//
// dsn is "sqlite:/path/to/file.db" (the file's directory is created with mode 0750 if
// missing) or a go-sql-driver/mysql DSN such as
// "user:pass@tcp(host:3306)/asterisk"; parseTime, loc=UTC, charset utf8mb4, a UTC
// session time zone and clientFoundRows are set whatever the DSN says. A nil logger
// discards. With Existing, Open creates and migrates nothing.
func Open(ctx context.Context, dsn string, logger *slog.Logger, opts ...OpenOption) (*Catalog, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	var o openOptions
	for _, opt := range opts {
		opt(&o)
	}
	c := &Catalog{log: logger, now: time.Now}
	var err error
	if file, ok := strings.CutPrefix(dsn, sqlitePrefix); ok {
		err = c.openSQLite(file, o.existing)
	} else {
		err = c.openMySQL(dsn)
	}
	if err != nil {
		return nil, err
	}
	if err := c.rdb.PingContext(ctx); err != nil {
		c.Close()
		return nil, fmt.Errorf("open catalogue %s: %w", c.where, explainSQLiteOpen(err))
	}
	if o.existing {
		err = c.checkExists(ctx)
	} else {
		err = c.migrate(ctx)
	}
	if err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// writerCacheKiB is the SQLite writer's page cache.
const writerCacheKiB = 24576

func (c *Catalog) openSQLite(file string, existing bool) error {
	c.where = file
	if file == "" || strings.ContainsAny(file, "?#") {
		return fmt.Errorf("open catalogue: sqlite path %q: %w", file, recordings.ErrInvalid)
	}
	name := file + "?"
	if existing {
		if _, err := os.Stat(file); errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("open catalogue %s: %w: the file does not exist", file, ErrNoCatalogue)
		} else if err != nil {
			return fmt.Errorf("open catalogue %s: %w", file, err)
		}
		// mode=rw: SQLite refuses to create the file should it vanish meanwhile. It
		// takes the name as a URI then, where '%' starts an escape.
		name = "file:" + strings.ReplaceAll(file, "%", "%25") + "?mode=rw&"
	} else if err := os.MkdirAll(filepath.Dir(file), 0o750); err != nil {
		return fmt.Errorf("open catalogue %s: create its directory: %w", file, err)
	}
	// WAL lets readers run beside the single writer; busy_timeout makes a second
	// process wait for the write lock instead of failing; _txlock=immediate takes the
	// write lock at BEGIN so a read-then-write transaction cannot deadlock.
	// The writer gets a 24 MB page cache (bulk upserts touch many index pages); the
	// readers keep SQLite's 2 MB default, so that memory stays bounded however many
	// of them are open. The writer checkpoints the WAL every 10,000 pages (40 MB)
	// rather than SQLite's 1,000: a scan's transactions rewrite the same index pages,
	// and each checkpoint copies them to the database again (a tenth of a first
	// scan's time at 1,000).
	common := fmt.Sprintf("_pragma=busy_timeout(%d)", sqliteBusyTimeout.Milliseconds()) +
		"&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
	w, err := sql.Open("sqlite", name+common+fmt.Sprintf("&_pragma=cache_size(-%d)", writerCacheKiB)+"&_pragma=wal_autocheckpoint(10000)&_txlock=immediate")
	if err != nil {
		return fmt.Errorf("open catalogue %s: %w", file, err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	r, err := sql.Open("sqlite", name+common+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return fmt.Errorf("open catalogue %s: %w", file, err)
	}
	r.SetMaxOpenConns(sqliteReaders)
	r.SetMaxIdleConns(sqliteReaders)
	// The writer creates the file and switches it to WAL before any reader opens it.
	if err := pingSQLite(w); err != nil {
		w.Close()
		r.Close()
		return fmt.Errorf("open catalogue %s: %w", file, explainSQLiteOpen(err))
	}
	c.dialect, c.db, c.rdb = DialectSQLite, w, r
	return nil
}

// pingSQLite opens the writer's connection, retrying while the file is locked.
// Two processes switching a new file to WAL at once both hold a shared lock and
// want an exclusive one; SQLite answers one of them SQLITE_BUSY at once, without
// waiting out the busy timeout, as that wait could never end. The other finishes
// in milliseconds; the retries stop at the busy timeout.
func pingSQLite(w *sql.DB) error {
	deadline := time.Now().Add(sqliteBusyTimeout)
	for {
		err := w.Ping()
		var se *sqlite.Error
		if err == nil || !errors.As(err, &se) || se.Code()&0xff != sqliteBusy || time.Now().After(deadline) {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// explainSQLiteOpen says what SQLite's "unable to open database file" means: SQLite
// cannot say which of these it is.
func explainSQLiteOpen(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code()&0xff == sqliteCantOpen {
		return fmt.Errorf("cannot open the file: a missing directory, or a permission problem "+
			"(this user must be able to read and write the file and write its directory, "+
			"where SQLite keeps the -wal and -shm files): %w", err)
	}
	return err
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
	c.where = "database " + cfg.DBName + " on " + cfg.Addr
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return fmt.Errorf("open catalogue %s: %w", c.where, err)
	}
	db := sql.OpenDB(conn)
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(4)
	db.SetConnMaxLifetime(time.Hour)
	c.dialect, c.db, c.rdb = DialectMySQL, db, db
	return nil
}

// checkExists refuses a database without the catalogue's tables, or with a newer
// catalogue than this program knows. A catalogue made before the version table
// (migrate adopts it) exists, at version 0.
func (c *Catalog) checkExists(ctx context.Context) error {
	v, err := c.SchemaVersion(ctx)
	if err != nil {
		return fmt.Errorf("open catalogue %s: %w", c.where, err)
	}
	legacy := false
	if v == 0 {
		if legacy, err = c.hasTable(ctx, legacyVersionTable); err != nil {
			return fmt.Errorf("open catalogue %s: %w", c.where, err)
		}
	}
	switch {
	case v == 0 && !legacy:
		return fmt.Errorf("open catalogue %s: %w: it holds no totalrec tables", c.where, ErrNoCatalogue)
	case v > len(migrations):
		return fmt.Errorf("open catalogue %s: at version %d, this program knows %d: %w",
			c.where, v, len(migrations), ErrSchemaTooNew)
	}
	return nil
}

// CheckSchema reports a catalogue whose schema differs from this program's: behind
// it (ErrSchemaTooOld; a command that creates the catalogue, such as scan or serve,
// migrates it) or ahead of it (ErrSchemaTooNew). It reads only.
func (c *Catalog) CheckSchema(ctx context.Context) error {
	v, err := c.SchemaVersion(ctx)
	if err != nil {
		return fmt.Errorf("check catalogue %s: %w", c.where, err)
	}
	switch {
	case v < len(migrations):
		return fmt.Errorf("check catalogue %s: schema at version %d, this program's is at %d: %w",
			c.where, v, len(migrations), ErrSchemaTooOld)
	case v > len(migrations):
		return fmt.Errorf("check catalogue %s: schema at version %d, this program knows %d: %w",
			c.where, v, len(migrations), ErrSchemaTooNew)
	}
	return nil
}

// Close closes the database connections.
func (c *Catalog) Close() error {
	var err error
	if c.getStmt != nil {
		err = c.getStmt.Close()
	}
	err = errors.Join(err, c.closeStmts(), c.db.Close())
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

// DB returns the connection pool that writes, for tests and tools that read the
// tables directly. On SQLite it holds a single connection: finish (close) one
// statement's rows before running the next.
func (c *Catalog) DB() *sql.DB { return c.db }

// inTx runs fn in a write transaction and commits when it returns nil.
func (c *Catalog) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	return c.inTxOpts(ctx, nil, fn)
}

func (c *Catalog) inTxOpts(ctx context.Context, opts *sql.TxOptions, fn func(*sql.Tx) error) error {
	tx, err := c.db.BeginTx(ctx, opts)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// maxTxRuns is how many times inTxAgain runs a transaction.
const maxTxRuns = 8

// readCommitted is how inTxAgain's transactions run on MySQL. At InnoDB's default,
// REPEATABLE READ, deleting the number keys of a recording that has none yet locks
// the gap at the end of the index, and concurrent upserts of new recordings (whose
// ids all fall in that gap) deadlock on it; READ COMMITTED takes no gap locks there.
// Their plain reads then see what is committed when each statement runs, which is
// what they want: a recording catalogued or held meanwhile is seen, not missed.
var readCommitted = &sql.TxOptions{Isolation: sql.LevelReadCommitted}

// inTxAgain is inTx for a transaction that may simply run again: one that InnoDB
// rolled back to break a deadlock, or whose lock wait timed out, runs again after
// a short, growing and randomised pause (so that the two sides of a deadlock do
// not meet again), up to maxTxRuns times in all. fn must set, not accumulate,
// anything it changes outside tx.
func (c *Catalog) inTxAgain(ctx context.Context, fn func(*sql.Tx) error) error {
	for run := 1; ; run++ {
		var opts *sql.TxOptions
		if c.dialect == DialectMySQL && !c.noReadCommitted.Load() {
			opts = readCommitted
		}
		err := c.inTxOpts(ctx, opts, fn)
		if opts != nil && isStatementBinlog(err) {
			// A server that writes its binary log by statement refuses READ
			// COMMITTED writes to InnoDB: run at the server's own level from now on.
			c.log.Warn("the server logs by statement (binlog_format=STATEMENT), which refuses READ COMMITTED; " +
				"concurrent writes will meet more deadlocks (binlog_format=MIXED or ROW avoids them)")
			c.noReadCommitted.Store(true)
			run--
			continue
		}
		if !isDeadlock(err) || run == maxTxRuns || ctx.Err() != nil {
			return err
		}
		pause := time.Duration(run*run)*10*time.Millisecond + rand.N(time.Duration(run)*20*time.Millisecond)
		c.log.Debug("transaction rolled back by a deadlock; again", "run", run)
		select {
		case <-ctx.Done():
			return err
		case <-time.After(pause):
		}
	}
}
