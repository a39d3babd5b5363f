package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/totalrec/totalrec/internal/sqlrows"
	"github.com/totalrec/totalrec/recordings"
)

// The changes of a recording's state that are not a scan's upsert: missing, deleted,
// erased, held, and moved. MovePath is the only statement that removes a catalogue row.

// MarkMissing records that the files of these recordings are gone from disk. Rows
// already marked deleted stay deleted, and archived rows (whose files are not on
// disk) stay as they are.
func (c *Catalog) MarkMissing(ctx context.Context, ids []int64, now time.Time) error {
	err := c.updateIDs(ctx, ids,
		idUpdate{`UPDATE totalrec_recordings SET state = 'missing', updated_at = ?
		WHERE state <> 'deleted' AND storage = 'local' AND id IN `, []any{c.timeArg(now)}},
		goneNumbers)
	if err != nil {
		return fmt.Errorf("mark missing: %w", err)
	}
	return nil
}

// MarkDeleted records that Totalrec deleted the files of these recordings, and why.
func (c *Catalog) MarkDeleted(ctx context.Context, ids []int64, now time.Time, reason string) error {
	if now.IsZero() {
		return fmt.Errorf("mark deleted: zero time: %w", recordings.ErrInvalid)
	}
	err := c.updateIDs(ctx, ids,
		idUpdate{`UPDATE totalrec_recordings
		SET state = 'deleted', deleted_at = ?, deleted_reason = ?, updated_at = ? WHERE id IN `,
			[]any{c.timeArg(now), clip(reason, lenText), c.timeArg(now)}},
		goneNumbers)
	if err != nil {
		return fmt.Errorf("mark deleted: %w", err)
	}
	return nil
}

// idUpdate is one statement of updateIDs: q ends in "id IN " (or "recording_id IN ").
type idUpdate struct {
	q    string
	args []any
}

// goneNumbers keeps the number keys of recordings whose file is gone in step with
// their state (see KeyPresence).
var goneNumbers = idUpdate{q: `UPDATE totalrec_numbers SET presence = 0 WHERE recording_id IN `}

// updateIDs runs the updates over ids, in one transaction.
func (c *Catalog) updateIDs(ctx context.Context, ids []int64, updates ...idUpdate) error {
	if len(ids) == 0 {
		return nil
	}
	return c.inTxAgain(ctx, func(tx *sql.Tx) error {
		for start := 0; start < len(ids); start += idsPerStatement {
			part := ids[start:min(start+idsPerStatement, len(ids))]
			for _, u := range updates {
				a := append([]any{}, u.args...)
				for _, id := range part {
					a = append(a, id)
				}
				if _, err := tx.ExecContext(ctx, u.q+placeholders(1, len(part)), a...); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// SetHeld puts a recording on legal hold or releases it.
func (c *Catalog) SetHeld(ctx context.Context, id int64, held bool) error {
	v := 0
	if held {
		v = 1
	}
	res, err := c.db.ExecContext(ctx, `UPDATE totalrec_recordings SET held = ?, updated_at = ? WHERE id = ?`,
		v, c.timeArg(c.now()), id)
	if err != nil {
		return fmt.Errorf("set hold of %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("set hold of %d: %w", id, err)
	} else if n == 0 {
		return fmt.Errorf("set hold of %d: %w", id, recordings.ErrNotFound)
	}
	return nil
}

// MovePath records that node's recording at from now lives at to (both relative to
// the spool root), keeping its id, CDR link and holds. A row already catalogued at
// to — a scan that saw the moved file before this call — is dropped first unless it
// is held. It reports whether a row moved; none at from is not an error, so that a
// resumed migration can repeat the call.
func (c *Catalog) MovePath(ctx context.Context, node, from, to string) (bool, error) {
	for _, p := range []string{from, to} {
		if err := checkPath(p); err != nil {
			return false, fmt.Errorf("move recording: %w", err)
		}
	}
	var moved bool
	err := c.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM totalrec_recordings WHERE node = ? AND path = ?`,
			node, from).Scan(&n); err != nil || n == 0 {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM totalrec_recordings WHERE node = ? AND path = ? AND held = 0`, node, to); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE totalrec_recordings SET path = ?, dir = ?, updated_at = ? WHERE node = ? AND path = ?`,
			to, dirOf(to), c.timeArg(c.now()), node, from)
		moved = err == nil
		return err
	})
	if err != nil {
		return false, fmt.Errorf("move recording %q: %w", clip(from, 80), err)
	}
	return moved, nil
}

// Erased is the path an erased recording's row keeps: unique, and free of the
// numbers FreePBX's file names carry.
func Erased(id int64) string { return recordings.ErasedPath(id) }

// EraseParties removes what the rows of these recordings say about the call's
// parties, once their files are gone (deleted or missing; other rows are left
// alone): the path (which names numbers) becomes Erased(id), every number and
// name field is emptied, the number keys are dropped, and the seal forgets the
// path, as do its conversion's journal and its archive journal (whose object is
// deleted by then). What stays is what the evidence chain
// needs: the id, the state, the deletion's time and reason, the seal's hash and
// size, and the conversion's hashes.
func (c *Catalog) EraseParties(ctx context.Context, ids []int64, now time.Time) error {
	concat, sealConcat := "'erased/' || id", "'erased/' || recording_id"
	if c.dialect == DialectMySQL {
		concat, sealConcat = "CONCAT('erased/', id)", "CONCAT('erased/', recording_id)"
	}
	err := c.inTxAgain(ctx, func(tx *sql.Tx) error {
		for start := 0; start < len(ids); start += idsPerStatement {
			part := ids[start:min(start+idsPerStatement, len(ids))]
			args := make([]any, len(part))
			for i, id := range part {
				args[i] = id
			}
			gone, err := sqlrows.All(ctx, tx, scanInt64, `SELECT id FROM totalrec_recordings
				WHERE state IN ('deleted', 'missing') AND id IN `+placeholders(1, len(part)), args...)
			if err != nil {
				return err
			}
			if len(gone) == 0 {
				continue
			}
			in, goneArgs := placeholders(1, len(gone)), make([]any, len(gone))
			for i, id := range gone {
				goneArgs[i] = id
			}
			for _, q := range []struct {
				sql  string
				args []any
			}{
				{`UPDATE totalrec_seals SET path = ` + sealConcat + ` WHERE recording_id IN ` + in, goneArgs},
				{`UPDATE totalrec_conversions SET from_path = ` + sealConcat + `, to_path = ` + sealConcat + `, detail = ''
					WHERE recording_id IN ` + in, goneArgs},
				{`UPDATE totalrec_archive SET object_key = ` + sealConcat + ` WHERE recording_id IN ` + in, goneArgs},
				{`DELETE FROM totalrec_numbers WHERE recording_id IN ` + in, goneArgs},
				{`UPDATE totalrec_recordings SET path = ` + concat + `, dir = 'erased', name_dest = '', name_from = '',
					cdr_src = '', cdr_dst = '', cdr_cnum = '', cdr_cnam = '', cdr_did = '', cdr_channel = '',
					cdr_dstchannel = '', cdr_lastapp = '', cdr_accountcode = '', cdr_userfield = '',
					cdr_recordingfile = '', updated_at = ? WHERE id IN ` + in, append([]any{c.timeArg(now)}, goneArgs...)},
			} {
				if _, err := tx.ExecContext(ctx, q.sql, q.args...); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("erase parties: %w", err)
	}
	return nil
}
