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

// Pauses of recording (migrations step 10): when a call's recording was muted,
// by whom, on which channel. A recording finds its pauses by its call's
// linkedid, or its own uniqueid.
var (
	sqlitePausesV1 = []string{
		`CREATE TABLE IF NOT EXISTS totalrec_pauses (
			id         INTEGER PRIMARY KEY AUTOINCREMENT,
			node       TEXT NOT NULL DEFAULT '',
			channel    TEXT NOT NULL,
			uniqueid   TEXT NOT NULL DEFAULT '',
			linkedid   TEXT NOT NULL DEFAULT '',
			started_at TEXT NOT NULL,
			ended_at   TEXT,
			started_by TEXT NOT NULL DEFAULT '',
			ended_by   TEXT NOT NULL DEFAULT '')`,
		`CREATE INDEX IF NOT EXISTS totalrec_pauses_linkedid ON totalrec_pauses (linkedid)`,
		`CREATE INDEX IF NOT EXISTS totalrec_pauses_uniqueid ON totalrec_pauses (uniqueid)`,
		`CREATE INDEX IF NOT EXISTS totalrec_pauses_open ON totalrec_pauses (node, channel, ended_at)`,
	}
	mysqlPausesV1 = []string{
		`CREATE TABLE IF NOT EXISTS totalrec_pauses (
			id         BIGINT        NOT NULL AUTO_INCREMENT,
			node       VARBINARY(64) NOT NULL DEFAULT '',
			channel    VARCHAR(255)  NOT NULL,
			uniqueid   VARCHAR(150)  NOT NULL DEFAULT '',
			linkedid   VARCHAR(150)  NOT NULL DEFAULT '',
			started_at DATETIME(6)   NOT NULL,
			ended_at   DATETIME(6)   NULL,
			started_by VARCHAR(255)  NOT NULL DEFAULT '',
			ended_by   VARCHAR(255)  NOT NULL DEFAULT '',
			PRIMARY KEY (id),
			KEY idx_linkedid (linkedid),
			KEY idx_uniqueid (uniqueid),
			KEY idx_open (node, channel, ended_at)
		) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
	}
)

const pauseCols = `id, node, channel, uniqueid, linkedid, started_at, ended_at, started_by, ended_by`

func scanPause(s scanner) (recordings.Pause, error) {
	var (
		p    recordings.Pause
		a, b nullTime
	)
	err := s.Scan(&p.ID, &p.Node, &p.Channel, &p.UniqueID, &p.LinkedID, &a, &b, &p.By, &p.EndedBy)
	p.Started, p.Ended = a.T, b.T
	return p, err
}

// StartPause stores a pause that has begun and returns its id.
func (c *Catalog) StartPause(ctx context.Context, p recordings.Pause) (int64, error) {
	if p.Channel == "" || p.Started.IsZero() {
		return 0, fmt.Errorf("start pause: no channel or time: %w", recordings.ErrInvalid)
	}
	res, err := c.db.ExecContext(ctx, `INSERT INTO totalrec_pauses (node, channel, uniqueid, linkedid, started_at, started_by)
		VALUES (?, ?, ?, ?, ?, ?)`, p.Node, clip(p.Channel, lenText), clip(p.UniqueID, lenID), clip(p.LinkedID, lenID),
		c.timeArg(p.Started), clip(p.By, lenText))
	if err != nil {
		return 0, fmt.Errorf("start pause: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("start pause: %w", err)
	}
	return id, nil
}

// EndPause ends pause id, if it has not ended.
func (c *Catalog) EndPause(ctx context.Context, id int64, at time.Time, by string) error {
	if _, err := c.db.ExecContext(ctx, `UPDATE totalrec_pauses SET ended_at = ?, ended_by = ? WHERE id = ? AND ended_at IS NULL`,
		c.timeArg(at), clip(by, lenText), id); err != nil {
		return fmt.Errorf("end pause %d: %w", id, err)
	}
	return nil
}

// OpenPause returns node's pause of channel that has not ended, or an error
// matching recordings.ErrNotFound.
func (c *Catalog) OpenPause(ctx context.Context, node, channel string) (recordings.Pause, error) {
	p, err := scanPause(c.db.QueryRowContext(ctx, `SELECT `+pauseCols+` FROM totalrec_pauses
		WHERE node = ? AND channel = ? AND ended_at IS NULL ORDER BY id DESC LIMIT 1`, node, channel))
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("open pause of %s: %w", channel, recordings.ErrNotFound)
	}
	if err != nil {
		return p, fmt.Errorf("open pause of %s: %w", channel, err)
	}
	return p, nil
}

// PausesOf returns the pauses of a call (by its linkedid) or of a channel (by
// its uniqueid), by start; empty keys match nothing.
func (c *Catalog) PausesOf(ctx context.Context, linkedid, uniqueid string) ([]recordings.Pause, error) {
	if linkedid == "" {
		linkedid = "\x00"
	}
	if uniqueid == "" {
		uniqueid = "\x00"
	}
	out, err := sqlrows.All(ctx, c.rdb, scanPause, `SELECT `+pauseCols+` FROM totalrec_pauses
		WHERE linkedid = ? UNION SELECT `+pauseCols+` FROM totalrec_pauses WHERE uniqueid = ? ORDER BY 6, 1`, linkedid, uniqueid)
	if err != nil {
		return nil, fmt.Errorf("pauses of %s: %w", linkedid, err)
	}
	return out, nil
}
