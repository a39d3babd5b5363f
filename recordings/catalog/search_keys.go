package catalog

import (
	"fmt"
	"reflect"
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
	rest.HideEmpty, rest.WithDeleted = false, false
	if rest.Scope != nil && rest.Scope.All {
		rest.Scope = nil
	}
	if len(rest.Types) == 0 {
		rest.Types = nil
	}
	return reflect.DeepEqual(rest, recordings.Query{})
}

// keyStatements builds the count and the page of a keyDriven search.
func (c *Catalog) keyStatements(q recordings.Query, st searchStatements, spec sortSpec, after *cursor) (searchStatements, error) {
	if err := checkFilters(q); err != nil {
		return st, err
	}
	var all where
	distinct := ""
	if q.Ext != "" {
		key, err := extKey(q.Ext)
		if err != nil {
			return st, err
		}
		all.add(`n.num_rev = ?`, key)
	} else {
		suffix, err := NumberSuffix(q.Number)
		if err != nil {
			return st, err
		}
		// As in searchWhere: the keys that start with the reversed suffix. A
		// recording may have two of them (two numbers ending alike): DISTINCT.
		lo := reverse(suffix)
		all.add(`n.num_rev >= ? AND n.num_rev < ?`, lo, lo+":")
		distinct = "DISTINCT "
	}
	switch {
	case !q.WithDeleted && q.HideEmpty:
		all.add(fmt.Sprintf(`n.presence = %d`, presenceAudio))
	case !q.WithDeleted:
		all.add(fmt.Sprintf(`n.presence IN (%d, %d)`, presenceAudio, presenceEmpty))
	case q.HideEmpty:
		all.add(fmt.Sprintf(`n.presence <> %d`, presenceEmpty))
	}
	if !q.Since.IsZero() {
		all.add(`n.call_time >= ?`, c.timeArg(clampTime(q.Since)))
	}
	if !q.Until.IsZero() {
		all.add(`n.call_time < ?`, c.timeArg(clampTime(q.Until)))
	}
	st.count = `SELECT COUNT(*) FROM (SELECT ` + distinct + `n.recording_id FROM totalrec_numbers n` +
		all.sql() + ` LIMIT ?) capped`
	st.countArgs = append(append([]any{}, all.args...), TotalCap+1)

	w := all
	dir, lt, lte := "", ">", ">="
	if spec.desc {
		dir, lt, lte = " DESC", "<", "<="
	}
	if after != nil {
		t := after.time()
		w.conds = append([]string{}, all.conds...)
		w.args = append([]any{}, all.args...)
		w.add(`n.call_time `+lte+` ?`, c.timeArg(t))
		w.add(`(n.call_time `+lt+` ? OR n.recording_id `+lt+` ?)`, c.timeArg(t), after.ID)
	}
	st.page = `SELECT ` + recordingCols + ` FROM (SELECT ` + distinct + `n.call_time, n.recording_id
		FROM totalrec_numbers n` + w.sql() + ` ORDER BY n.call_time` + dir + `, n.recording_id` + dir + ` LIMIT ?) k
		JOIN totalrec_recordings r ON r.id = k.recording_id ORDER BY k.call_time` + dir + `, k.recording_id` + dir
	st.pageArgs = append(append([]any{}, w.args...), st.limit+1)
	return st, nil
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
)
