package catalog

import (
	"context"
	"errors"
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

func TestHolds(t *testing.T) {
	each(t, func(t *testing.T, c *Catalog) {
		ctx := context.Background()
		mustUpsert(t, c, rec("a.wav", 0), rec("b.wav", 1), rec("c.wav", 2))
		a, b, cc := mustGet(t, c, "a.wav"), mustGet(t, c, "b.wav"), mustGet(t, c, "c.wav")
		if _, err := c.AddHold(ctx, recordings.Hold{RecordingID: a.ID, Reason: "court", Who: "legal", Since: t0}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.AddHold(ctx, recordings.Hold{RecordingID: b.ID, Reason: "audit", Since: t0, Until: t0.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.AddHold(ctx, recordings.Hold{RecordingID: 999999, Reason: "x", Since: t0}); !errors.Is(err, recordings.ErrNotFound) {
			t.Errorf("hold on a missing recording: %v", err)
		}
		if _, err := c.AddHold(ctx, recordings.Hold{RecordingID: cc.ID, Since: t0}); !errors.Is(err, recordings.ErrInvalid) {
			t.Errorf("hold without reason: %v", err)
		}
		for _, r := range []recordings.Recording{a, b, cc} {
			if got, _ := c.Get(ctx, r.ID); got.Held != (r.ID != cc.ID) {
				t.Errorf("%s: held %v", r.Path, got.Held)
			}
		}
		hs, err := c.Holds(ctx)
		if err != nil || len(hs) != 2 || hs[0].Path != "a.wav" || hs[0].Who != "legal" || !hs[1].Until.Equal(t0.Add(time.Hour)) {
			t.Errorf("Holds: %+v %v", hs, err)
		}
		// Expired holds go; the recording they held is released.
		if n, err := c.ReleaseExpiredHolds(ctx, t0.Add(2*time.Hour)); err != nil || n != 1 {
			t.Errorf("ReleaseExpiredHolds: %d %v", n, err)
		}
		if r, _ := c.Get(ctx, b.ID); r.Held {
			t.Error("b still held after its hold expired")
		}
		if n, err := c.RemoveHolds(ctx, a.ID); err != nil || n != 1 {
			t.Errorf("RemoveHolds: %d %v", n, err)
		}
		if r, _ := c.Get(ctx, a.ID); r.Held {
			t.Error("a still held after rm")
		}
		id, err := c.SaveRetentionRun(ctx, recordings.RetentionRun{Started: t0, Finished: t0.Add(time.Second), Status: "done", DeletedFiles: 3, Report: `{"x":1}`})
		if err != nil || id == 0 {
			t.Fatalf("SaveRetentionRun: %d %v", id, err)
		}
		runs, err := c.RetentionRuns(ctx, 5)
		if err != nil || len(runs) != 1 || runs[0].DeletedFiles != 3 || runs[0].Report != `{"x":1}` || !runs[0].Started.Equal(t0) {
			t.Errorf("RetentionRuns: %+v %v", runs, err)
		}
	})
}
