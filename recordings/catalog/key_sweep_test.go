package catalog

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

// TestSettleDeletionsAndSweep settles retention's deletions as a run does, in two
// groups (the sweep goes through the whole keys' table for the first, seeks each
// recording's keys for the second), one recording of each coming back before the
// sweep, and checks that a search by extension, which the number keys answer,
// shows and counts exactly the recordings whose state allows it: while the keys
// wait for their sweep (SQLite), and after it.
func TestSettleDeletionsAndSweep(t *testing.T) {
	each(t, func(t *testing.T, c *Catalog) {
		ctx := context.Background()
		defer func(n int) { sweepKeyChunk = n }(sweepKeyChunk)
		sweepKeyChunk = 7 // several ranges
		keysFixture(t, c, 60)
		q := recordings.Query{Ext: "201", Limit: 100}
		before, err := c.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(before.Items) < 8 {
			t.Fatalf("the fixture has %d recordings of 201", len(before.Items))
		}
		var gone []int64
		for i, group := range [][]recordings.Recording{before.Items[:5], before.Items[5:7]} {
			var ids []int64
			for _, r := range group {
				r.DeletedReason = "retention max_age on 2026-11-26 [run 1]"
				claimed, _, err := c.ClaimDeletions(ctx, []recordings.Recording{r}, t0)
				if err != nil || !claimed[0] {
					t.Fatalf("claim %d: %v %v", r.ID, claimed, err)
				}
				ids = append(ids, r.ID)
			}
			if err := c.SettleDeletions(ctx, 0, 0, 0, map[string][]int64{"retention max_age on 2026-11-26": ids}, t0); err != nil {
				t.Fatal(err)
			}
			gone = append(gone, ids...)
			checkShown(t, c, q, before, gone)
			// The first file comes back, and a scan catalogues it again.
			back, err := c.Get(ctx, ids[0])
			if err != nil {
				t.Fatal(err)
			}
			back.State, back.DeletedAt, back.DeletedReason = recordings.StateOK, time.Time{}, ""
			mustUpsert(t, c, back)
			gone = slices.DeleteFunc(gone, func(id int64) bool { return id == back.ID })
			checkShown(t, c, q, before, gone)

			var pending int
			if err := c.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM totalrec_key_sweep`).Scan(&pending); err != nil {
				t.Fatal(err)
			}
			n, err := c.SweepKeys(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if c.Dialect() == DialectSQLite && (pending != len(ids) || n != int64(len(ids))) {
				t.Errorf("group %d: %d recordings waited for the sweep and %d were swept, want %d", i, pending, n, len(ids))
			}
			if c.Dialect() == DialectMySQL && (pending != 0 || n != 0) {
				t.Errorf("group %d on MySQL: %d waited, %d swept; the keys are updated at once", i, pending, n)
			}
			checkShown(t, c, q, before, gone)
		}
		// Every key of a deleted recording is gone, and nothing waits.
		var wrong, left int
		if err := c.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM totalrec_numbers n JOIN totalrec_recordings r
			ON r.id = n.recording_id WHERE n.presence <> `+presenceSQL).Scan(&wrong); err != nil {
			t.Fatal(err)
		}
		if err := c.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM totalrec_key_sweep`).Scan(&left); err != nil {
			t.Fatal(err)
		}
		if wrong != 0 || left != 0 {
			t.Errorf("after the sweeps: %d keys out of step with their recording, %d recordings waiting", wrong, left)
		}
	})
}

// checkShown checks that searching q shows what before showed less gone, with the
// total to match, and agrees with the general plan.
func checkShown(t *testing.T, c *Catalog, q recordings.Query, before recordings.Page, gone []int64) {
	t.Helper()
	ctx := context.Background()
	got, err := c.Search(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	var want []int64
	for _, r := range before.Items {
		if !slices.Contains(gone, r.ID) {
			want = append(want, r.ID)
		}
	}
	if !slices.Equal(ids(got.Items), want) || got.Total != before.Total-len(gone) {
		t.Errorf("after deleting %v: total %d, ids %v; want total %d, ids %v", gone, got.Total, ids(got.Items), before.Total-len(gone), want)
	}
	st, spec, after, err := prepareSearch(q)
	if err != nil {
		t.Fatal(err)
	}
	general, err := c.generalStatements(q, st, spec, after)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := c.runSearch(ctx, c.rdb, general)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids(got.Items), ids(plain.Items)) || got.Total != plain.Total {
		t.Errorf("the search and the general plan differ: %d %v, %d %v", got.Total, ids(got.Items), plain.Total, ids(plain.Items))
	}
}
