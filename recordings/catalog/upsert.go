package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/totalrec/totalrec/internal/sqlrows"
	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/faultpoint"
)

// upsertRows is the number of recordings per multi-row statement: 200 × 39 columns
// stays under SQLite's 32766 and MySQL's 65535 placeholders.
const upsertRows = 200

// insertCols are the columns an upsert binds, in upsertArgs order.
var insertCols = append([]string{
	"node", "storage", "path", "dir", "size", "mtime", "format", "duration_ms", "state",
	"name_type", "name_dest", "name_from", "name_time", "uniqueid", "linkedid", "call_time",
	"direction", "cdr_status", "cdr_attempts", "next_cdr_at",
}, append(cdrCols, "held", "deleted_at", "deleted_reason", "created_at", "updated_at")...)

// Upsert inserts or refreshes recordings keyed by (Node, Path), in one transaction,
// and reports how many rows were new and how many already existed.
//
// On an existing row it always refreshes what the file says: size, mtime,
// format, duration, state (so a file back from "missing" gets its probed state
// again), name fields, uniqueid, direction and call time. Everything else is kept
// unless the incoming record carries it:
//   - Storage: set on a new row only; the archiver moves a recording between the
//     spool and the bucket (SwitchToArchive, SwitchToLocal).
//   - CDR fields, cdr status/attempts/next attempt: replaced only when CDRStatus is
//     set; a record with CDRStatus "" leaves them as they are (new rows get
//     "pending", due now).
//   - call time: when the name holds no time and the kept CDR is linked, the CDR's
//     call date stays the call time (it is more trustworthy than an mtime).
//   - LinkedID: replaced when non-empty.
//   - Held: set when true; never cleared here (see SetHeld).
//   - DeletedAt/DeletedReason: replaced when DeletedAt is set; cleared when the
//     incoming state is a live one (the file is on disk again); kept otherwise.
//
// CallTime falls back to the name's time, then a linked CDR's call date, then ModTime;
// a record with none of them, or with a bad path, is refused with ErrInvalid and
// nothing is written. Within one batch the last record for a key wins.
func (c *Catalog) Upsert(ctx context.Context, recs []recordings.Recording) (inserted, updated int, err error) {
	recs, err = prepareBatch(recs)
	if err != nil {
		return 0, 0, fmt.Errorf("upsert recordings: %w", err)
	}
	now := c.now()
	c.prepareNoted(ctx)
	faultpoint.Hit("catalog.upsert.begin")
	// Concurrent upserts (the hook's and a scan's) insert number keys in no common
	// order: InnoDB may roll one back as a deadlock, and it runs again.
	err = c.inTxAgain(ctx, func(tx *sql.Tx) (err error) {
		inserted, updated, err = c.upsertAll(ctx, tx, recs, now)
		return err
	})
	faultpoint.Hit("catalog.upsert.committed")
	if err != nil {
		return 0, 0, fmt.Errorf("upsert recordings: %w", err)
	}
	return inserted, updated, nil
}

// upsertAll writes recs in chunks within tx and counts the new and existing rows.
func (c *Catalog) upsertAll(ctx context.Context, tx *sql.Tx, recs []recordings.Recording, now time.Time) (inserted, updated int, err error) {
	for start := 0; start < len(recs); start += upsertRows {
		ins, upd, err := c.upsertChunk(ctx, tx, recs[start:min(start+upsertRows, len(recs))], now)
		if err != nil {
			return 0, 0, err
		}
		inserted += ins
		updated += upd
		faultpoint.Hit("catalog.upsert.chunk.after")
	}
	return inserted, updated, nil
}

// prepareBatch validates, fills the call time and keeps the last record per key.
func prepareBatch(recs []recordings.Recording) ([]recordings.Recording, error) {
	out := make([]recordings.Recording, 0, len(recs))
	seen := make(map[[2]string]int, len(recs))
	for _, r := range recs {
		if err := checkNode(r.Node); err != nil {
			return nil, err
		}
		if err := checkPath(r.Path); err != nil {
			return nil, err
		}
		if r.CallTime.IsZero() {
			switch {
			case !r.Name.Time.IsZero():
				r.CallTime = r.Name.Time
			case r.CDRStatus == recordings.CDRLinked && !r.CDR.CallDate.IsZero():
				r.CallTime = r.CDR.CallDate
			default:
				r.CallTime = r.ModTime
			}
		}
		if r.CallTime.IsZero() {
			return nil, fmt.Errorf("%s: no call time and no mtime: %w", r.Path, recordings.ErrInvalid)
		}
		if r.ModTime.IsZero() {
			r.ModTime = r.CallTime
		}
		for _, t := range []struct {
			f string
			t time.Time
		}{{"call time", r.CallTime}, {"mtime", r.ModTime}, {"name time", r.Name.Time},
			{"cdr call date", r.CDR.CallDate}, {"deleted at", r.DeletedAt}} {
			if err := checkTime(r.Path+": "+t.f, t.t); err != nil {
				return nil, err
			}
		}
		if r.State == "" {
			return nil, fmt.Errorf("%s: no state: %w", r.Path, recordings.ErrInvalid)
		}
		if r.Storage == "" {
			r.Storage = "local"
		}
		key := [2]string{r.Node, r.Path}
		if i, ok := seen[key]; ok {
			out[i] = r
			continue
		}
		seen[key] = len(out)
		out = append(out, r)
	}
	return out, nil
}

func (c *Catalog) upsertChunk(ctx context.Context, tx *sql.Tx, recs []recordings.Recording, now time.Time) (ins, upd int, err error) {
	existing, err := c.countKeys(ctx, tx, recs)
	if err != nil {
		return 0, 0, err
	}
	// Records that carry CDR data and records that do not need different update
	// clauses; each kind goes in its own statement.
	var plain, withCDR []recordings.Recording
	for _, r := range recs {
		if r.CDRStatus == "" {
			plain = append(plain, r)
		} else {
			withCDR = append(withCDR, r)
		}
	}
	for _, group := range []struct {
		recs    []recordings.Recording
		withCDR bool
	}{{plain, false}, {withCDR, true}} {
		if len(group.recs) == 0 {
			continue
		}
		args := make([]any, 0, len(group.recs)*len(insertCols))
		for _, r := range group.recs {
			args = append(args, c.upsertArgs(r, now)...)
		}
		q := `INSERT INTO totalrec_recordings (` + strings.Join(insertCols, ", ") + `) VALUES ` +
			placeholders(len(group.recs), len(insertCols)) +
			c.upsertClause("node, path", c.updateSets(group.withCDR))
		if _, err := c.shaped(tx, recurring(len(group.recs), upsertRows)).ExecContext(ctx, q, args...); err != nil {
			return 0, 0, fmt.Errorf("write recordings: %w", err)
		}
	}
	faultpoint.Hit("catalog.upsert.rows.written")
	srcs, err := c.numberSourcesByKey(ctx, tx, recs)
	if err != nil {
		return 0, 0, err
	}
	if err := c.writeNumbers(ctx, tx, srcs); err != nil {
		return 0, 0, err
	}
	return len(recs) - existing, existing, nil
}

// upsertArgs binds one record in insertCols order.
func (c *Catalog) upsertArgs(r recordings.Recording, now time.Time) []any {
	// A record that carries no CDR data starts pending and due now; one that carries a
	// status other than pending is not due at all.
	status, next := r.CDRStatus, c.timeArg(now)
	if status == "" {
		status = recordings.CDRPending
	} else if status != recordings.CDRPending {
		next = nil
	}
	held := 0
	if r.Held {
		held = 1
	}
	args := []any{
		r.Node, clip(r.Storage, lenType), r.Path, dirOf(r.Path), r.Size, c.timeArg(r.ModTime),
		clip(string(r.Format), lenShort), r.Duration.Milliseconds(), clip(string(r.State), lenShort),
		clip(r.Name.Type, lenType), clip(r.Name.Dest, lenText), clip(r.Name.From, lenText),
		c.timeArg(r.Name.Time), clip(r.Name.UniqueID, lenID), clip(r.LinkedID, lenID),
		c.timeArg(r.CallTime), clip(string(r.Direction), lenShort), clip(string(status), lenShort),
		r.CDRAttempts, next,
	}
	args = append(args, c.cdrArgs(r.CDR)...)
	return append(args, held, c.timeArg(r.DeletedAt), clip(r.DeletedReason, lenText),
		c.timeArg(now), c.timeArg(now))
}

// updateSets returns the assignments for a row that already exists; the order matters
// on MySQL (see upsertClause): call_time reads cdr_status and cdr_calldate, so it comes
// before them.
func (c *Catalog) updateSets(withCDR bool) []string {
	in := c.incoming
	live := `'ok', 'writing', 'corrupt', 'empty'`
	callTime := `call_time = CASE WHEN ` + in("name_time") + ` IS NULL AND cdr_status = 'linked'
		AND cdr_calldate IS NOT NULL THEN cdr_calldate ELSE ` + in("call_time") + ` END`
	if withCDR {
		callTime = `call_time = ` + in("call_time")
	}
	sets := []string{callTime}
	for _, col := range []string{"size", "mtime", "format", "duration_ms", "state",
		"name_type", "name_dest", "name_from", "name_time", "uniqueid", "direction", "updated_at"} {
		sets = append(sets, col+" = "+in(col))
	}
	if withCDR {
		for _, col := range append([]string{"cdr_status", "cdr_attempts", "next_cdr_at"}, cdrCols...) {
			sets = append(sets, col+" = "+in(col))
		}
	}
	return append(sets,
		`linkedid = CASE WHEN `+in("linkedid")+` <> '' THEN `+in("linkedid")+` ELSE linkedid END`,
		`held = CASE WHEN `+in("held")+` = 1 THEN 1 ELSE held END`,
		`deleted_at = CASE WHEN `+in("deleted_at")+` IS NOT NULL THEN `+in("deleted_at")+
			` WHEN `+in("state")+` IN (`+live+`) THEN NULL ELSE deleted_at END`,
		`deleted_reason = CASE WHEN `+in("deleted_at")+` IS NOT NULL THEN `+in("deleted_reason")+
			` WHEN `+in("state")+` IN (`+live+`) THEN '' ELSE deleted_reason END`,
	)
}

// keysWhere returns "(node = ? AND path IN (…)) OR …" for the records' keys, and
// whether that shape recurs (one node, a full chunk or a single record).
func keysWhere(recs []recordings.Recording) (where string, args []any, repeat bool) {
	byNode := map[string][]any{}
	var nodes []string
	for _, r := range recs {
		if _, ok := byNode[r.Node]; !ok {
			nodes = append(nodes, r.Node)
		}
		byNode[r.Node] = append(byNode[r.Node], r.Path)
	}
	var conds []string
	for _, n := range nodes {
		conds = append(conds, `(node = ? AND path IN `+placeholders(1, len(byNode[n]))+`)`)
		args = append(append(args, n), byNode[n]...)
	}
	repeat = len(nodes) == 1 && recurring(len(recs), upsertRows)
	return strings.Join(conds, " OR "), args, repeat
}

// countKeys counts the records already catalogued.
func (c *Catalog) countKeys(ctx context.Context, tx *sql.Tx, recs []recordings.Recording) (int, error) {
	where, args, repeat := keysWhere(recs)
	var n int
	if err := c.shaped(tx, repeat).QueryRowContext(ctx, `SELECT COUNT(*) FROM totalrec_recordings WHERE `+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count existing recordings: %w", err)
	}
	return n, nil
}

// numberSourcesByKey reads back what the records' number keys are made of.
func (c *Catalog) numberSourcesByKey(ctx context.Context, tx *sql.Tx, recs []recordings.Recording) ([]numberSource, error) {
	where, args, repeat := keysWhere(recs)
	return queryNumberSources(ctx, c.shaped(tx, repeat), `SELECT `+numberSourceCols+` FROM totalrec_recordings WHERE `+where, args...)
}

func queryNumberSources(ctx context.Context, tx sqlrows.Querier, q string, args ...any) ([]numberSource, error) {
	out, err := sqlrows.All(ctx, tx, scanNumberSource, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read numbers: %w", err)
	}
	return out, nil
}
