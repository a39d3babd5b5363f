package catalog

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

// TestClaimsAndHolds checks that a claim and a hold exclude each other on both
// dialects: whichever commits first wins, and the other says why it lost.
func TestClaimsAndHolds(t *testing.T) {
	each(t, func(t *testing.T, c *Catalog) {
		ctx := context.Background()
		mustUpsert(t, c, rec("a.wav", 0), rec("b.wav", 1), rec("c.wav", 2), rec("d.wav", 3), rec("e.wav", 4))
		a, b, cc, d, e := mustGet(t, c, "a.wav"), mustGet(t, c, "b.wav"), mustGet(t, c, "c.wav"), mustGet(t, c, "d.wav"), mustGet(t, c, "e.wav")
		claim := func(r recordings.Recording) (bool, bool) {
			t.Helper()
			r.DeletedReason = "retention max_age on 2026-11-26 [run 7]"
			ok, held, err := c.ClaimDeletions(ctx, []recordings.Recording{r}, t0)
			if err != nil {
				t.Fatal(err)
			}
			return ok[0], held[0]
		}
		hold := func(r recordings.Recording) error {
			_, err := c.AddHold(ctx, recordings.Hold{RecordingID: r.ID, Reason: "court", Who: "legal", Since: t0})
			return err
		}

		// A hold first: the claim loses and says the hold is why.
		if err := hold(a); err != nil {
			t.Fatal(err)
		}
		if ok, held := claim(a); ok || !held {
			t.Errorf("claim of a held row: claimed %v held %v", ok, held)
		}
		// A claim first: the hold is refused as gone, and nothing is held.
		if ok, _ := claim(b); !ok {
			t.Fatal("claim of b failed")
		}
		if ok, _ := claim(b); ok {
			t.Error("b claimed twice")
		}
		if err := hold(b); !errors.Is(err, recordings.ErrGone) || !strings.Contains(err.Error(), "being deleted") {
			t.Errorf("hold of a claimed row: %v", err)
		}
		if got, _ := c.Get(ctx, b.ID); got.Held || got.State != recordings.StateOK {
			t.Errorf("claimed b: held %v state %s", got.Held, got.State)
		}
		// A row changed since it was read is not claimed.
		changed := cc
		changed.Size++
		if ok, held := claim(changed); ok || held {
			t.Errorf("claim of a changed row: claimed %v held %v", ok, held)
		}
		// A scan marking the claimed file missing keeps the claim; Claims lists it.
		if ok, _ := claim(d); !ok {
			t.Fatal("claim of d failed")
		}
		if err := c.MarkMissing(ctx, []int64{d.ID}, t0); err != nil {
			t.Fatal(err)
		}
		claims, err := c.Claims(ctx, "", 0, 10)
		if err != nil || len(claims) != 2 || claims[0].ID != b.ID || claims[1].ID != d.ID ||
			claims[1].State != recordings.StateMissing || claims[0].DeletedReason != "retention max_age on 2026-11-26 [run 7]" {
			t.Fatalf("Claims: %+v %v", claims, err)
		}
		// Settling counts the deletion to the run and marks the row deleted with the
		// untagged reason, in one transaction.
		run, err := c.SaveRetentionRun(ctx, recordings.RetentionRun{Started: t0, Finished: t0, Status: "running", Report: "{}"})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.SettleDeletions(ctx, run, 1, 16044, map[string][]int64{"retention max_age on 2026-11-26": {d.ID}}, t0); err != nil {
			t.Fatal(err)
		}
		if got, _ := c.Get(ctx, d.ID); got.DeletedReason != "retention max_age on 2026-11-26" || got.State != recordings.StateDeleted {
			t.Errorf("settled claim: state %s, reason %q", got.State, got.DeletedReason)
		}
		if err := c.UpdateRetentionRun(ctx, recordings.RetentionRun{ID: run, Finished: t0, Status: "interrupted", Report: "{}"}); err != nil {
			t.Fatal(err)
		}
		runs, err := c.RetentionRuns(ctx, 5)
		if err != nil || len(runs) != 1 || runs[0].DeletedFiles != 1 || runs[0].DeletedBytes != 16044 || runs[0].Status != "interrupted" {
			t.Errorf("runs: %+v %v", runs, err)
		}
		// A row not claimed is not settled.
		if err := c.SettleDeletions(ctx, 0, 0, 0, map[string][]int64{"retention max_age on 2026-11-26": {e.ID}}, t0); err != nil {
			t.Fatal(err)
		}
		if got, _ := c.Get(ctx, e.ID); got.State != recordings.StateOK {
			t.Errorf("settling an unclaimed row: %+v", got)
		}
		if _, err := c.SweepKeys(ctx); err != nil {
			t.Fatal(err)
		}
		// Released, b is as it was, and holdable.
		if err := c.ReleaseClaims(ctx, []int64{b.ID}); err != nil {
			t.Fatal(err)
		}
		if got, _ := c.Get(ctx, b.ID); got.State != recordings.StateOK || !got.DeletedAt.IsZero() || got.DeletedReason != "" {
			t.Errorf("released b: %+v", got)
		}
		if err := hold(b); err != nil {
			t.Errorf("hold of a released row: %v", err)
		}
		// A deleted recording is gone; a missing one (not deleted by Totalrec) may
		// come back, and is held.
		if err := hold(d); !errors.Is(err, recordings.ErrGone) || !strings.Contains(err.Error(), "was deleted on 2026-11-26") {
			t.Errorf("hold of a deleted row: %v", err)
		}
		if err := c.MarkMissing(ctx, []int64{e.ID}, t0); err != nil {
			t.Fatal(err)
		}
		if err := hold(e); err != nil {
			t.Errorf("hold of a missing row: %v", err)
		}
		if claims, err := c.Claims(ctx, "", 0, 10); err != nil || len(claims) != 0 {
			t.Errorf("claims left: %+v %v", claims, err)
		}
	})
}

// TestClaimDeletionsGroup claims a group in one call, on both dialects: each row is
// judged on its own (a held row, a row changed since it was read, two claimable
// ones), the results come back in the records' order, and each claimed row keeps
// its own record's reason.
func TestClaimDeletionsGroup(t *testing.T) {
	each(t, func(t *testing.T, c *Catalog) {
		ctx := context.Background()
		mustUpsert(t, c, rec("g1.wav", 0), rec("g2.wav", 1), rec("g3.wav", 2), rec("g4.wav", 3))
		g := []recordings.Recording{mustGet(t, c, "g1.wav"), mustGet(t, c, "g2.wav"), mustGet(t, c, "g3.wav"), mustGet(t, c, "g4.wav")}
		if _, err := c.AddHold(ctx, recordings.Hold{RecordingID: g[1].ID, Reason: "court", Who: "legal", Since: t0}); err != nil {
			t.Fatal(err)
		}
		g[2].Size++ // read before the file changed
		for i := range g {
			g[i].DeletedReason = fmt.Sprintf("rule %d", i)
		}
		claimed, held, err := c.ClaimDeletions(ctx, g, t0)
		if err != nil {
			t.Fatal(err)
		}
		if want := []bool{true, false, false, true}; !slices.Equal(claimed, want) {
			t.Errorf("claimed %v, want %v", claimed, want)
		}
		if want := []bool{false, true, false, false}; !slices.Equal(held, want) {
			t.Errorf("held %v, want %v", held, want)
		}
		claims, err := c.Claims(ctx, "", 0, 10)
		if err != nil || len(claims) != 2 || claims[0].DeletedReason != "rule 0" || claims[1].DeletedReason != "rule 3" {
			t.Errorf("claims: %+v %v", claims, err)
		}
		if _, _, err := c.ClaimDeletions(ctx, g, time.Time{}); !errors.Is(err, recordings.ErrInvalid) {
			t.Errorf("claim at a zero time: %v", err)
		}
	})
}
