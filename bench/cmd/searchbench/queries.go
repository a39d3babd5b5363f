package main

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/totalrec/totalrec/bench/internal/callgen"
	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/catalog"
)

// question is one search asked of both: through catalog.Search, and in the shape
// FreePBX's CDR report (or its playback lookup) asks the cdr table.
type question struct {
	name    string
	query   recordings.Query
	freepbx string
}

// reportCols is the CDR report's select list (cdr page.cdr.php, need_html).
const reportCols = "`calldate`, `clid`, `did`, `src`, `dst`, `dcontext`, `channel`, `dstchannel`, " +
	"`lastapp`, `lastdata`, `duration`, `billsec`, `disposition`, `amaflags`, `accountcode`, " +
	"`uniqueid`, `userfield`, unix_timestamp(calldate) as `call_timestamp`, `recordingfile`, " +
	"`cnum`, `cnam`, `outbound_cnum`, `outbound_cnam`, `dst_cnam`"

// report builds the report's list query: a calldate range, extra conditions, newest
// first, one page. The report interpolates its values into the SQL text.
func report(from, to time.Time, extra string) string {
	return "SELECT " + reportCols + " FROM cdr WHERE calldate BETWEEN '" + from.Format(time.DateTime) +
		"' AND '" + to.Add(-time.Second).Format(time.DateTime) + "' " + extra +
		" ORDER BY calldate DESC LIMIT 50"
}

// questions builds the searches for the data set of m.
func questions(m callgen.Model) []question {
	end := m.End
	month := time.Date(end.Year(), end.Month()-1, 1, 0, 0, 0, 0, time.UTC)
	monthEnd := month.AddDate(0, 1, 0)
	number := quietNumber(m)
	ext := callgen.ExtOf(0)
	extCond := "AND (src = '" + ext + "' OR dst = '" + ext + "' OR cnum = '" + ext +
		"' OR channel LIKE 'PJSIP/" + ext + "-%' OR dstchannel LIKE 'PJSIP/" + ext + "-%')"
	linked := transferredCall(m)
	day := end.AddDate(0, 0, -2)
	did := callgen.DIDs[0]
	busiest := callgen.National(0)
	suffix := busiest[len(busiest)-4:]
	likeCond := func(n string) string {
		l := "'%" + n + "%'"
		return "AND (src LIKE " + l + " OR dst LIKE " + l + " OR cnum LIKE " + l + ")"
	}
	return []question{
		{"last 7 days, newest first",
			recordings.Query{Since: end.AddDate(0, 0, -7), Until: end, Limit: 50},
			report(end.AddDate(0, 0, -7), end, "")},
		{"a month + a number (" + number + ")",
			recordings.Query{Since: month, Until: monthEnd, Number: number, Limit: 50},
			report(month, monthEnd, likeCond(number))},
		{"a year + a number (" + number + ")",
			recordings.Query{Since: m.Start(), Until: end, Number: number, Limit: 50},
			report(m.Start(), end, likeCond(number))},
		{"extension " + ext + ", 30 days",
			recordings.Query{Since: end.AddDate(0, 0, -30), Until: end, Ext: ext, Limit: 50},
			report(end.AddDate(0, 0, -30), end, extCond)},
		{"a linkedid (playback lookup)",
			recordings.Query{LinkedID: linked, Limit: 50},
			"SELECT * FROM cdr WHERE NOT(recordingfile = '') AND (uniqueid = '" + linked +
				"' OR linkedid = '" + linked + "') LIMIT 1"},
		{"answered, > 60 s, one day",
			recordings.Query{Since: day, Until: day.AddDate(0, 0, 1), Disposition: "ANSWERED", MinDuration: time.Minute, Limit: 50},
			report(day, day.AddDate(0, 0, 1), "AND disposition = 'ANSWERED' AND duration BETWEEN '60' AND '86400'")},
		// Keys that match thousands of recordings: a DID, a short suffix, the
		// busiest caller.
		{"DID " + did + ", 30 days",
			recordings.Query{Since: end.AddDate(0, 0, -30), Until: end, Number: did, Limit: 50},
			report(end.AddDate(0, 0, -30), end, "AND did = '"+did+"'")},
		{"a year + last 4 digits (" + suffix + ")",
			recordings.Query{Since: m.Start(), Until: end, Number: suffix, Limit: 50},
			report(m.Start(), end, likeCond(suffix))},
		{"a year + the busiest number",
			recordings.Query{Since: m.Start(), Until: end, Number: busiest, Limit: 50},
			report(m.Start(), end, likeCond(busiest))},
	}
}

// quietNumber is the last 7 digits of the least called external number that is
// expected in at least 100 calls a year (or the busiest one on a small data set).
func quietNumber(m callgen.Model) string {
	r := callgen.Externals - 1
	for r > 0 && callgen.CallsOfRank(m.N, r) < 100 {
		r--
	}
	n := callgen.National(r)
	return n[len(n)-7:]
}

// transferredCall is the uniqueid of a call in mid-year whose next leg shares it as
// linkedid.
func transferredCall(m callgen.Model) string {
	for i := m.N / 2; i < m.N-1; i++ {
		if c := m.Call(i + 1); c.LinkedID != c.UniqueID {
			return c.LinkedID
		}
	}
	return m.UniqueIDOf(0)
}

// timing is the latencies of one query.
type timing struct {
	durs    []time.Duration
	matches string
}

func (t timing) pct(p float64) time.Duration {
	s := slices.Clone(t.durs)
	slices.Sort(s)
	i := int(float64(len(s))*p+0.999999) - 1
	return s[max(0, min(i, len(s)-1))]
}

// measure times each question both ways and prints a line each.
func measure(ctx context.Context, o options, m callgen.Model, cat *catalog.Catalog, db *sql.DB) error {
	fmt.Printf("B search: %d recordings, first page of 50 with the capped total; %d runs after %d warm-up (FreePBX: one warm-up, then until %s, at least 3 runs unless the warm-up alone took longer: then it is the one run)\n",
		m.N, o.runs, o.warmup, o.baselineBudget)
	for qi, q := range questions(m) {
		tr, err := timeTotalrec(ctx, cat, q.query, o)
		if err != nil {
			return fmt.Errorf("%s: %w", q.name, err)
		}
		fp, err := timeFreePBX(ctx, db, q.freepbx, o)
		if err != nil {
			return fmt.Errorf("%s: freepbx: %w", q.name, err)
		}
		fmt.Printf("B q%d %-34s totalrec p50 %8s p95 %8s (n=%d, %s) | freepbx p50 %9s p95 %9s (n=%d, %s) | ratio p50 %s p95 %s\n",
			qi+1, q.name, ms(tr.pct(0.5)), ms(tr.pct(0.95)), len(tr.durs), tr.matches,
			ms(fp.pct(0.5)), ms(fp.pct(0.95)), len(fp.durs), fp.matches,
			times(fp.pct(0.5), tr.pct(0.5)), times(fp.pct(0.95), tr.pct(0.95)))
		if o.explain {
			if err := explain(ctx, db, q.freepbx); err != nil {
				return err
			}
		}
	}
	return nil
}

// scopedNode is the node measureNodes scopes each question to.
const scopedNode = "pbx03"

// measureNodes times each question over every node's recordings and over one
// node's (Query.Node), and prints a line each with the ratio of the two.
func measureNodes(ctx context.Context, o options, m callgen.Model, cat *catalog.Catalog) error {
	fmt.Printf("N search: %d recordings of %d nodes, first page of 50 with the capped total; %d runs after %d warm-up; every node, then node %s alone\n",
		m.N, nodeCount, o.runs, o.warmup, scopedNode)
	for qi, q := range questions(m) {
		all, err := timeTotalrec(ctx, cat, q.query, o)
		if err != nil {
			return fmt.Errorf("%s: %w", q.name, err)
		}
		scoped := q.query
		scoped.Node = scopedNode
		one, err := timeTotalrec(ctx, cat, scoped, o)
		if err != nil {
			return fmt.Errorf("%s, node %s: %w", q.name, scopedNode, err)
		}
		fmt.Printf("N q%d %-34s every node p50 %8s p95 %8s (%s) | node %s p50 %8s p95 %8s (%s) | one node / every node, p95 %s\n",
			qi+1, q.name, ms(all.pct(0.5)), ms(all.pct(0.95)), all.matches, scopedNode,
			ms(one.pct(0.5)), ms(one.pct(0.95)), one.matches, times(one.pct(0.95), all.pct(0.95)))
	}
	return nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/1e6) }

func timeTotalrec(ctx context.Context, cat *catalog.Catalog, q recordings.Query, o options) (timing, error) {
	var t timing
	for i := 0; i < o.warmup+o.runs; i++ {
		start := time.Now()
		p, err := cat.Search(ctx, q)
		d := time.Since(start)
		if err != nil {
			return t, err
		}
		if i >= o.warmup {
			t.durs = append(t.durs, d)
		}
		t.matches = fmt.Sprintf("%d shown of %d", len(p.Items), p.Total)
		if p.TotalCapped {
			t.matches = fmt.Sprintf("%d shown of %d+", len(p.Items), p.Total)
		}
	}
	return t, nil
}

func timeFreePBX(ctx context.Context, db *sql.DB, q string, o options) (timing, error) {
	var t timing
	var spent time.Duration
	for i := 0; i < o.warmup+o.runs; i++ {
		start := time.Now()
		n, err := drain(ctx, db, q)
		d := time.Since(start)
		if err != nil {
			return t, err
		}
		t.matches = fmt.Sprintf("%d rows", n)
		// One warm-up run at most; one that took longer than the whole budget is
		// kept as the only measurement (such a query reads far more than the buffer
		// pool holds, so a second run finds nothing warmer).
		if i == 0 && o.warmup > 0 && d <= o.baselineBudget {
			continue
		}
		t.durs = append(t.durs, d)
		spent += d
		if len(t.durs) >= o.runs || spent > o.baselineBudget && (len(t.durs) >= 3 || i == 0) {
			break
		}
	}
	return t, nil
}

// drain runs q and reads every row, as the report does.
func drain(ctx context.Context, db *sql.DB, q string) (int, error) {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	vals := make([]sql.RawBytes, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}

func explain(ctx context.Context, db *sql.DB, q string) error {
	rows, err := db.QueryContext(ctx, "EXPLAIN "+q)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		var b strings.Builder
		for i, c := range cols {
			fmt.Fprintf(&b, " %s=%s", c, vals[i].String)
		}
		fmt.Println("  explain:" + b.String())
	}
	return rows.Err()
}

// times formats how many times longer a took than b.
func times(a, b time.Duration) string {
	r := float64(a) / float64(b)
	if r < 10 {
		return fmt.Sprintf("%.2fx", r)
	}
	return fmt.Sprintf("%.0fx", r)
}
