package daemon

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/totalrec/totalrec/recordings/evidence"
	"github.com/totalrec/totalrec/recordings/ingest"
	"github.com/totalrec/totalrec/recordings/spool"
)

// enrichEvery is how often the daemon looks for CDR rows of new recordings; linkDelay
// is how long after a hook it looks once more: the row is written at hangup, moments
// after MixMonitor closed the file and ran the hook.
const (
	enrichEvery = 10 * time.Second
	linkDelay   = 700 * time.Millisecond
)

// pruneEvery is how often the daemon deletes expired sessions. A session is
// refused the moment it expires whatever this says; pruning only keeps the
// table small.
const pruneEvery = 15 * time.Minute

// sealEvery is how often the daemon seals the recordings that became final;
// sealFullEvery how often a pass starts again from the first recording, for a
// file that reappeared or was repaired under an old id.
const (
	sealEvery     = time.Minute
	sealFullEvery = 6 * time.Hour
)

// sealLoop hashes finished recordings into their seals (package evidence). It
// needs no key: the nightly `totalrec seal` signs the manifests.
func sealLoop(ctx context.Context, env Env, tree *spool.Tree) error {
	log := env.Log.With("component", "seal")
	h := &evidence.Hasher{Store: env.Catalog, Tree: tree, Node: env.Config.Node, Log: log, Clock: time.Now}
	var lastFull time.Time
	every(ctx, sealEvery, nil, func(ctx context.Context) {
		now := time.Now()
		full := now.Sub(lastFull) >= sealFullEvery
		r, err := h.Pass(ctx, now, full)
		switch {
		case ctx.Err() != nil:
		case err != nil:
			log.Error("sealing failed", slog.Any("error", err))
		default:
			if full {
				lastFull = now
			}
			if r.Sealed > 0 || r.Unreadable > 0 {
				log.Info("sealed", slog.Int("recordings", r.Sealed), slog.Int64("bytes", r.Bytes), slog.Int("unreadable", r.Unreadable))
			}
		}
	})
	return nil
}

// scanLoop runs the scan job at startup (when asked) and every o.ScanEvery. A
// failed scan is logged and tried again at the next tick.
func scanLoop(ctx context.Context, env Env, o Options, scanning sync.Locker) error {
	log := env.Log.With("component", "scan")
	if o.NoScan || o.ScanEvery <= 0 {
		log.Info("periodic scan is disabled")
		<-ctx.Done()
		return nil
	}
	once := func(ctx context.Context) {
		scanning.Lock()
		res, err := Scan(ctx, env, false, nil)
		scanning.Unlock()
		switch {
		case ctx.Err() != nil:
		case err != nil:
			log.Error("scan failed", slog.Any("error", err))
		default:
			attrs := []any{slog.Int("files", res.Scan.Files), slog.Int("new", res.Scan.New),
				slog.Int("changed", res.Scan.Changed), slog.Int("missing", res.Scan.Missing),
				slog.Duration("elapsed", res.Scan.Elapsed)}
			if res.CDR != nil {
				attrs = append(attrs, slog.Int("cdr_linked", res.CDR.Linked))
			}
			log.Info("scan done", attrs...)
		}
	}
	if o.ScanAtStart {
		once(ctx)
	}
	every(ctx, o.ScanEvery, nil, once)
	return nil
}

// enrichLoop links recordings to their CDR rows as the rows land.
func enrichLoop(ctx context.Context, env Env, interval time.Duration, soon <-chan struct{}, events ingest.ReadyEvents) error {
	if env.CDR == nil {
		<-ctx.Done()
		return nil
	}
	log := env.Log.With("component", "enrich")
	e := &ingest.Enricher{Cat: env.Catalog, CDR: env.CDR, Window: env.Config.CDRWindow, Log: log, Events: events}
	every(ctx, interval, soon, func(ctx context.Context) {
		if r, err := e.RunAll(ctx); err != nil && ctx.Err() == nil {
			log.Error("enrichment failed", slog.Any("error", err))
		} else if r.Linked+r.GaveUp > 0 {
			log.Info("enriched", slog.Int("linked", r.Linked), slog.Int("gave_up", r.GaveUp))
		}
	})
	return nil
}

// pruneSessionsLoop deletes the sessions past session_idle or session_max.
func pruneSessionsLoop(ctx context.Context, env Env, interval time.Duration) error {
	every(ctx, interval, nil, func(ctx context.Context) {
		now := time.Now()
		if n, err := env.Catalog.PruneSessions(ctx, now.Add(-env.Config.SessionIdle), now.Add(-env.Config.SessionMax)); err != nil && ctx.Err() == nil {
			env.Log.Warn("prune sessions", slog.Any("error", err))
		} else if n > 0 {
			env.Log.Debug("sessions pruned", slog.Int64("sessions", n))
		}
	})
	return nil
}

// kicker coalesces requests for a pass of a loop: kick asks for one after delay;
// kicks before that pass fires add nothing.
type kicker struct {
	c     chan struct{}
	delay time.Duration
	mu    sync.Mutex
	timer *time.Timer
}

func newKicker(delay time.Duration) *kicker {
	return &kicker{c: make(chan struct{}, 1), delay: delay}
}

func (k *kicker) kick() {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.timer != nil {
		return
	}
	k.timer = time.AfterFunc(k.delay, func() {
		k.mu.Lock()
		k.timer = nil
		k.mu.Unlock()
		select {
		case k.c <- struct{}{}:
		default: // a pass is already due
		}
	})
}

func (k *kicker) stop() {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.timer != nil {
		k.timer.Stop()
	}
}
