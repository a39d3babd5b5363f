package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/totalrec/totalrec/internal/testsupport/mariadb"
	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/catalog"
)

// eachCatalog runs fn on a fresh catalogue in SQLite and in MariaDB.
func eachCatalog(t *testing.T, fn func(t *testing.T, cat *catalog.Catalog)) {
	for _, b := range []struct {
		name string
		dsn  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "totalrec.db") }},
		{"mysql", func(t *testing.T) string { return mariadb.NewDatabase(t, "totalrec_webhook") }},
	} {
		t.Run(b.name, func(t *testing.T) {
			cat, err := catalog.Open(context.Background(), b.dsn(t), testLog(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { cat.Close() })
			fn(t, cat)
		})
	}
}

func testLog(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// receiver is a real HTTP endpoint that checks each delivery's signature and
// headers and answers what respond says for the nth request (0: drop the
// connection, a network error for the sender).
type receiver struct {
	t                     *testing.T
	srv                   *httptest.Server
	secret                string
	mu                    sync.Mutex
	respond               func(n int) int
	n                     int
	inFlight, maxInFlight int
	got                   map[string]int    // 2xx answers per delivery ID
	bodies                map[string]string // first body per delivery ID
	errs                  []string
}

func newReceiver(t *testing.T, respond func(n int) int) *receiver {
	r := &receiver{t: t, respond: respond, got: map[string]int{}, bodies: map[string]string{}}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.n++
	n := r.n
	r.inFlight++
	r.maxInFlight = max(r.maxInFlight, r.inFlight)
	r.mu.Unlock()
	var once sync.Once
	done := func() { once.Do(func() { r.mu.Lock(); r.inFlight--; r.mu.Unlock() }) }
	defer done()
	time.Sleep(5 * time.Millisecond)
	var p Payload
	id := req.Header.Get(HeaderDelivery)
	problem := ""
	switch err := Verify(r.secret, req.Header.Get(HeaderSignature), body, time.Now(), 0); {
	case err != nil:
		problem = "signature: " + err.Error()
	case json.Unmarshal(body, &p) != nil:
		problem = "body is not JSON"
	case p.ID != id || p.Type != req.Header.Get(HeaderEvent) || req.Header.Get("Content-Type") != "application/json":
		problem = fmt.Sprintf("headers %v do not match the body %s", req.Header, body)
	}
	status := r.respond(n)
	r.mu.Lock()
	if problem != "" {
		r.errs = append(r.errs, problem)
	}
	if status/100 == 2 {
		r.got[id]++
		if old, ok := r.bodies[id]; ok && old != string(body) {
			r.errs = append(r.errs, "a repeat of "+id+" has another body")
		}
		r.bodies[id] = string(body)
	}
	r.mu.Unlock()
	if status == 0 {
		conn, _, _ := w.(http.Hijacker).Hijack()
		// Out of flight before the client sees the close: its next attempt may
		// start at once, and must not count as a fourth in flight.
		done()
		conn.Close()
		return
	}
	if status == http.StatusServiceUnavailable || status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "1")
	}
	w.WriteHeader(status)
}

// waitFor polls cond until it holds or 30 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// setup catalogues n recordings and returns them with an Events producer.
func setup(t *testing.T, cat *catalog.Catalog, n int) ([]recordings.Recording, *Events) {
	t.Helper()
	ctx := context.Background()
	t0 := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	var recs []recordings.Recording
	for i := range n {
		ct := t0.Add(time.Duration(i) * time.Minute)
		recs = append(recs, recordings.Recording{
			Path: fmt.Sprintf("2026/05/01/in-201-79123456789-20260501-%06d-1788970278.%d.wav", 90000+i, i), Storage: "local",
			Size: 16044, ModTime: ct, Format: recordings.FormatWAV, Duration: 2 * time.Second, State: recordings.StateOK,
			Name:      recordings.Name{Type: "in", Dest: "201", From: "79123456789", Time: ct, UniqueID: fmt.Sprintf("1788970278.%d", i), Ext: "wav"},
			Direction: recordings.DirIn, CallTime: ct, CDRStatus: recordings.CDRDisabled,
		})
	}
	if _, _, err := cat.Upsert(ctx, recs); err != nil {
		t.Fatal(err)
	}
	for i := range recs {
		r, err := cat.GetByPath(ctx, "", recs[i].Path)
		if err != nil {
			t.Fatal(err)
		}
		recs[i] = r
	}
	ev := NewEvents(cat, Options{Log: testLog(t)})
	return recs, ev
}

// runDeliverer runs a fast Deliverer until the test ends.
func runDeliverer(t *testing.T, cat *catalog.Catalog, perEndpoint int) {
	c := NewClient(testLog(t))
	c.RetryWaitMin, c.RetryWaitMax = 5*time.Millisecond, 20*time.Millisecond
	d := &Deliverer{Cat: cat, Owner: "test", Client: c, PerEndpoint: perEndpoint, MaxAttempts: 50,
		Poll: 10 * time.Millisecond, Backoff: func(int) time.Duration { return 30 * time.Millisecond }, Log: testLog(t)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
}

// TestDeliveryOutage: the endpoint answers 503 for a while, then drops connections,
// then comes back: every event arrives, signed, with no more than PerEndpoint in
// flight, and the outbox ends with every row delivered.
func TestDeliveryOutage(t *testing.T) {
	eachCatalog(t, func(t *testing.T, cat *catalog.Catalog) {
		ctx := context.Background()
		recv := newReceiver(t, func(n int) int {
			switch {
			case n <= 15:
				return http.StatusServiceUnavailable
			case n <= 30:
				return 0
			case n <= 35:
				return http.StatusTooManyRequests
			}
			return http.StatusNoContent
		})
		recv.secret = "whsec_outage"
		if _, err := cat.AddWebhook(ctx, recordings.Webhook{URL: recv.srv.URL + "/hook", Secret: recv.secret, Events: EventTypes}); err != nil {
			t.Fatal(err)
		}
		recs, ev := setup(t, cat, 20)
		runDeliverer(t, cat, 3)
		want := map[string]bool{}
		for _, r := range recs {
			if err := ev.RecordingReady(ctx, r); err != nil {
				t.Fatal(err)
			}
			want[eventID(readyKey(r.ID))] = true
		}
		ids := []int64{recs[0].ID, recs[1].ID, recs[2].ID}
		if err := ev.RecordingsDeleted(ctx, ids, time.Now(), "max_age 90d"); err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			want[eventID(deletedKey(id))] = true
		}
		// Announcing again (a producer repeating its step) adds nothing.
		if err := ev.RecordingReady(ctx, recs[5]); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "every event", func() bool {
			recv.mu.Lock()
			defer recv.mu.Unlock()
			return len(recv.got) == len(want)
		})
		recv.mu.Lock()
		for id := range want {
			if recv.got[id] == 0 {
				t.Errorf("event %s never delivered", id)
			}
		}
		if len(recv.errs) > 0 {
			t.Errorf("receiver saw problems: %q", recv.errs)
		}
		if recv.maxInFlight > 3 {
			t.Errorf("%d deliveries in flight at once, cap 3", recv.maxInFlight)
		}
		recv.mu.Unlock()
		waitFor(t, "the outbox to settle", func() bool {
			ws, err := cat.Webhooks(ctx)
			return err == nil && ws[0].Pending == 0
		})
		if ws, _ := cat.Webhooks(ctx); ws[0].Dead != 0 {
			t.Errorf("%d dead deliveries", ws[0].Dead)
		}
	})
}

// TestDeliveryDeadLetter: a 4xx makes the row dead after one attempt; retried, it
// is delivered with the same delivery ID.
func TestDeliveryDeadLetter(t *testing.T) {
	eachCatalog(t, func(t *testing.T, cat *catalog.Catalog) {
		ctx := context.Background()
		var mu sync.Mutex
		status := http.StatusUnprocessableEntity
		recv := newReceiver(t, func(int) int { mu.Lock(); defer mu.Unlock(); return status })
		recv.secret = "whsec_dead"
		if _, err := cat.AddWebhook(ctx, recordings.Webhook{URL: recv.srv.URL, Secret: recv.secret, Events: []string{EventHeld}}); err != nil {
			t.Fatal(err)
		}
		recs, ev := setup(t, cat, 2)
		runDeliverer(t, cat, 4)
		if err := ev.RecordingHeld(ctx, recs[0], recordings.Hold{ID: 7, RecordingID: recs[0].ID, Reason: "court order"}); err != nil {
			t.Fatal(err)
		}
		if err := ev.RecordingReady(ctx, recs[1]); err != nil { // not subscribed
			t.Fatal(err)
		}
		var dead []recordings.Delivery
		waitFor(t, "a dead letter", func() bool {
			var err error
			dead, err = cat.Deliveries(ctx, recordings.OutboxDead, 10)
			return err == nil && len(dead) == 1
		})
		if dead[0].Attempts != 1 || dead[0].Type != EventHeld || dead[0].LastError != "HTTP 422 Unprocessable Entity (not retried)" {
			t.Errorf("dead letter %+v", dead[0])
		}
		mu.Lock()
		status = http.StatusOK
		mu.Unlock()
		if n, err := cat.RetryDeliveries(ctx, nil, true, time.Now()); err != nil || n != 1 {
			t.Fatalf("RetryDeliveries = %d, %v", n, err)
		}
		waitFor(t, "the retried delivery", func() bool {
			recv.mu.Lock()
			defer recv.mu.Unlock()
			return recv.got[dead[0].EventID] == 1
		})
		var p Payload
		recv.mu.Lock()
		json.Unmarshal([]byte(recv.bodies[dead[0].EventID]), &p)
		if len(recv.got) != 1 || len(recv.errs) > 0 {
			t.Errorf("got %v, problems %q", recv.got, recv.errs)
		}
		recv.mu.Unlock()
		if p.Hold == nil || p.Hold.Reason != "court order" || p.Recording.ID != recs[0].ID || p.Recording.Path != recs[0].Path {
			t.Errorf("payload %+v", p)
		}
	})
}

type mediaLinks struct{}

func (mediaLinks) MediaURL(_ context.Context, r recordings.Recording, exp time.Time) (string, error) {
	return fmt.Sprintf("https://pbx.example/share/tok%d", r.ID), nil
}

// TestPayload checks the body of a recording.ready with a media link and of a
// recording.deleted.
func TestPayload(t *testing.T) {
	eachCatalog(t, func(t *testing.T, cat *catalog.Catalog) {
		ctx := context.Background()
		if _, err := cat.AddWebhook(ctx, recordings.Webhook{URL: "http://127.0.0.1:1/", Secret: "s", Events: EventTypes}); err != nil {
			t.Fatal(err)
		}
		recs, _ := setup(t, cat, 1)
		loc, _ := time.LoadLocation("Europe/Moscow")
		at := time.Date(2026, 5, 2, 10, 0, 0, 0, time.UTC)
		ev := NewEvents(cat, Options{Media: mediaLinks{}, Location: loc, Now: func() time.Time { return at }})
		r := recs[0]
		r.CDR = recordings.CDR{Src: "79123456789", Dst: "201", CNam: "Ivan", DID: "74951234567", Disposition: "ANSWERED", Billsec: 42}
		r.LinkedID, r.CDRStatus = "1788970278.0", recordings.CDRLinked
		if err := ev.RecordingReady(ctx, r); err != nil {
			t.Fatal(err)
		}
		if err := ev.RecordingsDeleted(ctx, []int64{r.ID}, at, "max_age 90d"); err != nil {
			t.Fatal(err)
		}
		ds, err := cat.ClaimDeliveries(ctx, 1, "t", time.Now().Add(time.Second), time.Minute, 10)
		if err != nil || len(ds) != 2 {
			t.Fatalf("claimed %d, %v", len(ds), err)
		}
		var ready, deleted map[string]any
		for _, d := range ds {
			var m map[string]any
			if err := json.Unmarshal(d.Body, &m); err != nil {
				t.Fatal(err)
			}
			if m["type"] == EventReady {
				ready = m
			} else {
				deleted = m
			}
		}
		rr := ready["recording"].(map[string]any)
		for k, want := range map[string]any{"src": "79123456789", "dst": "201", "cnam": "Ivan", "did": "74951234567",
			"disposition": "ANSWERED", "billsec": 42.0, "linkedid": "1788970278.0", "uniqueid": "1788970278.0",
			"type": "in", "direction": "in", "dest": "201", "from": "79123456789", "duration": 2.0, "format": "wav",
			"size": 16044.0, "call_time": "2026-05-01T12:00:00+03:00", "cdr_status": "linked"} {
			if rr[k] != want {
				t.Errorf("recording.%s = %v, want %v", k, rr[k], want)
			}
		}
		if ready["media_url"] != fmt.Sprintf("https://pbx.example/share/tok%d", r.ID) || ready["media_url_expires_at"] != "2026-05-09T10:00:00Z" {
			t.Errorf("media link: %v, %v", ready["media_url"], ready["media_url_expires_at"])
		}
		if ready["occurred_at"] != "2026-05-02T10:00:00Z" || ready["id"] != eventID(readyKey(r.ID)) {
			t.Errorf("ready: %v", ready)
		}
		shape, _ := json.Marshal(recordings.NewRecordingJSON(recordings.Recording{}, loc))
		var want map[string]any
		json.Unmarshal(shape, &want)
		for name, got := range map[string]map[string]any{"ready": rr, "deleted": deleted["recording"].(map[string]any)} {
			if g, w := slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)); !slices.Equal(g, w) {
				t.Errorf("%s: the recording's keys\n got %v\nwant %v (recordings.RecordingJSON)", name, g, w)
			}
		}
		dr := deleted["recording"].(map[string]any)
		if dr["state"] != "deleted" || dr["deleted_reason"] != "max_age 90d" || deleted["media_url"] != nil {
			t.Errorf("deleted: %v", deleted)
		}
	})
}
