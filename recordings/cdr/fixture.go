package cdr

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"strings"

	"github.com/totalrec/totalrec/recordings"
)

// CreateTable and Insert exist for `totalrec demo`, which writes a CDR table into an
// SQLite file, and for the tests. Totalrec never calls them against a PBX's database.

// Schema names a FreePBX version's shape of the cdr table.
type Schema string

// The table shapes, from the SQL files in testdata/ (see their comments).
const (
	Schema29 Schema = "2.9" // original Asterisk columns, no index
	Schema13 Schema = "13"  // + did, recordingfile, cnum, cnam…; calldate, uniqueid, did… indexed
	Schema16 Schema = "16"  // + linkedid, peeraccount, sequence; + recordingfile index
)

// schemaFiles holds the DDL of each Schema; it is read-only.
//
//go:embed testdata/cdr_2.9.sql testdata/cdr_13.sql testdata/cdr_16.sql
var schemaFiles embed.FS

// CreateTable creates a FreePBX-shaped CDR table named table (default "cdr"), with
// FreePBX's index names (prefixed with the table's name for another table in SQLite),
// in db. It exists for the demo and the tests.
func CreateTable(ctx context.Context, db *sql.DB, d Dialect, table string, s Schema) error {
	if table == "" {
		table = "cdr"
	}
	if !validIdentifier(table) {
		return fmt.Errorf("create cdr table %q: bad table name: %w", table, recordings.ErrInvalid)
	}
	if d != MySQL && d != SQLite {
		return fmt.Errorf("create cdr table: dialect %q: %w", d, recordings.ErrInvalid)
	}
	ddl, err := schemaFiles.ReadFile("testdata/cdr_" + string(s) + ".sql")
	if err != nil {
		return fmt.Errorf("create cdr table: schema %q: %w", s, recordings.ErrInvalid)
	}
	var lines []string
	for l := range strings.Lines(string(ddl)) {
		if !strings.HasPrefix(l, "--") {
			lines = append(lines, l)
		}
	}
	text := strings.ReplaceAll(strings.Join(lines, ""), quote("cdr"), quote(table))
	for stmt := range strings.SplitSeq(text, ";") {
		stmt = strings.TrimSpace(stmt)
		if stmt == "" {
			continue
		}
		// SQLite's index names are per database, MySQL's per table: a second table in
		// one SQLite file needs its own names.
		if rest, ok := strings.CutPrefix(stmt, "CREATE INDEX `"); ok && d == SQLite && table != "cdr" {
			stmt = "CREATE INDEX `" + table + "_" + rest
		}
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("create cdr table %s: %w", table, err)
		}
	}
	return nil
}

// Insert writes rows into a CDR table, filling only the columns the table has; calldate
// is written as the wall-clock time of CallDate in its own location, as Asterisk writes
// the PBX's local time. It exists for the demo and the tests.
func Insert(ctx context.Context, db *sql.DB, d Dialect, table string, rows []recordings.CDR) error {
	if table == "" {
		table = "cdr"
	}
	if !validIdentifier(table) {
		return fmt.Errorf("insert cdr rows into %q: bad table name: %w", table, recordings.ErrInvalid)
	}
	have, err := tableColumns(ctx, db, d, table)
	if err != nil {
		return fmt.Errorf("insert cdr rows into %s: %w", table, err)
	}
	var cols []string
	for _, c := range have {
		if _, ok := columnValue(recordings.CDR{}, c); ok {
			cols = append(cols, c)
		}
	}
	if len(cols) == 0 {
		return fmt.Errorf("insert cdr rows into %s: table %w", table, recordings.ErrNotFound)
	}
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = quote(c)
	}
	q := fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", quote(table), strings.Join(quoted, ", "),
		strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", "))

	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("insert cdr rows into %s: %w", table, err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, q)
	if err != nil {
		return fmt.Errorf("insert cdr rows into %s: %w", table, err)
	}
	defer stmt.Close()
	args := make([]any, len(cols))
	for _, row := range rows {
		for i, c := range cols {
			args[i], _ = columnValue(row, c)
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("insert cdr row %s: %w", row.UniqueID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("insert cdr rows into %s: %w", table, err)
	}
	return nil
}

// columnValue is the value Insert writes to a column; false for a column that
// recordings.CDR has no field for, which keeps its default.
func columnValue(c recordings.CDR, column string) (any, bool) {
	switch column {
	case "calldate":
		return c.CallDate.Format("2006-01-02 15:04:05"), true
	case "clid":
		if c.CNam == "" {
			return c.CNum, true
		}
		return fmt.Sprintf("%q <%s>", c.CNam, c.CNum), true
	case "src":
		return c.Src, true
	case "dst":
		return c.Dst, true
	case "cnum":
		return c.CNum, true
	case "cnam":
		return c.CNam, true
	case "did":
		return c.DID, true
	case "channel":
		return c.Channel, true
	case "dstchannel":
		return c.DstChannel, true
	case "lastapp":
		return c.LastApp, true
	case "disposition":
		return c.Disposition, true
	case "duration":
		return c.Duration, true
	case "billsec":
		return c.Billsec, true
	case "uniqueid":
		return c.UniqueID, true
	case "linkedid":
		return c.LinkedID, true
	case "accountcode":
		return c.AccountCode, true
	case "userfield":
		return c.UserField, true
	case "recordingfile":
		return c.RecordingFile, true
	}
	return nil, false
}
