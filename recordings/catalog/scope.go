package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/totalrec/totalrec/recordings"
)

// A user's scope is applied here, in the catalogue, so that every way to a
// recording — search, the lookup by ID behind audio, downloads and waveforms,
// the legs of a call, exports, share links — goes through the same condition.
// A recording is in scope when one of its parties is one of the scope's
// extensions. The parties are recordings.Parties, computed here in SQL from the
// row's own columns (partyCols): the extensions in the CDR's channel and
// dstchannel, the name's destination for the types the dialplan names, and the
// caller fields (name from, CDR src and cnum) of internal calls only. The
// numbers table is not used: it holds every number of a call, including the
// caller ID a trunk's caller chooses, and serves number search only.
//
// The condition is checked row by row, like a type or duration filter: a
// time-ordered search page stops as soon as it is full, but the match count
// (capped at TotalCap) of a scope that matches few recordings reads every row
// in the search's time range — the whole catalogue without a date range.
//
// A recording out of scope is reported exactly as a recording that does not
// exist: recordings.ErrNotFound, with the same message.

// partyCols is the SELECT list of the parties p1 … p6 of recording p, in the
// order of recordings.Parties; a party that does not apply is empty. It has no
// placeholders: its lists are this program's constants (sqlWords).
func (c *Catalog) partyCols() string {
	dest, internal := sqlWords(recordings.PartyDestTypes()), sqlWords(recordings.InternalTypes())
	ch, dst := c.channelExt("p.cdr_channel"), c.channelExt("p.cdr_dstchannel")
	isInternal := `(p.name_type IN ` + internal + ` OR (` + c.allDigits(ch) + ` AND ` + c.allDigits(dst) + `))`
	return strings.Join([]string{
		ch + " AS p1",
		dst + " AS p2",
		"CASE WHEN p.name_type IN " + dest + " THEN p.name_dest ELSE '' END AS p3",
		"CASE WHEN p.name_type IN " + internal + " THEN p.name_from ELSE '' END AS p4",
		"CASE WHEN " + isInternal + " THEN p.cdr_src ELSE '' END AS p5",
		"CASE WHEN " + isInternal + " THEN p.cdr_cnum ELSE '' END AS p6",
	}, ", ")
}

// sqlWords writes constant words of this program as an SQL list of string
// literals, ('in', 'out'). A word that is not letters and digits would be a
// programming error; it is left out rather than written into SQL.
func sqlWords(ws []string) string {
	var quoted []string
	for _, w := range ws {
		if w != "" && strings.Trim(w, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") == "" {
			quoted = append(quoted, "'"+w+"'")
		}
	}
	return "(" + strings.Join(quoted, ", ") + ")"
}

// channelExt is recordings.ChannelExtension in SQL, without its digits check:
// the resource of col (after the technology, up to the first '-' or '@') when
// the technology is one of recordings.ChannelTechs, else empty.
func (c *Catalog) channelExt(col string) string {
	res := c.before(c.before(c.after(col, "/"), "-"), "@")
	return "CASE WHEN " + c.before(col, "/") + " IN " + sqlWords(recordings.ChannelTechs()) + " THEN " + res + " ELSE '' END"
}

// before is x up to the first sep, or all of x when it holds none. sep is one
// character of this file, never input.
func (c *Catalog) before(x, sep string) string {
	if c.dialect == DialectMySQL {
		return "SUBSTRING_INDEX(" + x + ", '" + sep + "', 1)"
	}
	return "substr(" + x + ", 1, instr(" + x + " || '" + sep + "', '" + sep + "') - 1)"
}

// after is x after the first sep, or all of x when it holds none.
func (c *Catalog) after(x, sep string) string {
	if c.dialect == DialectMySQL {
		return "SUBSTRING(" + x + ", LOCATE('" + sep + "', " + x + ") + 1)"
	}
	return "substr(" + x + ", instr(" + x + ", '" + sep + "') + 1)"
}

// allDigits is the condition "x is one or more ASCII digits".
func (c *Catalog) allDigits(x string) string {
	if c.dialect == DialectMySQL {
		return x + " REGEXP '^[0-9]+$'"
	}
	return "(" + x + " <> '' AND " + x + " NOT GLOB '*[^0-9]*')"
}

// inRanges is the condition "party col is one of s's extensions", whose list
// is exts: for a scope of mostly single extensions an IN list, else all digits,
// with the length of a range's ends and between them (at equal lengths text
// order is number order) — whichever binds fewer values.
func (c *Catalog) inRanges(col string, s recordings.Scope, exts []string) (string, []any) {
	var b strings.Builder
	var args []any
	if len(exts) <= 2*len(s.Ranges) {
		for _, e := range exts {
			args = append(args, e)
		}
		return col + " IN " + placeholders(1, len(exts)), args
	}
	b.WriteString("(" + c.allDigits(col) + " AND (")
	for i, r := range s.Ranges {
		if i > 0 {
			b.WriteString(" OR ")
		}
		// The length is an int formatted here, never input.
		b.WriteString("LENGTH(" + col + ") = " + strconv.Itoa(len(r.Lo)) + " AND " + col + " BETWEEN ? AND ?")
		args = append(args, r.Lo, r.Hi)
	}
	b.WriteString("))")
	return b.String(), args
}

// scopeCond is the condition "recording r is in scope s"; "" for All, "1 = 0"
// for the empty scope. It looks r up again by primary key, names its parties
// once (partyCols) and compares them with the scope's extensions. MySQL tests
// them by name in HAVING (without GROUP BY: over the one row) with inRanges.
// SQLite reads them as the columns of a correlated subquery and looks them up
// in json_each of one JSON array of the extensions: six IN lists of up to
// 10,000 values would pass its limit of bound values, and hundreds of ORed
// ranges make its planner slow. Checked row by row beside the other
// conditions, it lets a time-ordered search stop at its page.
func (c *Catalog) scopeCond(s recordings.Scope) (string, []any) {
	if s.All {
		return "", nil
	}
	// Each node's ranges (and those of every node) are a condition of their own,
	// and the nodes seen whole one more; the recording is in scope when one holds.
	var conds []string
	var args []any
	byNode := s.ByNode()
	for _, node := range slices.Sorted(maps.Keys(byNode)) {
		cond, a := c.extCond(byNode[node])
		if node != "" {
			cond, a = `(r.node = ? AND `+cond+`)`, append([]any{node}, a...)
		}
		conds, args = append(conds, cond), append(args, a...)
	}
	if len(s.Nodes) > 0 {
		conds = append(conds, `r.node IN `+placeholders(1, len(s.Nodes)))
		for _, n := range s.Nodes {
			args = append(args, n)
		}
	}
	switch len(conds) {
	case 0:
		return "1 = 0", nil
	case 1:
		return conds[0], args
	}
	return "(" + strings.Join(conds, " OR ") + ")", args
}

// extCond is scopeCond for a scope of extensions on every node.
func (c *Catalog) extCond(s recordings.Scope) (string, []any) {
	exts := s.Extensions()
	if len(exts) == 0 {
		return "1 = 0", nil
	}
	var b strings.Builder
	var args []any
	if c.dialect == DialectMySQL {
		b.WriteString(`EXISTS (SELECT ` + c.partyCols() + ` FROM totalrec_recordings p WHERE p.id = r.id HAVING `)
		for i := 1; i <= 6; i++ {
			if i > 1 {
				b.WriteString(` OR `)
			}
			cond, cargs := c.inRanges("p"+strconv.Itoa(i), s, exts)
			b.WriteString(cond)
			args = append(args, cargs...)
		}
		return b.String() + `)`, args
	}
	list, err := json.Marshal(exts)
	if err != nil {
		return "1 = 0", nil // strings always marshal; were it otherwise, see nothing
	}
	b.WriteString(`EXISTS (SELECT 1 FROM (SELECT ` + c.partyCols() + ` FROM totalrec_recordings p WHERE p.id = r.id) s WHERE `)
	for i := 1; i <= 6; i++ {
		if i > 1 {
			b.WriteString(` OR `)
		}
		b.WriteString(`s.p` + strconv.Itoa(i) + ` IN (SELECT value FROM json_each(?))`)
		args = append(args, string(list))
	}
	return b.String() + `)`, args
}

// scopeFilter is the search's scope condition. The call-time bounds are the
// search's own conditions on r already.
func (c *Catalog) scopeFilter(s recordings.Scope, _ []timeBound) (string, []any) {
	return c.scopeCond(s)
}

// GetScoped returns the recording with the given ID if it is in scope; a
// recording out of scope is recordings.ErrNotFound, as one that does not exist.
func (c *Catalog) GetScoped(ctx context.Context, id int64, scope recordings.Scope) (recordings.Recording, error) {
	if scope.All {
		return c.Get(ctx, id)
	}
	cond, args := c.scopeCond(scope)
	r, err := scanRecording(c.rdb.QueryRowContext(ctx,
		`SELECT `+recordingCols+` FROM totalrec_recordings r WHERE r.id = ? AND `+cond, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return recordings.Recording{}, fmt.Errorf("get recording %d: %w", id, recordings.ErrNotFound)
	}
	if err != nil {
		return recordings.Recording{}, fmt.Errorf("get recording %d: %w", id, err)
	}
	return r, nil
}

// ByLinkedIDScoped is ByLinkedID limited to the recordings in scope.
func (c *Catalog) ByLinkedIDScoped(ctx context.Context, linkedid string, scope recordings.Scope) ([]recordings.Recording, error) {
	if scope.All {
		return c.ByLinkedID(ctx, linkedid)
	}
	if linkedid == "" {
		return nil, fmt.Errorf("list call recordings: empty linked id: %w", recordings.ErrInvalid)
	}
	cond, args := c.scopeCond(scope)
	recs, err := c.queryRecordings(ctx, `SELECT `+recordingCols+` FROM (
			SELECT id FROM totalrec_recordings WHERE linkedid = ?
			UNION
			SELECT id FROM totalrec_recordings WHERE uniqueid = ?) u
		JOIN totalrec_recordings r ON r.id = u.id
		WHERE `+cond+`
		ORDER BY r.call_time, r.id`, append([]any{linkedid, linkedid}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("list call recordings: %w", err)
	}
	return recs, nil
}
