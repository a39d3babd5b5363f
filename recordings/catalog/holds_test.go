package catalog

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

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
