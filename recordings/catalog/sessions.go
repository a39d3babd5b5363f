package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

// CreateSession stores a new session.
func (c *Catalog) CreateSession(ctx context.Context, s recordings.Session) error {
	_, err := c.db.ExecContext(ctx, `INSERT INTO totalrec_sessions (id_hash, user_id, csrf, addr, created_at, seen_at)
		VALUES (?, ?, ?, ?, ?, ?)`, s.IDHash, s.UserID, s.CSRF, clip(s.Addr, 64), c.timeArg(s.CreatedAt), c.timeArg(s.SeenAt))
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// SessionUser returns the session with the given ID hash and its user, or
// recordings.ErrNotFound. Timeouts are the caller's to judge.
func (c *Catalog) SessionUser(ctx context.Context, idHash string) (recordings.Session, recordings.User, error) {
	var (
		s             recordings.Session
		created, seen nullTime
	)
	row := c.rdb.QueryRowContext(ctx, `SELECT s.id_hash, s.user_id, s.csrf, s.addr, s.created_at, s.seen_at, `+
		prefixed("u.", userCols)+` FROM totalrec_sessions s JOIN totalrec_users u ON u.id = s.user_id WHERE s.id_hash = ?`, idHash)
	u, err := scanUser(scanFunc(func(dest ...any) error {
		return row.Scan(append([]any{&s.IDHash, &s.UserID, &s.CSRF, &s.Addr, &created, &seen}, dest...)...)
	}))
	if errors.Is(err, sql.ErrNoRows) {
		return s, u, fmt.Errorf("get session: %w", recordings.ErrNotFound)
	}
	if err != nil {
		return s, u, fmt.Errorf("get session: %w", err)
	}
	s.CreatedAt, s.SeenAt = created.T, seen.T
	return s, u, nil
}

// TouchSession records activity on a session at time at.
func (c *Catalog) TouchSession(ctx context.Context, idHash string, at time.Time) error {
	if _, err := c.db.ExecContext(ctx, `UPDATE totalrec_sessions SET seen_at = ? WHERE id_hash = ?`, c.timeArg(at), idHash); err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// DeleteSession ends one session; an unknown one is no error.
func (c *Catalog) DeleteSession(ctx context.Context, idHash string) error {
	if _, err := c.db.ExecContext(ctx, `DELETE FROM totalrec_sessions WHERE id_hash = ?`, idHash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// PruneSessions deletes the sessions idle since before idleBefore or created
// before createdBefore, and returns how many.
func (c *Catalog) PruneSessions(ctx context.Context, idleBefore, createdBefore time.Time) (int64, error) {
	res, err := c.db.ExecContext(ctx, `DELETE FROM totalrec_sessions WHERE seen_at < ? OR created_at < ?`,
		c.timeArg(idleBefore), c.timeArg(createdBefore))
	if err != nil {
		return 0, fmt.Errorf("prune sessions: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("prune sessions: %w", err)
	}
	return n, nil
}

// prefixed qualifies every column of a comma-separated list with p.
func prefixed(p, cols string) string {
	out := p
	for i := 0; i < len(cols); i++ {
		out += string(cols[i])
		if cols[i] == ' ' && i > 0 && cols[i-1] == ',' {
			out += p
		}
	}
	return out
}
