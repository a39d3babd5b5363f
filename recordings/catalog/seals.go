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

// Seals and manifests (migrations step 9): each recording's SHA-256 from when its
// file was final, and the signed daily manifests that list them (package
// evidence). A seal row is written once and never updated but for the two days
// that say which manifest listed it: manifest_day for its sealing, deletion_day for
// its deletion. That makes every seal and every deletion land in exactly one
// manifest, whenever its transaction commits.
//
// No foreign key ties a seal to its recording: a seal is evidence, and outlives
// whatever happens to the row.
var (
	sqliteSealsV1 = []string{
		`CREATE TABLE IF NOT EXISTS totalrec_seals (
			recording_id INTEGER NOT NULL PRIMARY KEY,
			node         TEXT    NOT NULL DEFAULT '',
			path         TEXT    NOT NULL,
			sha256       TEXT    NOT NULL,
			size         INTEGER NOT NULL,
			sealed_at    TEXT    NOT NULL,
			manifest_day TEXT,
			deletion_day TEXT)`,
		`CREATE INDEX IF NOT EXISTS totalrec_seals_listing ON totalrec_seals (node, manifest_day, sealed_at)`,
		`CREATE INDEX IF NOT EXISTS totalrec_seals_deletion ON totalrec_seals (node, deletion_day)`,
		`CREATE TABLE IF NOT EXISTS totalrec_manifests (
			node       TEXT    NOT NULL DEFAULT '',
			day        TEXT    NOT NULL,
			sha256     TEXT    NOT NULL,
			sealed     INTEGER NOT NULL DEFAULT 0,
			deleted    INTEGER NOT NULL DEFAULT 0,
			written_at TEXT    NOT NULL,
			PRIMARY KEY (node, day)) WITHOUT ROWID`,
	}
	mysqlSealsV1 = []string{
		`CREATE TABLE IF NOT EXISTS totalrec_seals (
			recording_id BIGINT          NOT NULL,
			node         VARBINARY(64)   NOT NULL DEFAULT '',
			path         VARBINARY(1024) NOT NULL,
			sha256       CHAR(64)        NOT NULL,
			size         BIGINT          NOT NULL,
			sealed_at    DATETIME(6)     NOT NULL,
			manifest_day CHAR(10)        NULL,
			deletion_day CHAR(10)        NULL,
			PRIMARY KEY (recording_id),
			KEY idx_listing (node, manifest_day, sealed_at),
			KEY idx_deletion (node, deletion_day)
		) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin`,
		`CREATE TABLE IF NOT EXISTS totalrec_manifests (
			node       VARBINARY(64) NOT NULL DEFAULT '',
			day        CHAR(10)      NOT NULL,
			sha256     CHAR(64)      NOT NULL,
			sealed     INT           NOT NULL DEFAULT 0,
			deleted    INT           NOT NULL DEFAULT 0,
			written_at DATETIME(6)   NOT NULL,
			PRIMARY KEY (node, day)
		) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin`,
	}
)

// Unsealed returns up to limit of node's recordings after afterID, by id, that have
// no seal and may still get one: on disk (ok, empty, corrupt) or still being
// written. It fills ID, Node, Path, Size, ModTime and State; the caller decides
// which are final.
func (c *Catalog) Unsealed(ctx context.Context, node string, afterID int64, limit int) ([]recordings.Recording, error) {
	out, err := sqlrows.All(ctx, c.rdb, func(s scanner) (recordings.Recording, error) {
		var (
			r     recordings.Recording
			mtime nullTime
		)
		err := s.Scan(&r.ID, &r.Node, &r.Path, &r.Size, &mtime, &r.State)
		r.ModTime = mtime.T
		return r, err
	}, `SELECT r.id, r.node, r.path, r.size, r.mtime, r.state FROM totalrec_recordings r
		WHERE r.node = ? AND r.id > ? AND r.state IN ('ok', 'empty', 'corrupt', 'writing') AND r.storage = 'local'
		AND NOT EXISTS (SELECT 1 FROM totalrec_seals s WHERE s.recording_id = r.id)
		ORDER BY r.id LIMIT ?`, node, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("list unsealed recordings: %w", err)
	}
	return out, nil
}

// AddSeals stores seals. A recording sealed already keeps its first seal: a seal
// is never recomputed over a file that may have changed since.
func (c *Catalog) AddSeals(ctx context.Context, seals []recordings.Seal) error {
	ignore := "INSERT OR IGNORE"
	if c.dialect == DialectMySQL {
		ignore = "INSERT IGNORE"
	}
	err := c.inTxAgain(ctx, func(tx *sql.Tx) error {
		for _, s := range seals {
			if len(s.SHA256) != 64 || s.SealedAt.IsZero() {
				return fmt.Errorf("seal of recording %d: %w", s.ID, recordings.ErrInvalid)
			}
			if _, err := tx.ExecContext(ctx, ignore+` INTO totalrec_seals
				(recording_id, node, path, sha256, size, sealed_at) VALUES (?, ?, ?, ?, ?, ?)`,
				s.ID, s.Node, s.Path, s.SHA256, s.Size, c.timeArg(s.SealedAt)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("add seals: %w", err)
	}
	return nil
}

// SealOf returns recording id's seal, or an error matching recordings.ErrNotFound.
func (c *Catalog) SealOf(ctx context.Context, id int64) (recordings.Seal, error) {
	var (
		s      recordings.Seal
		at     nullTime
		listed sql.NullString
	)
	err := c.rdb.QueryRowContext(ctx, `SELECT recording_id, node, path, sha256, size, sealed_at, manifest_day
		FROM totalrec_seals WHERE recording_id = ?`, id).Scan(&s.ID, &s.Node, &s.Path, &s.SHA256, &s.Size, &at, &listed)
	s.SealedAt, s.Listed = at.T, listed.String
	if errors.Is(err, sql.ErrNoRows) {
		return s, fmt.Errorf("seal of recording %d: %w", id, recordings.ErrNotFound)
	}
	if err != nil {
		return s, fmt.Errorf("seal of recording %d: %w", id, err)
	}
	return s, nil
}

// sealedCols are a seal's columns after the recording's, as scanSealed reads them.
const sealedCols = recordingCols + `, s.path, s.sha256, s.size, s.sealed_at`

func scanSealed(row scanner) (recordings.SealedRecording, error) {
	var (
		sr recordings.SealedRecording
		at nullTime
	)
	r, err := scanRecording(scanFunc(func(dest ...any) error {
		return row.Scan(append(dest, &sr.Path, &sr.SHA256, &sr.Size, &at)...)
	}))
	sr.Rec, sr.ID, sr.Node, sr.SealedAt = r, r.ID, r.Node, at.T
	return sr, err
}

// eachSealed calls fn with each seal, joined to its recording, that where (the
// query's WHERE and ORDER BY) selects.
func (c *Catalog) eachSealed(ctx context.Context, fn func(recordings.SealedRecording) error, where string, args ...any) error {
	return sqlrows.Each(ctx, c.rdb, func(row scanner) error {
		sr, err := scanSealed(row)
		if err != nil {
			return err
		}
		return fn(sr)
	}, `SELECT `+sealedCols+` FROM totalrec_seals s JOIN totalrec_recordings r ON r.id = s.recording_id `+where, args...)
}

// EachUnlisted calls fn with each of node's seals made before cutoff that no
// manifest lists yet, by sealing time, with its recording.
func (c *Catalog) EachUnlisted(ctx context.Context, node string, cutoff time.Time, fn func(recordings.SealedRecording) error) error {
	err := c.eachSealed(ctx, fn, `WHERE s.node = ? AND s.manifest_day IS NULL AND s.sealed_at < ?
		ORDER BY s.sealed_at, s.recording_id`, node, c.timeArg(cutoff))
	if err != nil {
		return fmt.Errorf("list unlisted seals: %w", err)
	}
	return nil
}

// EachUnlistedDeletion calls fn with each of node's sealed recordings deleted by
// Totalrec before cutoff whose deletion no manifest lists yet, by id.
func (c *Catalog) EachUnlistedDeletion(ctx context.Context, node string, cutoff time.Time, fn func(recordings.SealedRecording) error) error {
	err := c.eachSealed(ctx, fn, `WHERE s.node = ? AND s.deletion_day IS NULL AND s.manifest_day IS NOT NULL
		AND r.state = 'deleted' AND r.deleted_at < ?
		ORDER BY s.recording_id`, node, c.timeArg(cutoff))
	if err != nil {
		return fmt.Errorf("list unlisted deletions: %w", err)
	}
	return nil
}

// RecordManifest remembers m and marks the seals (sealed), deletions (deleted)
// and conversions (converted) it lists as listed by m.Day, in one transaction. A
// day recorded already is refused with recordings.ErrExists: manifests are never
// rewritten.
func (c *Catalog) RecordManifest(ctx context.Context, m recordings.Manifest, sealed, deleted, converted []int64) error {
	err := c.inTxAgain(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO totalrec_manifests (node, day, sha256, sealed, deleted, written_at)
			VALUES (?, ?, ?, ?, ?, ?)`, m.Node, m.Day, m.SHA256, m.Sealed, m.Deleted, c.timeArg(m.Written)); err != nil {
			if isDuplicateKey(err) {
				return fmt.Errorf("manifest of %s: %w", m.Day, recordings.ErrExists)
			}
			return err
		}
		for _, set := range []struct {
			table, col string
			ids        []int64
		}{{"totalrec_seals", "manifest_day", sealed}, {"totalrec_seals", "deletion_day", deleted},
			{"totalrec_conversions", "manifest_day", converted}} {
			for start := 0; start < len(set.ids); start += idsPerStatement {
				chunk := set.ids[start:min(start+idsPerStatement, len(set.ids))]
				args := []any{m.Day}
				for _, id := range chunk {
					args = append(args, id)
				}
				if _, err := tx.ExecContext(ctx, `UPDATE `+set.table+` SET `+set.col+` = ? WHERE recording_id IN `+placeholders(1, len(chunk)), args...); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record manifest: %w", err)
	}
	return nil
}

// Manifests returns node's manifests by day.
func (c *Catalog) Manifests(ctx context.Context, node string) ([]recordings.Manifest, error) {
	out, err := sqlrows.All(ctx, c.rdb, func(s scanner) (recordings.Manifest, error) {
		var (
			m  recordings.Manifest
			at nullTime
		)
		err := s.Scan(&m.Node, &m.Day, &m.SHA256, &m.Sealed, &m.Deleted, &at)
		m.Written = at.T
		return m, err
	}, `SELECT node, day, sha256, sealed, deleted, written_at FROM totalrec_manifests WHERE node = ? ORDER BY day`, node)
	if err != nil {
		return nil, fmt.Errorf("list manifests: %w", err)
	}
	return out, nil
}

// FirstUnlistedSeal returns the sealing time of node's earliest seal no manifest
// lists, zero when there is none.
func (c *Catalog) FirstUnlistedSeal(ctx context.Context, node string) (time.Time, error) {
	var at nullTime
	err := c.rdb.QueryRowContext(ctx, `SELECT MIN(sealed_at) FROM totalrec_seals WHERE node = ? AND manifest_day IS NULL`, node).Scan(&at)
	if err != nil {
		return time.Time{}, fmt.Errorf("first unlisted seal: %w", err)
	}
	return at.T, nil
}

// EachUnlistedRecording calls fn with each of node's recordings on disk, modified
// in [from, to), that no manifest lists though one should: never sealed though
// catalogued before knownBefore, or sealed before sealedBefore and still not
// listed. It fills ID, Node, Path, Size, ModTime and State.
func (c *Catalog) EachUnlistedRecording(ctx context.Context, node string, from, to, knownBefore, sealedBefore time.Time, fn func(recordings.Recording) error) error {
	if from.IsZero() {
		from = minTime
	}
	err := sqlrows.Each(ctx, c.rdb, func(s scanner) error {
		var (
			r     recordings.Recording
			mtime nullTime
		)
		if err := s.Scan(&r.ID, &r.Node, &r.Path, &r.Size, &mtime, &r.State); err != nil {
			return err
		}
		r.ModTime = mtime.T
		return fn(r)
	}, `SELECT r.id, r.node, r.path, r.size, r.mtime, r.state FROM totalrec_recordings r
		LEFT JOIN totalrec_seals s ON s.recording_id = r.id
		WHERE r.node = ? AND r.state IN ('ok', 'empty', 'corrupt') AND r.mtime >= ? AND r.mtime < ?
		AND ((s.recording_id IS NULL AND r.created_at < ?) OR (s.manifest_day IS NULL AND s.sealed_at < ?))
		ORDER BY r.id`, node, c.timeArg(clampTime(from)), c.timeArg(clampTime(to)), c.timeArg(knownBefore), c.timeArg(sealedBefore))
	if err != nil {
		return fmt.Errorf("list unlisted recordings: %w", err)
	}
	return nil
}
