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

const shareCols = `id, recording_id, created_by, created_at, expires_at, revoked_at`

func scanShare(s scanner) (recordings.Share, error) {
	var (
		sh                        recordings.Share
		created, expires, revoked nullTime
	)
	err := s.Scan(&sh.ID, &sh.RecordingID, &sh.CreatedBy, &created, &expires, &revoked)
	sh.CreatedAt, sh.ExpiresAt, sh.RevokedAt = created.T, expires.T, revoked.T
	return sh, err
}

// AddShare stores a new share link and returns it with its ID.
func (c *Catalog) AddShare(ctx context.Context, sh recordings.Share) (recordings.Share, error) {
	sh.CreatedAt, sh.ExpiresAt = dbTimeOf(c.now()), dbTimeOf(sh.ExpiresAt)
	res, err := c.db.ExecContext(ctx, `INSERT INTO totalrec_shares (recording_id, created_by, created_at, expires_at)
		VALUES (?, ?, ?, ?)`, sh.RecordingID, sh.CreatedBy, c.timeArg(sh.CreatedAt), c.timeArg(sh.ExpiresAt))
	if err != nil {
		return sh, fmt.Errorf("add share: %w", err)
	}
	if sh.ID, err = res.LastInsertId(); err != nil {
		return sh, fmt.Errorf("add share: %w", err)
	}
	return sh, nil
}

// GetShare returns the share with the given ID, or recordings.ErrNotFound.
func (c *Catalog) GetShare(ctx context.Context, id int64) (recordings.Share, error) {
	sh, err := scanShare(c.rdb.QueryRowContext(ctx, `SELECT `+shareCols+` FROM totalrec_shares WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return sh, fmt.Errorf("get share %d: %w", id, recordings.ErrNotFound)
	}
	if err != nil {
		return sh, fmt.Errorf("get share %d: %w", id, err)
	}
	return sh, nil
}

// SharesOf lists the shares of a recording that are neither revoked nor expired at now.
func (c *Catalog) SharesOf(ctx context.Context, recordingID int64, now time.Time) ([]recordings.Share, error) {
	out, err := sqlrows.All(ctx, c.rdb, scanShare, `SELECT `+shareCols+` FROM totalrec_shares
		WHERE recording_id = ? AND revoked_at IS NULL AND expires_at > ? ORDER BY id`, recordingID, c.timeArg(now))
	if err != nil {
		return nil, fmt.Errorf("list shares: %w", err)
	}
	return out, nil
}

// RevokeShare ends a share link at once.
func (c *Catalog) RevokeShare(ctx context.Context, id int64) error {
	res, err := c.db.ExecContext(ctx, `UPDATE totalrec_shares SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`,
		c.timeArg(c.now()), id)
	if err != nil {
		return fmt.Errorf("revoke share %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("revoke share %d: %w", id, errors.Join(err, recordings.ErrNotFound))
	}
	return nil
}

// Key returns the signing key called name, creating it with gen on first use.
// Every process sharing the catalogue gets the same key.
func (c *Catalog) Key(ctx context.Context, name string, gen func() []byte) ([]byte, error) {
	var k []byte
	err := c.db.QueryRowContext(ctx, `SELECT secret FROM totalrec_keys WHERE name = ?`, name).Scan(&k)
	if err == nil {
		return k, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("read key %s: %w", name, err)
	}
	// INSERT … SELECT … WHERE NOT EXISTS keeps the first key when two processes race.
	if _, err := c.db.ExecContext(ctx, `INSERT INTO totalrec_keys (name, secret, created_at)
		SELECT ?, ?, ? FROM (SELECT 1 AS one) x WHERE NOT EXISTS (SELECT 1 FROM totalrec_keys WHERE name = ?)`,
		name, gen(), c.timeArg(c.now()), name); err != nil {
		return nil, fmt.Errorf("create key %s: %w", name, err)
	}
	if err := c.db.QueryRowContext(ctx, `SELECT secret FROM totalrec_keys WHERE name = ?`, name).Scan(&k); err != nil {
		return nil, fmt.Errorf("read key %s: %w", name, err)
	}
	return k, nil
}
