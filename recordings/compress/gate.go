package compress

import (
	"context"
	"errors"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

// ReadyGate holds back recording.ready for a recording that is about to be
// compressed, so that the event carries the form the recording is kept in: the
// compressor announces it after the switch (or after a failure), and enrichment's
// later announcement passes with the new form. A recording older than Wait is
// never held back: a conversion that never comes must not cost the event.
type ReadyGate struct {
	Next  Events
	Store interface {
		ConversionOf(ctx context.Context, id int64) (recordings.Conversion, error)
	}
	Wait time.Duration
	Now  func() time.Time
}

// DefaultWait is how long ReadyGate holds back an event at most.
const DefaultWait = time.Hour

// RecordingReady passes rec on, in its compressed form once it has one, or holds
// it back while its conversion is to come.
func (g ReadyGate) RecordingReady(ctx context.Context, rec recordings.Recording) error {
	v, err := g.Store.ConversionOf(ctx, rec.ID)
	switch {
	case errors.Is(err, recordings.ErrNotFound):
		if Candidate(rec) && g.now().Sub(rec.ModTime) < g.wait() {
			return nil
		}
	case err != nil:
		return err
	case v.State == recordings.ConversionPending || v.State == recordings.ConversionVerified:
		if g.now().Sub(rec.ModTime) < g.wait() {
			return nil
		}
	case v.State != recordings.ConversionFailed && v.State != recordings.ConversionSkipped && rec.Path == v.FromPath:
		// Read before the switch: announce the form the catalogue names now.
		rec.Path, rec.Format, rec.Size, rec.Duration = v.ToPath, v.ToFormat, v.ToSize, v.Duration
	}
	return g.Next.RecordingReady(ctx, rec)
}

func (g ReadyGate) wait() time.Duration {
	if g.Wait > 0 {
		return g.Wait
	}
	return DefaultWait
}

func (g ReadyGate) now() time.Time {
	if g.Now != nil {
		return g.Now()
	}
	return time.Now()
}
