package catalog

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/totalrec/totalrec/internal/sqlrows"
	"github.com/totalrec/totalrec/recordings"
)

// keysFixture catalogues n recordings drawn from a few extensions and numbers that
// end alike, in every state, then changes some of them the ways a recording's
// state and call time change after it is catalogued.
func keysFixture(t *testing.T, c *Catalog, n int) {
	t.Helper()
	ctx := context.Background()
	rnd := rand.New(rand.NewPCG(7, 7))
	exts := []string{"201", "202", "100"}
	numbers := []string{"+79123454567", "84951114567", "74950004567", "+442079460958", "89161234567"}
	states := []recordings.State{recordings.StateOK, recordings.StateOK, recordings.StateOK,
		recordings.StateEmpty, recordings.StateWriting, recordings.StateCorrupt}
	var recs []recordings.Recording
	for i := range n {
		r := rec(fmt.Sprintf("2026/11/26/k%04d.wav", i), i/3) // ties: three per minute
		r.Name.Dest = exts[rnd.IntN(len(exts))]
		r.Name.From = numbers[rnd.IntN(len(numbers))]
		if i%4 == 0 {
			// Two numbers with the same last digits on one recording.
			r.CDR.DID = numbers[rnd.IntN(len(numbers))]
		}
		r.State = states[rnd.IntN(len(states))]
		r.Node = keysNode(i)
		recs = append(recs, r)
	}
	slices.Reverse(recs[n/3:]) // ids unrelated to call times
	mustUpsert(t, c, recs...)

	var missing, deleted []int64
	for i := range n {
		r, err := c.GetByPath(ctx, keysNode(i), fmt.Sprintf("2026/11/26/k%04d.wav", i))
		if err != nil {
			t.Fatal(err)
		}
		switch i % 7 {
		case 1:
			missing = append(missing, r.ID)
		case 2:
			deleted = append(deleted, r.ID)
		case 3:
			// A linked CDR with a call date moves a nameless recording in time.
			cdr := recordings.CDR{CallDate: r.CallTime.Add(-90 * time.Minute), Src: "202", DID: "74950004567"}
			if err := c.SetCDR(ctx, r.ID, recordings.CDRLinked, cdr, 1, time.Time{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := c.MarkMissing(ctx, missing, t0); err != nil {
		t.Fatal(err)
	}
	if err := c.MarkDeleted(ctx, deleted, t0, "test"); err != nil {
		t.Fatal(err)
	}
	// Some missing files come back.
	var back []recordings.Recording
	for _, id := range missing[:len(missing)/2] {
		r, err := c.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		r.State = recordings.StateOK
		back = append(back, r)
	}
	mustUpsert(t, c, back...)
}

// keysNode is the node of keysFixture's recording i: two PBXs share it.
func keysNode(i int) string {
	if i%5 < 2 {
		return "pbx2"
	}
	return ""
}

// TestSearchByKeysMatchesGeneralPlan checks that a search by extension or number
// answered from the number keys returns, page by page, exactly what the general
// plan returns, with the same totals, for every state filter, both time orders
// and time ranges, after states and call times changed.
func TestSearchByKeysMatchesGeneralPlan(t *testing.T) {
	each(t, func(t *testing.T, c *Catalog) {
		ctx := context.Background()
		keysFixture(t, c, 150)
		var queries []recordings.Query
		for _, f := range []func(*recordings.Query){
			func(q *recordings.Query) { q.Ext = "201" },
			func(q *recordings.Query) { q.Ext = "100" },
			func(q *recordings.Query) { q.Number = "4567" },
			func(q *recordings.Query) { q.Number = "+7 912 345-45-67" },
			func(q *recordings.Query) { q.Number = "958" },
			func(q *recordings.Query) { q.Ext = "201"; q.Node = "pbx2" },
			func(q *recordings.Query) { q.Number = "4567"; q.Node = "pbx2" },
		} {
			for _, flags := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
				for _, s := range []recordings.Sort{recordings.SortTimeDesc, recordings.SortTimeAsc} {
					for _, window := range [][2]int{{0, 0}, {-120, 20}, {15, 40}} {
						q := recordings.Query{HideEmpty: flags[0], WithDeleted: flags[1], Sort: s, Limit: 7}
						if window != [2]int{} {
							q.Since = t0.Add(time.Duration(window[0]) * time.Minute)
							q.Until = t0.Add(time.Duration(window[1]) * time.Minute)
						}
						f(&q)
						queries = append(queries, q)
					}
				}
			}
		}
		matched := 0
		for _, branches := range []int{keyBranches, 1} {
			defer func(n int) { keyBranches = n }(keyBranches)
			keyBranches = branches // 1: a suffix with two keys is paged by sorting the range
			for _, q := range queries {
				_, spec, _, err := prepareSearch(q)
				if err != nil || !keyDriven(q, spec) {
					t.Fatalf("%+v: not answered from the keys (%v)", q, err)
				}
				for page := 0; ; page++ {
					st, spec, after, err := prepareSearch(q)
					if err != nil {
						t.Fatal(err)
					}
					keys, err := c.keyStatements(ctx, q, st, spec, after)
					if err != nil {
						t.Fatal(err)
					}
					general, err := c.generalStatements(q, st, spec, after)
					if err != nil {
						t.Fatal(err)
					}
					got, err := c.runSearch(ctx, c.rdb, keys)
					if err != nil {
						t.Fatalf("%+v: %v", q, err)
					}
					want, err := c.runSearch(ctx, c.rdb, general)
					if err != nil {
						t.Fatal(err)
					}
					if !slices.Equal(ids(got.Items), ids(want.Items)) || got.Total != want.Total || got.Next != want.Next {
						t.Fatalf("%+v page %d:\n keys    %v total %d next %q\n general %v total %d next %q",
							q, page, ids(got.Items), got.Total, got.Next, ids(want.Items), want.Total, want.Next)
					}
					matched += len(got.Items)
					if got.Next == "" {
						break
					}
					q.After = got.Next
				}
			}
		}
		if matched < 2000 {
			t.Fatalf("the queries matched only %d recordings in all: the fixture does not exercise the plans", matched)
		}
	})
}

// TestSearchByKeysFallsBack: any other filter, a scope or a duration sort uses the
// general plan.
func TestSearchByKeysFallsBack(t *testing.T) {
	base := recordings.Query{Ext: "201"}
	for name, f := range map[string]func(*recordings.Query){
		"both":      func(q *recordings.Query) { q.Number = "4567" },
		"type":      func(q *recordings.Query) { q.Types = []string{"in"} },
		"direction": func(q *recordings.Query) { q.Direction = recordings.DirIn },
		"duration":  func(q *recordings.Query) { q.MinDuration = time.Second },
		"text":      func(q *recordings.Query) { q.Text = "acme" },
		"scope":     func(q *recordings.Query) { q.Scope = &recordings.Scope{} },
		"sort":      func(q *recordings.Query) { q.Sort = recordings.SortDurationDesc },
	} {
		q := base
		f(&q)
		_, spec, _, err := prepareSearch(q)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if keyDriven(q, spec) {
			t.Errorf("%s: answered from the keys", name)
		}
	}
	q := base
	q.Scope = &recordings.Scope{All: true}
	if _, spec, _, _ := prepareSearch(q); !keyDriven(q, spec) {
		t.Error("an unrestricted scope is not answered from the keys")
	}
}

func ids(items []recordings.Recording) []int64 {
	out := make([]int64, len(items))
	for i, r := range items {
		out[i] = r.ID
	}
	return out
}

// TestPresenceBackfill: a catalogue made before the number keys had a presence
// gets each key's presence from its recording's state when it is opened.
func TestPresenceBackfill(t *testing.T) {
	eachDSN(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		c := openTest(t, dsn)
		keysFixture(t, c, 60)
		want := presences(t, c)
		step := slices.IndexFunc(migrations, func(m migration) bool { return m.name == "number keys' presence" })
		if step < 0 {
			t.Fatal("no migration step adds the keys' presence")
		}
		// Back to the version before that step: later steps run again too, as a
		// catalogue made before all of them would.
		for _, q := range []string{`ALTER TABLE totalrec_numbers DROP COLUMN presence`, `ALTER TABLE totalrec_numbers DROP COLUMN node`,
			fmt.Sprintf(`UPDATE totalrec_schema_version SET version = %d`, step)} {
			if _, err := c.DB().ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		c.Close()
		c = openTest(t, dsn)
		got := presences(t, c)
		if len(got) == 0 || !slices.Equal(got, want) {
			t.Fatalf("presence after the upgrade:\n got  %v\n want %v", got, want)
		}
		gone := 0
		for _, p := range got {
			if p[1] == presenceGone {
				gone++
			}
		}
		if gone == 0 || gone == len(got) {
			t.Fatalf("%d of %d keys gone: the fixture does not exercise the backfill", gone, len(got))
		}
	})
}

// TestKeyNodeBackfill: a catalogue made before the number keys had a node gets
// each key's node from its recording when it is opened.
func TestKeyNodeBackfill(t *testing.T) {
	eachDSN(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		c := openTest(t, dsn)
		keysFixture(t, c, 40)
		read := func() [][2]string {
			out, err := sqlrows.All(ctx, c.DB(), func(s scanner) (p [2]string, err error) {
				err = s.Scan(&p[0], &p[1])
				return p, err
			}, `SELECT n.node, r.node FROM totalrec_numbers n JOIN totalrec_recordings r ON r.id = n.recording_id ORDER BY n.recording_id, n.num_rev`)
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
		step := slices.IndexFunc(migrations, func(m migration) bool { return m.name == "number keys' node" })
		for _, q := range []string{`ALTER TABLE totalrec_numbers DROP COLUMN node`,
			fmt.Sprintf(`UPDATE totalrec_schema_version SET version = %d`, step)} {
			if _, err := c.DB().ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		c.Close()
		c = openTest(t, dsn)
		got, others := read(), 0
		for _, p := range got {
			if p[0] != p[1] {
				t.Fatalf("a key of node %q's recording says %q", p[1], p[0])
			}
			if p[0] != "" {
				others++
			}
		}
		if others == 0 || others == len(got) {
			t.Fatalf("%d of %d keys of another node: the fixture does not exercise the backfill", others, len(got))
		}
	})
}

// presences lists every number key's recording and presence.
func presences(t *testing.T, c *Catalog) [][2]int64 {
	t.Helper()
	out, err := sqlrows.All(context.Background(), c.DB(), func(s scanner) (p [2]int64, err error) {
		err = s.Scan(&p[0], &p[1])
		return p, err
	}, `SELECT recording_id, presence FROM totalrec_numbers ORDER BY recording_id, num_rev`)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
