package main

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/catalog"
	"github.com/totalrec/totalrec/recordings/webhook"
)

type webhookOptions struct {
	events string
	secret string
	dead   bool
	json   bool
}

func newWebhookCommand(opts *globalOptions) *cobra.Command {
	var wo webhookOptions
	cmd := &cobra.Command{
		Use:   "webhook",
		Short: "Manage webhook endpoints and their deliveries",
		Long: `Webhooks tell another system (a CRM, billing) about recordings with a signed
HTTP POST: recording.ready, recording.deleted, recording.held, recording.released.
Events wait in an outbox in the catalogue; the daemon (totalrec serve) delivers
them at least once, retrying with backoff, and keeps what it gives up on as dead
letters. See docs/api.md, "Webhooks", for the payload and the signature.`,
		Args: cobra.NoArgs,
	}
	add := &cobra.Command{
		Use:     "add URL",
		Short:   "Add an endpoint; prints its signing secret once",
		Example: `  totalrec webhook add https://crm.example.com/hooks/totalrec --events recording.ready,recording.deleted`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runWebhookAdd(cmd.Context(), opts, wo, args[0])
		},
	}
	add.Flags().StringVar(&wo.events, "events", strings.Join(webhook.EventTypes, ","), "comma-separated event types")
	add.Flags().StringVar(&wo.secret, "secret", "", "signing secret (default: a random one, printed once)")
	ls := &cobra.Command{
		Use:   "ls",
		Short: "List the endpoints with their pending and dead deliveries",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runWebhookList(cmd.Context(), opts, wo)
		},
	}
	rm := &cobra.Command{
		Use:   "rm ID",
		Short: "Remove an endpoint and its deliveries",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runWebhookRemove(cmd.Context(), opts, args[0])
		},
	}
	retry := &cobra.Command{
		Use:   "retry [--dead] [DELIVERY-ID…]",
		Short: "Send deliveries again now: the given ones, every dead one (--dead), or every pending one",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runWebhookRetry(cmd.Context(), opts, wo, args)
		},
	}
	retry.Flags().BoolVar(&wo.dead, "dead", false, "only dead deliveries")
	dead := &cobra.Command{
		Use:   "dead",
		Short: "List the dead deliveries (given up on)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runWebhookDead(cmd.Context(), opts, wo)
		},
	}
	for _, c := range []*cobra.Command{ls, dead} {
		c.Flags().BoolVar(&wo.json, "json", false, "print JSON")
	}
	cmd.AddCommand(add, ls, rm, retry, dead)
	return cmd
}

func runWebhookAdd(ctx context.Context, opts *globalOptions, wo webhookOptions, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usagef("%q is not an http or https URL", raw)
	}
	var events []string
	for e := range strings.SplitSeq(wo.events, ",") {
		if e = strings.TrimSpace(e); e == "" {
			continue
		}
		if !webhook.ValidType(e) {
			return usagef("unknown event %q (known: %s)", e, strings.Join(webhook.EventTypes, ", "))
		}
		events = append(events, e)
	}
	if len(events) == 0 {
		return usagef("--events names no event")
	}
	secret := wo.secret
	if secret == "" {
		secret = recordings.NewWebhookSecret()
	}
	a, err := opts.openApp(ctx, false)
	if err != nil {
		return err
	}
	defer a.Close()
	id, err := a.cat.AddWebhook(ctx, recordings.Webhook{URL: u.String(), Secret: secret, Events: events})
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.stdout, "webhook %d added: %s (%s)\n", id, u.Redacted(), strings.Join(events, ", "))
	if wo.secret == "" {
		fmt.Fprintf(opts.stdout, "secret: %s\nKeep it: it is not shown again.\n", secret)
	}
	return nil
}

// webhookJSON is one endpoint as `webhook ls --json` prints it (never its secret).
type webhookJSON struct {
	ID      int64     `json:"id"`
	URL     string    `json:"url"`
	Events  []string  `json:"events"`
	Enabled bool      `json:"enabled"`
	Created time.Time `json:"created"`
	Pending int       `json:"pending"`
	Dead    int       `json:"dead"`
}

func runWebhookList(ctx context.Context, opts *globalOptions, wo webhookOptions) error {
	a, err := opts.openApp(ctx, false)
	if err != nil {
		return err
	}
	defer a.Close()
	ws, err := a.cat.Webhooks(ctx)
	if err != nil {
		return err
	}
	if wo.json {
		out := make([]webhookJSON, 0, len(ws))
		for _, w := range ws {
			out = append(out, webhookJSON{ID: w.ID, URL: w.URL, Events: w.Events, Enabled: w.Enabled, Created: w.Created, Pending: w.Pending, Dead: w.Dead})
		}
		return writeJSON(opts.stdout, out)
	}
	if len(ws) == 0 {
		fmt.Fprintln(opts.stdout, "no webhook endpoint")
		return nil
	}
	tw := tabwriter.NewWriter(opts.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tPENDING\tDEAD\tEVENTS\tURL")
	for _, w := range ws {
		fmt.Fprintf(tw, "%d\t%d\t%d\t%s\t%s\n", w.ID, w.Pending, w.Dead, strings.Join(w.Events, ","), redactURL(w.URL))
	}
	return tw.Flush()
}

func runWebhookRemove(ctx context.Context, opts *globalOptions, arg string) error {
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil || id <= 0 {
		return usagef("%q is not a webhook ID", arg)
	}
	a, err := opts.openApp(ctx, false)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.cat.RemoveWebhook(ctx, id); err != nil {
		return err
	}
	fmt.Fprintf(opts.stdout, "webhook %d removed\n", id)
	return nil
}

func runWebhookRetry(ctx context.Context, opts *globalOptions, wo webhookOptions, args []string) error {
	ids := make([]int64, 0, len(args))
	for _, s := range args {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return usagef("%q is not a delivery ID", s)
		}
		ids = append(ids, id)
	}
	a, err := opts.openApp(ctx, false)
	if err != nil {
		return err
	}
	defer a.Close()
	n, err := a.cat.RetryDeliveries(ctx, ids, wo.dead, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.stdout, "%d deliveries due now\n", n)
	return nil
}

// deadJSON is one dead delivery as `webhook dead --json` prints it.
type deadJSON struct {
	ID         int64     `json:"id"`
	EndpointID int64     `json:"endpoint_id"`
	URL        string    `json:"url"`
	EventID    string    `json:"event_id"`
	Type       string    `json:"type"`
	Attempts   int       `json:"attempts"`
	LastError  string    `json:"last_error"`
	Created    time.Time `json:"created"`
	Failed     time.Time `json:"failed"`
}

func runWebhookDead(ctx context.Context, opts *globalOptions, wo webhookOptions) error {
	a, err := opts.openApp(ctx, false)
	if err != nil {
		return err
	}
	defer a.Close()
	ds, err := a.cat.Deliveries(ctx, recordings.OutboxDead, 10000)
	if err != nil {
		return err
	}
	if wo.json {
		out := make([]deadJSON, 0, len(ds))
		for _, d := range ds {
			out = append(out, deadJSON{ID: d.ID, EndpointID: d.EndpointID, URL: redactURL(d.URL), EventID: d.EventID,
				Type: d.Type, Attempts: d.Attempts, LastError: d.LastError, Created: d.Created, Failed: d.NextAt})
		}
		return writeJSON(opts.stdout, out)
	}
	if len(ds) == 0 {
		fmt.Fprintln(opts.stdout, "no dead delivery")
		return nil
	}
	tw := tabwriter.NewWriter(opts.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tENDPOINT\tEVENT\tEVENT ID\tATTEMPTS\tFAILED\tERROR")
	for _, d := range ds {
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%d\t%s\t%s\n", d.ID, d.EndpointID, d.Type, d.EventID, d.Attempts,
			d.NextAt.In(a.loc).Format("2006-01-02 15:04:05"), d.LastError)
	}
	return tw.Flush()
}

// redactURL hides a password in a URL's user info.
func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	return s
}

// webhookEvents returns the producer of webhook events for a's catalogue.
func (a *app) webhookEvents() *webhook.Events { return a.env().WebhookEvents() }

// announcingStore is the retention runner's catalogue, announcing each batch
// (recording.deleted) just before settling it. A crash in between leaves the rows
// claimed and their files gone; the next run settles them, announcing them again
// under the same event IDs, which the outbox keeps once.
type announcingStore struct {
	*catalog.Catalog
	events *webhook.Events
}

// SettleDeletions announces, then settles.
func (s announcingStore) SettleDeletions(ctx context.Context, run, files, bytes int64, byReason map[string][]int64, now time.Time) error {
	for reason, ids := range byReason {
		if err := s.events.RecordingsDeleted(ctx, ids, now, reason); err != nil {
			return err
		}
	}
	return s.Catalog.SettleDeletions(ctx, run, files, bytes, byReason, now)
}

// retentionStore returns a's catalogue wrapped to announce deletions.
func (a *app) retentionStore() announcingStore {
	return announcingStore{Catalog: a.cat, events: a.webhookEvents()}
}

// holdIDsOf returns the IDs of recording id's holds.
func holdIDsOf(ctx context.Context, cat *catalog.Catalog, id int64) ([]int64, error) {
	hs, err := cat.Holds(ctx)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, h := range hs {
		if h.RecordingID == id {
			ids = append(ids, h.ID)
		}
	}
	return ids, nil
}

// announceHeld enqueues recording.held for hold h, just placed.
func announceHeld(ctx context.Context, a *app, ev *webhook.Events, h recordings.Hold) error {
	rec, err := a.cat.Get(ctx, h.RecordingID)
	if err != nil {
		return err
	}
	return ev.RecordingHeld(ctx, rec, h)
}

// announceReleased enqueues recording.released for recording id when it has holds
// to remove: before they are removed, keyed by their IDs, so that running the
// command again after a crash enqueues the same event.
func announceReleased(ctx context.Context, a *app, ev *webhook.Events, id int64) error {
	holds, err := holdIDsOf(ctx, a.cat, id)
	if err != nil || len(holds) == 0 {
		return err
	}
	rec, err := a.cat.Get(ctx, id)
	if err != nil {
		return err
	}
	return ev.RecordingReleased(ctx, rec, holds)
}
