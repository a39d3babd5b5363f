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

// outcome is what happened to one file of a batch.
type outcome int

const (
	outDeleted outcome = iota
	outGone
	outChanged
	outFailed
)

// deleteBatch deletes one batch of a directory's files and marks the catalogue.
func (r *Runner) deleteBatch(ctx context.Context, dir string, batch []Decision, rep *Report) error {
	ids := make([]int64, len(batch))
	for i, d := range batch {
		ids[i] = d.Recording.ID
	}
	held, err := r.Store.HeldAmong(ctx, ids)
	if err != nil {
		return fmt.Errorf("run retention: %w", err)
	}
	todo := batch[:0:0]
	for _, d := range batch {
		if held[d.Recording.ID] {
			rep.HeldNow++
			continue
		}
		todo = append(todo, d)
	}
	outs := make([]outcome, len(todo))
	errs := make([]error, len(todo))
	d, err := r.Tree.OpenDir(dir)
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
		var types map[string]fs.FileMode
		if r.fastDir(dir) {
			types = r.dirTypes(d)
		}
		if types != nil {
			rep.FastBatches++
		}
		r.unlinkAll(d, todo, types, outs, errs)
		d.Close()
	}
	reasons := map[string][]int64{}
	for i, dec := range todo {
		rec := dec.Recording
		switch outs[i] {
		case outDeleted:
			rep.Deleted.add(rec.Size)
			c := rep.ByRule[dec.Rule]
			c.add(rec.Size)
			rep.ByRule[dec.Rule] = c
		case outGone:
			rep.Gone++
		case outChanged:
			rep.Changed++
			r.Log.Info("retention skipped a changed file", "path", rec.Path)
			continue
		case outFailed:
			rep.fail(rec.Path, errs[i])
			r.Log.Warn("retention could not delete a file", "path", rec.Path, "err", errs[i])
			continue
		}
		reason := r.reasonFor(dec)
		reasons[reason] = append(reasons[reason], rec.ID)
	}
	// The files are gone: their rows are marked even when ctx was cancelled meanwhile.
	mctx := context.WithoutCancel(ctx)
	for reason, ids := range reasons {
		if err := r.Store.MarkDeleted(mctx, ids, r.Now, reason); err != nil {
			return fmt.Errorf("run retention: %w", err)
		}
	}
	return nil
}

// dirTypes returns the entry types of the directory d, listed once per directory:
// the fast path checks each name against it instead of a stat per file.
func (r *Runner) dirTypes(d *spool.Dir) map[string]fs.FileMode {
	if r.typesDir != d.Path() || r.types == nil {
		types, err := d.Types()
		if err != nil {
			return nil
		}
		r.typesDir, r.types = d.Path(), types
	}
	return r.types
}

// unlinkAll deletes todo's files from d with r.Workers goroutines. With types (the
// fast path) a name is deleted when the directory lists it as a regular file;
// without, each file is first lstat'ed through d and skipped when its size or mtime
// differ from the catalogue's.
func (r *Runner) unlinkAll(d *spool.Dir, todo []Decision, types map[string]fs.FileMode, outs []outcome, errs []error) {
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(r.Workers, len(todo)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				outs[i], errs[i] = unlinkOne(d, todo[i].Recording, types)
			}
		}()
	}
	for i := range todo {
		next <- i
	}
	close(next)
	wg.Wait()
}

func unlinkOne(d *spool.Dir, rec recordings.Recording, types map[string]fs.FileMode) (outcome, error) {
	name := path.Base(rec.Path)
	if types != nil {
		mode, ok := types[name]
		switch {
		case !ok:
			return outGone, nil
		case !mode.IsRegular():
			return outFailed, fmt.Errorf("remove %s: not a regular file: %w", rec.Path, recordings.ErrOutsideRoot)
		}
	} else {
		st, err := d.Lstat(name)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return outGone, nil
		case err != nil:
			return outFailed, err
		case st.Size != rec.Size || !sameTime(st.ModTime, rec.ModTime):
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
