package catalog

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// The few places where SQLite and MySQL differ outside the DDL live in this file:
// how a time is bound, how an upsert names the incoming row, the upsert clause, and
// how each reports a duplicate key.

// timeText is how SQLite stores a time: UTC, fixed width, so that text order is time
// order. It is also how MySQL prints a DATETIME(6).
const timeText = "2006-01-02 15:04:05.000000"

// Times outside what a MySQL DATETIME holds are refused on write and clamped in queries.
var (
	minTime = time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTime = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
)

// dbTimeOf rounds t to what the catalogue keeps: UTC, microseconds.
func dbTimeOf(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// timeArg binds a time: nil for the zero time, text on SQLite, time.Time on MySQL
// (the driver sends it in UTC because the connection's loc is UTC).
func (c *Catalog) timeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	t = dbTimeOf(t)
	if c.dialect == DialectSQLite {
		return t.Format(timeText)
	}
	return t
}

// clampTime keeps a query bound inside the storable range; zero stays zero.
func clampTime(t time.Time) time.Time {
	switch {
	case t.IsZero():
		return t
	case t.Before(minTime):
		return minTime
	case t.After(maxTime):
		return maxTime
	}
	return t
}

// nullTime scans a time column: NULL, a MySQL DATETIME or SQLite text.
type nullTime struct{ T time.Time }

// Scan implements sql.Scanner.
func (n *nullTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		n.T = time.Time{}
	case time.Time:
		n.T = x.UTC()
	case string:
		return n.parse(x)
	case []byte:
		return n.parse(string(x))
	default:
		return fmt.Errorf("scan time: unexpected %T", v)
	}
	return nil
}

func (n *nullTime) parse(s string) error {
	t, err := time.ParseInLocation("2006-01-02 15:04:05.999999999", s, time.UTC)
	if err != nil {
		return fmt.Errorf("scan time: %w", err)
	}
	n.T = t
	return nil
}

// incoming names a column of the row an upsert tried to insert.
func (c *Catalog) incoming(col string) string {
	if c.dialect == DialectSQLite {
		return "excluded." + col
	}
	return "VALUES(" + col + ")"
}

// upsertClause turns INSERT … VALUES … into an upsert on the unique key conflict.
// sets are "col = expr" assignments. MySQL evaluates them left to right and an
// expression sees the columns already assigned before it, SQLite sees the old row
// throughout: an expression may read another column of the old row only if that
// column is assigned after it (or not at all).
func (c *Catalog) upsertClause(conflict string, sets []string) string {
	if c.dialect == DialectSQLite {
		return " ON CONFLICT (" + conflict + ") DO UPDATE SET " + strings.Join(sets, ", ")
	}
	return " ON DUPLICATE KEY UPDATE " + strings.Join(sets, ", ")
}

// placeholders returns "(?, ?, …)" rows for a multi-row INSERT or an IN list.
func placeholders(rows, cols int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(one+", ", rows), ", ")
}

// isDeadlock reports whether MySQL rolled the transaction back to break a deadlock
// (ER_LOCK_DEADLOCK) or gave up waiting for a row lock (ER_LOCK_WAIT_TIMEOUT):
// InnoDB's answer to concurrent writers whose index locks cross, which the
// transaction may simply run again.
func isDeadlock(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && (me.Number == 1213 || me.Number == 1205)
}

// isStatementBinlog reports whether err is MySQL refusing a write because its
// binary log is written by statement and the transaction runs at READ COMMITTED.
func isStatementBinlog(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && me.Number == 1665 // ER_BINLOG_STMT_MODE_AND_ROW_ENGINE
}

// isDuplicateKey reports whether err is a primary or unique key violation, in
// either dialect: the one place a check-then-insert learns that it lost a race.
func isDuplicateKey(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number == 1062 // ER_DUP_ENTRY
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY || se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE
	}
	return false
}
