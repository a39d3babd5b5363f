package webhook

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

func TestSignVerify(t *testing.T) {
	now := time.Unix(1_790_000_000, 0)
	body := []byte(`{"id":"e1","type":"recording.ready"}`)
	h := Sign("whsec_1", now, body)
	if !strings.HasPrefix(h, "t=1790000000,v1=") || len(h) != len("t=1790000000,v1=")+64 {
		t.Fatalf("Sign = %q", h)
	}
	if err := Verify("whsec_1", h, body, now.Add(time.Minute), 0); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	// A second v1 (a receiver rotating secrets sees both) is accepted.
	if err := Verify("whsec_1", "t=1790000000,v1=00,"+h[len("t=1790000000,"):], body, now, 0); err != nil {
		t.Errorf("Verify with two v1: %v", err)
	}
	for _, tc := range []struct {
		name, secret, header string
		body                 []byte
		at                   time.Time
		want                 error
	}{
		{"other secret", "whsec_2", h, body, now, ErrBadSignature},
		{"changed body", "whsec_1", h, []byte(`{"id":"e2","type":"recording.ready"}`), now, ErrBadSignature},
		{"changed timestamp", "whsec_1", strings.Replace(h, "t=1790000000", "t=1790000001", 1), body, now, ErrBadSignature},
		{"replayed late", "whsec_1", h, body, now.Add(6 * time.Minute), ErrStale},
		{"from the future", "whsec_1", h, body, now.Add(-6 * time.Minute), ErrStale},
		{"empty", "whsec_1", "", body, now, ErrNoSignature},
		{"no v1", "whsec_1", "t=1790000000", body, now, ErrNoSignature},
		{"garbage", "whsec_1", "sha256=abc", body, now, ErrNoSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := Verify(tc.secret, tc.header, tc.body, tc.at, 0); !errors.Is(err, tc.want) {
				t.Errorf("Verify = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestDecide(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	fixed := func(int) time.Duration { return time.Minute }
	for _, tc := range []struct {
		name  string
		a     attempt
		n     int
		state string
		wait  time.Duration
	}{
		{"200", attempt{status: 200}, 1, recordings.OutboxDelivered, 0},
		{"204", attempt{status: 204}, 12, recordings.OutboxDelivered, 0},
		{"400 dead at once", attempt{status: 400}, 1, recordings.OutboxDead, 0},
		{"404 dead at once", attempt{status: 404}, 1, recordings.OutboxDead, 0},
		{"410 dead at once", attempt{status: 410}, 1, recordings.OutboxDead, 0},
		{"408 retried", attempt{status: 408}, 1, recordings.OutboxPending, time.Minute},
		{"429 retried", attempt{status: 429}, 1, recordings.OutboxPending, time.Minute},
		{"429 Retry-After", attempt{status: 429, retryAfter: 90 * time.Second}, 1, recordings.OutboxPending, 90 * time.Second},
		{"503 Retry-After", attempt{status: 503, retryAfter: 30 * time.Second}, 1, recordings.OutboxPending, 30 * time.Second},
		{"503 Retry-After capped", attempt{status: 503, retryAfter: 48 * time.Hour}, 1, recordings.OutboxPending, retryAfterMax},
		{"500 ignores Retry-After", attempt{status: 500, retryAfter: 30 * time.Second}, 1, recordings.OutboxPending, time.Minute},
		{"network error", attempt{err: errors.New("connection refused")}, 3, recordings.OutboxPending, time.Minute},
		{"302 left over", attempt{status: 302}, 1, recordings.OutboxPending, time.Minute},
		{"500 on the last attempt", attempt{status: 500}, 12, recordings.OutboxDead, 0},
		{"network error on the last attempt", attempt{err: errors.New("timeout")}, 12, recordings.OutboxDead, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := decide(tc.a, tc.n, 12, now, fixed)
			if r.State != tc.state {
				t.Fatalf("state %s, want %s (%s)", r.State, tc.state, r.LastError)
			}
			if tc.state == recordings.OutboxPending && r.NextAt.Sub(now) != tc.wait {
				t.Errorf("wait %s, want %s", r.NextAt.Sub(now), tc.wait)
			}
			if tc.state != recordings.OutboxDelivered && r.LastError == "" {
				t.Error("no last error")
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	for n, base := range map[int]time.Duration{1: 10 * time.Second, 2: 20 * time.Second, 4: 80 * time.Second, 9: 2560 * time.Second, 10: time.Hour, 30: time.Hour} {
		for range 50 {
			if d := Backoff(n); d < base/2 || d > base {
				t.Fatalf("Backoff(%d) = %s, want within [%s, %s]", n, d, base/2, base)
			}
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	for h, want := range map[string]time.Duration{
		"120": 2 * time.Minute, "": 0, "-5": 0, "soon": 0,
		now.Add(time.Hour).Format(http.TimeFormat):  time.Hour,
		now.Add(-time.Hour).Format(http.TimeFormat): 0,
	} {
		if got := parseRetryAfter(h, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %s, want %s", h, got, want)
		}
	}
}

func TestEventID(t *testing.T) {
	a, b := eventID(readyKey(42)), eventID(readyKey(42))
	if a != b || a == eventID(readyKey(43)) || a == eventID(deletedKey(42)) {
		t.Errorf("derived IDs: %s %s", a, b)
	}
	if r1, r2 := eventID(""), eventID(""); r1 == r2 || len(r1) != 36 {
		t.Errorf("random IDs: %s %s", r1, r2)
	}
	if !strings.HasPrefix(a[14:], "8") || fmt.Sprint(len(a)) != "36" {
		t.Errorf("derived ID shape: %s", a)
	}
}
