package web

import (
	"net/http"
	"net/url"
	"testing"
)

// TestTokenPOSTs: an API token may ask to pause a live call (here there is no
// manager interface: 503, not a CSRF refusal), and nothing else; a session still
// needs its CSRF token there too.
func TestTokenPOSTs(t *testing.T) {
	f := sharedFixture(t)
	anon := f.anonymous()
	bearer := addToken(t, f, "token-posts-test", "all")
	form := url.Values{"channel": {"PJSIP/101-1"}, "state": {"on"}}
	if res, body := anon.post(t, "/api/v1/calls/pause", form, bearer...); res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("a token's pause: %d %s", res.StatusCode, body)
	}
	if res, _ := anon.post(t, "/holds", url.Values{"id": {"1"}, "reason": {"x"}}, bearer...); res.StatusCode != http.StatusForbidden && res.StatusCode != http.StatusUnauthorized {
		t.Errorf("a token's hold: %d", res.StatusCode)
	}
	if res, _ := f.post(t, "/api/v1/calls/pause", url.Values{"channel": {"PJSIP/101-1"}, "csrf": {"wrong"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("a session's pause without its CSRF token: %d", res.StatusCode)
	}
	if res, _ := f.get(t, "/api/v1/calls"); res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("calls without a manager interface: %d", res.StatusCode)
	}
}
