package cdr

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/totalrec/totalrec/internal/sqlrows"
	"github.com/totalrec/totalrec/recordings"
)

// rowColumns are the columns a row query selects, in scan order. calldate comes first
// and is scanned raw; the next ones are text, the last two integers.
var rowColumns = [...]string{
	"calldate",
	"src", "dst", "cnum", "cnam", "did", "channel", "dstchannel", "lastapp",
	"disposition", "uniqueid", "linkedid", "accountcode", "userfield", "recordingfile",
	"duration", "billsec",
}

// buildSelectList selects every row column, reading an absent column and a NULL as
// an empty string or 0, so that one scan works for every table shape.
func (r *Reader) buildSelectList() string {
	exprs := make([]string, len(rowColumns))
	for i, c := range rowColumns {
		switch {
		case c == "calldate":
			exprs[i] = quote(c)
		case c == "duration" || c == "billsec":
			exprs[i] = fmt.Sprintf("COALESCE(%s, 0)", quote(c))
		case r.has[c]:
			exprs[i] = fmt.Sprintf("COALESCE(%s, '')", quote(c))
		default:
			exprs[i] = "''"
		}
		exprs[i] += " AS " + quote(c)
	}
	return strings.Join(exprs, ", ")
}

// Legs returns every row of the call that a recording belongs to, ordered by calldate
// then uniqueid: the rows whose uniqueid is uniqueid, whose linkedid is linkedid or
// uniqueid (when the table has linkedid; FreePBX's first channel's uniqueid is the call's
// linkedid), whose recordingfile is recordingfile (when the table has the column and
// the argument is not empty), and then every row that shares a linkedid with a row found.
// Empty arguments are not looked up; all three empty is recordings.ErrInvalid.
//
// Each lookup is its own indexed SELECT and the lookups are joined with UNION: MariaDB
// answers "uniqueid = ? OR linkedid = ?" with a full table scan, which takes tens of
// seconds on a large cdr table. A lookup on a column without an index still scans;
// Indexes and CreateIndex exist for that.
func (r *Reader) Legs(ctx context.Context, uniqueid, linkedid, recordingfile string) ([]recordings.CDR, error) {
	var where []string
	var args []any
	if uniqueid != "" {
		where, args = append(where, "uniqueid"), append(args, uniqueid)
	}
	asked := map[string]bool{}
	if r.has["linkedid"] {
		for _, id := range []string{linkedid, uniqueid} {
			if id != "" && !asked[id] {
				asked[id] = true
				where, args = append(where, "linkedid"), append(args, id)
			}
		}
	}
	if r.has["recordingfile"] && recordingfile != "" {
		where, args = append(where, "recordingfile"), append(args, recordingfile)
	}
	if len(where) == 0 {
		return nil, fmt.Errorf("look up cdr legs: no uniqueid, linkedid or recording file: %w", recordings.ErrInvalid)
	}
	legs, err := r.lookup(ctx, where, args)
	if err != nil {
		return nil, err
	}
	// Rows found by uniqueid or recordingfile lead to the rest of the call; one more
	// round suffices because every row it returns has a linkedid already asked for.
	var more []string
	var moreArgs []any
	for _, l := range legs {
		if l.LinkedID != "" && !asked[l.LinkedID] {
			asked[l.LinkedID] = true
			more, moreArgs = append(more, "linkedid"), append(moreArgs, l.LinkedID)
		}
	}
	if len(more) > 0 {
		rest, err := r.lookup(ctx, more, moreArgs)
		if err != nil {
			return nil, err
		}
		legs = append(legs, rest...)
	}
	return sortUnique(legs), nil
}

// lookup runs one "column = ?" SELECT per entry of where, joined by UNION.
func (r *Reader) lookup(ctx context.Context, where []string, args []any) ([]recordings.CDR, error) {
	parts := make([]string, len(where))
	for i, col := range where {
		parts[i] = fmt.Sprintf("SELECT %s FROM %s WHERE %s = ?", r.selectList, quote(r.table), quote(col))
	}
	legs, err := sqlrows.All(ctx, r.db, r.scanLeg, strings.Join(parts, " UNION "), args...)
	if err != nil {
		return nil, fmt.Errorf("query cdr legs: %w", err)
	}
	return legs, nil
}

// scanLeg reads a row of selectList.
func (r *Reader) scanLeg(s sqlrows.Scanner) (recordings.CDR, error) {
	var c recordings.CDR
	var calldate any
	var duration, billsec int64
	err := s.Scan(&calldate,
		&c.Src, &c.Dst, &c.CNum, &c.CNam, &c.DID, &c.Channel, &c.DstChannel, &c.LastApp,
		&c.Disposition, &c.UniqueID, &c.LinkedID, &c.AccountCode, &c.UserField, &c.RecordingFile,
		&duration, &billsec)
	if err != nil {
		return c, fmt.Errorf("scan cdr row: %w", err)
	}
	if c.CallDate, err = parseCallDate(calldate, r.loc); err != nil {
		return c, fmt.Errorf("read calldate of %s: %w", c.UniqueID, err)
	}
	c.Duration, c.Billsec = int(duration), int(billsec)
	return c, nil
}

// sortUnique orders legs by calldate, uniqueid and channel, dropping exact duplicates
// (UNION removes them within one query, not across the two rounds).
func sortUnique(legs []recordings.CDR) []recordings.CDR {
	seen := make(map[recordings.CDR]bool, len(legs))
	legs = slices.DeleteFunc(legs, func(c recordings.CDR) bool {
		dup := seen[c]
		seen[c] = true
		return dup
	})
	slices.SortStableFunc(legs, func(a, b recordings.CDR) int {
		return cmp.Or(a.CallDate.Compare(b.CallDate), cmp.Compare(a.UniqueID, b.UniqueID),
			cmp.Compare(a.Channel, b.Channel), cmp.Compare(a.DstChannel, b.DstChannel))
	})
	return legs
}

// parseCallDate reads a calldate as the wall-clock time it is in loc and returns it in
// UTC. Drivers hand it over as text or, when they parse it themselves, as a time.Time
// in UTC whose wall clock is what the table holds. MySQL's zero date reads as the zero
// time.
func parseCallDate(v any, loc *time.Location) (time.Time, error) {
	var s string
	switch v := v.(type) {
	case nil:
		return time.Time{}, nil
	case time.Time:
		if v.IsZero() {
			return time.Time{}, nil
		}
		return time.Date(v.Year(), v.Month(), v.Day(), v.Hour(), v.Minute(), v.Second(), v.Nanosecond(), loc).UTC(), nil
	case []byte:
		s = string(v)
	case string:
		s = v
	default:
		return time.Time{}, fmt.Errorf("parse calldate: unexpected %T", v)
	}
	if s == "" || strings.HasPrefix(s, "0000-00-00") {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation("2006-01-02 15:04:05.999999999", s, loc)
	if err != nil {
		t, err = time.ParseInLocation("2006-01-02T15:04:05.999999999", s, loc)
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("parse calldate %q: %w", s, err)
	}
	return t.UTC(), nil
}
