package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

// A search by number or extension, sorted by time and filtered by nothing else
// but the time range and the state classes, is answered from totalrec_numbers:
// its primary key (num_rev, call_time, recording_id) holds the matches in time
// order, and each key's presence says whether the search shows it. The count reads
// keys only, the page reads the keys of one page and then fetches those recordings
// by primary key. The general plan (searchWhere) joins every match to its
// recording first: thousands of random reads for a busy extension over a month.

// keyDriven reports whether q is such a search. Any filter it does not name sends
// the search to the general plan, including filters added to Query later.
func keyDriven(q recordings.Query, spec sortSpec) bool {
	if (q.Number == "") == (q.Ext == "") || spec.col != "r.call_time" {
		return false
	}
	rest := q
	rest.Number, rest.Ext, rest.Sort, rest.Limit, rest.After = "", "", "", 0, ""
	rest.Since, rest.Until = time.Time{}, time.Time{}
	rest.HideEmpty, rest.WithDeleted, rest.Node = false, false, ""
	if rest.Scope != nil && rest.Scope.All {
		rest.Scope = nil
	}
	if len(rest.Types) == 0 {
		rest.Types = nil
	}
	return reflect.DeepEqual(rest, recordings.Query{})
}

// keyBranches is how many distinct keys a number's suffix may match and still be
// paged key by key, each key's matches read in its own time order; a suffix that
// matches more keys is paged by sorting every match in the range. A variable so
// that tests can take either way.
var keyBranches = 16

// keyStatements builds the count and the page of a keyDriven search.
func (c *Catalog) keyStatements(ctx context.Context, q recordings.Query, st searchStatements, spec sortSpec, after *cursor) (searchStatements, error) {
	if err := checkFilters(q); err != nil {
		return st, err
	}
	// The keys: one for an extension; for a number, the keys that start with the
	// reversed suffix (as in searchWhere), listed when there are few.
	var keys []string
	var lo, hi string
	if q.Ext != "" {
		key, err := extKey(q.Ext)
		if err != nil {
			return st, err
		}
		keys = []string{key}
	} else {
		suffix, err := NumberSuffix(q.Number)
		if err != nil {
			return st, err
		}
		lo = reverse(suffix)
		hi = lo + ":"
		if keys, err = c.keysIn(ctx, lo, hi, keyBranches+1); err != nil {
			return st, err
		}
		if len(keys) > keyBranches {
			keys = nil
		}
	}

	var rest where // every condition but the key's
	switch {
	case !q.WithDeleted && q.HideEmpty:
		rest.add(fmt.Sprintf(`n.presence = %d`, presenceAudio))
	case !q.WithDeleted:
		rest.add(fmt.Sprintf(`n.presence IN (%d, %d)`, presenceAudio, presenceEmpty))
	case q.HideEmpty:
		rest.add(fmt.Sprintf(`n.presence <> %d`, presenceEmpty))
	}
	if q.Node != "" {
		rest.add(`n.node = ?`, q.Node)
	}
	if !q.Since.IsZero() {
		rest.add(`n.call_time >= ?`, c.timeArg(clampTime(q.Since)))
	}
	if !q.Until.IsZero() {
		rest.add(`n.call_time < ?`, c.timeArg(clampTime(q.Until)))
	}
	// inRange matches the whole suffix range; a recording may have two keys in it
	// (two numbers ending alike), hence DISTINCT.
	inRange := func(w where) (string, where) {
		return "DISTINCT ", keyCond(`n.num_rev >= ? AND n.num_rev < ?`, lo, hi).and(w)
	}

	if len(keys) == 1 {
		all := keyCond(`n.num_rev = ?`, keys[0]).and(rest)
		st.count = `SELECT COUNT(*) FROM (SELECT 1 AS one FROM totalrec_numbers n` + all.sql() + ` LIMIT ?) capped`
		st.countArgs = append(all.args, TotalCap+1)
	} else {
		distinct, all := inRange(rest)
		st.count = `SELECT COUNT(*) FROM (SELECT ` + distinct + `n.recording_id FROM totalrec_numbers n` +
			all.sql() + ` LIMIT ?) capped`
		st.countArgs = append(all.args, TotalCap+1)
	}

	dir, lt, lte := "", ">", ">="
	if spec.desc {
		dir, lt, lte = " DESC", "<", "<="
	}
	if after != nil {
		t := after.time()
		rest.add(`n.call_time `+lte+` ?`, c.timeArg(t))
		rest.add(`(n.call_time `+lt+` ? OR n.recording_id `+lt+` ?)`, c.timeArg(t), after.ID)
	}
	order := ` ORDER BY n.call_time` + dir + `, n.recording_id` + dir + ` LIMIT ?`
	var inner []string
	var args []any
	if len(keys) > 0 {
		// One page of each key, in the key's index order; UNION drops a recording
		// that two keys found twice, and the outer query keeps the first page of all.
		for i, key := range keys {
			w := keyCond(`n.num_rev = ?`, key).and(rest)
			inner = append(inner, fmt.Sprintf(`SELECT call_time, recording_id FROM (SELECT n.call_time, n.recording_id
				FROM totalrec_numbers n%s%s) b%d`, w.sql(), order, i))
			args = append(append(args, w.args...), st.limit+1)
		}
	} else {
		distinct, w := inRange(rest)
		inner = append(inner, `SELECT `+distinct+`n.call_time, n.recording_id FROM totalrec_numbers n`+w.sql()+order)
		args = append(w.args, st.limit+1)
	}
	st.page = `SELECT ` + recordingCols + ` FROM (` + strings.Join(inner, " UNION ") + `) k
		JOIN totalrec_recordings r ON r.id = k.recording_id ORDER BY k.call_time` + dir + `, k.recording_id` + dir + ` LIMIT ?`
	st.pageArgs = append(args, st.limit+1)
	return st, nil
}

// keyCond starts the conditions of a search on the number keys.
func keyCond(cond string, args ...any) where { return where{conds: []string{cond}, args: args} }

// and returns w's conditions followed by more's.
func (w where) and(more where) where {
	return where{conds: append(slices.Clone(w.conds), more.conds...), args: append(slices.Clone(w.args), more.args...)}
}

// keysIn lists the distinct number keys in [lo, hi), in order, at most max of
// them: one index seek each.
func (c *Catalog) keysIn(ctx context.Context, lo, hi string, max int) ([]string, error) {
	var keys []string
	from, op := lo, ">="
	for len(keys) < max {
		var k sql.NullString
		err := c.rdb.QueryRowContext(ctx, `SELECT MIN(num_rev) FROM totalrec_numbers WHERE num_rev `+op+` ? AND num_rev < ?`,
			from, hi).Scan(&k)
		if err != nil {
			return nil, fmt.Errorf("list number keys: %w", err)
		}
		if !k.Valid {
			break
		}
		keys = append(keys, k.String)
		from, op = k.String, ">"
	}
	return keys, nil
}

// The presence of each number key, and its backfill: migration step 7.
var (
	sqlitePresenceV1 = []string{
		`ALTER TABLE totalrec_numbers ADD COLUMN presence INTEGER NOT NULL DEFAULT 1`,
		`UPDATE totalrec_numbers SET presence = COALESCE((SELECT ` + presenceSQL +
			` FROM totalrec_recordings WHERE id = totalrec_numbers.recording_id), 0)`,
	}
	mysqlPresenceV1 = []string{
		`ALTER TABLE totalrec_numbers ADD COLUMN IF NOT EXISTS presence TINYINT NOT NULL DEFAULT 1`,
		`UPDATE totalrec_numbers n JOIN totalrec_recordings r ON r.id = n.recording_id SET n.presence = ` + presenceSQL,
	}

	// Each key carries its recording's node, so that a search of one node's
	// recordings by number or extension stays on the numbers index: the key's
	// range is read in time order and filtered in the row, never joined first.
	sqliteKeyNodeV1 = []string{
		`ALTER TABLE totalrec_numbers ADD COLUMN node TEXT NOT NULL DEFAULT ''`,
		`UPDATE totalrec_numbers SET node = (SELECT r.node FROM totalrec_recordings r WHERE r.id = totalrec_numbers.recording_id)
			WHERE recording_id IN (SELECT id FROM totalrec_recordings WHERE node <> '')`,
	}
	mysqlKeyNodeV1 = []string{
		`ALTER TABLE totalrec_numbers ADD COLUMN IF NOT EXISTS node VARBINARY(64) NOT NULL DEFAULT ''`,
		`UPDATE totalrec_numbers n JOIN totalrec_recordings r ON r.id = n.recording_id SET n.node = r.node WHERE r.node <> ''`,
	}

	// The time index carries the node too, so that one node's time-ordered search
	// and its capped count filter on the index, as the state filter does.
	sqliteTimeNodeV1 = []string{
		`DROP INDEX IF EXISTS totalrec_recordings_time`,
		`CREATE INDEX totalrec_recordings_time ON totalrec_recordings (call_time, id, state, duration_ms, cdr_disposition, node)`,
	}
	mysqlTimeNodeV1 = []string{
		`ALTER TABLE totalrec_recordings DROP INDEX idx_time, ADD INDEX idx_time (call_time, id, state, duration_ms, cdr_disposition, node)`,
	}
)
