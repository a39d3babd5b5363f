package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

// DefaultMediaTTL is how long the media URL in an event stays valid. It outlasts
// the whole retry schedule, so that a late delivery still carries a working link.
const DefaultMediaTTL = 7 * 24 * time.Hour

// Options configure Events.
type Options struct {
	Media    MediaURLer     // nil: events carry no media_url
	MediaTTL time.Duration  // default DefaultMediaTTL
	Location *time.Location // the PBX's zone, for call_time; default UTC
	Log      *slog.Logger
	Now      func() time.Time
}

// Events builds event payloads and writes them to the outbox, where the daemon's
// Deliverer picks them up. Each method returns only once the event is in the
// outbox (or no endpoint subscribes to its type): callers enqueue before they
// report success. It is safe for concurrent use.
type Events struct {
	cat EventStore
	o   Options
}

// NewEvents returns a producer that writes to cat's outbox.
func NewEvents(cat EventStore, o Options) *Events {
	if o.MediaTTL <= 0 {
		o.MediaTTL = DefaultMediaTTL
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Events{cat: cat, o: o}
}

// RecordingReady enqueues recording.ready for rec as it is (or is about to be)
// committed. Its event ID derives from the recording's ID: announcing the same
// recording again enqueues nothing new.
func (e *Events) RecordingReady(ctx context.Context, rec recordings.Recording) error {
	return e.emit(ctx, EventReady, readyKey(rec.ID), []recordings.Recording{rec}, nil)
}

// RecordingsDeleted enqueues recording.deleted for each of ids, read from the
// catalogue before they are marked deleted (at, for reason). Event IDs derive from
// the recording IDs, so a retention run that repeats a batch after a crash sends
// each event once.
func (e *Events) RecordingsDeleted(ctx context.Context, ids []int64, at time.Time, reason string) error {
	if len(ids) == 0 {
		return nil
	}
	if ok, err := e.subscribed(ctx, EventDeleted); err != nil || !ok {
		return err
	}
	recs, err := e.cat.GetMany(ctx, ids)
	if err != nil {
		return fmt.Errorf("announce deletions: %w", err)
	}
	for i := range recs {
		recs[i].State, recs[i].DeletedAt, recs[i].DeletedReason = recordings.StateDeleted, at, reason
	}
	return e.emitMany(ctx, EventDeleted, recs, func(r recordings.Recording) string { return deletedKey(r.ID) }, nil, at)
}

// RecordingHeld enqueues recording.held for the hold h just placed on rec.
func (e *Events) RecordingHeld(ctx context.Context, rec recordings.Recording, h recordings.Hold) error {
	hd := &HoldData{ID: h.ID, Reason: h.Reason, By: h.Who}
	if !h.Until.IsZero() {
		u := h.Until.UTC()
		hd.Until = &u
	}
	key := EventHeld + ":" + strconv.FormatInt(h.ID, 10)
	return e.emit(ctx, EventHeld, key, []recordings.Recording{rec}, hd)
}

// RecordingReleased enqueues recording.released for rec, whose holds holdIDs are
// being removed. The event ID derives from the hold IDs: releasing the same holds
// again after a crash enqueues nothing new.
func (e *Events) RecordingReleased(ctx context.Context, rec recordings.Recording, holdIDs []int64) error {
	ids := slices.Clone(holdIDs)
	slices.Sort(ids)
	var b strings.Builder
	fmt.Fprintf(&b, "%s:%d", EventReleased, rec.ID)
	for _, id := range ids {
		fmt.Fprintf(&b, ":%d", id)
	}
	rec.Held = false
	return e.emit(ctx, EventReleased, b.String(), []recordings.Recording{rec}, nil)
}

func (e *Events) emit(ctx context.Context, typ, key string, recs []recordings.Recording, hold *HoldData) error {
	if ok, err := e.subscribed(ctx, typ); err != nil || !ok {
		return err
	}
	return e.emitMany(ctx, typ, recs, func(recordings.Recording) string { return key }, hold, e.o.Now())
}

// subscribed reports whether an enabled endpoint takes typ, so that nothing is
// built for events no one receives. It is asked per event, not cached: an endpoint
// receives every event enqueued after AddWebhook returned.
func (e *Events) subscribed(ctx context.Context, typ string) (bool, error) {
	ws, err := e.cat.EnabledWebhooks(ctx)
	if err != nil {
		return false, fmt.Errorf("announce %s: %w", typ, err)
	}
	for _, w := range ws {
		if slices.Contains(w.Events, typ) {
			return true, nil
		}
	}
	return false, nil
}

func (e *Events) emitMany(ctx context.Context, typ string, recs []recordings.Recording, key func(recordings.Recording) string, hold *HoldData, at time.Time) error {
	evs := make([]recordings.OutboxEvent, 0, len(recs))
	for _, rec := range recs {
		p := Payload{ID: eventID(key(rec)), Type: typ, OccurredAt: at.UTC(), Recording: recordings.NewRecordingJSON(rec, e.o.Location), Hold: hold}
		if e.o.Media != nil && rec.State != recordings.StateDeleted {
			exp := at.Add(e.o.MediaTTL).UTC().Truncate(time.Second)
			u, err := e.o.Media.MediaURL(ctx, rec, exp)
			if err != nil {
				// The event matters more than the link: send it without one.
				e.o.Log.Warn("webhook media link failed", "recording", rec.ID, "error", err)
			} else {
				p.MediaURL, p.MediaURLExpiresAt = u, &exp
			}
		}
		body, err := json.Marshal(p)
		if err != nil {
			return fmt.Errorf("announce %s: %w", typ, err)
		}
		evs = append(evs, recordings.OutboxEvent{EventID: p.ID, Type: typ, Body: body})
	}
	if _, err := e.cat.Enqueue(ctx, evs...); err != nil {
		return fmt.Errorf("announce %s: %w", typ, err)
	}
	return nil
}
