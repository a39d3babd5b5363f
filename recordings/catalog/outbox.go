package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/totalrec/totalrec/internal/sqlrows"
	"github.com/totalrec/totalrec/recordings"
)

// Enqueue writes evs to the outbox, one row per enabled endpoint subscribed to each
// event's type, due now, in one transaction, and returns how many rows it added. An
// event already in an endpoint's outbox (the same EventID) is left as it is, so that
// a producer that repeats a step after a crash does not send a second copy.
func (c *Catalog) Enqueue(ctx context.Context, evs ...recordings.OutboxEvent) (int, error) {
	for _, e := range evs {
		if e.EventID == "" || len(e.EventID) > 64 || e.Type == "" || len(e.Type) > 64 {
			return 0, fmt.Errorf("enqueue event %q: id or type empty or too long: %w", clip(e.EventID, 64), recordings.ErrInvalid)
		}
	}
	conflict := ` ON CONFLICT (endpoint_id, event_id) DO NOTHING`
	if c.dialect == DialectMySQL {
		conflict = ` ON DUPLICATE KEY UPDATE attempts = attempts`
	}
	q := `INSERT INTO totalrec_webhook_outbox
		(endpoint_id, event_id, event_type, body, attempts, next_at, state, last_error, lease_owner, created_at)
		SELECT id, ?, ?, ?, 0, ?, 'pending', '', '', ? FROM totalrec_webhooks
		WHERE enabled = 1 AND events LIKE ?` + conflict
	now := c.timeArg(c.now())
	var added int
	err := c.inTx(ctx, func(tx *sql.Tx) error {
		for _, e := range evs {
			res, err := tx.ExecContext(ctx, q, e.EventID, e.Type, e.Body, now, now, "%,"+e.Type+",%")
			if err != nil {
				return err
			}
			// MySQL counts a duplicate that "updated" nothing as 1 under
			// clientFoundRows; the count is informative only.
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			added += int(n)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("enqueue events: %w", err)
	}
	return added, nil
}

// deliveryCols is the SELECT list scanDelivery reads.
const deliveryCols = `o.id, o.endpoint_id, w.url, o.event_id, o.event_type, o.body, o.attempts,
	o.next_at, o.state, o.last_error, o.created_at, o.delivered_at`

func scanDelivery(s scanner) (recordings.Delivery, error) {
	var (
		d                  recordings.Delivery
		next, created, dlv nullTime
	)
	err := s.Scan(&d.ID, &d.EndpointID, &d.URL, &d.EventID, &d.Type, &d.Body, &d.Attempts,
		&next, &d.State, &d.LastError, &created, &dlv)
	d.NextAt, d.Created, d.DeliveredAt = next.T, created.T, dlv.T
	return d, err
}

// scanDeliveryWithSecret reads deliveryCols followed by the endpoint's secret.
func scanDeliveryWithSecret(s scanner) (recordings.Delivery, error) {
	var secret string
	d, err := scanDelivery(scanFunc(func(dest ...any) error { return s.Scan(append(dest, &secret)...) }))
	d.Secret = secret
	return d, err
}

// ClaimDeliveries leases up to limit of endpoint's pending rows that are due at now:
// each one's attempt count goes up by one and its next attempt moves to now+lease,
// so that if owner dies with the row in flight, the row is due again when the lease
// ends (or at once, when owner starts again: see ReleaseLeases). A row is claimed
// only if no one else claimed it since it was read.
func (c *Catalog) ClaimDeliveries(ctx context.Context, endpoint int64, owner string, now time.Time, lease time.Duration, limit int) ([]recordings.Delivery, error) {
	if owner == "" {
		return nil, fmt.Errorf("claim deliveries: no lease owner: %w", recordings.ErrInvalid)
	}
	if limit <= 0 {
		return nil, nil
	}
	var out []recordings.Delivery
	err := c.inTx(ctx, func(tx *sql.Tx) error {
		due, err := sqlrows.All(ctx, tx, scanDeliveryWithSecret, `SELECT `+deliveryCols+`, w.secret
			FROM totalrec_webhook_outbox o JOIN totalrec_webhooks w ON w.id = o.endpoint_id
			WHERE o.endpoint_id = ? AND o.state = 'pending' AND o.next_at <= ?
			ORDER BY o.next_at, o.id LIMIT ?`, endpoint, c.timeArg(now), limit)
		if err != nil {
			return err
		}
		until := c.timeArg(now.Add(lease))
		for _, d := range due {
			res, err := tx.ExecContext(ctx, `UPDATE totalrec_webhook_outbox
				SET attempts = attempts + 1, next_at = ?, lease_owner = ?
				WHERE id = ? AND state = 'pending' AND attempts = ?`,
				until, clip(owner, maxNode), d.ID, d.Attempts)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 1 {
				d.Attempts++
				out = append(out, d)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	return out, nil
}

// FinishDelivery records the outcome of the attempt that claimed d. An attempt whose
// lease was lost (the row was claimed again since) changes nothing and reports false.
func (c *Catalog) FinishDelivery(ctx context.Context, d recordings.Delivery, r recordings.DeliveryResult) (bool, error) {
	var delivered any
	next := r.NextAt
	switch r.State {
	case recordings.OutboxDelivered:
		delivered, next = c.timeArg(r.At), r.At
	case recordings.OutboxDead:
		next = r.At
	case recordings.OutboxPending:
	default:
		return false, fmt.Errorf("finish delivery %d: state %q: %w", d.ID, clip(r.State, 20), recordings.ErrInvalid)
	}
	res, err := c.db.ExecContext(ctx, `UPDATE totalrec_webhook_outbox
		SET state = ?, next_at = ?, last_error = ?, delivered_at = ?, lease_owner = ''
		WHERE id = ? AND state = 'pending' AND attempts = ?`,
		r.State, c.timeArg(clampTime(next)), clip(r.LastError, lenLastError), delivered, d.ID, d.Attempts)
	if err != nil {
		return false, fmt.Errorf("finish delivery %d: %w", d.ID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("finish delivery %d: %w", d.ID, err)
	}
	return n == 1, nil
}

// ReleaseLeases makes owner's in-flight rows due at now: a daemon that starts again
// retries at once what its previous run was sending when it died, instead of
// waiting for the leases to end.
func (c *Catalog) ReleaseLeases(ctx context.Context, owner string, now time.Time) (int, error) {
	if owner == "" {
		return 0, fmt.Errorf("release webhook leases: no lease owner: %w", recordings.ErrInvalid)
	}
	res, err := c.db.ExecContext(ctx, `UPDATE totalrec_webhook_outbox SET next_at = ?, lease_owner = ''
		WHERE state = 'pending' AND lease_owner = ?`, c.timeArg(now), clip(owner, maxNode))
	if err != nil {
		return 0, fmt.Errorf("release webhook leases: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("release webhook leases: %w", err)
	}
	return int(n), nil
}

// Deliveries lists up to limit outbox rows in state, oldest first.
func (c *Catalog) Deliveries(ctx context.Context, state string, limit int) ([]recordings.Delivery, error) {
	out, err := sqlrows.All(ctx, c.rdb, scanDelivery, `SELECT `+deliveryCols+`
		FROM totalrec_webhook_outbox o JOIN totalrec_webhooks w ON w.id = o.endpoint_id
		WHERE o.state = ? ORDER BY o.id LIMIT ?`, state, limit)
	if err != nil {
		return nil, fmt.Errorf("list %s deliveries: %w", clip(state, 20), err)
	}
	return out, nil
}

// RetryDeliveries makes rows due at now with a fresh attempt count and returns how
// many it changed. With ids, those rows (pending or dead; with dead only, dead ones);
// without, every dead row (dead) or every pending row not in flight (!dead).
func (c *Catalog) RetryDeliveries(ctx context.Context, ids []int64, dead bool, now time.Time) (int, error) {
	q := `UPDATE totalrec_webhook_outbox SET state = 'pending', attempts = 0, next_at = ?, last_error = '', lease_owner = ''
		WHERE `
	args := []any{c.timeArg(now)}
	switch {
	case dead:
		q += `state = 'dead'`
	case len(ids) > 0:
		q += `state IN ('pending', 'dead') AND lease_owner = ''`
	default:
		q += `state = 'pending' AND lease_owner = ''`
	}
	var n int64
	err := c.inTx(ctx, func(tx *sql.Tx) error {
		if len(ids) == 0 {
			res, err := tx.ExecContext(ctx, q, args...)
			if err != nil {
				return err
			}
			n, err = res.RowsAffected()
			return err
		}
		for start := 0; start < len(ids); start += idsPerStatement {
			part := ids[start:min(start+idsPerStatement, len(ids))]
			a := append([]any{}, args...)
			for _, id := range part {
				a = append(a, id)
			}
			res, err := tx.ExecContext(ctx, q+` AND id IN `+placeholders(1, len(part)), a...)
			if err != nil {
				return err
			}
			m, err := res.RowsAffected()
			n += m
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("retry deliveries: %w", err)
	}
	return int(n), nil
}

// PruneDelivered deletes the delivered rows delivered before before. An event
// enqueued again after its row is pruned is sent again.
func (c *Catalog) PruneDelivered(ctx context.Context, before time.Time) (int, error) {
	res, err := c.db.ExecContext(ctx, `DELETE FROM totalrec_webhook_outbox WHERE state = 'delivered' AND delivered_at < ?`,
		c.timeArg(clampTime(before)))
	if err != nil {
		return 0, fmt.Errorf("prune delivered webhooks: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("prune delivered webhooks: %w", err)
	}
	return int(n), nil
}

// GetMany returns the recordings with the given ids that exist, in no particular
// order; producers of events read them just before the change they announce.
func (c *Catalog) GetMany(ctx context.Context, ids []int64) ([]recordings.Recording, error) {
	var out []recordings.Recording
	for start := 0; start < len(ids); start += idsPerStatement {
		part := ids[start:min(start+idsPerStatement, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		recs, err := c.queryRecordings(ctx, `SELECT `+recordingCols+` FROM totalrec_recordings r WHERE r.id IN `+
			placeholders(1, len(part)), args...)
		if err != nil {
			return nil, fmt.Errorf("get recordings: %w", err)
		}
		out = append(out, recs...)
	}
	return out, nil
}
