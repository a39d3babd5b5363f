package retention

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

// Report is the outcome of a run, stored in the catalogue and printed.
type Report struct {
	Started     time.Time        `json:"started"`
	Finished    time.Time        `json:"finished"`
	Policy      string           `json:"policy"`
	Planned     Count            `json:"planned"`
	Deleted     Count            `json:"deleted"`         // unlinked by this run
	ByRule      map[string]Count `json:"deleted_by_rule"` // the same, per rule
	Gone        int64            `json:"already_gone"`    // planned, but the file was already gone; marked deleted
	Changed     int64            `json:"changed"`         // skipped: size or mtime changed since the catalogue saw it
	HeldNow     int64            `json:"held_now"`        // skipped: put on hold after the plan
	Failed      int64            `json:"failed"`          // could not be deleted (permissions, read-only, not a regular file)
	Failures    []Failure        `json:"failures"`        // the first maxFailures of them
	FastBatches int64            `json:"fast_batches"`    // batches deleted without a stat per file
	DirsPruned  int64            `json:"dirs_pruned"`     // empty day, month and year directories removed
	Interrupted bool             `json:"interrupted,omitempty"`
	Status      string           `json:"status"` // done, partial, interrupted
}

// Failure is one file retention could not delete.
type Failure struct {
	Path  string `json:"path"`
	Error string `json:"error"`
}

// maxFailures bounds the failures a report lists one by one.
const maxFailures = 100

// Statuses of a run.
const (
	StatusDone        = "done"
	StatusPartial     = "partial" // done, some files failed
	StatusInterrupted = "interrupted"
	StatusRefused     = "refused"
)

// Run deletes what plan's policy decides at Runner.Now, directory by directory, in
// batches: for each batch it re-reads the holds, deletes the files (checking each
// one's size and mtime unless the batch takes the fast path) and marks the rows of
// the deleted and already-gone files in one catalogue transaction. A cancelled ctx
// stops the run between batches; the batch under way finishes and is marked, so the
// catalogue stays true. Per-file failures are counted and listed, never fatal.
func (r *Runner) Run(ctx context.Context, plan Plan) (Report, error) {
	r.defaults()
	rep := Report{Started: r.Now, Policy: r.Policy.String(), Planned: plan.Summary.Delete,
		ByRule: map[string]Count{}, Failures: []Failure{}}
	if r.Tree == nil {
		return rep, fmt.Errorf("run retention: no spool tree")
	}
	if r.Policy.Empty() {
		return rep, fmt.Errorf("run retention: the policy %s names no rule, so nothing is deleted: %w", r.Policy.Source, recordings.ErrRefused)
	}
	e := r.evaluator(plan)
	var (
		batch   []Decision
		dir     string
		touched bool // something was deleted in dir
	)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := r.deleteBatch(ctx, dir, batch, &rep)
		touched = true
		batch = batch[:0]
		if r.OnProgress != nil {
			r.OnProgress(Progress{Dir: dir, Done: rep.Deleted.Files + rep.Gone, Planned: rep.Planned.Files})
		}
		return err
	}
	endDir := func() {
		if touched {
			rep.DirsPruned += r.prune(dir)
		}
		touched = false
	}
	err := r.eachByDir(ctx, e, func(d Decision) error {
		if d.Recording.Node != r.Node {
			return nil
		}
		if dd := dirOf(d.Recording.Path); dd != dir {
			if err := flush(); err != nil {
				return err
			}
			endDir()
			dir = dd
		}
		if !d.Delete {
			return nil
		}
		batch = append(batch, d)
		if len(batch) >= r.Batch {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
		endDir()
	}
	rep.Finished = time.Now()
	switch {
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		rep.Interrupted, rep.Status = true, StatusInterrupted
	case err != nil:
		rep.Status = StatusPartial
		return rep, err
	case rep.Failed > 0:
		rep.Status = StatusPartial
	default:
		rep.Status = StatusDone
	}
	return rep, err
}

// reasonFor is the catalogue's deleted_reason of a decision.
func (r *Runner) reasonFor(d Decision) string {
	return "retention " + d.Rule + " on " + r.Now.In(r.Loc).Format("2006-01-02")
}

// fail records one failure.
func (rep *Report) fail(path string, err error) {
	rep.Failed++
	if len(rep.Failures) < maxFailures {
		rep.Failures = append(rep.Failures, Failure{Path: path, Error: err.Error()})
	}
}
