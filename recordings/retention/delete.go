package retention

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/faultpoint"
	"github.com/totalrec/totalrec/recordings/spool"
)

// target is what a run keeps of one recording it is to delete: what its claim
// checks the row against, and what the deletion needs.
type target struct {
	id       int64
	path     string
	state    recordings.State
	size     int64
	modTime  time.Time
	callTime time.Time
	rule     string
	// object is the archived recording's key in the bucket; "" for a file on disk.
	object string
}

// row is the catalogue row t was decided on.
func (t target) row() recordings.Recording {
	return recordings.Recording{ID: t.id, Path: t.path, State: t.state, Size: t.size, ModTime: t.modTime, CallTime: t.callTime}
}

// job is one batch of one directory's deletions.
type job struct {
	dr    *dirRun
	items []target
}

// outcome is what happened to one file of a batch.
type outcome int

const (
	outDeleted outcome = iota
	outGone
	outChanged
	outFailed
)

// claimGroup is how many files' rows deleteBatch claims in one transaction before
// unlinking them: one commit per group instead of one per file. A hold placed on
// one of them after its claim is refused until the group's unlinks are done, a
// few milliseconds.
const claimGroup = 128

// deleteBatch deletes one batch of a directory's files, clears their CDR
// recordingfile when the policy asks, and marks the catalogue. Each file's row is
// claimed before its unlink (Store.ClaimDeletions, claimGroup rows in one
// transaction, then their unlinks): a hold placed before the claim keeps the file,
// one placed after it is refused, so the hold check and the unlink cannot be split
// by a hold that returned success. A cancelled run stops between groups; what it
// claimed is unlinked and settled before the batch returns.
func (st *runState) deleteBatch(j job) error {
	r := st.r
	d, types, dirErr := j.dr.handle()
	// The claims, unlinks and marks of a batch under way go on when ctx is
	// cancelled: only the next group is not claimed.
	mctx := context.WithoutCancel(st.ctx)
	var (
		done    []target  // claimed
		outs    []outcome // of done
		errs    []error
		heldNow int64
		stale   int64 // the row changed since it was read: not claimed
		err     error
	)
	for start := 0; start < len(j.items) && st.ctx.Err() == nil; start += claimGroup {
		group := j.items[start:min(start+claimGroup, len(j.items))]
		rows := make([]recordings.Recording, len(group))
		for i, t := range group {
			rows[i] = t.row()
			rows[i].DeletedReason = st.claimReason(t.rule)
		}
		faultpoint.Hit("retention.claim.before")
		claimed, held, cerr := r.Store.ClaimDeletions(mctx, rows, r.Now)
		faultpoint.Hit("retention.claim.after")
		if cerr != nil {
			err = wrapRun(cerr)
			break
		}
		for i, t := range group {
			if !claimed[i] {
				if held[i] {
					heldNow++
				} else {
					stale++
				}
				continue
			}
			if r.beforeUnlink != nil {
				r.beforeUnlink(t.id)
			}
			faultpoint.Hit("retention.unlink.before")
			o, e := outGone, error(nil)
			switch {
			case t.object != "":
				o, e = r.removeObject(mctx, t)
			case errors.Is(dirErr, fs.ErrNotExist):
			case dirErr != nil:
				o, e = outFailed, dirErr
			default:
				o, e = unlinkOne(d, t, types)
			}
			done, outs, errs = append(done, t), append(outs, o), append(errs, e)
			faultpoint.Hit("retention.unlink.after")
		}
	}
	j.dr.mu.Lock()
	j.dr.touched = true
	j.dr.mu.Unlock()

	var (
		kept    []int64                // claimed, but the file stays: released
		byRule  = map[string][]int64{} // deleted or found gone: marked
		gone    []recordings.Recording // the same: the CDR's links to clear
		deleted Count                  // unlinked by this run
	)
	for i, t := range done {
		switch outs[i] {
		case outChanged:
			r.Log.Info("retention skipped a changed file", "path", t.path)
			kept = append(kept, t.id)
			continue
		case outFailed:
			r.Log.Warn("retention could not delete a file", "path", t.path, "err", errs[i])
			kept = append(kept, t.id)
			continue
		case outDeleted:
			deleted.add(t.size)
		}
		byRule[t.rule] = append(byRule[t.rule], t.id)
		if r.Policy.ClearCDR {
			gone = append(gone, recordings.Recording{ID: t.id, Path: t.path, CallTime: t.callTime})
		}
	}
	byReason := map[string][]int64{}
	for rule, ids := range byRule {
		byReason[st.reason(rule)] = ids
	}
	faultpoint.Hit("retention.batch.unlinked")
	st.markMu.Lock()
	serr := st.settle(mctx, kept, gone, deleted, byReason, r.RunID)
	st.markMu.Unlock()
	st.account(j, done, outs, errs, heldNow, stale, types != nil)
	if err == nil {
		err = serr
	}
	return err
}

// settle ends the claims of a batch. It releases kept (the files stay), clears
// the CDR links of gone when asked, then counts deleted to run and marks byReason's
// rows deleted in one transaction (so that the run's record counts exactly what it
// deleted). When the CDR cannot be cleared the rows stay claimed: the next run
// settles them, clearing the CDR first.
func (st *runState) settle(ctx context.Context, kept []int64, gone []recordings.Recording, deleted Count,
	byReason map[string][]int64, run int64) error {
	r := st.r
	err := r.Store.ReleaseClaims(ctx, kept)
	faultpoint.Hit("retention.release.after")
	if len(byReason) == 0 {
		return wrapRun(err)
	}
	cleared, cerr := st.clearCDR(ctx, gone)
	st.mu.Lock()
	st.rep.CDRCleared += cleared
	st.mu.Unlock()
	if cerr != nil {
		return wrapRun(errors.Join(err, cerr))
	}
	faultpoint.Hit("retention.settle.before")
	if serr := r.Store.SettleDeletions(ctx, run, deleted.Files, deleted.Bytes, byReason, r.Now); serr != nil {
		return wrapRun(errors.Join(err, serr))
	}
	faultpoint.Hit("retention.settle.after")
	return wrapRun(err)
}

// wrapRun names the operation of a run's error; nil stays nil.
func wrapRun(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("run retention: %w", err)
}

// clearCDR empties cdr.recordingfile for recs when the policy asks.
func (st *runState) clearCDR(ctx context.Context, recs []recordings.Recording) (int64, error) {
	if len(recs) == 0 || st.r.CDR == nil {
		return 0, nil
	}
	return st.r.CDR.ClearRecordingFiles(ctx, st.r.Tree.Dir(), recs)
}

// account adds a batch's outcomes to the report and tells OnProgress.
func (st *runState) account(j job, done []target, outs []outcome, errs []error, heldNow, stale int64, fast bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	rep := st.rep
	rep.HeldNow += heldNow
	rep.Changed += stale
	if fast {
		rep.FastBatches++
	}
	for i, t := range done {
		switch outs[i] {
		case outDeleted:
			rep.Deleted.add(t.size)
			c := rep.ByRule[t.rule]
			c.add(t.size)
			rep.ByRule[t.rule] = c
		case outGone:
			rep.Gone++
		case outChanged:
			rep.Changed++
		case outFailed:
			rep.fail(t.path, errs[i])
		}
	}
	faultpoint.Hit("retention.record.before")
	if st.r.OnProgress != nil {
		st.r.OnProgress(Progress{Dir: j.dr.dir, Done: rep.Deleted.Files + rep.Gone, Planned: rep.Planned.Files, Report: rep.clone()})
	}
	faultpoint.Hit("retention.record.after")
}

// unlinkOne deletes t's file from d. With types (the fast path) the name is deleted
// when the directory lists it as a regular file; otherwise the file is first
// lstat'ed through d and skipped when its size or mtime differ from the catalogue's.
func unlinkOne(d *spool.Dir, t target, types map[string]fs.FileMode) (outcome, error) {
	name := path.Base(t.path)
	mode, listed := types[name]
	switch {
	case listed && !mode.IsRegular():
		return outFailed, fmt.Errorf("remove %s: not a regular file: %w", t.path, recordings.ErrOutsideRoot)
	case !listed:
		// Not on the fast path, or not in its listing: the listing was taken when
		// the directory's first batch began, and a file put there since is not in
		// it. Look, rather than take the listing's word that the file is gone.
		st, err := d.Lstat(name)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return outGone, nil
		case err != nil:
			return outFailed, err
		case st.Size != t.size || !sameTime(st.ModTime, t.modTime):
			return outChanged, nil
		}
	}
	err := d.Remove(name)
	switch {
	case err == nil:
		return outDeleted, nil
	case errors.Is(err, fs.ErrNotExist):
		return outGone, nil
	}
	return outFailed, err
}

// removeObject deletes an archived recording's object from the bucket. Without
// a bucket the recording is kept: its claim is released.
func (r *Runner) removeObject(ctx context.Context, t target) (outcome, error) {
	if r.Objects == nil {
		return outFailed, fmt.Errorf("remove %s: it is archived, and no archive bucket is configured: %w", t.path, recordings.ErrRefused)
	}
	if err := r.Objects.Remove(ctx, t.object); err != nil {
		return outFailed, err
	}
	return outDeleted, nil
}

// sameTime compares at the catalogue's precision (microseconds).
func sameTime(a, b time.Time) bool {
	return a.Truncate(time.Microsecond).Equal(b.Truncate(time.Microsecond))
}

// fastDir reports whether dir is a day directory (YYYY/MM/DD) whose whole day is
// older than every maximum age plus the grace: every catalogued recording in it that
// is not held or being written is deleted by an age rule whatever its size and
// mtime, so its files are unlinked without the per-file stat.
func (r *Runner) fastDir(dir string) bool {
	if r.NoFastPath {
		return false
	}
	day, ok := parseDayDir(dir, r.Loc)
	if !ok {
		return false
	}
	longest, ok := r.Policy.Longest()
	return ok && r.Now.Sub(day.AddDate(0, 0, 1)) > longest+r.Policy.Grace
}

// prune removes dir and then its month and year directories when they are empty and
// their period ended before yesterday (MixMonitor may still create today's
// directories). It returns how many it removed; failures only skip pruning.
func (r *Runner) prune(dir string) int64 {
	day, ok := parseDayDir(dir, r.Loc)
	if !ok {
		return 0
	}
	y, m := day.Year(), day.Month()
	now := r.Now.In(r.Loc)
	yesterday := time.Date(now.Year(), now.Month(), now.Day()-1, 0, 0, 0, 0, r.Loc)
	levels := []struct {
		parent, name string
		end          time.Time
	}{
		{path.Dir(dir), path.Base(dir), day.AddDate(0, 0, 1)},
		{path.Dir(path.Dir(dir)), fmt.Sprintf("%02d", m), time.Date(y, m+1, 1, 0, 0, 0, 0, r.Loc)},
		{"", strconv.Itoa(y), time.Date(y+1, 1, 1, 0, 0, 0, 0, r.Loc)},
	}
	var n int64
	for _, l := range levels {
		if l.end.After(yesterday) {
			break
		}
		parent := l.parent
		if parent == "." {
			parent = ""
		}
		d, err := r.Tree.OpenDir(parent)
		if err != nil {
			break
		}
		removed, err := d.RemoveEmptySubdir(l.name)
		faultpoint.Hit("retention.prune.rmdir.after")
		d.Close()
		if err != nil || !removed {
			break
		}
		n++
	}
	return n
}

// parseDayDir reads "YYYY/MM/DD" as the start of that day in loc.
func parseDayDir(dir string, loc *time.Location) (time.Time, bool) {
	parts := strings.Split(dir, "/")
	if len(parts) != 3 || len(parts[0]) != 4 || len(parts[1]) != 2 || len(parts[2]) != 2 {
		return time.Time{}, false
	}
	t, err := time.ParseInLocation("2006/01/02", dir, loc)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}
