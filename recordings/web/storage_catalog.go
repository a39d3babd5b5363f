package web

import (
	"context"
	"fmt"
	"time"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/retention"
)

// RetentionFigures is what the storage page reads of the catalogue: the live
// recordings a retention plan goes through, and the last retention runs. It is
// part of Catalog, so a catalogue without it does not compile as one.
type RetentionFigures interface {
	retention.Lister
	RetentionRuns(ctx context.Context, limit int) ([]recordings.RetentionRun, error)
	// Compressed is what compression after the call has done on node: the
	// recordings converted, their bytes before and after.
	Compressed(ctx context.Context, node string) (recordings int64, before, after int64, err error)
	// ArchiveFigures counts node's recordings on disk and in the archive bucket.
	ArchiveFigures(ctx context.Context, node string) (local, archived recordings.ArchiveCount, err error)
}

// planStore gives a retention.Runner the page's read-only figures: the page
// only plans and lists, and every write a run would make is refused.
type planStore struct{ RetentionFigures }

var _ retention.Store = planStore{}

func (planStore) ClaimDeletions(context.Context, []recordings.Recording, time.Time) ([]bool, []bool, error) {
	return nil, nil, errPlanOnly
}
func (planStore) ReleaseClaims(context.Context, []int64) error { return errPlanOnly }
func (planStore) Claims(context.Context, string, int64, int) ([]recordings.Recording, error) {
	return nil, errPlanOnly
}
func (planStore) SettleDeletions(context.Context, int64, int64, int64, map[string][]int64, time.Time) error {
	return errPlanOnly
}
func (planStore) SweepKeys(context.Context) (int64, error) { return 0, errPlanOnly }

var errPlanOnly = fmt.Errorf("storage page: the catalogue is read only here: %w", recordings.ErrRefused)
