package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/totalrec/totalrec/internal/sqlrows"
	"github.com/totalrec/totalrec/recordings"
)

const tokenCols = `id, name, hash, scope, created_by, created_at, expires_at, last_used_at`

func scanToken(s scanner) (recordings.APIToken, error) {
	var (
		t                      recordings.APIToken
		scope                  string
		created, expires, used nullTime
	)
	if err := s.Scan(&t.ID, &t.Name, &t.Hash, &scope, &t.CreatedBy, &created, &expires, &used); err != nil {
		return t, err
	}
	var err error
	if t.Scope, err = recordings.ParseScope(scope); err != nil {
		return t, fmt.Errorf("token %q: stored %w", t.Name, err)
	}
	t.CreatedAt, t.ExpiresAt, t.LastUsed = created.T, expires.T, used.T
	return t, nil
}

// AddToken stores a new API token; a taken name is recordings.ErrExists.
func (c *Catalog) AddToken(ctx context.Context, t recordings.APIToken) (recordings.APIToken, error) {
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return t, fmt.Errorf("add token %q: %w", t.Name, err)
	}
	defer tx.Rollback()
	var one int
	switch err := tx.QueryRowContext(ctx, `SELECT 1 FROM totalrec_tokens WHERE name = ?`, t.Name).Scan(&one); {
	case err == nil:
		return t, fmt.Errorf("add token %q: %w", t.Name, recordings.ErrExists)
	case !errors.Is(err, sql.ErrNoRows):
		return t, fmt.Errorf("add token %q: %w", t.Name, err)
	}
	t.CreatedAt = dbTimeOf(c.now())
	res, err := tx.ExecContext(ctx, `INSERT INTO totalrec_tokens (name, hash, scope, created_by, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?)`, t.Name, t.Hash, t.Scope.String(), t.CreatedBy, c.timeArg(t.CreatedAt), c.timeArg(t.ExpiresAt))
	if isDuplicateKey(err) { // added meanwhile, between the check and the insert
		return t, fmt.Errorf("add token %q: %w", t.Name, recordings.ErrExists)
	}
	if err != nil {
		return t, fmt.Errorf("add token %q: %w", t.Name, err)
	}
	if t.ID, err = res.LastInsertId(); err != nil {
		return t, fmt.Errorf("add token %q: %w", t.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return t, fmt.Errorf("add token %q: %w", t.Name, err)
	}
	return t, nil
}

// TokenByHash returns the token whose SHA-256 is hash, or recordings.ErrNotFound.
// Expiry is the caller's to judge.
func (c *Catalog) TokenByHash(ctx context.Context, hash string) (recordings.APIToken, error) {
	t, err := scanToken(c.rdb.QueryRowContext(ctx, `SELECT `+tokenCols+` FROM totalrec_tokens WHERE hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("get token: %w", recordings.ErrNotFound)
	}
	if err != nil {
		return t, fmt.Errorf("get token: %w", err)
	}
	return t, nil
}

// Tokens lists every API token by name.
func (c *Catalog) Tokens(ctx context.Context) ([]recordings.APIToken, error) {
	out, err := sqlrows.All(ctx, c.rdb, scanToken, `SELECT `+tokenCols+` FROM totalrec_tokens ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return out, nil
}

// RemoveToken deletes the token called name; it stops working at once.
func (c *Catalog) RemoveToken(ctx context.Context, name string) error {
	res, err := c.db.ExecContext(ctx, `DELETE FROM totalrec_tokens WHERE name = ?`, name)
	if err != nil {
		return fmt.Errorf("remove token %q: %w", name, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("remove token %q: %w", name, errors.Join(err, recordings.ErrNotFound))
	}
	return nil
}

// TouchToken records a use of a token.
func (c *Catalog) TouchToken(ctx context.Context, id int64, at time.Time) error {
	if _, err := c.db.ExecContext(ctx, `UPDATE totalrec_tokens SET last_used_at = ? WHERE id = ?`, c.timeArg(at), id); err != nil {
		return fmt.Errorf("touch token: %w", err)
	}
	return nil
}
