package catalog

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

func TestPendingAndSetCDR(t *testing.T) {
	each(t, func(t *testing.T, c *Catalog) {
		ctx := context.Background()
		c.now = func() time.Time { return t0 }
		noNameTime := rec("2026/11/26/auto-1788970278.5.wav", 5)
		noNameTime.Name = recordings.Name{Type: "auto"}
		noNameTime.CallTime = noNameTime.ModTime
		disabled := rec("disabled.wav", 6)
		disabled.CDRStatus = recordings.CDRDisabled
		mustUpsert(t, c, rec("a.wav", 0), rec("b.wav", 1), noNameTime, disabled)

		due, err := c.PendingCDR(ctx, t0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if got := paths(due); !slices.Equal(got, []string{"a.wav", "b.wav", noNameTime.Path}) {
			t.Fatalf("PendingCDR = %q", got)
		}
		if early, _ := c.PendingCDR(ctx, t0.Add(-time.Second), 10); len(early) != 0 {
			t.Errorf("due before they were queued: %q", paths(early))
		}
		if one, _ := c.PendingCDR(ctx, t0, 1); len(one) != 1 {
			t.Errorf("limit 1: %d", len(one))
		}

		a, b, n := due[0], due[1], due[2]
		// Not found yet: retry later.
		if err := c.SetCDR(ctx, a.ID, recordings.CDRPending, recordings.CDR{}, 1, t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		cdr := recordings.CDR{CallDate: t0.Add(-2 * time.Hour), Src: "+7 (912) 555-00-11", Dst: "201",
			Disposition: "ANSWERED", Billsec: 42, Duration: 50, LinkedID: "1788970278.1", UniqueID: "1788970278.5"}
		for _, id := range []int64{b.ID, n.ID} {
			if err := c.SetCDR(ctx, id, recordings.CDRLinked, cdr, 1, time.Time{}); err != nil {
				t.Fatal(err)
			}
		}
		due, _ = c.PendingCDR(ctx, t0, 10)
		if len(due) != 0 {
			t.Errorf("after SetCDR, still due: %q", paths(due))
		}
		if due, _ = c.PendingCDR(ctx, t0.Add(time.Minute), 10); len(due) != 1 || due[0].ID != a.ID || due[0].CDRAttempts != 1 {
			t.Errorf("retry: %+v", due)
		}

		gotB, _ := c.Get(ctx, b.ID)
		if gotB.CDRStatus != recordings.CDRLinked || gotB.CDR.Src != cdr.Src || gotB.CDR.Disposition != "ANSWERED" ||
			gotB.LinkedID != cdr.LinkedID || gotB.CDR.LinkedID != cdr.LinkedID || !gotB.CDR.CallDate.Equal(cdr.CallDate) {
			t.Errorf("linked b: %+v", gotB)
		}
		if !gotB.CallTime.Equal(b.CallTime) {
			t.Errorf("b's call time from its name changed: %v -> %v", b.CallTime, gotB.CallTime)
		}
		gotN, _ := c.Get(ctx, n.ID)
		if !gotN.CallTime.Equal(cdr.CallDate) {
			t.Errorf("no name time: call time %v, want the CDR's %v", gotN.CallTime, cdr.CallDate)
		}
		// The CDR's numbers and the new call time are searchable.
		page, err := c.Search(ctx, recordings.Query{Number: "9125550011", Until: t0})
		if err != nil || !slices.Equal(paths(page.Items), []string{n.Path}) {
			t.Errorf("search by CDR number before t0: %q, %v", paths(page.Items), err)
		}
		page, _ = c.Search(ctx, recordings.Query{Disposition: "ANSWERED", MinDuration: 0})
		if page.Total != 2 {
			t.Errorf("answered: %d", page.Total)
		}

		// Giving up keeps what was copied before.
		if err := c.SetCDR(ctx, b.ID, recordings.CDRGaveUp, recordings.CDR{}, 9, time.Time{}); err != nil {
			t.Fatal(err)
		}
		if got, _ := c.Get(ctx, b.ID); got.CDRStatus != recordings.CDRGaveUp || got.CDRAttempts != 9 || got.CDR.Src != cdr.Src {
			t.Errorf("gave up: %+v", got)
		}
		if err := c.SetCDR(ctx, 99999, recordings.CDRLinked, cdr, 1, time.Time{}); !errors.Is(err, recordings.ErrNotFound) {
			t.Errorf("SetCDR(missing) = %v, want ErrNotFound", err)
		}
		if err := c.SetCDR(ctx, a.ID, "weird", cdr, 1, time.Time{}); !errors.Is(err, recordings.ErrInvalid) {
			t.Errorf("SetCDR(bad status) = %v, want ErrInvalid", err)
		}
		// Same values again is not "not found" (MySQL counts matched rows).
		if err := c.SetCDR(ctx, b.ID, recordings.CDRGaveUp, recordings.CDR{}, 9, time.Time{}); err != nil {
			t.Errorf("SetCDR unchanged: %v", err)
		}
	})
}

func TestByLinkedID(t *testing.T) {
	each(t, func(t *testing.T, c *Catalog) {
		ctx := context.Background()
		first := rec("first.wav", 0) // the call's first channel: its uniqueid is the linked id
		first.Name.UniqueID = "1788970278.100"
		second := rec("second.wav", 2)
		second.LinkedID = "1788970278.100"
		third := rec("third.wav", 1)
		third.LinkedID = "1788970278.100"
		third.State = recordings.StateDeleted
		mustUpsert(t, c, second, first, third, rec("other.wav", 1))
		got, err := c.ByLinkedID(ctx, "1788970278.100")
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(paths(got), []string{"first.wav", "third.wav", "second.wav"}) {
			t.Errorf("ByLinkedID = %q", paths(got))
		}
		if got, err := c.ByLinkedID(ctx, "' OR 1=1 --"); err != nil || len(got) != 0 {
			t.Errorf("ByLinkedID(hostile) = %q, %v", paths(got), err)
		}
		if _, err := c.ByLinkedID(ctx, ""); !errors.Is(err, recordings.ErrInvalid) {
			t.Errorf("ByLinkedID(\"\") = %v", err)
		}
	})
}

func TestStats(t *testing.T) {
	each(t, func(t *testing.T, c *Catalog) {
		ctx := context.Background()
		empty, err := c.Stats(ctx)
		if err != nil || empty.Recordings != 0 || !empty.Oldest.IsZero() {
			t.Fatalf("empty catalogue: %+v, %v", empty, err)
		}
		gsm := rec("b.gsm", 10)
		gsm.Format, gsm.Size = recordings.FormatGSM, 100
		gone := rec("c.wav", 20)
		gone.State = recordings.StateMissing
		mustUpsert(t, c, rec("a.wav", 0), gsm, gone, rec("d.wav", -30))
		s, err := c.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if s.Recordings != 4 || s.ByState[recordings.StateOK] != 3 || s.ByState[recordings.StateMissing] != 1 {
			t.Errorf("by state: %+v", s)
		}
		if s.ByFormat[recordings.FormatWAV] != 2 || s.ByFormat[recordings.FormatGSM] != 1 || s.Bytes != 2*16044+100 {
			t.Errorf("by format / bytes: %+v", s)
		}
		if !s.Oldest.Equal(t0.Add(-30*time.Minute)) || !s.Newest.Equal(t0.Add(10*time.Minute)) {
			t.Errorf("oldest %v newest %v", s.Oldest, s.Newest)
		}
		a, err := c.GetByPath(ctx, "", "a.wav")
		if err != nil {
			t.Fatal(err)
		}
		if err := c.SetCDR(ctx, a.ID, recordings.CDRGaveUp, recordings.CDR{}, 3, time.Time{}); err != nil {
			t.Fatal(err)
		}
		s, err = c.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if s.ByCDRStatus[recordings.CDRGaveUp] != 1 || s.ByCDRStatus[a.CDRStatus] != 2 {
			t.Errorf("by CDR status (live files only): %+v", s.ByCDRStatus)
		}
	})
}
