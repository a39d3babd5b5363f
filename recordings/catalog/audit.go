package catalog

import (
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/totalrec/totalrec/internal/sqlrows"
	"github.com/totalrec/totalrec/recordings"
)

// Audit appends e to the trail, stamped with the catalogue's clock when e.At is zero.
func (c *Catalog) Audit(ctx context.Context, e recordings.AuditEntry) error {
	if e.At.IsZero() {
		e.At = c.now()
	}
	var rec any
	if e.RecordingID > 0 {
		rec = e.RecordingID
	}
	_, err := c.db.ExecContext(ctx, `INSERT INTO totalrec_audit (at, who, addr, action, recording_id, detail)
		VALUES (?, ?, ?, ?, ?, ?)`, c.timeArg(e.At), clipValid(e.Who, 160), clipValid(e.Addr, 64),
		clipValid(e.Action, 32), rec, clipValid(e.Detail, 1024))
	if err != nil {
		return fmt.Errorf("append audit entry %s: %w", e.Action, err)
	}
	return nil
}

// AuditLog returns one page of entries matching q and the cursor of the next page
// (0 on the last).
func (c *Catalog) AuditLog(ctx context.Context, q recordings.AuditQuery) ([]recordings.AuditEntry, int64, error) {
	switch {
	case q.Limit <= 0:
		q.Limit = recordings.DefaultLimit
	case q.Limit > recordings.MaxLimit:
		q.Limit = recordings.MaxLimit
	}
	if !q.Since.IsZero() && !q.Until.IsZero() && q.Until.Before(q.Since) {
		return nil, 0, fmt.Errorf("read audit trail: until before since: %w", recordings.ErrInvalid)
	}
	var w where
	if q.Who != "" {
		w.add(`who = ?`, q.Who)
	}
	if q.Action != "" {
		w.add(`action = ?`, q.Action)
	}
	if !q.Since.IsZero() {
		w.add(`at >= ?`, c.timeArg(clampTime(q.Since)))
	}
	if !q.Until.IsZero() {
		w.add(`at < ?`, c.timeArg(clampTime(q.Until)))
	}
	if q.Before > 0 {
		w.add(`id < ?`, q.Before)
	}
	out, err := sqlrows.All(ctx, c.rdb, func(s scanner) (recordings.AuditEntry, error) {
		var (
			e  recordings.AuditEntry
			at nullTime
		)
		err := s.Scan(&e.ID, &at, &e.Who, &e.Addr, &e.Action, &e.RecordingID, &e.Detail)
		e.At = at.T
		return e, err
	}, `SELECT id, at, who, addr, action, COALESCE(recording_id, 0), detail
		FROM totalrec_audit`+w.sql()+` ORDER BY id DESC LIMIT ?`, append(w.args, q.Limit+1)...)
	if err != nil {
		return nil, 0, fmt.Errorf("read audit trail: %w", err)
	}
	var next int64
	if len(out) > q.Limit {
		out = out[:q.Limit]
		next = out[q.Limit-1].ID
	}
	return out, next, nil
}

// clipValid cuts s to at most n bytes of valid UTF-8.
func clipValid(s string, n int) string {
	if !utf8.ValidString(s) {
		s = string([]rune(s)) // replaces invalid bytes
	}
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
