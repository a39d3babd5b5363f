package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/auth"
)

// testClock is a server clock that a test moves.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// addToken adds an API token of the given scope to f's catalogue and returns
// the Authorization header that carries it.
func addToken(t *testing.T, f *fixture, name, scope string) []string {
	t.Helper()
	sc, err := recordings.ParseScope(scope)
	if err != nil {
		t.Fatal(err)
	}
	tok, hash := auth.NewAPIToken()
	if _, err := f.cat.AddToken(t.Context(), recordings.APIToken{Name: name, Hash: hash, Scope: sc}); err != nil {
		t.Fatal(err)
	}
	return []string{"Authorization", "Bearer " + tok}
}

// TestTokenCache_RemovedTokenStopsAfterTTL: a token removed from the catalogue
// by another process (`totalrec token remove`) is refused once lookupTTL has
// passed since the server last read it.
func TestTokenCache_RemovedTokenStopsAfterTTL(t *testing.T) {
	clock := &testClock{t: now}
	f := sharedFixture(t).withOptions(t, func(o *Options) { o.Now = clock.now }).anonymous()
	bearer := addToken(t, f, "cache-ttl-test", "all")
	r := f.find(t, recordings.Query{HideEmpty: true}, func(r recordings.Recording) bool { return r.State == recordings.StateOK })
	audio := fmt.Sprintf("/api/v1/recordings/%d/audio", r.ID)
	if res, body := f.get(t, audio, bearer...); res.StatusCode != http.StatusOK {
		t.Fatalf("audio with a valid token: %d %q", res.StatusCode, clip(string(body), 200))
	}
	if err := f.cat.RemoveToken(t.Context(), "cache-ttl-test"); err != nil {
		t.Fatal(err)
	}
	clock.add(lookupTTL)
	res, body := f.get(t, audio, bearer...)
	wantError(t, res, body, http.StatusUnauthorized, "unauthorized")
}

// TestRecordingCache_Scopes: a recording remembered for one scope is never
// served to another: a token whose scope excludes it gets 404 right after an
// all-seeing token has played it, and a miss is not remembered either.
func TestRecordingCache_Scopes(t *testing.T) {
	base := sharedFixture(t)
	in, out := scopeSets(t, base, "110-129")
	f := base.withOptions(t, nil).anonymous() // a fresh cache, and the fixture's clock stands still
	all := addToken(t, f, "cache-scope-all", "all")
	narrow := addToken(t, f, "cache-scope-narrow", "110-129")
	outside := pick(t, out)
	inside := pick(t, in)
	audio := func(r recordings.Recording) string { return fmt.Sprintf("/api/v1/recordings/%d/audio", r.ID) }

	for _, step := range []struct {
		who    string
		bearer []string
		rec    recordings.Recording
		status int
	}{
		{"narrow, outside its scope", narrow, outside, http.StatusNotFound},
		{"all", all, outside, http.StatusOK},
		{"narrow, after all played it", narrow, outside, http.StatusNotFound},
		{"narrow, inside its scope", narrow, inside, http.StatusOK},
		{"all, after narrow played it", all, inside, http.StatusOK},
	} {
		res, body := f.get(t, audio(step.rec), step.bearer...)
		if res.StatusCode != step.status {
			t.Errorf("%s: recording %d: %d, want %d: %q", step.who, step.rec.ID, res.StatusCode, step.status, clip(string(body), 200))
		}
		if step.status == http.StatusNotFound && bytes.HasPrefix(body, []byte("RIFF")) {
			t.Errorf("%s: audio served out of scope", step.who)
		}
	}
}

// pick returns a recording of recs whose file can be played.
func pick(t *testing.T, recs []recordings.Recording) recordings.Recording {
	t.Helper()
	for _, r := range recs {
		if r.State == recordings.StateOK && r.Format != "g729" {
			return r
		}
	}
	t.Fatal("no playable recording")
	return recordings.Recording{}
}

// TestAudio_PCMRangesAreFileSlices: a PCM WAV recording, which goes out with
// sendfile, answers every Range with exactly the bytes of its file there.
func TestAudio_PCMRangesAreFileSlices(t *testing.T) {
	f := sharedFixture(t)
	r := f.find(t, recordings.Query{HideEmpty: true}, func(r recordings.Recording) bool {
		return r.State == recordings.StateOK && strings.HasSuffix(r.Path, ".wav") && r.Format == recordings.FormatWAV && r.Size > 100_000
	})
	file := f.readFile(t, r)
	n := len(file)
	audio := fmt.Sprintf("/api/v1/recordings/%d/audio", r.ID)
	for _, tc := range []struct {
		rng        string
		start, end int
	}{
		{"", 0, n},
		{"bytes=0-0", 0, 1},
		{"bytes=1000-66535", 1000, 66536},
		{"bytes=-70000", n - 70000, n},
		{fmt.Sprintf("bytes=%d-", n/2), n / 2, n},
	} {
		var hdr []string
		if tc.rng != "" {
			hdr = []string{"Range", tc.rng}
		}
		res, body := f.get(t, audio, hdr...)
		if want := map[bool]int{true: http.StatusOK, false: http.StatusPartialContent}[tc.rng == ""]; res.StatusCode != want {
			t.Fatalf("Range %q: status %d, want %d", tc.rng, res.StatusCode, want)
		}
		if !bytes.Equal(body, file[tc.start:tc.end]) {
			t.Errorf("Range %q: %d bytes that are not the file's bytes %d-%d", tc.rng, len(body), tc.start, tc.end-1)
		}
		if res.Header.Get("ETag") == "" || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "inline") {
			t.Errorf("Range %q: headers %v", tc.rng, res.Header)
		}
	}
}
