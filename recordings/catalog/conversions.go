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

// Conversions (migrations step 12): the compression of each recording after the
// call, one row per recording, from the moment its work file is started. The row is
// the conversion's journal: its state says which step a crash interrupted, and its
// paths tell the scanner which files in the spool are not new recordings (a work
// file renamed into place before the switch, an original kept while held).
var (
	sqliteConversionsV1 = []string{
		`CREATE TABLE IF NOT EXISTS totalrec_conversions (
			recording_id INTEGER NOT NULL PRIMARY KEY,
			node         TEXT    NOT NULL DEFAULT '',
			state        TEXT    NOT NULL,
			from_path    TEXT    NOT NULL,
			from_format  TEXT    NOT NULL,
			from_size    INTEGER NOT NULL,
			from_sha256  TEXT    NOT NULL DEFAULT '',
			to_path      TEXT    NOT NULL,
			to_format    TEXT    NOT NULL,
			to_size      INTEGER NOT NULL DEFAULT 0,
			to_sha256    TEXT    NOT NULL DEFAULT '',
			duration_ms  INTEGER NOT NULL DEFAULT 0,
			work         TEXT    NOT NULL DEFAULT '',
			detail       TEXT    NOT NULL DEFAULT '',
			started_at   TEXT    NOT NULL,
			switched_at  TEXT,
			finished_at  TEXT,
			manifest_day TEXT)`,
		`CREATE INDEX IF NOT EXISTS totalrec_conversions_open ON totalrec_conversions (node, state)`,
		`CREATE INDEX IF NOT EXISTS totalrec_conversions_listing ON totalrec_conversions (node, manifest_day, switched_at)`,
	}
	mysqlConversionsV1 = []string{
		`CREATE TABLE IF NOT EXISTS totalrec_conversions (
			recording_id BIGINT          NOT NULL,
			node         VARBINARY(64)   NOT NULL DEFAULT '',
			state        VARCHAR(16)     NOT NULL,
			from_path    VARBINARY(1024) NOT NULL,
			from_format  VARCHAR(16)     NOT NULL,
			from_size    BIGINT          NOT NULL,
			from_sha256  CHAR(64)        NOT NULL DEFAULT '',
			to_path      VARBINARY(1024) NOT NULL,
			to_format    VARCHAR(16)     NOT NULL,
			to_size      BIGINT          NOT NULL DEFAULT 0,
			to_sha256    CHAR(64)        NOT NULL DEFAULT '',
			duration_ms  BIGINT          NOT NULL DEFAULT 0,
			work         VARBINARY(255)  NOT NULL DEFAULT '',
			detail       VARCHAR(255)    NOT NULL DEFAULT '',
			started_at   DATETIME(6)     NOT NULL,
			switched_at  DATETIME(6)     NULL,
			finished_at  DATETIME(6)     NULL,
			manifest_day CHAR(10)        NULL,
			PRIMARY KEY (recording_id),
			KEY idx_open (node, state),
			KEY idx_listing (node, manifest_day, switched_at)
		) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin`,
	}
)

const conversionCols = `recording_id, node, state, from_path, from_format, from_size, from_sha256,
	to_path, to_format, to_size, to_sha256, duration_ms, work, detail, started_at, switched_at, finished_at,
	COALESCE(manifest_day, '')`

func scanConversion(s scanner) (recordings.Conversion, error) {
	var (
		v              recordings.Conversion
		ms             int64
		start, sw, fin nullTime
	)
	err := s.Scan(&v.ID, &v.Node, &v.State, &v.FromPath, &v.FromFormat, &v.FromSize, &v.FromSHA256,
		&v.ToPath, &v.ToFormat, &v.ToSize, &v.ToSHA256, &ms, &v.Work, &v.Detail, &start, &sw, &fin, &v.Listed)
	v.Duration, v.StartedAt, v.SwitchedAt, v.FinishedAt = time.Duration(ms)*time.Millisecond, start.T, sw.T, fin.T
	return v, err
}

// Compressible returns up to limit of node's recordings after afterID, by id, that
// may be compressed: on disk with audio (state ok, not claimed), of a format the
// player decodes and not compressed already, sealed (so that the new form's hash
// continues the original's), and never converted or tried.
func (c *Catalog) Compressible(ctx context.Context, node string, afterID int64, limit int) ([]recordings.Recording, error) {
	recs, err := c.queryRecordings(ctx, `SELECT `+recordingCols+` FROM totalrec_recordings r
		JOIN totalrec_seals s ON s.recording_id = r.id
		WHERE r.node = ? AND r.id > ? AND r.state = 'ok' AND r.deleted_at IS NULL AND r.storage = 'local'
		AND r.format IN ('wav', 'wav16', 'wav49', 'gsm', 'ulaw', 'alaw', 'sln', 'sln16', 'g722')
		AND NOT EXISTS (SELECT 1 FROM totalrec_conversions v WHERE v.recording_id = r.id)
		ORDER BY r.id LIMIT ?`, node, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("list compressible recordings: %w", err)
	}
	return recs, nil
}

// StartConversion records that v.ID's conversion has begun (its state pending).
// A recording converted or tried before is refused with recordings.ErrConflict.
func (c *Catalog) StartConversion(ctx context.Context, v recordings.Conversion) error {
	if err := checkPath(v.FromPath); err != nil {
		return fmt.Errorf("start conversion of %d: %w", v.ID, err)
	}
	if err := checkPath(v.ToPath); err != nil {
		return fmt.Errorf("start conversion of %d: %w", v.ID, err)
	}
	ignore := "INSERT OR IGNORE"
	if c.dialect == DialectMySQL {
		ignore = "INSERT IGNORE"
	}
	res, err := c.db.ExecContext(ctx, ignore+` INTO totalrec_conversions (recording_id, node, state,
		from_path, from_format, from_size, from_sha256, to_path, to_format, work, started_at)
		VALUES (?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?)`,
		v.ID, v.Node, v.FromPath, string(v.FromFormat), v.FromSize, v.FromSHA256, v.ToPath, string(v.ToFormat),
		v.Work, c.timeArg(v.StartedAt))
	if err != nil {
		return fmt.Errorf("start conversion of %d: %w", v.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("start conversion of %d: converted or tried before: %w", v.ID, recordings.ErrConflict)
	}
	return nil
}

// SetConversion stores v's state, new form and detail (and finished_at for the
// states that end it); it never changes the paths it started with.
func (c *Catalog) SetConversion(ctx context.Context, v recordings.Conversion) error {
	var fin any
	if !v.FinishedAt.IsZero() {
		fin = c.timeArg(v.FinishedAt)
	}
	_, err := c.db.ExecContext(ctx, `UPDATE totalrec_conversions SET state = ?, from_sha256 = ?, to_size = ?,
		to_sha256 = ?, duration_ms = ?, detail = ?, finished_at = ? WHERE recording_id = ?`,
		string(v.State), v.FromSHA256, v.ToSize, v.ToSHA256, v.Duration.Milliseconds(), clip(v.Detail, 255), fin, v.ID)
	if err != nil {
		return fmt.Errorf("record conversion of %d: %w", v.ID, err)
	}
	return nil
}

// SwitchConversion makes the catalogue name v's new file: the recording's row
// takes v.ToPath, v.ToFormat, v.ToSize, the duration and modTime (which the
// compressor keeps equal to the original's), and the conversion becomes switched,
// in one transaction. The row must still be the live, unclaimed row at v.FromPath
// of the size it had; otherwise (retention or an erasure claimed it, a scan found
// it changed) nothing changes and the error matches recordings.ErrConflict. A row
// a scan made at v.ToPath before the switch is dropped unless held.
func (c *Catalog) SwitchConversion(ctx context.Context, v recordings.Conversion, modTime time.Time) error {
	err := c.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM totalrec_recordings WHERE node = ? AND path = ? AND held = 0 AND id <> ?`,
			v.Node, v.ToPath, v.ID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE totalrec_recordings SET path = ?, dir = ?, format = ?, size = ?,
			duration_ms = ?, mtime = ?, updated_at = ?
			WHERE id = ? AND node = ? AND path = ? AND size = ? AND state = 'ok' AND deleted_at IS NULL`,
			v.ToPath, dirOf(v.ToPath), string(v.ToFormat), v.ToSize, v.Duration.Milliseconds(), c.timeArg(modTime),
			c.timeArg(c.now()), v.ID, v.Node, v.FromPath, v.FromSize)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return fmt.Errorf("the recording changed, or was claimed, while it was converted: %w", recordings.ErrConflict)
		}
		_, err = tx.ExecContext(ctx, `UPDATE totalrec_conversions SET state = 'switched', to_size = ?, to_sha256 = ?,
			duration_ms = ?, switched_at = ? WHERE recording_id = ?`,
			v.ToSize, v.ToSHA256, v.Duration.Milliseconds(), c.timeArg(c.now()), v.ID)
		return err
	})
	if err != nil {
		return fmt.Errorf("switch recording %d to %s: %w", v.ID, v.ToFormat, err)
	}
	return nil
}

// DropConversion forgets a conversion that was undone before its switch, so that
// the recording may be tried again.
func (c *Catalog) DropConversion(ctx context.Context, id int64) error {
	if _, err := c.db.ExecContext(ctx, `DELETE FROM totalrec_conversions WHERE recording_id = ? AND state IN ('pending', 'verified')`, id); err != nil {
		return fmt.Errorf("drop conversion of %d: %w", id, err)
	}
	return nil
}

// Conversions returns node's conversions in any of states, by recording id:
// the open ones (pending, verified, switched, kept) for the compressor to take
// on, the failed ones for doctor and `totalrec compress` to list.
func (c *Catalog) Conversions(ctx context.Context, node string, states ...recordings.ConversionState) ([]recordings.Conversion, error) {
	if len(states) == 0 {
		return nil, nil
	}
	args := []any{node}
	for _, st := range states {
		args = append(args, string(st))
	}
	out, err := sqlrows.All(ctx, c.rdb, scanConversion, `SELECT `+conversionCols+` FROM totalrec_conversions
		WHERE node = ? AND state IN `+placeholders(1, len(states))+` ORDER BY recording_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list conversions: %w", err)
	}
	return out, nil
}

// ConversionOf returns recording id's conversion, or an error matching
// recordings.ErrNotFound when it was never converted.
func (c *Catalog) ConversionOf(ctx context.Context, id int64) (recordings.Conversion, error) {
	v, err := scanConversion(c.rdb.QueryRowContext(ctx, `SELECT `+conversionCols+` FROM totalrec_conversions WHERE recording_id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return v, fmt.Errorf("conversion of %d: %w", id, recordings.ErrNotFound)
	}
	if err != nil {
		return v, fmt.Errorf("conversion of %d: %w", id, err)
	}
	return v, nil
}

// ConversionFiles returns the spool paths on node that belong to an open
// conversion and are not recordings of their own: the new file of one not switched
// yet, the original of one switched or kept. A scan leaves them alone.
func (c *Catalog) ConversionFiles(ctx context.Context, node string) (map[string]bool, error) {
	out := map[string]bool{}
	err := sqlrows.Each(ctx, c.rdb, func(s scanner) error {
		var state, from, to string
		if err := s.Scan(&state, &from, &to); err != nil {
			return err
		}
		if state == string(recordings.ConversionPending) || state == string(recordings.ConversionVerified) {
			out[to] = true
		} else {
			out[from] = true
		}
		return nil
	}, `SELECT state, from_path, to_path FROM totalrec_conversions
		WHERE node = ? AND state IN ('pending', 'verified', 'switched', 'kept')`, node)
	if err != nil {
		return nil, fmt.Errorf("list conversion files: %w", err)
	}
	return out, nil
}

// EachUnlistedConversion calls fn with each of node's conversions switched before
// cutoff that no manifest lists yet, by switching time: the evidence chain's link
// from a sealed original to the file kept.
func (c *Catalog) EachUnlistedConversion(ctx context.Context, node string, cutoff time.Time, fn func(recordings.Conversion) error) error {
	err := sqlrows.Each(ctx, c.rdb, func(s scanner) error {
		v, err := scanConversion(s)
		if err != nil {
			return err
		}
		return fn(v)
	}, `SELECT `+conversionCols+` FROM totalrec_conversions
		WHERE node = ? AND manifest_day IS NULL AND state IN ('switched', 'kept', 'done') AND switched_at < ?
		ORDER BY switched_at, recording_id`, node, c.timeArg(cutoff))
	if err != nil {
		return fmt.Errorf("list unlisted conversions: %w", err)
	}
	return nil
}

// Compressed sums node's conversions that are in effect (switched, kept or
// done): how many, and their bytes before and after.
func (c *Catalog) Compressed(ctx context.Context, node string) (n, before, after int64, err error) {
	err = c.rdb.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(from_size), 0), COALESCE(SUM(to_size), 0)
		FROM totalrec_conversions WHERE node = ? AND state IN ('switched', 'kept', 'done')`, node).Scan(&n, &before, &after)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("sum conversions: %w", err)
	}
	return n, before, after, nil
}
