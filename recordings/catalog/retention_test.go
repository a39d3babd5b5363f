package catalog

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

func TestRetentionPaging(t *testing.T) {
	each(t, func(t *testing.T, c *Catalog) {
		ctx := context.Background()
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		var recs []recordings.Recording
		for i := range 25 {
			recs = append(recs, rec(fmt.Sprintf("2026/11/%02d/f%02d.wav", 1+i%4, i), -i*60))
		}
		mustUpsert(t, c, recs...)
		gone := mustGet(t, c, "2026/11/02/f01.wav")
		must(c.MarkDeleted(ctx, []int64{gone.ID}, t0, "retention max_age on 2026-11-26"))

		// By directory: every live row once, in (dir, id) order.
		var byDir []recordings.Recording
		dir, id := "", int64(0)
		for {
			page, err := c.LiveByDir(ctx, "", dir, id, 4, true)
			must(err)
			byDir = append(byDir, page...)
			if len(page) < 4 {
				break
			}
			dir, id = dirOf(page[len(page)-1].Path), page[len(page)-1].ID
		}
		if len(byDir) != 24 {
			t.Fatalf("LiveByDir paged %d rows, want 24", len(byDir))
		}
		// Scoped reads carry the name and direction; core reads only what every rule needs.
		if r := byDir[0]; r.Name.Type != "in" || r.Name.Dest != "201" || r.Direction != recordings.DirIn || r.Size != 16044 || r.ModTime.IsZero() || r.CallTime.IsZero() {
			t.Errorf("scoped row: %+v", r)
		}
		core, err := c.LiveByDir(ctx, "", "", 0, 1, false)
		must(err)
		if len(core) != 1 || core[0].Name.Type != "" || core[0].ID != byDir[0].ID || core[0].Path != byDir[0].Path || !core[0].ModTime.Equal(byDir[0].ModTime) {
			t.Errorf("core row: %+v", core)
		}
		for i := 1; i < len(byDir); i++ {
			a, b := byDir[i-1], byDir[i]
			if dirOf(a.Path) > dirOf(b.Path) || dirOf(a.Path) == dirOf(b.Path) && a.ID >= b.ID {
				t.Errorf("out of order: %s (%d) before %s (%d)", a.Path, a.ID, b.Path, b.ID)
			}
		}
		// By time: oldest first.
		var byTime []recordings.Recording
		var after time.Time
		id = 0
		for {
			page, err := c.LiveByTime(ctx, "", after, id, 5, false)
			must(err)
			byTime = append(byTime, page...)
			if len(page) < 5 {
				break
			}
			after, id = page[len(page)-1].CallTime, page[len(page)-1].ID
		}
		if len(byTime) != 24 {
			t.Fatalf("LiveByTime paged %d rows, want 24", len(byTime))
		}
		for i := 1; i < len(byTime); i++ {
			if byTime[i].CallTime.Before(byTime[i-1].CallTime) {
				t.Errorf("out of time order at %d", i)
			}
		}
	})
}
