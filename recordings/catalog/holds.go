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

// Legal holds (totalrec_holds, created by the retention step in retention.go). A
// recording is held while it has a hold row; placing a hold and claiming the row
// for deletion (retention_claims.go) are mirror statements, so a hold that
// returned nil wins.

// countHolds counts recording id's hold rows within tx.
func countHolds(ctx context.Context, tx *sql.Tx, id int64) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM totalrec_holds WHERE recording_id = ?`, id).Scan(&n)
	return n, err
}

// AddHold places a hold on h.RecordingID and marks the recording held, in one
// transaction. A recording that does not exist matches recordings.ErrNotFound; one
// that retention deleted, or has claimed and is deleting, matches
// recordings.ErrGone and is not held; an empty reason is refused with
// recordings.ErrInvalid. A hold that returns nil protects the file from every
// unlink that follows (see ClaimDeletions). A recording whose file is only missing
// (a scan did not find it) is held: the file may come back.
func (c *Catalog) AddHold(ctx context.Context, h recordings.Hold) (int64, error) {
	if h.Reason == "" {
		return 0, fmt.Errorf("add hold: no reason: %w", recordings.ErrInvalid)
	}
	if h.Since.IsZero() {
		return 0, fmt.Errorf("add hold: no start time: %w", recordings.ErrInvalid)
	}
	var id int64
	err := c.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE totalrec_recordings SET held = 1, updated_at = ?
			WHERE id = ? AND state <> 'deleted' AND deleted_at IS NULL`, c.timeArg(c.now()), h.RecordingID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return whyNotHeld(ctx, tx, h.RecordingID)
		}
		res, err = tx.ExecContext(ctx, `INSERT INTO totalrec_holds (recording_id, reason, who, since, until)
			VALUES (?, ?, ?, ?, ?)`, h.RecordingID, clip(h.Reason, lenText), clip(h.Who, lenText),
			c.timeArg(h.Since), c.timeArg(clampTime(h.Until)))
		if err != nil {
			return err
		}
		id, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("add hold: %w", err)
	}
	return id, nil
}

// whyNotHeld explains why AddHold's UPDATE matched no row of recording id.
func whyNotHeld(ctx context.Context, tx *sql.Tx, id int64) error {
	var (
		state  string
		at     nullTime
		reason string
	)
	err := tx.QueryRowContext(ctx, `SELECT state, deleted_at, deleted_reason FROM totalrec_recordings WHERE id = ?`,
		id).Scan(&state, &at, &reason)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("recording %d: %w", id, recordings.ErrNotFound)
	case err != nil:
		return err
	case state == string(recordings.StateDeleted):
		return fmt.Errorf("recording %d was deleted on %s (%s): %w", id, at.T.Format(time.DateOnly), reason, recordings.ErrGone)
	}
	return fmt.Errorf("recording %d is being deleted by a retention run (%s): %w", id, reason, recordings.ErrGone)
}

// RemoveHolds removes every hold of recording id and releases it, in one
// transaction, and returns how many holds there were.
func (c *Catalog) RemoveHolds(ctx context.Context, id int64) (int, error) {
	var n int
	err := c.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if n, err = countHolds(ctx, tx, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM totalrec_holds WHERE recording_id = ?`, id); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE totalrec_recordings SET held = 0, updated_at = ? WHERE id = ?`,
			c.timeArg(c.now()), id)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("remove holds of %d: %w", id, err)
	}
	return n, nil
}

// ReleaseExpiredHolds removes the holds whose until is at or before now and releases
// the recordings left without a hold; it returns the number of holds removed.
func (c *Catalog) ReleaseExpiredHolds(ctx context.Context, now time.Time) (int, error) {
	var n int
	err := c.inTx(ctx, func(tx *sql.Tx) error {
		t := c.timeArg(clampTime(now))
		res, err := tx.ExecContext(ctx, `UPDATE totalrec_recordings SET held = 0, updated_at = ?
			WHERE held = 1
			AND id IN (SELECT recording_id FROM totalrec_holds WHERE until IS NOT NULL AND until <= ?)
			AND id NOT IN (SELECT recording_id FROM totalrec_holds WHERE until IS NULL OR until > ?)`,
			c.timeArg(c.now()), t, t)
		if err != nil {
			return err
		}
		if _, err := res.RowsAffected(); err != nil {
			return err
		}
		res, err = tx.ExecContext(ctx, `DELETE FROM totalrec_holds WHERE until IS NOT NULL AND until <= ?`, t)
		if err != nil {
			return err
		}
		m, err := res.RowsAffected()
		n = int(m)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("release expired holds: %w", err)
	}
	return n, nil
}

// Holds lists every hold with its recording's path, oldest first.
func (c *Catalog) Holds(ctx context.Context) ([]recordings.Hold, error) {
	out, err := sqlrows.All(ctx, c.rdb, func(s scanner) (recordings.Hold, error) {
		var (
			h        recordings.Hold
			since, u nullTime
		)
		err := s.Scan(&h.ID, &h.RecordingID, &h.Path, &h.Reason, &h.Who, &since, &u)
		h.Since, h.Until = since.T, u.T
		return h, err
	}, `SELECT h.id, h.recording_id, r.path, h.reason, h.who, h.since, h.until
		FROM totalrec_holds h JOIN totalrec_recordings r ON r.id = h.recording_id ORDER BY h.since, h.id`)
	if err != nil {
		return nil, fmt.Errorf("list holds: %w", err)
	}
	return out, nil
}
