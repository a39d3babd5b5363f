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

// The retention tables (migrations step 4): one row per retention run with its
// report, and one row per legal hold. A recording is held (totalrec_recordings.held
// = 1) while it has a hold row; AddHold and RemoveHolds change both in one
// transaction.
var (
	sqliteRetentionV1 = []string{
		`CREATE TABLE IF NOT EXISTS totalrec_retention_runs (
			id            INTEGER PRIMARY KEY AUTOINCREMENT,
			node          TEXT    NOT NULL DEFAULT '',
			started_at    TEXT    NOT NULL,
			finished_at   TEXT    NOT NULL,
			status        TEXT    NOT NULL,
			deleted_files INTEGER NOT NULL DEFAULT 0,
			deleted_bytes INTEGER NOT NULL DEFAULT 0,
			failed        INTEGER NOT NULL DEFAULT 0,
			report        TEXT    NOT NULL)`,
		`CREATE INDEX IF NOT EXISTS totalrec_retention_runs_started ON totalrec_retention_runs (started_at)`,
		`CREATE TABLE IF NOT EXISTS totalrec_holds (
			id           INTEGER PRIMARY KEY AUTOINCREMENT,
			recording_id INTEGER NOT NULL REFERENCES totalrec_recordings (id) ON DELETE CASCADE,
			reason       TEXT    NOT NULL,
			who          TEXT    NOT NULL DEFAULT '',
			since        TEXT    NOT NULL,
			until        TEXT)`,
		`CREATE INDEX IF NOT EXISTS totalrec_holds_recording ON totalrec_holds (recording_id)`,
	}
	mysqlRetentionV1 = []string{
		`CREATE TABLE IF NOT EXISTS totalrec_retention_runs (
			id            BIGINT       NOT NULL AUTO_INCREMENT,
			node          VARBINARY(64) NOT NULL DEFAULT '',
			started_at    DATETIME(6)  NOT NULL,
			finished_at   DATETIME(6)  NOT NULL,
			status        VARCHAR(16)  NOT NULL,
			deleted_files BIGINT       NOT NULL DEFAULT 0,
			deleted_bytes BIGINT       NOT NULL DEFAULT 0,
			failed        BIGINT       NOT NULL DEFAULT 0,
			report        MEDIUMTEXT   NOT NULL,
			PRIMARY KEY (id),
			KEY idx_started (started_at)
		) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
		`CREATE TABLE IF NOT EXISTS totalrec_holds (
			id           BIGINT       NOT NULL AUTO_INCREMENT,
			recording_id BIGINT       NOT NULL,
			reason       VARCHAR(255) NOT NULL,
			who          VARCHAR(255) NOT NULL DEFAULT '',
			since        DATETIME(6)  NOT NULL,
			until        DATETIME(6)  NULL,
			PRIMARY KEY (id),
			KEY idx_recording (recording_id),
			CONSTRAINT fk_totalrec_holds_recording FOREIGN KEY (recording_id)
				REFERENCES totalrec_recordings (id) ON DELETE CASCADE
		) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
	}
)

// liveCond selects rows whose file is on disk.
const liveCond = `r.state IN ('ok', 'writing', 'corrupt', 'empty')`

// coreCols is the SELECT list of LiveByDir and LiveByTime: the fields that a
// retention decision by age, grace, emptiness or watermark, its summary and its
// deletion read; scopedCols adds those that the scoped ages read.
const (
	coreCols   = `r.id, r.node, r.path, r.size, r.mtime, r.state, r.call_time, r.held`
	scopedCols = coreCols + `, r.name_type, r.name_dest, r.name_from, r.direction, r.cdr_src, r.cdr_dst,
	r.cdr_cnum, r.cdr_did, r.cdr_lastapp`
)

// LiveByDir returns up to limit recordings of node whose file is on disk, ordered by
// directory then id, after the position (afterDir, afterID); ("", 0) starts at the
// beginning. Only coreCols are filled, and with scoped the scopedCols too. Each page
// is read by seeks on the (node, dir) index — the rest of afterDir, then the
// directories after it — so a page costs the same however many rows of the
// directory came before, and paging keeps working while the rows already read are
// marked deleted.
func (c *Catalog) LiveByDir(ctx context.Context, node, afterDir string, afterID int64, limit int, scoped bool) ([]recordings.Recording, error) {
	cols := pick(scoped, scopedCols, coreCols)
	// A page is allocated once: a Recording is large, and growing the slice by
	// appending would allocate the page about twice over.
	recs, err := c.queryLive(ctx, make([]recordings.Recording, 0, max(min(limit, maxPage), 0)), scoped, `SELECT `+cols+` FROM totalrec_recordings r
		WHERE r.node = ? AND r.dir = ? AND r.id > ? AND `+liveCond+` ORDER BY r.id LIMIT ?`,
		node, afterDir, afterID, limit)
	if err == nil && len(recs) < limit {
		recs, err = c.queryLive(ctx, recs, scoped, `SELECT `+cols+` FROM totalrec_recordings r
			WHERE r.node = ? AND r.dir > ? AND `+liveCond+` ORDER BY r.dir, r.id LIMIT ?`,
			node, afterDir, limit-len(recs))
	}
	if err != nil {
		return nil, fmt.Errorf("list recordings by directory: %w", err)
	}
	return recs, nil
}

// LiveByTime returns up to limit recordings of node whose file is on disk, oldest call
// first (ties by id), after the position (afterTime, afterID); a zero afterTime starts
// at the beginning. It fills the fields LiveByDir does.
func (c *Catalog) LiveByTime(ctx context.Context, node string, afterTime time.Time, afterID int64, limit int, scoped bool) ([]recordings.Recording, error) {
	if afterTime.IsZero() {
		afterTime = minTime
	}
	t := c.timeArg(clampTime(afterTime))
	recs, err := c.queryLive(ctx, make([]recordings.Recording, 0, max(min(limit, maxPage), 0)), scoped, `SELECT `+pick(scoped, scopedCols, coreCols)+` FROM totalrec_recordings r
		WHERE `+liveCond+` AND r.call_time >= ? AND (r.call_time > ? OR r.id > ?) AND r.node = ?
		ORDER BY r.call_time, r.id LIMIT ?`, t, t, afterID, node, limit)
	if err != nil {
		return nil, fmt.Errorf("list recordings by call time: %w", err)
	}
	return recs, nil
}

// queryLive appends the rows of q, read as coreCols or scopedCols, to out. It scans
// into one set of variables for all rows, so that a row costs the allocations of
// its strings only.
func (c *Catalog) queryLive(ctx context.Context, out []recordings.Recording, scoped bool, q string, args ...any) ([]recordings.Recording, error) {
	var (
		r               recordings.Recording
		mtime, callTime nullTime
		held            int
	)
	dest := []any{&r.ID, &r.Node, &r.Path, &r.Size, &mtime, &r.State, &callTime, &held}
	if scoped {
		dest = append(dest, &r.Name.Type, &r.Name.Dest, &r.Name.From, &r.Direction, &r.CDR.Src, &r.CDR.Dst,
			&r.CDR.CNum, &r.CDR.DID, &r.CDR.LastApp)
	}
	err := sqlrows.Each(ctx, c.rdb, func(s scanner) error {
		if err := s.Scan(dest...); err != nil {
			return err
		}
		r.ModTime, r.CallTime, r.Held = mtime.T, callTime.T, held != 0
		out = append(out, r)
		return nil
	}, q, args...)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// maxPage bounds the rows a page preallocates room for.
const maxPage = 10000

// pick is a if ok, else b.
func pick(ok bool, a, b string) string {
	if ok {
		return a
	}
	return b
}

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
// unlink that follows (see ClaimDeletion). A recording whose file is only missing
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
