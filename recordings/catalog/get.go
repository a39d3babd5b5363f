package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/totalrec/totalrec/internal/sqlrows"
	"github.com/totalrec/totalrec/recordings"
)

// Get returns the recording with the given ID, or an error matching recordings.ErrNotFound.
// Every audio request starts with it, so its statement is prepared once: parsing
// it anew took a sixth of the daemon's CPU under load.
func (c *Catalog) Get(ctx context.Context, id int64) (recordings.Recording, error) {
	c.getOnce.Do(func() {
		c.getStmt, c.getErr = c.rdb.PrepareContext(context.WithoutCancel(ctx),
			`SELECT `+recordingCols+` FROM totalrec_recordings r WHERE r.id = ?`)
	})
	if c.getErr != nil {
		return recordings.Recording{}, fmt.Errorf("get recording %d: %w", id, c.getErr)
	}
	r, err := scanRecording(c.getStmt.QueryRowContext(ctx, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("get recording %d: %w", id, recordings.ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("get recording %d: %w", id, err)
	}
	return r, nil
}

// GetByPath returns the recording at path (relative to the spool root) on node.
func (c *Catalog) GetByPath(ctx context.Context, node, path string) (recordings.Recording, error) {
	if len(node) > maxNode || len(path) > maxPath {
		return recordings.Recording{}, fmt.Errorf("get recording %q: %w", clip(path, 80), recordings.ErrNotFound)
	}
	r, err := scanRecording(c.rdb.QueryRowContext(ctx,
		`SELECT `+recordingCols+` FROM totalrec_recordings r WHERE r.node = ? AND r.path = ?`, node, path))
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("get recording %q: %w", clip(path, 80), recordings.ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("get recording %q: %w", clip(path, 80), err)
	}
	return r, nil
}

// ByLinkedID returns every recording of a call, oldest first: those whose linked ID
// is linkedid, and those whose own uniqueid is linkedid (the call's first channel,
// possibly not enriched yet).
func (c *Catalog) ByLinkedID(ctx context.Context, linkedid string) ([]recordings.Recording, error) {
	if linkedid == "" {
		return nil, fmt.Errorf("list call recordings: empty linked id: %w", recordings.ErrInvalid)
	}
	// The UNION lets each branch use its own index (idx_linkedid, idx_uniqueid).
	recs, err := c.queryRecordings(ctx, `SELECT `+recordingCols+` FROM (
			SELECT id FROM totalrec_recordings WHERE linkedid = ?
			UNION
			SELECT id FROM totalrec_recordings WHERE uniqueid = ?) u
		JOIN totalrec_recordings r ON r.id = u.id
		ORDER BY r.call_time, r.id`, linkedid, linkedid)
	if err != nil {
		return nil, fmt.Errorf("list call recordings: %w", err)
	}
	return recs, nil
}

// queryRecordings runs a SELECT of recordingCols on the read pool.
func (c *Catalog) queryRecordings(ctx context.Context, q string, args ...any) ([]recordings.Recording, error) {
	return sqlrows.All(ctx, c.rdb, scanRecording, q, args...)
}
