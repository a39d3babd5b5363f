package ingest

import (
	"context"
	"fmt"
	"log/slog"
	"path"
	"time"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/cdr"
)

// Enricher copies each pending recording's CDR fields into the catalogue.
type Enricher struct {
	Cat    EnrichStore
	CDR    *cdr.Reader
	Window time.Duration // give up this long after the file was last written; default 2h
	Log    *slog.Logger
	Now    func() time.Time
	// Events, when set, is told of each recording enrichment settles (linked or
	// given up) before the catalogue records it, so that a crash in between makes
	// the next pass announce it again rather than never.
	Events ReadyEvents
}

// ReadyEvents receives recordings that are ready: linked to their CDR row, given up
// on, or catalogued with no CDR database to wait for. An error stops the step that
// would have made the recording ready; it is tried again later.
type ReadyEvents interface {
	RecordingReady(ctx context.Context, rec recordings.Recording) error
}

// EnrichReport summarises one pass.
type EnrichReport struct {
	Linked int `json:"linked"`
	Retry  int `json:"retry"`
	GaveUp int `json:"gave_up"`
	Errors int `json:"errors"`
}

// RunOnce works through the recordings due for enrichment, up to limit of them.
func (e *Enricher) RunOnce(ctx context.Context, limit int) (EnrichReport, error) {
	var rep EnrichReport
	now := e.now()
	due, err := e.Cat.PendingCDR(ctx, now, limit)
	if err != nil {
		return rep, fmt.Errorf("enrich: %w", err)
	}
	for _, rec := range due {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		file := path.Base(rec.Path)
		legs, err := e.CDR.Legs(ctx, rec.Name.UniqueID, rec.LinkedID, file)
		if err != nil {
			// The CDR database being away is not the recording's fault: try later.
			rep.Errors++
			e.Log.Warn("cdr lookup failed", "path", rec.Path, "error", err)
			if err := e.retry(ctx, rec, now); err != nil {
				return rep, err
			}
			continue
		}
		if leg, ok := cdr.PickLeg(legs, rec.Name, file); ok {
			if err := e.ready(ctx, linked(rec, leg)); err != nil {
				return rep, err
			}
			if err := e.Cat.SetCDR(ctx, rec.ID, recordings.CDRLinked, leg, rec.CDRAttempts+1, time.Time{}); err != nil {
				return rep, fmt.Errorf("enrich: %w", err)
			}
			rep.Linked++
			continue
		}
		if now.Sub(rec.ModTime) > e.window() {
			settled := rec
			settled.CDRStatus, settled.CDRAttempts = recordings.CDRGaveUp, rec.CDRAttempts+1
			if err := e.ready(ctx, settled); err != nil {
				return rep, err
			}
			if err := e.Cat.SetCDR(ctx, rec.ID, recordings.CDRGaveUp, recordings.CDR{}, rec.CDRAttempts+1, time.Time{}); err != nil {
				return rep, fmt.Errorf("enrich: %w", err)
			}
			rep.GaveUp++
			continue
		}
		if err := e.retry(ctx, rec, now); err != nil {
			return rep, err
		}
		rep.Retry++
	}
	return rep, nil
}

// RunAll repeats RunOnce until nothing is due. Each pass either settles a
// recording or moves its next attempt into the future, so the loop ends.
func (e *Enricher) RunAll(ctx context.Context) (EnrichReport, error) {
	const pass = 500
	var total EnrichReport
	for {
		r, err := e.RunOnce(ctx, pass)
		total.Linked += r.Linked
		total.Retry += r.Retry
		total.GaveUp += r.GaveUp
		total.Errors += r.Errors
		if err != nil || r.Linked+r.Retry+r.GaveUp < pass {
			return total, err
		}
	}
}

func (e *Enricher) retry(ctx context.Context, rec recordings.Recording, now time.Time) error {
	n := rec.CDRAttempts + 1
	if err := e.Cat.SetCDR(ctx, rec.ID, recordings.CDRPending, recordings.CDR{}, n, now.Add(Backoff(n))); err != nil {
		return fmt.Errorf("enrich: %w", err)
	}
	return nil
}

// Backoff is the wait before enrichment attempt n+1: 15 s doubling, at most 10 min.
// The CDR row normally lands within seconds of hangup; later attempts cover a CDR
// backend that batches (cdr.conf batch mode) or a database that was away.
func Backoff(n int) time.Duration {
	d := 15 * time.Second
	for i := 1; i < n && d < 10*time.Minute; i++ {
		d *= 2
	}
	return min(d, 10*time.Minute)
}

// ready announces rec, as it is about to be stored, to e.Events.
func (e *Enricher) ready(ctx context.Context, rec recordings.Recording) error {
	if e.Events == nil {
		return nil
	}
	if err := e.Events.RecordingReady(ctx, rec); err != nil {
		return fmt.Errorf("enrich: %w", err)
	}
	return nil
}

// linked is rec as SetCDR stores it once linked to leg.
func linked(rec recordings.Recording, leg recordings.CDR) recordings.Recording {
	rec.CDRStatus, rec.CDRAttempts, rec.CDR = recordings.CDRLinked, rec.CDRAttempts+1, leg
	if leg.LinkedID != "" {
		rec.LinkedID = leg.LinkedID
	}
	if rec.Name.Time.IsZero() && !leg.CallDate.IsZero() {
		rec.CallTime = leg.CallDate
	}
	rec.CDR.LinkedID = rec.LinkedID
	return rec
}

func (e *Enricher) window() time.Duration {
	if e.Window <= 0 {
		return 2 * time.Hour
	}
	return e.Window
}

func (e *Enricher) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}
