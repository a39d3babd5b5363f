package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

// Settling retention's deletions, and the sweep of their number keys on SQLite.
//
// A number key's presence mirrors its recording's state (numbers.go), so that a
// search by number counts on the keys alone. On SQLite, updating it as each batch
// of deleted recordings is marked costs a write of nearly one page of the keys'
// table per key: the keys are in number order, a batch's recordings are one day's,
// their keys are scattered over the whole table, which is several times the
// writer's page cache, and every commit writes each page it changed again. A
// retention run of 180,000 recordings spent a third of its time there.
//
// So on SQLite SettleDeletions marks the recordings deleted and lists them in
// totalrec_key_sweep, and SweepKeys, at the end of the run, brings their keys'
// presence in step in one pass over the keys in their own order, so that each page
// is written once. Until it has, a search by number does not trust the
// keys' presence: while totalrec_key_sweep holds a row it takes the general plan,
// which reads each recording's state (keyDrivenNow). Nothing is counted or shown
// that its recording's state does not allow. On MySQL, whose pages are not
// rewritten whole at each commit, SettleDeletions updates the keys at once and
// nothing is listed.

// The keys to sweep: migration step 16 (the MySQL table stays empty).
var (
	sqliteKeySweepV1 = []string{
		`CREATE TABLE IF NOT EXISTS totalrec_key_sweep (recording_id INTEGER NOT NULL PRIMARY KEY)`,
	}
	mysqlKeySweepV1 = []string{
		`CREATE TABLE IF NOT EXISTS totalrec_key_sweep (recording_id BIGINT NOT NULL, PRIMARY KEY (recording_id)) ENGINE=InnoDB`,
	}
)

// SettleDeletions ends the claims of recordings whose files retention deleted, in
// one transaction: it adds files and bytes to the deleted counts of run (none when
// run is 0), and marks the claimed rows of byReason deleted at now with their
// reason. Only claimed rows change, so a run's record counts exactly the files
// whose claims it settled, whenever it is killed. On SQLite their number keys wait
// for SweepKeys.
func (c *Catalog) SettleDeletions(ctx context.Context, run, files, bytes int64, byReason map[string][]int64, now time.Time) error {
	if now.IsZero() {
		return fmt.Errorf("settle deletions: zero time: %w", recordings.ErrInvalid)
	}
	keys := `INSERT OR IGNORE INTO totalrec_key_sweep (recording_id)
		SELECT id FROM totalrec_recordings WHERE state = 'deleted' AND id IN `
	if c.dialect == DialectMySQL {
		keys = goneNumbers.q
	}
	err := c.inTxAgain(ctx, func(tx *sql.Tx) error {
		if run > 0 && (files != 0 || bytes != 0) {
			if _, err := tx.ExecContext(ctx, `UPDATE totalrec_retention_runs
				SET deleted_files = deleted_files + ?, deleted_bytes = deleted_bytes + ? WHERE id = ?`, files, bytes, run); err != nil {
				return err
			}
		}
		for reason, ids := range byReason {
			for start := 0; start < len(ids); start += idsPerStatement {
				part := ids[start:min(start+idsPerStatement, len(ids))]
				in := placeholders(1, len(part))
				args := []any{c.timeArg(now), clip(reason, lenText), c.timeArg(now)}
				for _, id := range part {
					args = append(args, id)
				}
				if _, err := tx.ExecContext(ctx, `UPDATE totalrec_recordings
					SET state = 'deleted', deleted_at = ?, deleted_reason = ?, updated_at = ?
					WHERE `+claimCond+` AND id IN `+in, args...); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, keys+in, args[3:]...); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("settle deletions: %w", err)
	}
	return nil
}

// sweepScanShare: when more recordings than one in sweepScanShare of the catalogue
// wait for the sweep, it goes through the whole keys' table in key order instead
// of seeking each recording's keys.
const sweepScanShare = 20

// sweepKeyChunk is about how many keys of the table one statement of such a sweep
// goes through: its changed pages, and the memory it holds, stay bounded. A
// variable so that tests can sweep in ranges of a few keys.
var sweepKeyChunk = 100000

// SweepKeys brings the presence of the number keys of the recordings that
// SettleDeletions listed in step with their state, and empties the list. It
// returns how many recordings it swept. A recording live again (its file came back
// and a scan caught it) keeps the presence its scan gave its keys. The caller holds
// the retention lock: nothing is listed while it sweeps. A sweep cut short leaves
// the list for the next one, and sweeping a key twice is harmless. On MySQL there
// is nothing to sweep.
func (c *Catalog) SweepKeys(ctx context.Context) (int64, error) {
	if c.dialect != DialectSQLite {
		return 0, nil
	}
	var n int64
	var maxID sql.NullInt64
	if err := c.db.QueryRowContext(ctx, `SELECT COUNT(*), (SELECT MAX(id) FROM totalrec_recordings) FROM totalrec_key_sweep`).
		Scan(&n, &maxID); err != nil || n == 0 {
		return 0, wrapSweep(err)
	}
	gone := strconv.Itoa(presenceGone)
	set := `SET presence = ` + gone + ` WHERE presence <> ` + gone
	listed := `SELECT s.recording_id FROM totalrec_key_sweep s JOIN totalrec_recordings r ON r.id = s.recording_id
		WHERE r.state IN ('missing', 'deleted')`
	if n*sweepScanShare <= maxID.Int64 {
		// A few: each recording's keys, found by the recording_id index.
		err := c.inTxAgain(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `UPDATE totalrec_numbers `+set+` AND recording_id IN (`+listed+`)`); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `DELETE FROM totalrec_key_sweep`)
			return err
		})
		return n, wrapSweep(err)
	}
	// Many: the table in key order, a range of about sweepKeyChunk keys per
	// statement, each key looked up in the list, so that each page is changed once
	// and no statement holds more than a range's pages. Reading in order needs no
	// cache: the pass runs with SQLite's default 2 MB, where filling the writer's
	// 24 MB would add that to a retention run's memory.
	conn, err := c.db.Conn(ctx)
	if err != nil {
		return 0, wrapSweep(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA cache_size = -2000`); err != nil {
		return 0, wrapSweep(err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf(`PRAGMA cache_size = -%d`, writerCacheKiB))
	for from := ""; ; {
		var to sql.NullString
		err := conn.QueryRowContext(ctx, `SELECT num_rev FROM totalrec_numbers WHERE num_rev > ? ORDER BY num_rev LIMIT 1 OFFSET ?`,
			from, sweepKeyChunk).Scan(&to)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return 0, wrapSweep(err)
		}
		keys, args := `num_rev >= ?`, []any{from}
		if to.Valid {
			keys, args = keys+` AND num_rev < ?`, append(args, to.String)
		}
		if _, err := conn.ExecContext(ctx, `UPDATE totalrec_numbers `+set+` AND `+keys+` AND EXISTS (
			SELECT 1 FROM totalrec_key_sweep s WHERE s.recording_id = totalrec_numbers.recording_id)`, args...); err != nil {
			return 0, wrapSweep(err)
		}
		if !to.Valid {
			break
		}
		from = to.String
	}
	// A listed recording live again gets back the presence of its state.
	if _, err := conn.ExecContext(ctx, `UPDATE totalrec_numbers SET presence = (SELECT `+presenceSQL+`
		FROM totalrec_recordings r WHERE r.id = totalrec_numbers.recording_id)
		WHERE recording_id IN (SELECT s.recording_id FROM totalrec_key_sweep s JOIN totalrec_recordings r
			ON r.id = s.recording_id WHERE r.state NOT IN ('missing', 'deleted'))`); err != nil {
		return 0, wrapSweep(err)
	}
	_, err = conn.ExecContext(ctx, `DELETE FROM totalrec_key_sweep`)
	return n, wrapSweep(err)
}

// wrapSweep names SweepKeys' errors; nil stays nil.
func wrapSweep(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("sweep number keys: %w", err)
}

// keysPending reports whether some recordings' number keys wait for SweepKeys.
func keysPending(ctx context.Context, tx *sql.Tx) (bool, error) {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM totalrec_key_sweep LIMIT 1`).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}
