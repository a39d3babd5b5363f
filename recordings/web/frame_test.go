package web

import (
	"net/http"
	"strings"
	"testing"
)

// The pages may be framed by the host the browser asked for, on the standard
// ports, when no frame ancestors are configured; a Host header that is not a
// plain name or address adds nothing to the policy.
func TestFrameAncestorsFollowTheHost(t *testing.T) {
	f := sharedFixture(t)
	for host, want := range map[string]string{
		"pbx.example.com:8080":         "'self' http://pbx.example.com https://pbx.example.com",
		"[::1]:8080":                   "'self' http://[::1] https://[::1]",
		"[fe80::1]":                    "'self' http://[fe80::1] https://[fe80::1]",
		strings.Repeat("a", 253):       "'self' http://" + strings.Repeat("a", 253) + " https://" + strings.Repeat("a", 253),
		strings.Repeat("a", 254):       "'self'",
		"pbx.example.com;script-src *": "'self'",
		"[::1":                         "'self'",
		"[:]":                          "'self'",
		"[g::1]":                       "'self'",
	} {
		req, err := http.NewRequest(http.MethodGet, f.http.URL+f.prefix+"/", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		res, err := f.http.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		csp := res.Header.Get("Content-Security-Policy")
		if _, got, _ := strings.Cut(csp, "frame-ancestors "); got != want {
			t.Errorf("Host %.40q: frame-ancestors %q, want %q", host, got, want)
		}
	}
}
