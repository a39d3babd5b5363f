package cdr

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/totalrec/totalrec/internal/sqlrows"
	"github.com/totalrec/totalrec/recordings"
)

// indexColumns are the columns Totalrec's lookups need indexed: calldate for time
// ranges, uniqueid, linkedid and recordingfile for Legs.
var indexColumns = [...]string{"calldate", "uniqueid", "linkedid", "recordingfile"}

// IndexColumns returns the columns Indexes reports on and CreateIndex accepts:
// calldate, uniqueid, linkedid and recordingfile.
func IndexColumns() []string { return append([]string(nil), indexColumns[:]...) }

// MySQL error numbers for "this ALTER cannot run with the ALGORITHM/LOCK asked for".
const (
	errAlterNotSupported       = 1845
	errAlterNotSupportedReason = 1846
	errDupKeyName              = 1061
)

// Indexes reports, for each of IndexColumns() that the table has, whether an index
// starts with that column: an index whose first column it is serves the lookup, one
// where it comes second does not. A column the table lacks is absent from the map, so
// a caller can tell "not indexed" (false) from "cannot be indexed" (missing).
func (r *Reader) Indexes(ctx context.Context) (map[string]bool, error) {
	q := `SELECT DISTINCT COLUMN_NAME FROM information_schema.STATISTICS
		WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND SEQ_IN_INDEX = 1`
	if r.dialect == SQLite {
		q = `SELECT DISTINCT ii.name FROM pragma_index_list(?) AS il, pragma_index_info(il.name) AS ii
			WHERE ii.seqno = 0`
	}
	first := map[string]bool{}
	err := sqlrows.Each(ctx, r.db, func(s sqlrows.Scanner) error {
		var c sql.NullString // NULL for an SQLite expression index
		if err := s.Scan(&c); err != nil {
			return err
		}
		first[strings.ToLower(c.String)] = true
		return nil
	}, q, r.table)
	if err != nil {
		return nil, fmt.Errorf("list cdr indexes: %w", err)
	}
	out := make(map[string]bool, len(indexColumns))
	for _, c := range indexColumns {
		if r.has[c] {
			out[c] = first[c]
		}
	}
	return out, nil
}

// CreateIndex adds an index named totalrec_<column> on one of IndexColumns(), unless an
// index already starts with that column. It is the only method that writes.
//
// On MySQL it asks for an online change (ALGORITHM=INPLACE, LOCK=NONE) so that
// Asterisk keeps writing CDRs meanwhile, and falls back to a plain ALTER TABLE when the
// server refuses, as it does for MyISAM tables, which then lock while the index builds.
// Another column is recordings.ErrInvalid; a column the table lacks is
// recordings.ErrNotFound.
func (r *Reader) CreateIndex(ctx context.Context, column string) error {
	column = strings.ToLower(column)
	known := false
	for _, c := range indexColumns {
		known = known || c == column
	}
	if !known {
		return fmt.Errorf("create cdr index on %q: not one of %s: %w",
			column, strings.Join(indexColumns[:], ", "), recordings.ErrInvalid)
	}
	if !r.has[column] {
		return fmt.Errorf("create cdr index on %s: column absent from table %s: %w",
			column, r.table, recordings.ErrNotFound)
	}
	idx, err := r.Indexes(ctx)
	if err != nil {
		return fmt.Errorf("create cdr index on %s: %w", column, err)
	}
	if idx[column] {
		return nil
	}
	name := quote("totalrec_" + column)
	if r.dialect == SQLite {
		q := fmt.Sprintf("CREATE INDEX IF NOT EXISTS %s ON %s (%s)", name, quote(r.table), quote(column))
		if _, err := r.db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("create cdr index on %s: %w", column, err)
		}
		return nil
	}
	alter := fmt.Sprintf("ALTER TABLE %s ADD INDEX %s (%s)", quote(r.table), name, quote(column))
	_, err = r.db.ExecContext(ctx, alter+", ALGORITHM=INPLACE, LOCK=NONE")
	if isMySQLError(err, errAlterNotSupported, errAlterNotSupportedReason) {
		_, err = r.db.ExecContext(ctx, alter)
	}
	if err != nil && !isMySQLError(err, errDupKeyName) {
		return fmt.Errorf("create cdr index on %s: %w", column, err)
	}
	return nil
}
