package catalog

import (
	"context"
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

// liveCond selects rows whose file is on disk, or in the archive bucket.
const liveCond = `r.state IN ('ok', 'writing', 'corrupt', 'empty')`

// coreCols is the SELECT list of LiveByDir and LiveByTime: the fields that a
// retention decision by age, grace, emptiness or watermark, its summary and its
// deletion read; scopedCols adds those that the scoped ages read.
const (
	coreCols   = `r.id, r.node, r.path, r.size, r.mtime, r.state, r.call_time, r.held, r.storage`
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
	dest := []any{&r.ID, &r.Node, &r.Path, &r.Size, &mtime, &r.State, &callTime, &held, &r.Storage}
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
