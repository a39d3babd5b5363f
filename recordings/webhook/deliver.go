package webhook

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/totalrec/totalrec/recordings"
)

// Defaults of the Deliverer's tuning fields.
const (
	DefaultPerEndpoint = 4               // deliveries in flight per endpoint
	DefaultLease       = 2 * time.Minute // longer than any attempt (two requests of 15 s and a wait)
	DefaultPoll        = time.Second
	keepDelivered      = 7 * 24 * time.Hour // delivered rows are pruned after this
	stopGrace          = 5 * time.Second    // in-flight attempts get this long at a stop
)

// Deliverer sends the outbox's due rows to their endpoints: the daemon runs one per
// node. Rows are leased before they are sent, so a row in flight when the process
// dies is sent again: when the same owner starts again, or when the lease ends.
// Delivery is therefore at least once; the receiver tells repeats apart by
// X-Totalrec-Delivery. Up to PerEndpoint rows of one endpoint are in flight at a
// time and their order is not kept.
type Deliverer struct {
	Cat         DeliveryStore
	Owner       string                // the node name ("" on a single box); one running Deliverer per name
	Client      *retryablehttp.Client // nil: NewClient(Log)
	PerEndpoint int
	MaxAttempts int
	Lease       time.Duration
	Poll        time.Duration
	Backoff     func(attempt int) time.Duration // nil: Backoff
	Log         *slog.Logger
	Now         func() time.Time

	owner    string // the lease owner: Owner, never empty
	mu       sync.Mutex
	inflight map[int64]int // per endpoint
	wake     chan struct{}
}

func (d *Deliverer) defaults() {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Client == nil {
		d.Client = NewClient(d.Log)
	}
	if d.PerEndpoint <= 0 {
		d.PerEndpoint = DefaultPerEndpoint
	}
	if d.MaxAttempts <= 0 {
		d.MaxAttempts = DefaultMaxAttempts
	}
	if d.Lease <= 0 {
		d.Lease = DefaultLease
	}
	if d.Poll <= 0 {
		d.Poll = DefaultPoll
	}
	if d.Backoff == nil {
		d.Backoff = Backoff
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	d.owner = "node:" + d.Owner
	d.inflight = map[int64]int{}
	d.wake = make(chan struct{}, 1)
}

// Run delivers until ctx ends, then gives the attempts in flight a few seconds to
// finish; one cut short is due again at once. Database errors are logged and tried
// again at the next poll: Run returns nil.
func (d *Deliverer) Run(ctx context.Context) error {
	d.defaults()
	if n, err := d.Cat.ReleaseLeases(ctx, d.owner, d.Now()); err != nil {
		d.Log.Error("release webhook leases", "error", err)
	} else if n > 0 {
		d.Log.Info("webhooks in flight at the last stop are due again", "deliveries", n)
	}
	sendCtx, cancelSend := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelSend()
	var wg sync.WaitGroup
	t := time.NewTicker(d.Poll)
	defer t.Stop()
	var pruned time.Time
	for {
		d.dispatch(ctx, sendCtx, &wg)
		if now := d.Now(); now.Sub(pruned) > time.Hour {
			pruned = now
			if _, err := d.Cat.PruneDelivered(ctx, now.Add(-keepDelivered)); err != nil && ctx.Err() == nil {
				d.Log.Warn("prune delivered webhooks", "error", err)
			}
		}
		select {
		case <-ctx.Done():
			done := make(chan struct{})
			go func() { wg.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(stopGrace):
				cancelSend()
				<-done
			}
			return nil
		case <-t.C:
		case <-d.wake:
		}
	}
}

// dispatch claims what each enabled endpoint has due, up to its free slots, and
// starts sending it.
func (d *Deliverer) dispatch(ctx, sendCtx context.Context, wg *sync.WaitGroup) {
	ws, err := d.Cat.EnabledWebhooks(ctx)
	if err != nil {
		if ctx.Err() == nil {
			d.Log.Error("list webhooks", "error", err)
		}
		return
	}
	for _, w := range ws {
		d.mu.Lock()
		free := d.PerEndpoint - d.inflight[w.ID]
		d.mu.Unlock()
		if free <= 0 {
			continue
		}
		dels, err := d.Cat.ClaimDeliveries(ctx, w.ID, d.owner, d.Now(), d.Lease, free)
		if err != nil {
			if ctx.Err() == nil {
				d.Log.Error("claim webhook deliveries", "endpoint", w.ID, "error", err)
			}
			continue
		}
		for _, del := range dels {
			d.mu.Lock()
			d.inflight[w.ID]++
			d.mu.Unlock()
			wg.Go(func() {
				d.deliver(sendCtx, del)
				d.mu.Lock()
				d.inflight[w.ID]--
				d.mu.Unlock()
				select {
				case d.wake <- struct{}{}:
				default:
				}
			})
		}
	}
}

// deliver makes one attempt and records its outcome.
func (d *Deliverer) deliver(ctx context.Context, del recordings.Delivery) {
	a := d.send(ctx, del)
	now := d.Now()
	var r recordings.DeliveryResult
	if a.err != nil && ctx.Err() != nil {
		// Cut short by a stop: not the endpoint's fault, due again at once.
		r = recordings.DeliveryResult{State: recordings.OutboxPending, NextAt: now, LastError: "interrupted by a stop", At: now}
	} else {
		r = decide(a, del.Attempts, d.MaxAttempts, now, d.Backoff)
	}
	ok, err := d.Cat.FinishDelivery(context.WithoutCancel(ctx), del, r)
	log := d.Log.With("delivery", del.ID, "event", del.Type, "event_id", del.EventID, "endpoint", del.EndpointID, "attempt", del.Attempts)
	switch {
	case err != nil:
		// The row stays leased and is sent again when the lease ends.
		log.Error("record webhook outcome", "error", err)
	case !ok:
		log.Warn("webhook lease lost: the delivery was claimed again meanwhile")
	case r.State == recordings.OutboxDelivered:
		log.Debug("webhook delivered")
	case r.State == recordings.OutboxDead:
		log.Warn("webhook dead", "error", r.LastError)
	default:
		log.Info("webhook failed, will retry", "error", r.LastError, "next_at", r.NextAt)
	}
}

// send posts del's body, signed now.
func (d *Deliverer) send(ctx context.Context, del recordings.Delivery) attempt {
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodPost, del.URL, del.Body)
	if err != nil {
		return attempt{err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Totalrec-Webhook/1")
	req.Header.Set(HeaderEvent, del.Type)
	req.Header.Set(HeaderDelivery, del.EventID)
	req.Header.Set(HeaderSignature, Sign(del.Secret, d.Now(), del.Body))
	resp, err := d.Client.Do(req)
	if err != nil {
		// *url.Error repeats the URL, which may carry a token: keep only its cause.
		if u := errors.Unwrap(err); u != nil {
			err = u
		}
		return attempt{err: err}
	}
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return attempt{
		status:     resp.StatusCode,
		retryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), d.Now()),
		detail:     strings.ToValidUTF8(strings.TrimSpace(string(head)), "?"),
	}
}
