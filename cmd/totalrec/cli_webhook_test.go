package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings/catalog"
	"github.com/totalrec/totalrec/recordings/webhook"
)

// hookReceiver is a CRM's webhook endpoint: it verifies every delivery and keeps
// what arrived. /gone answers 410 until accept is set.
type hookReceiver struct {
	t       *testing.T
	secret  string
	delay   atomic.Int64 // nanoseconds each answer waits
	mu      sync.Mutex
	started chan struct{} // one value per request begun
	accept  bool
	got     map[string][]webhook.Payload // by X-Totalrec-Delivery
	bodies  map[string]string
	errs    []string
}

func newHookReceiver(t *testing.T) (*hookReceiver, *httptest.Server) {
	r := &hookReceiver{t: t, got: map[string][]webhook.Payload{}, bodies: map[string]string{}, started: make(chan struct{}, 1000)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.started <- struct{}{}
		body, _ := io.ReadAll(req.Body)
		time.Sleep(time.Duration(r.delay.Load()))
		r.mu.Lock()
		defer r.mu.Unlock()
		if req.URL.Path == "/gone" && !r.accept {
			w.WriteHeader(http.StatusGone)
			return
		}
		var p webhook.Payload
		id := req.Header.Get(webhook.HeaderDelivery)
		if err := webhook.Verify(r.secret, req.Header.Get(webhook.HeaderSignature), body, time.Now(), 0); err != nil {
			r.errs = append(r.errs, err.Error())
		} else if json.Unmarshal(body, &p) != nil || p.ID != id || p.Type != req.Header.Get(webhook.HeaderEvent) {
			r.errs = append(r.errs, "body and headers disagree: "+string(body))
		} else if old, ok := r.bodies[id]; ok && old != string(body) {
			r.errs = append(r.errs, "a repeat of "+id+" has another body")
		}
		r.bodies[id] = string(body)
		r.got[id] = append(r.got[id], p)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return r, srv
}

// of returns the payloads received of type typ, one per delivery ID.
func (r *hookReceiver) of(typ string) []webhook.Payload {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []webhook.Payload
	for _, ps := range r.got {
		if ps[0].Type == typ {
			out = append(out, ps[0])
		}
	}
	return out
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestCLI_Webhooks runs the whole story on a demo PBX: endpoints added on the
// command line, recording.ready produced by the daemon's enrichment, the daemon
// killed mid-delivery and started again (every event arrives, repeats carry the
// same delivery ID and body), hold add/rm producing held/released, a 410 endpoint's
// dead letter listed and retried.
func TestCLI_Webhooks(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	cli(t, nil, "demo", "--dir", dir, "--days", "2", "--calls-per-day", "6", "--no-serve").must(t, exitOK)
	db := filepath.Join(t.TempDir(), "fresh", "totalrec.db") // nothing catalogued yet
	env := []string{"TOTALREC_SPOOL=" + filepath.Join(dir, "monitor"), "TOTALREC_DB=sqlite:" + db,
		"TOTALREC_CDR_DB=sqlite:" + filepath.Join(dir, "asteriskcdrdb.sqlite")}
	recv, srv := newHookReceiver(t)
	recv.delay.Store(int64(300 * time.Millisecond))

	for _, args := range [][]string{
		{"webhook", "add", "ftp://crm.example/"},
		{"webhook", "add", srv.URL, "--events", "recording.ready,recording.exploded"},
		{"webhook", "rm", "x"},
		{"webhook", "retry", "-1"},
	} {
		cli(t, env, args...).must(t, exitUsage)
	}
	out := cli(t, env, "webhook", "add", srv.URL+"/crm", "--events", "recording.ready,recording.held,recording.released").must(t, exitOK).stdout
	_, rest, ok := strings.Cut(out, "secret: ")
	if !ok {
		t.Fatalf("no secret printed:\n%s", out)
	}
	secret := strings.Fields(rest)[0]
	recv.mu.Lock()
	recv.secret = secret // the handler reads it under mu
	recv.mu.Unlock()
	cli(t, env, "webhook", "add", srv.URL+"/gone", "--events", "recording.held", "--secret", secret).must(t, exitOK)
	ls := decode[[]webhookJSON](t, cli(t, env, "webhook", "ls", "--json").must(t, exitOK).stdout)
	if len(ls) != 2 || ls[0].URL != srv.URL+"/crm" || len(ls[0].Events) != 3 || ls[1].Events[0] != "recording.held" {
		t.Fatalf("webhook ls: %+v", ls)
	}

	// The daemon scans, enriches and starts delivering; it is killed while the
	// first deliveries are in flight.
	d := start(t, env, "serve", "--listen", "127.0.0.1:0")
	d.url(t, "Totalrec is serving on ")
	select {
	case <-recv.started:
	case <-time.After(60 * time.Second):
		t.Fatalf("no delivery began\n%s", d.stderr.String())
	}
	d.stop(t, syscall.SIGKILL)
	recv.delay.Store(int64(10 * time.Millisecond))
	d = start(t, env, "serve", "--no-scan", "--listen", "127.0.0.1:0")
	d.url(t, "Totalrec is serving on ")
	defer d.stop(t, syscall.SIGTERM)

	cat, err := catalog.Open(context.Background(), "sqlite:"+db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	var total int
	if err := cat.DB().QueryRow(`SELECT COUNT(*) FROM totalrec_recordings`).Scan(&total); err != nil || total == 0 {
		t.Fatalf("%d recordings catalogued: %v", total, err)
	}
	waitUntil(t, "recording.ready for every recording", func() bool { return len(recv.of(webhook.EventReady)) == total })
	ready := recv.of(webhook.EventReady)
	seen, linked := map[int64]bool{}, 0
	for _, p := range ready {
		seen[p.Recording.ID] = true
		if p.Recording.CDRStatus == "linked" && p.Recording.Src != "" && p.Recording.LinkedID != "" {
			linked++
		}
	}
	if len(seen) != total || linked == 0 {
		t.Errorf("ready events cover %d of %d recordings, %d linked to their CDR", len(seen), total, linked)
	}
	// Holds: held goes to both endpoints (the second answers 410), released to one.
	id := strconv.FormatInt(ready[0].Recording.ID, 10)
	cli(t, env, "hold", "add", id, "--reason", "court order 17").must(t, exitOK)
	cli(t, env, "hold", "rm", id).must(t, exitOK)
	waitUntil(t, "held and released", func() bool {
		return len(recv.of(webhook.EventHeld)) == 1 && len(recv.of(webhook.EventReleased)) == 1
	})
	if h := recv.of(webhook.EventHeld)[0]; h.Hold == nil || h.Hold.Reason != "court order 17" || !h.Recording.Held || strconv.FormatInt(h.Recording.ID, 10) != id {
		t.Errorf("held payload: %+v", h)
	}
	var dead []deadJSON
	waitUntil(t, "the dead letter", func() bool {
		dead = decode[[]deadJSON](t, cli(t, env, "webhook", "dead", "--json").must(t, exitOK).stdout)
		return len(dead) == 1
	})
	if dead[0].Type != webhook.EventHeld || !strings.Contains(dead[0].LastError, "410") || dead[0].Attempts != 1 {
		t.Errorf("dead letter: %+v", dead[0])
	}
	recv.mu.Lock()
	recv.accept = true
	recv.mu.Unlock()
	if out := cli(t, env, "webhook", "retry", "--dead").must(t, exitOK).stdout; !strings.HasPrefix(out, "1 deliveries") {
		t.Errorf("retry --dead: %s", out)
	}
	waitUntil(t, "the retried dead letter", func() bool {
		recv.mu.Lock()
		defer recv.mu.Unlock()
		return len(recv.got[dead[0].EventID]) == 2 // once to /crm, once to /gone
	})
	ls = decode[[]webhookJSON](t, cli(t, env, "webhook", "ls", "--json").must(t, exitOK).stdout)
	if ls[0].Pending != 0 || ls[0].Dead != 0 || ls[1].Dead != 0 {
		t.Errorf("webhook ls at the end: %+v", ls)
	}
	cli(t, env, "webhook", "rm", strconv.FormatInt(ls[1].ID, 10)).must(t, exitOK)
	cli(t, env, "webhook", "rm", strconv.FormatInt(ls[1].ID, 10)).must(t, exitError)
	// The answers to the killed daemon's requests were recorded by now.
	recv.mu.Lock()
	repeats := 0
	for _, ps := range recv.got {
		repeats += len(ps) - 1
	}
	if repeats <= 1 { // the dead letter's retry is one
		t.Error("no delivery was repeated after the kill: nothing was in flight?")
	}
	if len(recv.errs) > 0 {
		t.Errorf("the receiver saw problems: %q", recv.errs)
	}
	recv.mu.Unlock()
}
