package catalog

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

func mustAddWebhook(t *testing.T, c *Catalog, url string, events ...string) int64 {
	t.Helper()
	id, err := c.AddWebhook(context.Background(), recordings.Webhook{URL: url, Secret: "s3cret", Events: events})
	if err != nil {
		t.Fatalf("AddWebhook: %v", err)
	}
	return id
}

// TestOutboxEnqueue: one row per subscribed endpoint, the same event ID enqueued
// twice is one row, and the body comes back byte for byte.
func TestOutboxEnqueue(t *testing.T) {
	each(t, func(t *testing.T, c *Catalog) {
		ctx := context.Background()
		if n, err := c.Enqueue(ctx, recordings.OutboxEvent{EventID: "e0", Type: "recording.ready", Body: []byte(`{}`)}); err != nil || n != 0 {
			t.Fatalf("Enqueue with no endpoint: %d, %v", n, err)
		}
		a := mustAddWebhook(t, c, "http://a.example/hook", "recording.ready", "recording.deleted")
		b := mustAddWebhook(t, c, "http://b.example/hook", "recording.held")
		body := []byte("{\"x\":\"\u00e9\\u0000\"}\x00\xff")
		for range 2 {
			if _, err := c.Enqueue(ctx,
				recordings.OutboxEvent{EventID: "e1", Type: "recording.ready", Body: body},
				recordings.OutboxEvent{EventID: "e2", Type: "recording.held", Body: []byte(`{"held":true}`)},
			); err != nil {
				t.Fatalf("Enqueue: %v", err)
			}
		}
		ws, err := c.Webhooks(ctx)
		if err != nil || len(ws) != 2 {
			t.Fatalf("Webhooks: %v, %v", ws, err)
		}
		if ws[0].ID != a || ws[0].Pending != 1 || ws[1].ID != b || ws[1].Pending != 1 || ws[0].Secret != "" {
			t.Fatalf("Webhooks = %+v", ws)
		}
		if got := ws[0].Events; len(got) != 2 || got[0] != "recording.ready" || got[1] != "recording.deleted" {
			t.Errorf("events = %q", got)
		}
		now := time.Now()
		ds, err := c.ClaimDeliveries(ctx, a, "node1", now, time.Minute, 10)
		if err != nil || len(ds) != 1 {
			t.Fatalf("ClaimDeliveries: %v, %v", ds, err)
		}
		d := ds[0]
		if !bytes.Equal(d.Body, body) || d.EventID != "e1" || d.Type != "recording.ready" || d.Secret != "s3cret" || d.Attempts != 1 || d.URL != "http://a.example/hook" {
			t.Errorf("claimed %+v", d)
		}
		if _, err := c.Enqueue(ctx, recordings.OutboxEvent{EventID: "", Type: "x"}); !errors.Is(err, recordings.ErrInvalid) {
			t.Errorf("empty event ID: %v", err)
		}
		if _, err := c.AddWebhook(ctx, recordings.Webhook{URL: "http://x", Secret: "s", Events: []string{"a%b"}}); !errors.Is(err, recordings.ErrInvalid) {
			t.Errorf("event type with %%: %v", err)
		}
		if err := c.RemoveWebhook(ctx, a); err != nil {
			t.Fatal(err)
		}
		if err := c.RemoveWebhook(ctx, a); !errors.Is(err, recordings.ErrNotFound) {
			t.Errorf("second RemoveWebhook: %v", err)
		}
	})
}

// TestOutboxLease: a claimed row is not claimed again until its lease ends or its
// owner releases it; an outcome recorded under a lost lease changes nothing.
func TestOutboxLease(t *testing.T) {
	each(t, func(t *testing.T, c *Catalog) {
		ctx := context.Background()
		ep := mustAddWebhook(t, c, "http://a.example/hook", "t")
		if _, err := c.Enqueue(ctx, recordings.OutboxEvent{EventID: "e1", Type: "t", Body: []byte("1")}); err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		claim := func(owner string, at time.Time) []recordings.Delivery {
			t.Helper()
			ds, err := c.ClaimDeliveries(ctx, ep, owner, at, time.Minute, 5)
			if err != nil {
				t.Fatal(err)
			}
			return ds
		}
		first := claim("n1", now)
		if len(first) != 1 || len(claim("n2", now.Add(30*time.Second))) != 0 {
			t.Fatal("a leased row was claimed twice")
		}
		// n1 dies; after the lease n2 takes the row over.
		second := claim("n2", now.Add(61*time.Second))
		if len(second) != 1 || second[0].Attempts != 2 {
			t.Fatalf("after the lease: %+v", second)
		}
		if ok, err := c.FinishDelivery(ctx, first[0], recordings.DeliveryResult{State: recordings.OutboxDelivered, At: now}); err != nil || ok {
			t.Fatalf("finish under a lost lease: %v, %v", ok, err)
		}
		// n2 dies too; when it starts again it releases its own leases at once.
		if n, err := c.ReleaseLeases(ctx, "n1", now); err != nil || n != 0 {
			t.Fatalf("ReleaseLeases(n1) = %d, %v", n, err)
		}
		if n, err := c.ReleaseLeases(ctx, "n2", now.Add(62*time.Second)); err != nil || n != 1 {
			t.Fatalf("ReleaseLeases(n2) = %d, %v", n, err)
		}
		third := claim("n2", now.Add(62*time.Second))
		if len(third) != 1 || third[0].Attempts != 3 {
			t.Fatalf("after release: %+v", third)
		}
		if ok, err := c.FinishDelivery(ctx, third[0], recordings.DeliveryResult{State: recordings.OutboxPending, NextAt: now.Add(time.Hour), LastError: "HTTP 503", At: now}); err != nil || !ok {
			t.Fatalf("finish pending: %v, %v", ok, err)
		}
		if len(claim("n2", now.Add(10*time.Minute))) != 0 {
			t.Fatal("claimed before next_at")
		}
		// Dead, listed, retried.
		d := claim("n2", now.Add(2*time.Hour))[0]
		if _, err := c.FinishDelivery(ctx, d, recordings.DeliveryResult{State: recordings.OutboxDead, LastError: "HTTP 410 Gone (not retried)", At: now}); err != nil {
			t.Fatal(err)
		}
		dead, err := c.Deliveries(ctx, recordings.OutboxDead, 10)
		if err != nil || len(dead) != 1 || dead[0].LastError != "HTTP 410 Gone (not retried)" || dead[0].Attempts != 4 {
			t.Fatalf("dead: %+v, %v", dead, err)
		}
		if n, err := c.RetryDeliveries(ctx, nil, true, now); err != nil || n != 1 {
			t.Fatalf("RetryDeliveries = %d, %v", n, err)
		}
		d = claim("n2", now)[0]
		if d.Attempts != 1 {
			t.Errorf("attempts after retry = %d, want 1", d.Attempts)
		}
		if _, err := c.FinishDelivery(ctx, d, recordings.DeliveryResult{State: recordings.OutboxDelivered, At: now}); err != nil {
			t.Fatal(err)
		}
		if n, err := c.PruneDelivered(ctx, now.Add(-time.Hour)); err != nil || n != 0 {
			t.Fatalf("prune of fresh rows = %d, %v", n, err)
		}
		if n, err := c.PruneDelivered(ctx, now.Add(time.Hour)); err != nil || n != 1 {
			t.Fatalf("prune = %d, %v", n, err)
		}
	})
}

func TestGetMany(t *testing.T) {
	each(t, func(t *testing.T, c *Catalog) {
		mustUpsert(t, c, rec("2026/11/26/a.wav", 0), rec("2026/11/26/b.wav", 1))
		a, b := mustGet(t, c, "2026/11/26/a.wav"), mustGet(t, c, "2026/11/26/b.wav")
		got, err := c.GetMany(context.Background(), []int64{a.ID, b.ID, 999999})
		if err != nil || len(got) != 2 {
			t.Fatalf("GetMany = %v, %v", got, err)
		}
	})
}
