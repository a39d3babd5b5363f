package retention

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/spool"
)

// Lister is what planning reads of the catalogue: the live recordings, paged.
type Lister interface {
	// LiveByDir pages through the recordings on disk by (dir, id). It fills the
	// fields a decision reads: ID, Node, Path, Size, ModTime, State, CallTime and
	// Held, and with scoped (Policy.Scoped) the Name's Type, Dest and From, the
	// Direction and the CDR's Src, Dst, CNum, DID and LastApp.
	LiveByDir(ctx context.Context, node, afterDir string, afterID int64, limit int, scoped bool) ([]recordings.Recording, error)
	// LiveByTime pages through the recordings on disk by (call time, id), filling
	// the fields LiveByDir does.
	LiveByTime(ctx context.Context, node string, afterTime time.Time, afterID int64, limit int, scoped bool) ([]recordings.Recording, error)
}

// Store is what the runner needs of the catalogue: what planning reads, and the
// claims and marks of a run.
type Store interface {
	Lister
	// ClaimDeletions claims the rows of recs before their files are unlinked, each
	// with its DeletedReason as the reason, in one transaction: a row is claimed only
	// when it is not held, not claimed already, and its state, size, mtime and call
	// time are still its record's. A hold placed before the claim wins; one placed
	// after is refused. It reports, per record, whether it claimed the row and, when
	// not, whether a hold is why.
	ClaimDeletions(ctx context.Context, recs []recordings.Recording, now time.Time) (claimed, held []bool, err error)
	// ReleaseClaims drops the claims on ids whose file stays.
	ReleaseClaims(ctx context.Context, ids []int64) error
	// Claims pages through node's claimed rows by id, filling ID, Node, Storage,
	// Path, Size, ModTime, State, CallTime, DeletedAt and DeletedReason (the
	// claim's reason).
	Claims(ctx context.Context, node string, afterID int64, limit int) ([]recordings.Recording, error)
	// SettleDeletions adds files and bytes to run's deleted counts and marks the
	// claimed rows of byReason deleted at now with their reason, in one transaction.
	SettleDeletions(ctx context.Context, run, files, bytes int64, byReason map[string][]int64, now time.Time) error
	// SweepKeys brings the number keys of the recordings SettleDeletions marked in
	// step with their state; a run calls it once it has settled every batch.
	SweepKeys(ctx context.Context) (int64, error)
}

// CDR is what the runner needs of the CDR database when the policy clears
// cdr.recordingfile (Policy.ClearCDR).
type CDR interface {
	// ClearRecordingFiles empties recordingfile in the CDR rows that name one of
	// recs' files (by Path, relative to spoolDir, near its CallTime) and returns how
	// many rows it changed. Clearing a row twice is harmless.
	ClearRecordingFiles(ctx context.Context, spoolDir string, recs []recordings.Recording) (int64, error)
}

// Defaults of the Runner's tuning fields.
const (
	DefaultPage    = 2000 // catalogue rows per page
	DefaultBatch   = 1000 // deletions per catalogue transaction
	DefaultWorkers = 8    // batches deleted in parallel, across directories
)

// Runner plans and runs retention over one node's spool and catalogue. Its memory
// is bounded by Page and Batch, never by the number of recordings.
type Runner struct {
	Store Store
	CDR   CDR         // needed by Run when the policy clears cdr.recordingfile
	Tree  *spool.Tree // needed by Run only
	// Objects removes archived recordings' objects from the archive bucket
	// (*s3.Bucket satisfies it); nil: no archive tier, and an archived recording
	// due for deletion is kept, and reported.
	Objects Objects
	Node    string
	Loc     *time.Location // the PBX's zone: day directories and per-day counts
	Policy  Policy
	Now     time.Time // the one "now" of the whole plan and run
	Disk    Disk      // measured by the caller before planning
	Page    int
	Batch   int
	Workers int
	Log     *slog.Logger
	// NoFastPath makes every deletion check the file's size and mtime first, even
	// in day directories older than every maximum age.
	NoFastPath bool
	// RunID is the catalogue's record of this run (0: none). Claims carry it, so
	// that the deletions of a killed run, settled by the next, count as its own.
	RunID int64
	// OnProgress, when set, is called after each batch of a run, one call at a
	// time.
	OnProgress func(Progress)

	// beforeUnlink, set by tests, is called after a file's row is claimed and
	// before the file is unlinked.
	beforeUnlink func(id int64)
}

// Objects is the archive bucket, as retention uses it.
type Objects interface {
	Remove(ctx context.Context, key string) error
}

// Progress is the running count of a run.
type Progress struct {
	Dir     string
	Done    int64 // files deleted or found gone so far
	Planned int64
	Report  Report // the run's report so far, a copy
}

// Plan is what a run would do, computed from the catalogue at Runner.Now.
type Plan struct {
	Summary Summary `json:"summary"`
	Cutoff  Cutoff  `json:"-"`
	// WatermarkNeed is the bytes the watermark must free beyond the other rules;
	// WatermarkShort says the eligible recordings do not free that much.
	WatermarkNeed  int64 `json:"watermark_need"`
	WatermarkShort bool  `json:"watermark_short,omitempty"`
	// WatermarkBytes is what the recordings under the cutoff held when planned:
	// a run deletes no more than that by the watermark (unless Cutoff.All).
	WatermarkBytes int64 `json:"watermark_bytes,omitempty"`
}

func (r *Runner) defaults() {
	if r.Page <= 0 {
		r.Page = DefaultPage
	}
	if r.Batch <= 0 {
		r.Batch = DefaultBatch
	}
	if r.Workers <= 0 {
		r.Workers = DefaultWorkers
	}
	if r.Loc == nil {
		r.Loc = time.UTC
	}
	if r.Log == nil {
		r.Log = slog.New(slog.DiscardHandler)
	}
}

// Plan computes what a run would delete. An empty policy is refused with
// recordings.ErrRefused: it names nothing to delete, and a run must not guess.
func (r *Runner) Plan(ctx context.Context) (Plan, error) {
	r.defaults()
	if r.Policy.Empty() {
		return Plan{}, fmt.Errorf("plan retention: the policy %s names no rule, so nothing is deleted: %w", r.Policy.Source, recordings.ErrRefused)
	}
	var plan Plan
	if r.Policy.Watermark() {
		var freed int64
		err := r.eachByDir(ctx, Evaluator{Policy: r.Policy, Now: r.Now}, func(d Decision) error {
			if d.Delete {
				freed += d.Recording.Size
			}
			return nil
		})
		if err != nil {
			return plan, err
		}
		plan.WatermarkNeed = r.Policy.Need(r.Disk, freed)
		if plan.WatermarkNeed > 0 {
			w, err := r.findCutoff(ctx, plan.WatermarkNeed)
			if err != nil {
				return plan, err
			}
			plan.Cutoff, plan.WatermarkShort, plan.WatermarkBytes = w.Cutoff(), w.Short(), w.Bytes
		}
	}
	plan.Summary = NewSummary()
	err := r.eachByDir(ctx, r.evaluator(plan), func(d Decision) error {
		plan.Summary.Add(d, r.Loc)
		return nil
	})
	return plan, err
}

// List calls fn with every decision of plan, by directory.
func (r *Runner) List(ctx context.Context, plan Plan, fn func(Decision) error) error {
	r.defaults()
	return r.eachByDir(ctx, r.evaluator(plan), fn)
}

func (r *Runner) evaluator(plan Plan) Evaluator {
	return Evaluator{Policy: r.Policy, Now: r.Now, Cutoff: plan.Cutoff}
}

// eachByDir streams the live recordings by directory and decides each.
func (r *Runner) eachByDir(ctx context.Context, e Evaluator, fn func(Decision) error) error {
	dir, id := "", int64(0)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		page, err := r.Store.LiveByDir(ctx, r.Node, dir, id, r.Page, r.Policy.Scoped())
		if err != nil {
			return fmt.Errorf("plan retention: %w", err)
		}
		for _, rec := range page {
			if err := fn(e.Decide(rec)); err != nil {
				return err
			}
		}
		if len(page) < r.Page {
			return nil
		}
		last := page[len(page)-1]
		dir, id = dirOf(last.Path), last.ID
	}
}

// findCutoff walks the live recordings oldest first until the eligible ones cover
// need.
func (r *Runner) findCutoff(ctx context.Context, need int64) (*Watermark, error) {
	e := Evaluator{Policy: r.Policy, Now: r.Now}
	w := NewWatermark(need)
	var after time.Time
	var id int64
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		page, err := r.Store.LiveByTime(ctx, r.Node, after, id, r.Page, r.Policy.Scoped())
		if err != nil {
			return nil, fmt.Errorf("plan watermark: %w", err)
		}
		for _, rec := range page {
			if !w.Add(e.Decide(rec)) {
				return w, nil
			}
		}
		if len(page) < r.Page {
			return w, nil
		}
		last := page[len(page)-1]
		after, id = last.CallTime, last.ID
	}
}

// dirOf is the catalogue's directory of a path: "" for the root.
func dirOf(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[:i]
		}
	}
	return ""
}
