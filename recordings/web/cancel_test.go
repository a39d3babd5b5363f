package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

// gatedAudit is the fixture's catalogue with a gate before every play entry:
// the test decides when the entry is written.
type gatedAudit struct {
	Catalog
	reached, release chan struct{}
}

func (g *gatedAudit) Audit(ctx context.Context, e recordings.AuditEntry) error {
	if e.Action == actPlay {
		g.reached <- struct{}{}
		<-g.release
	}
	return g.Catalog.Audit(ctx, e)
}

// waitLog waits until the server has logged a line containing part.
func waitLog(t *testing.T, f *fixture, part string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(f.logs.String(), part); {
		if time.Now().After(deadline) {
			t.Fatalf("no log line with %q:\n%s", part, f.logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// startGet sends a GET with f's session and returns the response once its
// headers are in, with the function that drops it.
func startGet(t *testing.T, f *fixture, path string) (*http.Response, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.http.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: f.cookie})
	res, err := f.http.Client().Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	return res, func() { cancel(); res.Body.Close() }
}

// TestPlay_ClientGoesAway: a client that gives up on a play request — before
// the server has written the audit entry, or in the middle of the audio — is
// not an error: the play is audited all the same, and nothing is logged above
// debug. So is a ZIP export dropped midway.
func TestPlay_ClientGoesAway(t *testing.T) {
	base := sharedFixture(t)
	r := base.find(t, recordings.Query{HideEmpty: true, Format: recordings.FormatWAV49},
		func(r recordings.Recording) bool { return r.Duration > 30*time.Second })
	audio := fmt.Sprintf("/api/v1/recordings/%d/audio", r.ID)
	clean := func(t *testing.T, f *fixture) {
		t.Helper()
		if logs := f.logs.String(); strings.Contains(logs, "level=ERROR") || strings.Contains(logs, "level=WARN") {
			t.Errorf("a client that went away was logged as a fault:\n%s", logs)
		}
	}
	played := func(t *testing.T, f *fixture, who string) {
		t.Helper()
		es := auditOf(t, f, who, actPlay)
		if len(es) != 1 || es[0].RecordingID != r.ID {
			t.Errorf("%s's play audited as %+v, want one entry for recording %d", who, es, r.ID)
		}
	}

	t.Run("before the audit entry", func(t *testing.T) {
		gate := &gatedAudit{Catalog: base.cat, reached: make(chan struct{}), release: make(chan struct{})}
		reqs := make(chan context.Context, 1)
		f := *base
		f.wrap = func(h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasSuffix(r.URL.Path, "/audio") {
					reqs <- r.Context()
				}
				h.ServeHTTP(w, r)
			})
		}
		f.serve(t, t.Cleanup, func(o *Options) { o.Catalog = gate })
		f.cookie, f.csrf = f.signIn(t, "leaver1", recordings.RoleAdmin, "")

		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, f.http.URL+audio, nil)
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: f.cookie})
		go func() {
			if res, err := f.http.Client().Do(req); err == nil {
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
			}
		}()
		srvCtx := <-reqs
		select {
		case <-gate.reached:
		case <-time.After(20 * time.Second):
			t.Fatal("the play was never audited")
		}
		cancel()
		select {
		case <-srvCtx.Done(): // the server has seen the client go
		case <-time.After(20 * time.Second):
			t.Fatal("the server did not notice the client leave")
		}
		close(gate.release)
		waitLog(t, &f, "path="+audio)
		played(t, &f, "leaver1")
		clean(t, &f)
	})

	t.Run("mid-stream", func(t *testing.T) {
		f := base.own(t)
		f.cookie, f.csrf = f.signIn(t, "leaver2", recordings.RoleAdmin, "")
		res, drop := startGet(t, f, audio)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("audio: %d", res.StatusCode)
		}
		if _, err := io.ReadFull(res.Body, make([]byte, 4096)); err != nil {
			t.Fatal(err)
		}
		drop()
		waitLog(t, f, "path="+audio)
		played(t, f, "leaver2")

		zip := "/api/v1/exports/recordings.zip?type=in"
		res, drop = startGet(t, f, zip)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("ZIP: %d", res.StatusCode)
		}
		if _, err := io.ReadFull(res.Body, make([]byte, 4096)); err != nil {
			t.Fatal(err)
		}
		drop()
		waitLog(t, f, "path=/api/v1/exports/recordings.zip")
		if len(auditOf(t, f, "leaver2", actExportZIP)) != 1 {
			t.Error("the dropped ZIP export is not audited")
		}
		clean(t, f)
	})
}
