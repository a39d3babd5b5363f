package retention

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/catalog"
)

// TestRunnerHoldDuringBatch places holds from inside a batch, between the first
// group's claims and its first unlink, on both backends and on both deletion paths:
// a hold on a file of the batch not claimed yet (in a later group) keeps that file,
// and one on a file claimed with the group being deleted is refused. A run that
// read the holds once per batch deleted the first.
func TestRunnerHoldDuringBatch(t *testing.T) {
	for _, b := range backends {
		for _, checked := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/checked=%v", b.name, checked), func(t *testing.T) {
				ctx := context.Background()
				s := newTestSpool(t, b.dsn(t))
				var recs []recordings.Recording
				const files = claimGroup + 6
				for i := range files {
					recs = append(recs, s.add(t, "out", fmt.Sprint(5550000+i), 100*24*time.Hour+time.Duration(i)*time.Minute, 1000))
				}
				r := s.runner(t, "max_age = 30d\nmax_share = 100%")
				r.Batch, r.Workers, r.NoFastPath = 100, 1, checked
				first, later := recs[0], recs[claimGroup+3]
				calls := 0
				var holdFirst, holdGroup, holdLater error
				r.beforeUnlink = func(id int64) {
					calls++
					if calls > 1 {
						return
					}
					if id != first.ID {
						t.Errorf("first unlink is of %d, want %d", id, first.ID)
					}
					_, holdFirst = s.cat.AddHold(ctx, recordings.Hold{RecordingID: first.ID, Reason: "too late", Since: now})
					_, holdGroup = s.cat.AddHold(ctx, recordings.Hold{RecordingID: recs[3].ID, Reason: "claimed", Since: now})
					_, holdLater = s.cat.AddHold(ctx, recordings.Hold{RecordingID: later.ID, Reason: "court order 12", Since: now})
				}
				plan, err := r.Plan(ctx)
				if err != nil || plan.Summary.Delete.Files != files {
					t.Fatalf("plan: %+v %v", plan.Summary, err)
				}
				rep, err := r.Run(ctx, plan)
				if err != nil {
					t.Fatal(err)
				}
				if !errors.Is(holdFirst, recordings.ErrGone) {
					t.Errorf("hold on the file being deleted: %v, want ErrGone", holdFirst)
				}
				if !errors.Is(holdGroup, recordings.ErrGone) || s.exists(recs[3].Path) {
					t.Errorf("hold on a file claimed with the first: %v, want ErrGone and the file deleted", holdGroup)
				}
				if holdLater != nil {
					t.Fatalf("hold on a later file: %v", holdLater)
				}
				if rep.HeldNow != 1 || rep.Deleted.Files != files-1 || rep.Status != StatusDone {
					t.Errorf("report: held now %d deleted %d status %s, want 1 %d done", rep.HeldNow, rep.Deleted.Files, rep.Status, files-1)
				}
				if !s.exists(later.Path) {
					t.Errorf("%s was held before its unlink and is deleted", later.Path)
				}
				got, err := s.cat.Get(ctx, later.ID)
				if err != nil || got.State == recordings.StateDeleted || !got.Held || !got.DeletedAt.IsZero() {
					t.Errorf("held row: %+v %v", got, err)
				}
				if s.exists(first.Path) {
					t.Errorf("%s was claimed before the hold and is still there", first.Path)
				}
				if got, _ := s.cat.Get(ctx, first.ID); got.State != recordings.StateDeleted || got.Held {
					t.Errorf("first row: state %s held %v", got.State, got.Held)
				}
				if hs, _ := s.cat.Holds(ctx); len(hs) != 1 || hs[0].RecordingID != later.ID {
					t.Errorf("holds: %+v", hs)
				}
			})
		}
	}
}

// failingSettle is the catalogue with SettleDeletions failing, as a run killed
// between its unlinks and its marks leaves things.
type failingSettle struct{ *catalog.Catalog }

func (failingSettle) SettleDeletions(context.Context, int64, int64, int64, map[string][]int64, time.Time) error {
	return errors.New("killed")
}

// TestRecoverClaims leaves claims as a killed run does — files unlinked and not
// marked, one claimed and not unlinked — and checks that the next run settles
// them: the gone ones marked deleted and counted to the run that claimed them,
// the one still there released and decided again.
func TestRecoverClaims(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			s := newTestSpool(t, b.dsn(t))
			var recs []recordings.Recording
			for i := range 8 {
				recs = append(recs, s.add(t, "out", fmt.Sprint(5550000+i), 100*24*time.Hour+time.Duration(i)*time.Minute, 1000+i))
			}
			run, err := s.cat.SaveRetentionRun(ctx, recordings.RetentionRun{Started: now, Finished: now, Status: StatusRunning, Report: "{}"})
			if err != nil {
				t.Fatal(err)
			}
			killed := s.runner(t, "max_age = 30d\nmax_share = 100%")
			killed.Store, killed.RunID, killed.Batch, killed.Workers = failingSettle{s.cat}, run, 4, 1
			plan, err := killed.Plan(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := killed.Run(ctx, plan); err == nil {
				t.Fatal("the killed run did not fail")
			}
			// One more claimed and not unlinked: killed between the two.
			stay := recs[7]
			stay.DeletedReason = tagRun("retention max_age on 2026-11-26", run)
			if ok, _, err := s.cat.ClaimDeletions(ctx, []recordings.Recording{stay}, now); err != nil || !ok[0] {
				t.Fatalf("claim: %v %v", ok, err)
			}
			var unlinked []recordings.Recording
			for _, rec := range recs {
				if !s.exists(rec.Path) {
					unlinked = append(unlinked, rec)
				}
			}
			if len(unlinked) != 4 {
				t.Fatalf("the killed run unlinked %d files, want 4", len(unlinked))
			}
			for _, rec := range unlinked {
				if got, _ := s.cat.Get(ctx, rec.ID); got.State == recordings.StateDeleted {
					t.Fatalf("%s is marked before recovery", rec.Path)
				}
			}
			if _, err := s.cat.AddHold(ctx, recordings.Hold{RecordingID: stay.ID, Reason: "x", Since: now}); !errors.Is(err, recordings.ErrGone) {
				t.Errorf("hold on a claimed row: %v", err)
			}

			next := s.runner(t, "max_age = 30d\nmax_share = 100%")
			rc, err := next.Recover(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var bytes int64
			for _, rec := range unlinked {
				bytes += rec.Size
			}
			if rc.Deleted.Files != 4 || rc.Released != 1 || rc.ByRun[run].Files != 4 || rc.ByRun[run].Bytes != bytes {
				t.Errorf("recovered %+v", rc)
			}
			for _, rec := range unlinked {
				got, _ := s.cat.Get(ctx, rec.ID)
				if got.State != recordings.StateDeleted || got.DeletedReason != "retention max_age on 2026-11-26" {
					t.Errorf("%s: state %s reason %q", rec.Path, got.State, got.DeletedReason)
				}
			}
			if got, _ := s.cat.Get(ctx, stay.ID); got.State != recordings.StateOK || !got.DeletedAt.IsZero() || !s.exists(stay.Path) {
				t.Errorf("released row: %+v", got)
			}
			runs, err := s.cat.RetentionRuns(ctx, 5)
			if err != nil || len(runs) != 1 || runs[0].DeletedFiles != 4 || runs[0].DeletedBytes != bytes {
				t.Errorf("the killed run's record: %+v %v", runs, err)
			}
			// Recovering again finds nothing; the run then deletes the other four.
			if rc, err := next.Recover(ctx); err != nil || rc.Deleted.Files != 0 || rc.Released != 0 {
				t.Errorf("second recovery: %+v %v", rc, err)
			}
			plan, err = next.Plan(ctx)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := next.Run(ctx, plan)
			if err != nil || rep.Deleted.Files != 4 || rep.Changed != 0 {
				t.Errorf("next run: %+v %v", rep, err)
			}
			for _, rec := range recs {
				got, _ := s.cat.Get(ctx, rec.ID)
				if s.exists(rec.Path) || got.State != recordings.StateDeleted {
					t.Errorf("%s: on disk %v, state %s", rec.Path, s.exists(rec.Path), got.State)
				}
			}
		})
	}
}

// TestRunnerFastPathListingIsNotTheTruth puts a catalogued file back in its day
// directory after the fast path listed it: the run must not mark it deleted from
// the stale listing, leaving a file on disk that the catalogue calls deleted.
func TestRunnerFastPathListingIsNotTheTruth(t *testing.T) {
	ctx := context.Background()
	s := newTestSpool(t, backends[0].dsn(t))
	var recs []recordings.Recording
	for i := range 4 {
		recs = append(recs, s.add(t, "out", fmt.Sprint(5550000+i), 100*24*time.Hour+time.Duration(i)*time.Minute, 1000))
	}
	back, grown := recs[2], recs[3]
	full := func(r recordings.Recording) string { return filepath.Join(s.root, filepath.FromSlash(r.Path)) }
	saved := map[int64][]byte{}
	for _, r := range []recordings.Recording{back, grown} {
		b, err := os.ReadFile(full(r))
		must(t, err)
		saved[r.ID] = b
		must(t, os.Remove(full(r)))
	}
	r := s.runner(t, "max_age = 30d\nmax_share = 100%")
	r.Batch, r.Workers = 2, 1
	r.beforeUnlink = func(id int64) {
		if id != recs[0].ID {
			return
		}
		// Back as it was (a restore), and back grown (a rewrite).
		must(t, os.WriteFile(full(back), saved[back.ID], 0o644))
		must(t, os.Chtimes(full(back), back.ModTime, back.ModTime))
		must(t, os.WriteFile(full(grown), append(saved[grown.ID], 1), 0o644))
	}
	plan, err := r.Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := r.Run(ctx, plan)
	if err != nil || rep.FastBatches == 0 {
		t.Fatalf("run: %+v %v", rep, err)
	}
	if rep.Deleted.Files != 3 || rep.Changed != 1 || rep.Gone != 0 {
		t.Errorf("report: deleted %d changed %d gone %d, want 3 1 0", rep.Deleted.Files, rep.Changed, rep.Gone)
	}
	for _, rec := range recs {
		got, _ := s.cat.Get(ctx, rec.ID)
		if (got.State == recordings.StateDeleted) == s.exists(rec.Path) {
			t.Errorf("%s: catalogue %s, on disk %v", rec.Path, got.State, s.exists(rec.Path))
		}
	}
}

// TestRunnerWatermarkBudget releases a hold between the plan and the run: the
// released recording is older than the cutoff, and deleting it as well would free
// more than the watermark needs. The run deletes what the plan counted, no more.
func TestRunnerWatermarkBudget(t *testing.T) {
	ctx := context.Background()
	s := newTestSpool(t, backends[0].dsn(t))
	var recs []recordings.Recording
	for i := range 10 {
		recs = append(recs, s.add(t, "out", fmt.Sprint(5550000+i), time.Duration(20-i)*24*time.Hour, 1000))
	}
	oldest := recs[0]
	if _, err := s.cat.AddHold(ctx, recordings.Hold{RecordingID: oldest.ID, Reason: "audit", Since: now}); err != nil {
		t.Fatal(err)
	}
	r := s.runner(t, "max_spool = 3K\nmax_share = 100%")
	r.Disk = Disk{Total: 1 << 30, Free: 1 << 29, Spool: 10000}
	plan, err := r.Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// 10000 - 3072 bytes to free: seven of the nine eligible recordings.
	if plan.Summary.Delete.Files != 7 || plan.WatermarkBytes != 7000 {
		t.Fatalf("plan: delete %d, watermark bytes %d", plan.Summary.Delete.Files, plan.WatermarkBytes)
	}
	if _, err := s.cat.RemoveHolds(ctx, oldest.ID); err != nil {
		t.Fatal(err)
	}
	rep, err := r.Run(ctx, plan)
	if err != nil {
		t.Fatal(err)
	}
	if w := rep.ByRule[RuleWatermark]; w.Files != 7 || w.Bytes != 7000 {
		t.Errorf("the watermark deleted %d files, %d bytes; want 7, 7000", w.Files, w.Bytes)
	}
}
