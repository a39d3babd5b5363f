package retention

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/faultpoint"
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
	Changed     int64            `json:"changed"`         // skipped: the file or its row changed since it was read
	HeldNow     int64            `json:"held_now"`        // skipped: put on hold after the plan, before the file's claim
	Failed      int64            `json:"failed"`          // could not be deleted (permissions, read-only, not a regular file)
	Failures    []Failure        `json:"failures"`        // the first maxFailures of them
	FastBatches int64            `json:"fast_batches"`    // batches deleted without a stat per file
	DirsPruned  int64            `json:"dirs_pruned"`     // empty day, month and year directories removed
	CDRCleared  int64            `json:"cdr_cleared,omitempty"`
	Interrupted bool             `json:"interrupted,omitempty"`
	Status      string           `json:"status"` // running, done, partial, interrupted
	// PID and Host name the process of the run, for its stored record.
	PID  int    `json:"pid,omitempty"`
	Host string `json:"host,omitempty"`
}

// clone copies rep, its map and its slice.
func (rep *Report) clone() Report {
	c := *rep
	c.ByRule = make(map[string]Count, len(rep.ByRule))
	for k, v := range rep.ByRule {
		c.ByRule[k] = v
	}
	c.Failures = append([]Failure{}, rep.Failures...)
	return c
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
	StatusRunning     = "running" // stored when a run starts; a killed run keeps it until the next notices
	StatusDone        = "done"
	StatusPartial     = "partial" // done, some files failed
	StatusInterrupted = "interrupted"
	StatusRefused     = "refused"
	StatusFailed      = "failed" // stopped by an error before it began deleting
)

// Run deletes what plan's policy decides at Runner.Now. It streams the catalogue by
// directory, decides each recording again, and hands the deletions to Workers
// goroutines in batches of at most Batch files of one directory; the workers take
// batches of different directories at once, so that the file system's per-directory
// lock does not serialise them. For each file of a batch a worker claims its row
// (not held, unchanged since it was read), deletes the file (checking its size and
// mtime unless the batch takes the fast path), and for the batch clears the CDR
// recordingfile when the policy asks and marks the rows of the deleted and
// already-gone files. A cancelled ctx stops the run between files: what was claimed
// is settled, so the catalogue stays true. Per-file failures are counted and
// listed, never fatal; a catalogue or CDR error stops the run. The caller holds the
// retention lock and has called Recover.
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
	if r.Policy.ClearCDR && r.CDR == nil {
		return rep, fmt.Errorf("run retention: the policy clears cdr.recordingfile but no CDR database is configured: %w", recordings.ErrRefused)
	}
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	st := &runState{r: r, ctx: wctx, stop: stop, rep: &rep, day: r.Now.In(r.Loc).Format("2006-01-02")}
	st.wmBudget = -1
	if !plan.Cutoff.All {
		st.wmBudget = plan.WatermarkBytes
	}
	jobs := make(chan job)
	var wg sync.WaitGroup
	for range r.Workers {
		wg.Go(func() {
			for j := range jobs {
				st.work(j)
			}
		})
	}
	faultpoint.Hit("retention.run.start")
	err := st.produce(r.evaluator(plan), jobs)
	close(jobs)
	wg.Wait()
	faultpoint.Hit("retention.run.workers.done")
	// The number keys of what the batches marked, in one pass (Store.SweepKeys),
	// whether or not the run was stopped.
	if _, serr := r.Store.SweepKeys(context.WithoutCancel(ctx)); serr != nil {
		err = errors.Join(err, wrapRun(serr))
	}
	faultpoint.Hit("retention.sweep.after")
	rep.Finished = time.Now()
	if st.fatal != nil {
		err = st.fatal
	}
	switch {
	case st.fatal == nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)):
		rep.Interrupted, rep.Status = true, StatusInterrupted
	case err != nil:
		rep.Status = StatusPartial
	case rep.Failed > 0:
		rep.Status = StatusPartial
	default:
		rep.Status = StatusDone
	}
	return rep, err
}

// produce streams the decisions by directory and sends the deletions to jobs in
// batches, one dirRun per directory.
func (st *runState) produce(e Evaluator, jobs chan<- job) error {
	r, ctx := st.r, st.ctx
	var (
		cur   *dirRun
		batch []target
	)
	send := func() error {
		if len(batch) == 0 {
			return nil
		}
		faultpoint.Hit("retention.batch.send")
		cur.add()
		select {
		case jobs <- job{dr: cur, items: batch}:
		case <-ctx.Done():
			cur.finished()
			return ctx.Err()
		}
		batch = make([]target, 0, r.Batch)
		return nil
	}
	err := r.eachByDir(ctx, e, func(d Decision) error {
		rec := d.Recording
		if rec.Node != r.Node {
			return nil
		}
		if dir := dirOf(rec.Path); cur == nil || dir != cur.dir {
			if err := send(); err != nil {
				return err
			}
			if cur != nil {
				cur.ended()
			}
			cur = &dirRun{st: st, dir: dir, fast: r.fastDir(dir)}
		}
		if !d.Delete || !st.withinWatermark(d) {
			return nil
		}
		t := target{id: rec.ID, path: rec.Path, state: rec.State, size: rec.Size, modTime: rec.ModTime,
			callTime: rec.CallTime, rule: d.Rule}
		if rec.Storage == recordings.StorageS3 {
			t.object = recordings.ObjectKey(rec.Node, rec.Path)
		}
		batch = append(batch, t)
		if len(batch) >= r.Batch {
			return send()
		}
		return nil
	})
	if err == nil {
		err = send()
	}
	if cur != nil {
		cur.ended()
	}
	return err
}

// runState is what the workers of one run share.
type runState struct {
	r    *Runner
	ctx  context.Context // the run's: cancelled by the caller, or by stop on a fatal error
	stop context.CancelFunc
	day  string // the day of Now in the PBX's zone, for deleted_reason

	// wmBudget is what the watermark may still delete, in bytes: the plan's
	// WatermarkBytes, or -1 when its cutoff takes every eligible recording. Only
	// the producer uses it.
	wmBudget int64

	mu    sync.Mutex // guards rep and fatal, and orders OnProgress calls
	rep   *Report
	fatal error // the first catalogue or CDR error; it stops the run

	markMu sync.Mutex // one catalogue and CDR update at a time
}

// withinWatermark reports whether d may go as far as the watermark is concerned.
// The cutoff was found by the plan on the rows as they were then; a recording that
// became eligible since (a hold released, a call time corrected, an old file
// scanned) falls under the cutoff too, and deleting it would free more than the
// watermark needs. A run deletes no more bytes by the watermark than the plan
// counted under the cutoff.
func (st *runState) withinWatermark(d Decision) bool {
	if d.Rule != RuleWatermark || st.wmBudget < 0 {
		return true
	}
	if d.Recording.Size > st.wmBudget {
		return false
	}
	st.wmBudget -= d.Recording.Size
	return true
}

// reason is the deleted_reason of what rule deletes; claimReason adds the run, so
// that a claim left by a killed run names it.
func (st *runState) reason(rule string) string { return "retention " + rule + " on " + st.day }

func (st *runState) claimReason(rule string) string { return tagRun(st.reason(rule), st.r.RunID) }

// work deletes one batch, unless the run stopped before it started.
func (st *runState) work(j job) {
	defer j.dr.finished()
	if st.ctx.Err() != nil {
		return
	}
	if err := st.deleteBatch(j); err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		st.mu.Lock()
		if st.fatal == nil {
			st.fatal = err
		}
		st.mu.Unlock()
		st.stop()
	}
}

// fail records one failure.
func (rep *Report) fail(path string, err error) {
	rep.Failed++
	if len(rep.Failures) < maxFailures {
		rep.Failures = append(rep.Failures, Failure{Path: path, Error: err.Error()})
	}
}
