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

// Share links (totalrec_shares, authschema.go): one recording, playable without
// signing in until the share expires or is revoked.

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
