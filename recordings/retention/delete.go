package retention

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/spool"
)

// target is what a run keeps of one recording it is to delete.
type target struct {
	id       int64
	path     string
	size     int64
	modTime  time.Time
	callTime time.Time
	rule     string
}

// job is one batch of one directory's deletions.
type job struct {
	dr    *dirRun
	items []target
}

// dirRun is one directory of a run. Its batches may be deleted by several workers
// at once: they share one directory handle and, on the fast path, one listing. The
// last batch to finish, once the producer has sent them all, closes the handle and
// prunes the directory.
type dirRun struct {
	st   *runState
	dir  string
	fast bool

	open    sync.Once
	d       *spool.Dir
	openErr error
	types   map[string]fs.FileMode // the fast path's listing; nil on the checked path

	mu      sync.Mutex
	pending int  // batches sent and not finished
	sent    bool // the producer sent the last batch
	touched bool // a batch was deleted
}

func (dr *dirRun) add() {
	dr.mu.Lock()
	dr.pending++
	dr.mu.Unlock()
}

// finished ends one batch; ended says the producer sent them all.
func (dr *dirRun) finished() { dr.settle(-1, false) }
func (dr *dirRun) ended()    { dr.settle(0, true) }

func (dr *dirRun) settle(delta int, sent bool) {
	dr.mu.Lock()
	dr.pending += delta
	dr.sent = dr.sent || sent
	last := dr.sent && dr.pending == 0
	dr.mu.Unlock()
	if !last {
		return
	}
	if dr.d != nil {
		dr.d.Close()
	}
	if dr.touched {
		n := dr.st.r.prune(dr.dir)
		dr.st.mu.Lock()
		dr.st.rep.DirsPruned += n
		dr.st.mu.Unlock()
	}
}

// handle opens the directory once and, on the fast path, lists it once: the batches
// check each name against the listing instead of a stat per file.
func (dr *dirRun) handle() (*spool.Dir, map[string]fs.FileMode, error) {
	dr.open.Do(func() {
		dr.d, dr.openErr = dr.st.r.Tree.OpenDir(dr.dir)
		if dr.openErr == nil && dr.fast {
			if types, err := dr.d.Types(); err == nil {
				dr.types = types
			}
		}
	})
	return dr.d, dr.types, dr.openErr
}

// outcome is what happened to one file of a batch.
type outcome int

const (
	outDeleted outcome = iota
	outGone
	outChanged
	outFailed
)

// deleteBatch deletes one batch of a directory's files, clears their CDR
// recordingfile when the policy asks, and marks the catalogue.
func (st *runState) deleteBatch(j job) error {
	r := st.r
	ids := make([]int64, len(j.items))
	for i, t := range j.items {
		ids[i] = t.id
	}
	held, err := r.Store.HeldAmong(st.ctx, ids)
	if err != nil {
		return fmt.Errorf("run retention: %w", err)
	}
	todo := j.items[:0]
	heldNow := int64(0)
	for _, t := range j.items {
		if held[t.id] {
			heldNow++
			continue
		}
		todo = append(todo, t)
	}
	outs := make([]outcome, len(todo))
	errs := make([]error, len(todo))
	d, types, err := j.dr.handle()
	switch {
	case errors.Is(err, fs.ErrNotExist):
		for i := range outs {
			outs[i] = outGone
		}
	case err != nil:
		for i := range outs {
			outs[i], errs[i] = outFailed, err
		}
	default:
		for i, t := range todo {
			outs[i], errs[i] = unlinkOne(d, t, types)
		}
	}
	j.dr.mu.Lock()
	j.dr.touched = true
	j.dr.mu.Unlock()

	byRule := map[string][]int64{}
	var gone []recordings.Recording // deleted or found gone: the CDR's links to clear
	for i, t := range todo {
		switch outs[i] {
		case outChanged:
			r.Log.Info("retention skipped a changed file", "path", t.path)
			continue
		case outFailed:
			r.Log.Warn("retention could not delete a file", "path", t.path, "err", errs[i])
			continue
		}
		byRule[t.rule] = append(byRule[t.rule], t.id)
		if r.Policy.ClearCDR {
			gone = append(gone, recordings.Recording{ID: t.id, Path: t.path, CallTime: t.callTime})
		}
	}
	// The files are gone: their CDR links are cleared and their rows marked even
	// when ctx was cancelled meanwhile.
	mctx := context.WithoutCancel(st.ctx)
	st.markMu.Lock()
	cleared, err := st.clearCDR(mctx, gone)
	for rule, ids := range byRule {
		if err != nil {
			break
		}
		err = r.Store.MarkDeleted(mctx, ids, r.Now, "retention "+rule+" on "+st.day)
		if err != nil {
			err = fmt.Errorf("run retention: %w", err)
		}
	}
	st.markMu.Unlock()
	st.account(j, todo, outs, errs, heldNow, types != nil, cleared)
	return err
}

// clearCDR empties cdr.recordingfile for recs when the policy asks.
func (st *runState) clearCDR(ctx context.Context, recs []recordings.Recording) (int64, error) {
	if len(recs) == 0 || st.r.CDR == nil {
		return 0, nil
	}
	n, err := st.r.CDR.ClearRecordingFiles(ctx, st.r.Tree.Dir(), recs)
	if err != nil {
		return n, fmt.Errorf("run retention: %w", err)
	}
	return n, nil
}

// account adds a batch's outcomes to the report and tells OnProgress.
func (st *runState) account(j job, todo []target, outs []outcome, errs []error, heldNow int64, fast bool, cleared int64) {
	st.mu.Lock()
	defer st.mu.Unlock()
	rep := st.rep
	rep.HeldNow += heldNow
	rep.CDRCleared += cleared
	if fast {
		rep.FastBatches++
	}
	for i, t := range todo {
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
	if st.r.OnProgress != nil {
		st.r.OnProgress(Progress{Dir: j.dr.dir, Done: rep.Deleted.Files + rep.Gone, Planned: rep.Planned.Files})
	}
}

// unlinkOne deletes t's file from d. With types (the fast path) the name is deleted
// when the directory lists it as a regular file; without, the file is first
// lstat'ed through d and skipped when its size or mtime differ from the catalogue's.
func unlinkOne(d *spool.Dir, t target, types map[string]fs.FileMode) (outcome, error) {
	name := path.Base(t.path)
	if types != nil {
		mode, ok := types[name]
		switch {
		case !ok:
			return outGone, nil
		case !mode.IsRegular():
			return outFailed, fmt.Errorf("remove %s: not a regular file: %w", t.path, recordings.ErrOutsideRoot)
		}
	} else {
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
