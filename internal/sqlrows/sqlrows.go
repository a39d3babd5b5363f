// Package sqlrows is the one loop over the rows of a query that the catalogue and the
// CDR reader share: rows closed on every path and rows.Err checked, so that no reader
// of many rows can forget either.
package sqlrows

import (
	"context"
	"database/sql"
)

// Scanner is *sql.Row or *sql.Rows.
type Scanner interface{ Scan(dest ...any) error }

// Querier is *sql.DB, *sql.Tx or *sql.Conn.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Each runs q on db and calls fn for every row, stopping at fn's first error. The
// rows are closed before Each returns, so a transaction may use its connection again.
func Each(ctx context.Context, db Querier, fn func(Scanner) error, q string, args ...any) error {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return rows.Close()
}

// All runs q on db and returns every row as scan reads it.
func All[T any](ctx context.Context, db Querier, scan func(Scanner) (T, error), q string, args ...any) ([]T, error) {
	var out []T
	err := Each(ctx, db, func(s Scanner) error {
		v, err := scan(s)
		if err != nil {
			return err
		}
		out = append(out, v)
		return nil
	}, q, args...)
	if err != nil {
		return nil, err
	}
	return out, nil
}
