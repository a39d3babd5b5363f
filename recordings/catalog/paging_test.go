package catalog

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

// pagingFixture catalogues n recordings whose call times come in groups of five equal
// times and whose durations take seven values: every sort key has ties.
func pagingFixture(t *testing.T, c *Catalog, n int) {
	t.Helper()
	var recs []recordings.Recording
	for i := range n {
		r := rec(fmt.Sprintf("2026/11/26/r%04d.wav", i), i/5)
		r.Duration = time.Duration(i%7) * 10 * time.Second
		if i%3 == 0 {
			r.Name.From = "+7 912 000-00-0" + fmt.Sprint(i%10)
		}
		recs = append(recs, r)
	}
	// Upsert in an order unrelated to the keys so that ids do not follow them.
	slices.Reverse(recs[n/2:])
	mustUpsert(t, c, recs...)
}

// want returns the expected order of items under sort s.
func wantOrder(items []recordings.Recording, s recordings.Sort) []int64 {
	items = slices.Clone(items)
	slices.SortFunc(items, func(a, b recordings.Recording) int {
		var k int
		switch s {
		case recordings.SortTimeAsc, recordings.SortTimeDesc:
			k = a.CallTime.Compare(b.CallTime)
		default:
			k = cmp.Compare(a.Duration, b.Duration)
		}
		if k == 0 {
			k = cmp.Compare(a.ID, b.ID)
		}
		if s == recordings.SortTimeDesc || s == recordings.SortDurationDesc {
			k = -k
		}
		return k
	})
	ids := make([]int64, len(items))
	for i, r := range items {
		ids[i] = r.ID
	}
	return ids
}

func TestSearchKeysetPaging(t *testing.T) {
	each(t, func(t *testing.T, c *Catalog) {
		ctx := context.Background()
		pagingFixture(t, c, 137)
		for _, base := range []recordings.Query{
			{},
			{Number: "9120000000"}, // through the numbers table, with the cursor's bound
			{Since: t0.Add(3 * time.Minute), Until: t0.Add(20 * time.Minute), MinDuration: 10 * time.Second},
		} {
			all, err := c.Search(ctx, recordings.Query{Number: base.Number, Since: base.Since, Until: base.Until,
				MinDuration: base.MinDuration, Limit: recordings.MaxLimit})
			if err != nil {
				t.Fatal(err)
			}
			if len(all.Items) == 0 || all.Next != "" {
				t.Fatalf("fixture for %+v: %d items, next %q", base, len(all.Items), all.Next)
			}
			for _, s := range []recordings.Sort{"", recordings.SortTimeDesc, recordings.SortTimeAsc,
				recordings.SortDurationDesc, recordings.SortDurationAsc} {
				for _, limit := range []int{1, 7, 50} {
					t.Run(fmt.Sprintf("%s/%s/%d", base.Number, s, limit), func(t *testing.T) {
						wantSort := cmp.Or(s, recordings.SortTimeDesc)
						want := wantOrder(all.Items, wantSort)
						var got []int64
						q := base
						q.Sort, q.Limit = s, limit
						for pages := 0; ; pages++ {
							if pages > len(want)+1 {
								t.Fatal("paging does not end")
							}
							page, err := c.Search(ctx, q)
							if err != nil {
								t.Fatal(err)
							}
							if page.Total != len(want) {
								t.Fatalf("page %d: total %d, want %d", pages, page.Total, len(want))
							}
							if len(page.Items) > limit || (page.Next != "" && len(page.Items) != limit) {
								t.Fatalf("page %d: %d items with limit %d, next %q", pages, len(page.Items), limit, page.Next)
							}
							for _, r := range page.Items {
								got = append(got, r.ID)
							}
							if page.Next == "" {
								break
							}
							q.After = page.Next
						}
						if !slices.Equal(got, want) {
							t.Errorf("pages concatenated:\n got %v\nwant %v", got, want)
						}
					})
				}
			}
		}
	})
}

func TestSearchCursorFromOtherSort(t *testing.T) {
	each(t, func(t *testing.T, c *Catalog) {
		ctx := context.Background()
		pagingFixture(t, c, 20)
		page, err := c.Search(ctx, recordings.Query{Limit: 5})
		if err != nil || page.Next == "" {
			t.Fatalf("first page: next %q, %v", page.Next, err)
		}
		for _, s := range []recordings.Sort{recordings.SortTimeAsc, recordings.SortDurationDesc, recordings.SortDurationAsc} {
			_, err := c.Search(ctx, recordings.Query{Sort: s, After: page.Next})
			if !errors.Is(err, recordings.ErrInvalid) {
				t.Errorf("time_desc cursor with sort %s: %v, want ErrInvalid", s, err)
			}
		}
		if _, err := c.Search(ctx, recordings.Query{Sort: recordings.SortTimeDesc, After: page.Next}); err != nil {
			t.Errorf("same sort: %v", err)
		}
	})
}

func TestSearchTotalCap(t *testing.T) {
	each(t, func(t *testing.T, c *Catalog) {
		ctx := context.Background()
		recs := make([]recordings.Recording, 0, TotalCap+1)
		for i := range TotalCap + 1 {
			recs = append(recs, rec(fmt.Sprintf("%d/%d.wav", i%100, i), i))
		}
		mustUpsert(t, c, recs...)
		page, err := c.Search(ctx, recordings.Query{})
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != TotalCap || !page.TotalCapped || len(page.Items) != recordings.DefaultLimit || page.Next == "" {
			t.Fatalf("total %d capped %v items %d", page.Total, page.TotalCapped, len(page.Items))
		}
		page, err = c.Search(ctx, recordings.Query{Limit: 5000})
		if err != nil || len(page.Items) != recordings.MaxLimit {
			t.Fatalf("limit 5000: %d items, %v; want %d", len(page.Items), err, recordings.MaxLimit)
		}
		if err := c.MarkMissing(ctx, []int64{page.Items[0].ID}, t0); err != nil {
			t.Fatal(err)
		}
		page, err = c.Search(ctx, recordings.Query{Limit: 1})
		if err != nil || page.Total != TotalCap || page.TotalCapped {
			t.Fatalf("exactly the cap: total %d capped %v, %v", page.Total, page.TotalCapped, err)
		}
	})
}
