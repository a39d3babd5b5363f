package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

// PendingCDR returns up to limit recordings whose CDR lookup is pending and due at or
// before due, the longest-waiting first.
func (c *Catalog) PendingCDR(ctx context.Context, due time.Time, limit int) ([]recordings.Recording, error) {
	if limit <= 0 {
		return nil, nil
	}
	recs, err := c.queryRecordings(ctx, `SELECT `+recordingCols+` FROM totalrec_recordings r
		WHERE r.cdr_status = 'pending' AND r.next_cdr_at <= ?
		ORDER BY r.next_cdr_at, r.id LIMIT ?`, c.timeArg(clampTime(due)), limit)
	if err != nil {
		return nil, fmt.Errorf("list pending cdr lookups: %w", err)
	}
	return recs, nil
}

// SetCDR records the outcome of a CDR lookup: the status, the attempt count and when
// to try next (zero: never). With status linked it also copies cdr's fields, its
// linked ID (when set) and disposition, and — when the file name held no call time —
// makes cdr.CallDate the recording's call time. Other statuses keep the CDR fields.
func (c *Catalog) SetCDR(ctx context.Context, id int64, status recordings.CDRStatus, cdr recordings.CDR, attempts int, next time.Time) error {
	switch status {
	case recordings.CDRPending, recordings.CDRLinked, recordings.CDRGaveUp, recordings.CDRDisabled:
	default:
		return fmt.Errorf("set cdr of %d: status %q: %w", id, clip(string(status), 20), recordings.ErrInvalid)
	}
	if err := checkTime("cdr call date", cdr.CallDate); err != nil {
		return fmt.Errorf("set cdr of %d: %w", id, err)
	}
	err := c.inTx(ctx, func(tx *sql.Tx) error {
		q := `UPDATE totalrec_recordings SET cdr_status = ?, cdr_attempts = ?, next_cdr_at = ?, updated_at = ?`
		args := []any{string(status), attempts, c.timeArg(clampTime(next)), c.timeArg(c.now())}
		if status == recordings.CDRLinked {
			// call_time reads name_time only, which this statement does not change.
			q += `, call_time = CASE WHEN name_time IS NULL AND ? IS NOT NULL THEN ? ELSE call_time END,
				linkedid = CASE WHEN ? <> '' THEN ? ELSE linkedid END`
			d, l := c.timeArg(cdr.CallDate), clip(cdr.LinkedID, lenID)
			args = append(args, d, d, l, l)
			for _, col := range cdrCols {
				q += ", " + col + " = ?"
			}
			args = append(args, c.cdrArgs(cdr)...)
		}
		res, err := tx.ExecContext(ctx, q+` WHERE id = ?`, append(args, id)...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return recordings.ErrNotFound
		}
		if status != recordings.CDRLinked {
			return nil
		}
		srcs, err := queryNumberSources(ctx, tx,
			`SELECT `+numberSourceCols+` FROM totalrec_recordings WHERE id = ?`, id)
		if err != nil {
			return err
		}
		return c.writeNumbers(ctx, tx, srcs)
	})
	if err != nil {
		return fmt.Errorf("set cdr of %d: %w", id, err)
	}
	return nil
}
