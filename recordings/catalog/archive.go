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

// The archive tier's journal: one row per recording that was ever moved to the
// bucket, in step with the recording's storage column (see recordings.ArchiveState).
var (
	sqliteArchiveV1 = []string{
		`CREATE TABLE IF NOT EXISTS totalrec_archive (
			recording_id     INTEGER NOT NULL PRIMARY KEY REFERENCES totalrec_recordings (id) ON DELETE CASCADE,
			node             TEXT    NOT NULL DEFAULT '',
			object_key       TEXT    NOT NULL,
			sha256           TEXT    NOT NULL,
			size             INTEGER NOT NULL,
			state            TEXT    NOT NULL,
			archived_at      TEXT,
			restored_at      TEXT,
			keep_local_until TEXT)`,
		`CREATE INDEX IF NOT EXISTS totalrec_archive_open ON totalrec_archive (node, state)`,
	}
	mysqlArchiveV1 = []string{
		`CREATE TABLE IF NOT EXISTS totalrec_archive (
			recording_id     BIGINT          NOT NULL,
			node             VARBINARY(64)   NOT NULL DEFAULT '',
			object_key       VARBINARY(1100) NOT NULL,
			sha256           CHAR(64)        NOT NULL,
			size             BIGINT          NOT NULL,
			state            VARCHAR(16)     NOT NULL,
			archived_at      DATETIME(6)     NULL,
			restored_at      DATETIME(6)     NULL,
			keep_local_until DATETIME(6)     NULL,
			PRIMARY KEY (recording_id),
			KEY idx_open (node, state),
			CONSTRAINT fk_totalrec_archive_recording FOREIGN KEY (recording_id)
				REFERENCES totalrec_recordings (id) ON DELETE CASCADE
		) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin`,
	}
)

const archiveCols = `recording_id, node, object_key, sha256, size, state, archived_at, restored_at, keep_local_until`

func scanArchiveEntry(s scanner) (recordings.ArchiveEntry, error) {
	var (
		e            recordings.ArchiveEntry
		at, rt, keep nullTime
	)
	err := s.Scan(&e.ID, &e.Node, &e.Key, &e.SHA256, &e.Size, &e.State, &at, &rt, &keep)
	e.ArchivedAt, e.RestoredAt, e.KeepLocalUntil = at.T, rt.T, keep.T
	return e, err
}

// Archivable returns up to limit of node's recordings after afterID, by id, that
// the archiver may move to the bucket: on disk with audio (state ok, not claimed),
// sealed, modified before before, in no conversion under way, and not restored
// to be kept on disk after now. Each comes with the SHA-256 its file must have:
// its compressed form's when it was converted, else its seal's.
func (c *Catalog) Archivable(ctx context.Context, node string, before, now time.Time, afterID int64, limit int) ([]recordings.ArchiveCandidate, error) {
	out, err := sqlrows.All(ctx, c.rdb, func(s scanner) (recordings.ArchiveCandidate, error) {
		var (
			a              recordings.ArchiveCandidate
			seal, switched string
		)
		rec, err := scanRecording(multiScanner{s, []any{&seal, &switched}})
		a.Recording, a.SHA256 = rec, seal
		if switched != "" {
			a.SHA256 = switched
		}
		return a, err
	}, `SELECT `+recordingCols+`, s.sha256,
			CASE WHEN v.state IN ('done', 'kept') AND v.to_path = r.path THEN v.to_sha256 ELSE '' END
		FROM totalrec_recordings r
		JOIN totalrec_seals s ON s.recording_id = r.id
		LEFT JOIN totalrec_conversions v ON v.recording_id = r.id
		LEFT JOIN totalrec_archive a ON a.recording_id = r.id
		WHERE r.node = ? AND r.id > ? AND r.storage = 'local' AND r.state = 'ok' AND r.deleted_at IS NULL
		AND r.mtime < ?
		AND (v.state IS NULL OR v.state NOT IN ('pending', 'verified', 'switched'))
		AND (a.keep_local_until IS NULL OR a.keep_local_until < ?)
		ORDER BY r.id LIMIT ?`, node, afterID, c.timeArg(before), c.timeArg(now), limit)
	if err != nil {
		return nil, fmt.Errorf("list recordings to archive: %w", err)
	}
	return out, nil
}

// multiScanner scans a recording's columns and then extra ones.
type multiScanner struct {
	s     scanner
	extra []any
}

func (m multiScanner) Scan(dest ...any) error { return m.s.Scan(append(dest, m.extra...)...) }

// SwitchToArchive records that rec's file is in the bucket and verified, as e
// says: the journal row becomes e in state uploaded and the catalogue names the
// object (storage s3), in one transaction that succeeds only while the row is
// still rec's live, unclaimed, local file; otherwise recordings.ErrConflict and
// nothing changes. The caller then removes the local file (FinishArchive).
func (c *Catalog) SwitchToArchive(ctx context.Context, rec recordings.Recording, e recordings.ArchiveEntry) error {
	err := c.inTxAgain(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE totalrec_recordings SET storage = 's3', updated_at = ?
			WHERE id = ? AND node = ? AND path = ? AND size = ? AND storage = 'local' AND state = 'ok' AND deleted_at IS NULL`,
			c.timeArg(c.now()), rec.ID, rec.Node, rec.Path, rec.Size)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return recordings.ErrConflict
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM totalrec_archive WHERE recording_id = ?`, rec.ID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO totalrec_archive (`+archiveCols+`) VALUES (?, ?, ?, ?, ?, 'uploaded', ?, NULL, NULL)`,
			rec.ID, rec.Node, e.Key, e.SHA256, e.Size, c.timeArg(e.ArchivedAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("switch recording %d to the archive: %w", rec.ID, err)
	}
	return nil
}

// SwitchToLocal records that recording id's file is back on disk, verified: the
// catalogue names the file (storage local) and the journal row is restoring, kept
// on disk until keepUntil, in one transaction that succeeds only while the row
// names the object; otherwise recordings.ErrConflict. The caller then removes the
// object (SetArchiveState restored).
func (c *Catalog) SwitchToLocal(ctx context.Context, id int64, now, keepUntil time.Time) error {
	err := c.inTxAgain(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE totalrec_recordings SET storage = 'local', updated_at = ?
			WHERE id = ? AND storage = 's3'`, c.timeArg(now), id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return recordings.ErrConflict
		}
		_, err = tx.ExecContext(ctx, `UPDATE totalrec_archive SET state = 'restoring', restored_at = ?, keep_local_until = ?
			WHERE recording_id = ?`, c.timeArg(now), c.timeArg(keepUntil), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("switch recording %d back to disk: %w", id, err)
	}
	return nil
}

// SetArchiveState moves recording id's journal row from one state to the next:
// uploaded to archived once the local file is gone, restoring to restored once
// the object is. A row in another state is recordings.ErrConflict.
func (c *Catalog) SetArchiveState(ctx context.Context, id int64, from, to recordings.ArchiveState) error {
	res, err := c.db.ExecContext(ctx, `UPDATE totalrec_archive SET state = ? WHERE recording_id = ? AND state = ?`,
		string(to), id, string(from))
	if err != nil {
		return fmt.Errorf("archive state of %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("archive state of %d: %w", id, err)
	} else if n != 1 {
		return fmt.Errorf("archive state of %d: not %s: %w", id, from, recordings.ErrConflict)
	}
	return nil
}

// ArchiveOf returns recording id's archive journal row.
func (c *Catalog) ArchiveOf(ctx context.Context, id int64) (recordings.ArchiveEntry, error) {
	e, err := scanArchiveEntry(c.rdb.QueryRowContext(ctx, `SELECT `+archiveCols+` FROM totalrec_archive WHERE recording_id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return e, fmt.Errorf("archive of %d: %w", id, recordings.ErrNotFound)
	}
	if err != nil {
		return e, fmt.Errorf("archive of %d: %w", id, err)
	}
	return e, nil
}

// ArchiveEntries returns node's journal rows in the given states, by id.
func (c *Catalog) ArchiveEntries(ctx context.Context, node string, states ...recordings.ArchiveState) ([]recordings.ArchiveEntry, error) {
	args := []any{node}
	for _, s := range states {
		args = append(args, string(s))
	}
	out, err := sqlrows.All(ctx, c.rdb, scanArchiveEntry, `SELECT `+archiveCols+` FROM totalrec_archive
		WHERE node = ? AND state IN `+placeholders(1, len(states))+` ORDER BY recording_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list archive entries: %w", err)
	}
	return out, nil
}

// ArchivedIn returns node's recordings whose file is in the bucket, below dir
// ("2026/11/26" a day; "" everything), by id.
func (c *Catalog) ArchivedIn(ctx context.Context, node, dir string) ([]recordings.Recording, error) {
	q, args := `SELECT `+recordingCols+` FROM totalrec_recordings r WHERE r.node = ? AND r.storage = 's3'`, []any{node}
	if dir != "" {
		// The directory itself, and every one below it ('0' follows '/').
		q += ` AND (r.dir = ? OR (r.dir > ? AND r.dir < ?))`
		args = append(args, dir, dir+"/", dir+"0")
	}
	recs, err := c.queryRecordings(ctx, q+` ORDER BY r.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list archived recordings: %w", err)
	}
	return recs, nil
}

// ArchiveFigures counts node's recordings by where their files live, for the
// storage page and `totalrec archive status`.
func (c *Catalog) ArchiveFigures(ctx context.Context, node string) (local, archived recordings.ArchiveCount, err error) {
	err = sqlrows.Each(ctx, c.rdb, func(s scanner) error {
		var (
			storage string
			n       recordings.ArchiveCount
		)
		if err := s.Scan(&storage, &n.Files, &n.Bytes); err != nil {
			return err
		}
		if storage == recordings.StorageS3 {
			archived = n
		} else {
			local.Files += n.Files
			local.Bytes += n.Bytes
		}
		return nil
	}, `SELECT storage, COUNT(*), COALESCE(SUM(size), 0) FROM totalrec_recordings
		WHERE node = ? AND state IN ('ok', 'empty', 'corrupt', 'writing') GROUP BY storage`, node)
	if err != nil {
		return local, archived, fmt.Errorf("count archived recordings: %w", err)
	}
	return local, archived, nil
}
