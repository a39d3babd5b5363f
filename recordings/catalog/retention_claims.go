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

// Claims. Retention unlinks a file only after claiming its row, and AddHold holds
// only a row that is not claimed: the two are conditional UPDATEs of the same row,
// so whichever commits first wins and the other sees it. A hold that returned
// success is never followed by the unlink of its file; a claimed row refuses holds
// until the claim is settled (marked deleted, or released when the file stays).
//
// A claim is deleted_at set on a row whose state is not 'deleted' (live, or missing
// when a scan saw the unlinked file gone before retention marked it). The state is
// left as it was, so that releasing a claim restores the row exactly; deleted_reason
// holds the claimant's reason. A scan that finds the file changed rewrites the row
// as live, which drops the claim (Upsert clears deleted_at on a live row).

// claimCond selects the claimed rows.
const claimCond = `deleted_at IS NOT NULL AND state <> 'deleted'`

// ClaimDeletions claims the rows of recs for deletion at now, each with its
// DeletedReason as the reason, in one transaction: a group of files costs one
// commit rather than one each. Each row's claim is one conditional statement that
// succeeds only when the row is not held, not claimed, and its state, size, mtime
// and call time are still the record's (the decision's inputs). It reports, per
// record, whether it claimed the row and, when it did not, whether a hold is why.
func (c *Catalog) ClaimDeletions(ctx context.Context, recs []recordings.Recording, now time.Time) (claimed, held []bool, err error) {
	if now.IsZero() {
		return nil, nil, fmt.Errorf("claim recordings: zero time: %w", recordings.ErrInvalid)
	}
	c.prepareNoted(ctx)
	err = c.inTxAgain(ctx, func(tx *sql.Tx) error {
		claimed, held = make([]bool, len(recs)), make([]bool, len(recs))
		q := c.shaped(tx, true)
		for i, rec := range recs {
			res, err := q.ExecContext(ctx, `UPDATE totalrec_recordings
				SET deleted_at = ?, deleted_reason = ?, updated_at = ?
				WHERE id = ? AND held = 0 AND deleted_at IS NULL AND state = ? AND size = ? AND mtime = ? AND call_time = ?`,
				c.timeArg(now), clip(rec.DeletedReason, lenText), c.timeArg(c.now()),
				rec.ID, string(rec.State), rec.Size, c.timeArg(rec.ModTime), c.timeArg(rec.CallTime))
			if err != nil {
				return fmt.Errorf("claim recording %d: %w", rec.ID, err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return fmt.Errorf("claim recording %d: %w", rec.ID, err)
			}
			if claimed[i] = n == 1; claimed[i] {
				continue
			}
			// Not claimed: say whether a hold is why. This only sorts the skip for
			// the report.
			var h int
			err = q.QueryRowContext(ctx, `SELECT held FROM totalrec_recordings WHERE id = ?`, rec.ID).Scan(&h)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("claim recording %d: %w", rec.ID, err)
			}
			held[i] = h != 0
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return claimed, held, nil
}

// ReleaseClaims drops the claims on ids whose file stays (it changed, or could not
// be deleted): the rows are as they were before the claim.
func (c *Catalog) ReleaseClaims(ctx context.Context, ids []int64) error {
	err := c.updateIDs(ctx, ids, idUpdate{`UPDATE totalrec_recordings SET deleted_at = NULL, deleted_reason = '', updated_at = ?
		WHERE ` + claimCond + ` AND id IN `, []any{c.timeArg(c.now())}})
	if err != nil {
		return fmt.Errorf("release claims: %w", err)
	}
	return nil
}

// Claims returns up to limit claimed rows of node after afterID, by id: the claims
// a killed retention run left. It fills ID, Node, Storage, Path, Size, ModTime,
// State, CallTime, DeletedAt and DeletedReason. It reads every row of node: retention calls
// it once per run, before it plans.
func (c *Catalog) Claims(ctx context.Context, node string, afterID int64, limit int) ([]recordings.Recording, error) {
	out, err := sqlrows.All(ctx, c.rdb, scanClaim, `SELECT id, node, path, size, mtime, state, call_time, deleted_at, deleted_reason, storage
		FROM totalrec_recordings WHERE node = ? AND id > ? AND `+claimCond+` ORDER BY id LIMIT ?`, node, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("list claims: %w", err)
	}
	return out, nil
}

func scanClaim(s scanner) (recordings.Recording, error) {
	var (
		r                   recordings.Recording
		mtime, ct, deleteAt nullTime
	)
	err := s.Scan(&r.ID, &r.Node, &r.Path, &r.Size, &mtime, &r.State, &ct, &deleteAt, &r.DeletedReason, &r.Storage)
	r.ModTime, r.CallTime, r.DeletedAt = mtime.T, ct.T, deleteAt.T
	return r, err
}
