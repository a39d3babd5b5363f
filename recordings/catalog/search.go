package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/totalrec/totalrec/internal/sqlrows"
	"github.com/totalrec/totalrec/recordings"
)

// TotalCap is where Search stops counting matches. The other limits of a search
// are recordings.DefaultLimit, MaxLimit, MaxTypes and MaxFilterText.
const TotalCap = 10000

// sortSpec is one sort order: its ORDER BY and the keyset condition after a cursor.
type sortSpec struct {
	col  string // r.call_time or r.duration_ms
	desc bool
}

var sorts = map[recordings.Sort]sortSpec{
	recordings.SortTimeDesc:     {"r.call_time", true},
	recordings.SortTimeAsc:      {"r.call_time", false},
	recordings.SortDurationDesc: {"r.duration_ms", true},
	recordings.SortDurationAsc:  {"r.duration_ms", false},
}

// where collects AND-ed conditions and their arguments.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// timeBound is a condition on the call time: "call_time op t".
type timeBound struct {
	op string
	t  time.Time
}

// Search returns one page of recordings matching q, and the number of matches up to
// TotalCap. Errors from bad filters or cursors are *recordings.QueryError.
func (c *Catalog) Search(ctx context.Context, q recordings.Query) (recordings.Page, error) {
	st, spec, after, err := prepareSearch(q)
	if err != nil {
		return recordings.Page{}, fmt.Errorf("search: %w", err)
	}
	if keyDriven(q, spec) {
		return c.searchByKeys(ctx, q, st, spec, after)
	}
	if st, err = c.generalStatements(q, st, spec, after); err != nil {
		return recordings.Page{}, fmt.Errorf("search: %w", err)
	}
	return c.runSearch(ctx, c.rdb, st)
}

// searchByKeys runs a keyDriven search on the number keys. On SQLite, while some
// keys wait for their sweep (key_sweep.go), it takes the general plan instead; the
// check, the count and the page then read one snapshot, in one read transaction.
func (c *Catalog) searchByKeys(ctx context.Context, q recordings.Query, st searchStatements, spec sortSpec, after *cursor) (recordings.Page, error) {
	keys, err := c.keyStatements(ctx, q, st, spec, after)
	if err != nil {
		return recordings.Page{}, fmt.Errorf("search: %w", err)
	}
	if c.dialect != DialectSQLite {
		return c.runSearch(ctx, c.rdb, keys)
	}
	tx, err := c.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return recordings.Page{}, fmt.Errorf("search: %w", err)
	}
	defer tx.Rollback()
	pending, err := keysPending(ctx, tx)
	if err != nil {
		return recordings.Page{}, fmt.Errorf("search: %w", err)
	}
	if pending {
		if keys, err = c.generalStatements(q, st, spec, after); err != nil {
			return recordings.Page{}, fmt.Errorf("search: %w", err)
		}
	}
	return c.runSearch(ctx, tx, keys)
}

// reader is *sql.DB or *sql.Tx.
type reader interface {
	sqlrows.Querier
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// runSearch runs a search's two statements on db (the read pool, or a read
// transaction).
func (c *Catalog) runSearch(ctx context.Context, db reader, st searchStatements) (recordings.Page, error) {
	var page recordings.Page
	if err := db.QueryRowContext(ctx, st.count, st.countArgs...).Scan(&page.Total); err != nil {
		return page, fmt.Errorf("search: count: %w", err)
	}
	if page.Total > TotalCap {
		page.Total, page.TotalCapped = TotalCap, true
	}
	items, err := sqlrows.All(ctx, db, scanRecording, st.page, st.pageArgs...)
	if err != nil {
		return page, fmt.Errorf("search: %w", err)
	}
	if len(items) > st.limit {
		items = items[:st.limit]
		page.Next = encodeCursor(st.sort, items[st.limit-1])
	}
	page.Items = items
	return page, nil
}

// searchStatements holds the two statements of a search.
type searchStatements struct {
	count, page         string
	countArgs, pageArgs []any
	limit               int
	sort                recordings.Sort
}

// prepareSearch checks q and reads its sort, page size and cursor.
func prepareSearch(q recordings.Query) (st searchStatements, spec sortSpec, after *cursor, err error) {
	if err = q.Validate(); err != nil {
		return st, spec, nil, err
	}
	st = searchStatements{sort: q.Sort, limit: q.Limit}
	if st.sort == "" {
		st.sort = recordings.SortTimeDesc
	}
	spec, ok := sorts[st.sort]
	if !ok {
		return st, spec, nil, recordings.Invalidf("sort", "%q is not a sort order", clip(string(q.Sort), 20))
	}
	switch {
	case st.limit <= 0:
		st.limit = recordings.DefaultLimit
	case st.limit > recordings.MaxLimit:
		st.limit = recordings.MaxLimit
	}
	if q.After != "" {
		cur, err := decodeCursor(st.sort, q.After)
		if err != nil {
			return st, spec, nil, err
		}
		after = &cur
	}
	return st, spec, after, nil
}

// generalStatements builds the count and the page of any search: every filter is
// a condition on the recording (see searchWhere).
func (c *Catalog) generalStatements(q recordings.Query, st searchStatements, spec sortSpec, after *cursor) (searchStatements, error) {
	all, err := c.searchWhere(q, spec, nil)
	if err != nil {
		return st, err
	}
	st.count = `SELECT COUNT(*) FROM (SELECT 1 AS one FROM totalrec_recordings r` + all.sql() + ` LIMIT ?) capped`
	st.countArgs = append(append([]any{}, all.args...), TotalCap+1)
	w := all
	if after != nil {
		if w, err = c.searchWhere(q, spec, after); err != nil {
			return st, err
		}
	}
	dir := ""
	if spec.desc {
		dir = " DESC"
	}
	st.page = `SELECT ` + recordingCols + ` FROM totalrec_recordings r` + w.sql() +
		` ORDER BY ` + spec.col + dir + `, r.id` + dir + ` LIMIT ?`
	st.pageArgs = append(append([]any{}, w.args...), st.limit+1)
	return st, nil
}

// searchWhere turns q's filters, and the cursor when given, into conditions.
func (c *Catalog) searchWhere(q recordings.Query, spec sortSpec, after *cursor) (where, error) {
	var w where
	if err := checkFilters(q); err != nil {
		return w, err
	}
	switch {
	case !q.WithDeleted && q.HideEmpty:
		w.add(`r.state IN ('ok', 'writing', 'corrupt')`)
	case !q.WithDeleted:
		w.add(`r.state IN ('ok', 'writing', 'corrupt', 'empty')`)
	case q.HideEmpty:
		w.add(`r.state <> 'empty'`)
	}

	var bounds []timeBound
	if !q.Since.IsZero() {
		bounds = append(bounds, timeBound{">=", clampTime(q.Since)})
	}
	if !q.Until.IsZero() {
		bounds = append(bounds, timeBound{"<", clampTime(q.Until)})
	}
	if after != nil {
		lt, lte := "<", "<="
		if !spec.desc {
			lt, lte = ">", ">="
		}
		if after.isTime() {
			// The bound (call_time <= t, added below) is the index range; this
			// condition breaks ties by id.
			t := after.time()
			w.add(`(r.call_time `+lt+` ? OR r.id `+lt+` ?)`, c.timeArg(t), after.ID)
			bounds = append(bounds, timeBound{lte, t})
		} else {
			w.add(`r.duration_ms `+lte+` ? AND (r.duration_ms `+lt+` ? OR r.id `+lt+` ?)`,
				after.Key, after.Key, after.ID)
		}
	}
	for _, b := range bounds {
		w.add(`r.call_time `+b.op+` ?`, c.timeArg(b.t))
	}

	if q.Number != "" {
		suffix, err := NumberSuffix(q.Number)
		if err != nil {
			return w, err
		}
		lo := reverse(suffix)
		// Keys are digits only and ':' sorts right after '9': [lo, lo+":") holds
		// exactly the keys that start with lo, i.e. the numbers ending in suffix.
		cond, args := c.numberFilter(`n.num_rev >= ? AND n.num_rev < ?`, bounds, lo, lo+":")
		w.add(cond, args...)
	}
	if q.Text != "" {
		like := "%" + likeEscaper.Replace(strings.ToLower(q.Text)) + "%"
		w.add(`(LOWER(r.cdr_cnam) LIKE ? ESCAPE '!' OR LOWER(r.cdr_accountcode) LIKE ? ESCAPE '!' OR LOWER(r.cdr_userfield) LIKE ? ESCAPE '!')`,
			like, like, like)
	}
	if q.Ext != "" {
		key, err := extKey(q.Ext)
		if err != nil {
			return w, err
		}
		cond, args := c.numberFilter(`n.num_rev = ?`, bounds, key)
		w.add(cond, args...)
	}
	if len(q.Types) > 0 {
		args := make([]any, len(q.Types))
		for i, t := range q.Types {
			args[i] = t
		}
		w.add(`r.name_type IN `+placeholders(1, len(args)), args...)
	}
	if q.Direction != recordings.DirUnknown {
		w.add(`r.direction = ?`, string(q.Direction))
	}
	if q.MinDuration > 0 {
		w.add(`r.duration_ms >= ?`, q.MinDuration.Milliseconds())
	}
	if q.MaxDuration > 0 {
		w.add(`r.duration_ms <= ?`, q.MaxDuration.Milliseconds())
	}
	if q.Disposition != "" {
		w.add(`r.cdr_disposition = ?`, q.Disposition)
	}
	if q.Format != "" {
		w.add(`r.format = ?`, string(q.Format))
	}
	if q.LinkedID != "" {
		w.add(`r.linkedid = ?`, q.LinkedID)
	}
	if q.Node != "" {
		w.add(`r.node = ?`, q.Node)
	}
	if q.RecordedBy != "" {
		w.add(`r.id IN (SELECT k.recording_id FROM totalrec_consent k WHERE k.recorded_by = ?)`, q.RecordedBy)
	}
	if q.Scope != nil && !q.Scope.All {
		cond, args := c.scopeFilter(*q.Scope, bounds)
		w.add(cond, args...)
	}
	return w, nil
}

// numberFilter restricts r.id to recordings with a number key matching keyCond and
// the same call-time bounds as the outer query, so that the date range is checked on
// the numbers index rather than after the join.
func (c *Catalog) numberFilter(keyCond string, bounds []timeBound, keyArgs ...any) (string, []any) {
	var b strings.Builder
	b.WriteString(`r.id IN (SELECT n.recording_id FROM totalrec_numbers n WHERE ` + keyCond)
	args := keyArgs
	for _, tb := range bounds {
		b.WriteString(` AND n.call_time ` + tb.op + ` ?`)
		args = append(args, c.timeArg(tb.t))
	}
	b.WriteString(`)`)
	return b.String(), args
}

// checkFilters refuses filters that no row can match because they are malformed.
func checkFilters(q recordings.Query) error {
	switch {
	case !q.Since.IsZero() && !q.Until.IsZero() && q.Until.Before(q.Since):
		return recordings.Invalidf("until", "before since")
	case q.MinDuration < 0 || q.MaxDuration < 0:
		return recordings.Invalidf("duration", "negative")
	case q.MaxDuration > 0 && q.MaxDuration < q.MinDuration:
		return recordings.Invalidf("max_duration", "below min_duration")
	}
	texts := []struct {
		field, v string
		max      int
	}{
		{"number", q.Number, recordings.MaxFilterText}, {"ext", q.Ext, recordings.MaxFilterText},
		{"text", q.Text, recordings.MaxFilterText},
		{"direction", string(q.Direction), lenShort}, {"disposition", q.Disposition, lenDisp},
		{"format", string(q.Format), lenShort}, {"linkedid", q.LinkedID, lenID}, {"recorded_by", q.RecordedBy, lenShort},
	}
	for _, t := range q.Types {
		texts = append(texts, struct {
			field, v string
			max      int
		}{"type", t, lenType})
	}
	for _, t := range texts {
		if !utf8.ValidString(t.v) {
			return recordings.Invalidf(t.field, "not UTF-8")
		}
		if utf8.RuneCountInString(t.v) > t.max {
			return recordings.Invalidf(t.field, "longer than %d characters", t.max)
		}
	}
	return nil
}

// likeEscaper escapes LIKE's wildcards, and its escape character ('!': the
// one both dialects read the same in a string literal), in a text filter.
var likeEscaper = strings.NewReplacer("!", "!!", "%", "!%", "_", "!_")

// The userfield of a recording's CDR row, for Query.Text: migration step 6.
var (
	sqliteUserFieldV1 = []string{`ALTER TABLE totalrec_recordings ADD COLUMN cdr_userfield TEXT NOT NULL DEFAULT ''`}
	mysqlUserFieldV1  = []string{`ALTER TABLE totalrec_recordings ADD COLUMN IF NOT EXISTS cdr_userfield VARCHAR(255) NOT NULL DEFAULT '' AFTER cdr_accountcode`}
)
