package catalog

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

// TestPauses: a pause begins, is found open by its channel, ends once, and a
// recording finds its call's pauses by linkedid or its own uniqueid.
func TestPauses(t *testing.T) {
	each(t, func(t *testing.T, c *Catalog) {
		ctx := context.Background()
		t0 := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
		if _, err := c.OpenPause(ctx, "", "PJSIP/100-1"); !errors.Is(err, recordings.ErrNotFound) {
			t.Fatalf("no pause yet: %v", err)
		}
		id, err := c.StartPause(ctx, recordings.Pause{Channel: "PJSIP/100-1", UniqueID: "17.1", LinkedID: "17.0", Started: t0, By: "web:anna"})
		if err != nil {
			t.Fatal(err)
		}
		open, err := c.OpenPause(ctx, "", "PJSIP/100-1")
		if err != nil || open.ID != id || !open.Ended.IsZero() || open.By != "web:anna" {
			t.Fatalf("open: %+v %v", open, err)
		}
		if err := c.EndPause(ctx, id, t0.Add(3*time.Second), "dialplan:PJSIP/100-1"); err != nil {
			t.Fatal(err)
		}
		if err := c.EndPause(ctx, id, t0.Add(9*time.Second), "late"); err != nil {
			t.Fatal(err)
		}
		if _, err := c.OpenPause(ctx, "", "PJSIP/100-1"); !errors.Is(err, recordings.ErrNotFound) {
			t.Errorf("ended pause still open: %v", err)
		}
		if _, err := c.StartPause(ctx, recordings.Pause{Channel: "PJSIP/100-1", UniqueID: "17.1", Started: t0.Add(5 * time.Second)}); err != nil {
			t.Fatal(err)
		}
		for _, k := range [][2]string{{"17.0", ""}, {"", "17.1"}, {"17.0", "17.1"}} {
			ps, err := c.PausesOf(ctx, k[0], k[1])
			if err != nil {
				t.Fatal(err)
			}
			want := 2
			if k[1] == "" {
				want = 1 // the second pause has no linkedid
			}
			if len(ps) != want || !ps[0].Ended.Equal(t0.Add(3*time.Second)) || ps[0].EndedBy != "dialplan:PJSIP/100-1" {
				t.Errorf("PausesOf(%q, %q): %+v", k[0], k[1], ps)
			}
		}
		if ps, err := c.PausesOf(ctx, "", ""); err != nil || len(ps) != 0 {
			t.Errorf("no keys: %+v %v", ps, err)
		}
		if _, err := c.StartPause(ctx, recordings.Pause{Started: t0}); !errors.Is(err, recordings.ErrInvalid) {
			t.Errorf("a pause without a channel: %v", err)
		}
	})
}
