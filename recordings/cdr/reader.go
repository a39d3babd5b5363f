package cdr

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/totalrec/totalrec/internal/sqlrows"
	"github.com/totalrec/totalrec/recordings"
)

// Dialect names the SQL database that holds the CDR table.
type Dialect string

// The dialects a Reader speaks.
const (
	MySQL  Dialect = "mysql"  // MySQL or MariaDB, as on every FreePBX box
	SQLite Dialect = "sqlite" // an SQLite file, used by the demo and the tests
)

// requiredColumns are the columns without which a table is not a CDR table Totalrec
// can use; every Asterisk version since 1.0 writes them.
var requiredColumns = [...]string{"calldate", "src", "dst", "uniqueid", "disposition", "billsec", "duration"}

// MissingColumnsError says that a table lacks columns every CDR table has.
type MissingColumnsError struct {
	Table   string
	Columns []string
}

func (e *MissingColumnsError) Error() string {
	return fmt.Sprintf("table %s lacks required CDR columns: %s", e.Table, strings.Join(e.Columns, ", "))
}

// Reader reads one CDR table. It is safe for concurrent use.
type Reader struct {
	db         *sql.DB
	dialect    Dialect
	table      string
	loc        *time.Location
	columns    []string        // in table order, lower case
	has        map[string]bool // the same, as a set
	selectList string          // the select list shared by every row query
}

// Option adjusts a Reader.
type Option func(*Reader)

// WithLocation sets the zone in which the table's calldate values were written: the
// PBX's local zone, or UTC when Asterisk logs with usegmtime. The default is time.Local.
func WithLocation(loc *time.Location) Option {
	return func(r *Reader) {
		if loc != nil {
			r.loc = loc
		}
	}
}

// Open connects to the CDR database and inspects table (default "cdr").
//
// dsn is "sqlite:/path/to/file" or a go-sql-driver/mysql DSN that names the database,
// e.g. "user:pass@tcp(127.0.0.1:3306)/asteriskcdrdb". An SQLite file must exist already.
// Open fails with recordings.ErrNotFound when the table does not exist, and with a
// *MissingColumnsError when it lacks calldate, src, dst, uniqueid, disposition, billsec
// or duration.
func Open(ctx context.Context, dsn, table string, opts ...Option) (*Reader, error) {
	if table == "" {
		table = "cdr"
	}
	if !validIdentifier(table) {
		return nil, fmt.Errorf("open cdr table %q: bad table name: %w", table, recordings.ErrInvalid)
	}
	dialect, driver, source, err := driverSource(dsn)
	if err != nil {
		return nil, fmt.Errorf("open cdr database: %w", err)
	}
	db, err := sql.Open(driver, source)
	if err != nil {
		return nil, fmt.Errorf("open cdr database: %w", err)
	}
	if dialect == MySQL {
		// The CDR database is the PBX's own: a few connections, recycled before the
		// server's wait_timeout closes them.
		db.SetMaxOpenConns(4)
		db.SetConnMaxLifetime(5 * time.Minute)
	}
	r := &Reader{db: db, dialect: dialect, table: table, loc: time.Local}
	for _, o := range opts {
		o(r)
	}
	if err := r.inspect(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return r, nil
}

// driverSource turns a Totalrec DSN into a database/sql driver name and source.
func driverSource(dsn string) (Dialect, string, string, error) {
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		if path == "" {
			return "", "", "", fmt.Errorf("sqlite DSN without a path: %w", recordings.ErrInvalid)
		}
		// A missing file would otherwise be created empty and then fail as "no table".
		if _, err := os.Stat(path); err != nil {
			return "", "", "", fmt.Errorf("stat sqlite file: %w", err)
		}
		esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
		return SQLite, "sqlite", "file:" + esc + "?mode=rw&_busy_timeout=5000", nil
	}
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return "", "", "", fmt.Errorf("parse mysql DSN: %w: %w", recordings.ErrInvalid, err)
	}
	if cfg.DBName == "" {
		return "", "", "", fmt.Errorf("mysql DSN names no database: %w", recordings.ErrInvalid)
	}
	// calldate is scanned as text and read in the PBX's zone, whatever the DSN asks for.
	cfg.ParseTime = false
	return MySQL, "mysql", cfg.FormatDSN(), nil
}

// validIdentifier accepts the table and column names Totalrec interpolates into SQL.
func validIdentifier(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// quote quotes an identifier already checked by validIdentifier. Back-quotes work in
// both dialects; SQLite accepts them for MySQL compatibility.
func quote(ident string) string { return "`" + ident + "`" }

func (r *Reader) inspect(ctx context.Context) error {
	cols, err := tableColumns(ctx, r.db, r.dialect, r.table)
	if err != nil {
		return fmt.Errorf("inspect cdr table %s: %w", r.table, err)
	}
	if len(cols) == 0 {
		return fmt.Errorf("inspect cdr table %s: table %w", r.table, recordings.ErrNotFound)
	}
	r.columns = cols
	r.has = make(map[string]bool, len(cols))
	for _, c := range cols {
		r.has[c] = true
	}
	var missing []string
	for _, c := range requiredColumns {
		if !r.has[c] {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return &MissingColumnsError{Table: r.table, Columns: missing}
	}
	r.selectList = r.buildSelectList()
	return nil
}

// tableColumns lists a table's columns in order, lower-cased; none if it does not exist.
func tableColumns(ctx context.Context, db *sql.DB, d Dialect, table string) ([]string, error) {
	q := `SELECT COLUMN_NAME FROM information_schema.COLUMNS
		WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`
	if d == SQLite {
		q = `SELECT name FROM pragma_table_info(?) ORDER BY cid`
	}
	cols, err := sqlrows.All(ctx, db, func(s sqlrows.Scanner) (string, error) {
		var c string
		err := s.Scan(&c)
		return strings.ToLower(c), err
	}, q, table)
	if err != nil {
		return nil, fmt.Errorf("list columns: %w", err)
	}
	return cols, nil
}

// Columns returns the table's columns in table order, lower-cased.
func (r *Reader) Columns() []string { return append([]string(nil), r.columns...) }

// Has reports whether the table has the column.
func (r *Reader) Has(column string) bool { return r.has[strings.ToLower(column)] }

// Dialect says which database the Reader talks to.
func (r *Reader) Dialect() Dialect { return r.dialect }

// Table returns the CDR table's name.
func (r *Reader) Table() string { return r.table }

// Close closes the database connection.
func (r *Reader) Close() error {
	if err := r.db.Close(); err != nil {
		return fmt.Errorf("close cdr database: %w", err)
	}
	return nil
}

// isMySQLError reports whether err is a server error with one of the numbers.
func isMySQLError(err error, numbers ...uint16) bool {
	var me *mysql.MySQLError
	if !errors.As(err, &me) {
		return false
	}
	for _, n := range numbers {
		if me.Number == n {
			return true
		}
	}
	return false
}
