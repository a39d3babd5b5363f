package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/totalrec/totalrec/recordings"
)

// The recording policy and announcement of each recording (migrations step 11),
// as the dialplan tells the hook: which policy recorded it, and whether the
// caller heard that the call is recorded. A recording the hook did not tell of
// (a scan found it, or a journal entry from before) has no row: unknown.
var (
	sqliteConsentV1 = []string{
		`CREATE TABLE IF NOT EXISTS totalrec_consent (
			recording_id INTEGER NOT NULL PRIMARY KEY,
			recorded_by  TEXT    NOT NULL DEFAULT '',
			announced    INTEGER NOT NULL DEFAULT 0)`,
		`CREATE INDEX IF NOT EXISTS totalrec_consent_by ON totalrec_consent (recorded_by, recording_id)`,
	}
	mysqlConsentV1 = []string{
		`CREATE TABLE IF NOT EXISTS totalrec_consent (
			recording_id BIGINT      NOT NULL,
			recorded_by  VARCHAR(16) NOT NULL DEFAULT '',
			announced    TINYINT     NOT NULL DEFAULT 0,
			PRIMARY KEY (recording_id),
			KEY idx_by (recorded_by, recording_id)
		) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin`,
	}
)

// SetConsent stores how recording id came to be recorded; a second call for
// the same recording (a transfer's second hook) keeps the first policy and
// adds an announcement.
func (c *Catalog) SetConsent(ctx context.Context, id int64, k recordings.Consent) error {
	if !recordings.ValidRecordedBy(k.RecordedBy) {
		return fmt.Errorf("set consent of %d: recorded by %q: %w", id, clip(k.RecordedBy, 20), recordings.ErrInvalid)
	}
	announced := 0
	if k.Announced {
		announced = 1
	}
	q := `INSERT INTO totalrec_consent (recording_id, recorded_by, announced) VALUES (?, ?, ?)
		ON CONFLICT (recording_id) DO UPDATE SET announced = MAX(announced, excluded.announced)`
	if c.dialect == DialectMySQL {
		q = `INSERT INTO totalrec_consent (recording_id, recorded_by, announced) VALUES (?, ?, ?)
			ON DUPLICATE KEY UPDATE announced = GREATEST(announced, VALUES(announced))`
	}
	if _, err := c.db.ExecContext(ctx, q, id, k.RecordedBy, announced); err != nil {
		return fmt.Errorf("set consent of %d: %w", id, err)
	}
	return nil
}

// ConsentOf returns how recording id came to be recorded; the zero Consent when
// nobody said.
func (c *Catalog) ConsentOf(ctx context.Context, id int64) (recordings.Consent, error) {
	var (
		k         recordings.Consent
		announced int
	)
	err := c.rdb.QueryRowContext(ctx, `SELECT recorded_by, announced FROM totalrec_consent WHERE recording_id = ?`, id).Scan(&k.RecordedBy, &announced)
	if errors.Is(err, sql.ErrNoRows) {
		return k, nil
	}
	if err != nil {
		return k, fmt.Errorf("consent of %d: %w", id, err)
	}
	k.Announced = announced != 0
	return k, nil
}
