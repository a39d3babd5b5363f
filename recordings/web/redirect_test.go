package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestLocalTarget(t *testing.T) {
	hostile := []string{
		"", "evil.example", "https://evil.example/", "http:evil.example", "javascript:alert(1)", "data:text/html,x",
		"//evil.example", "///evil.example", "//evil.example@127.0.0.1/",
		"/\t/evil.example", "/\n/evil.example", "/\r/evil.example", "\t//evil.example", " //evil.example", "\x00//evil.example",
		"/\t\t/evil.example", "/\r\n/evil.example",
		`/\evil.example`, `\\evil.example`, `\/evil.example`, `/\/evil.example`, "/\t\\evil.example",
		"/%09/evil.example", "/%0a/evil.example", "/%2F/evil.example", "/%2f%2fevil.example", "/%5Cevil.example",
		"/%252F/evil.example", "/%25252F/evil.example", "%2F%2Fevil.example", "/%", "/%zz",
		"/ /evil.example", "/a\x00b", "/a\x7f", "/caf\u00e9", "/" + strings.Repeat("a", maxTarget),
	}
	for _, raw := range hostile {
		if got := localTarget(raw, "/"); got != "/" {
			t.Errorf("localTarget(%q) = %q, want the fallback", raw, got)
		}
	}
	for raw, want := range map[string]string{
		"/": "/", "/?type=in": "/?type=in", "/recordings/5#shares": "/recordings/5#shares",
		"/audit?who=admin&since=2026-11-01": "/audit?who=admin&since=2026-11-01",
		"/?number=%2B7916&lang=ru":          "/?number=%2B7916&lang=ru",
		" /recordings/5\t":                  "/recordings/5",
		"/recor\tdings/5":                   "/recordings/5",
		`/a\b`:                              "/a/b",
		`/?q=a\b`:                           `/?q=a\b`,
		"/?next=//evil.example":             "/?next=//evil.example",
	} {
		if got := localTarget(raw, "/"); got != want {
			t.Errorf("localTarget(%q) = %q, want %q", raw, got, want)
		}
	}
}

// TestRedirects_StayOnThisSite sends hostile return addresses to every place
// that takes one: each redirect stays on this site, and no link on a page
// leads elsewhere.
func TestRedirects_StayOnThisSite(t *testing.T) {
	f := sharedFixture(t)
	for _, next := range []string{"/\t/evil.example", "/%09/evil.example", `/\evil.example`, "//evil.example", "https://evil.example/"} {
		// The sign-in page of someone signed in sends him on.
		res, _ := f.get(t, "/login?next="+url.QueryEscape(next))
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/" {
			t.Errorf("GET /login?next=%q: %d → %q, want / ", next, res.StatusCode, loc)
		}
		// The sign-in form sends him on after signing in, and keeps next in a field meanwhile.
		a := f.anonymous()
		res, body := a.get(t, "/login?next="+url.QueryEscape(next))
		if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `name="next" value="/"`) {
			t.Errorf("the sign-in form for next=%q carries it", next)
		}
		ck, field := loginForm(t, a)
		res, _ = a.post(t, "/login", url.Values{"name": {"admin"}, "password": {testPassword}, "csrf": {field}, "next": {next}},
			"Cookie", loginCookie+"="+ck)
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/" {
			t.Errorf("POST /login next=%q: %d → %q, want /", next, res.StatusCode, loc)
		}
	}
	// A good next is kept.
	if res, _ := f.get(t, "/login?next="+url.QueryEscape("/recordings/1#shares")); res.Header.Get("Location") != "/recordings/1#shares" {
		t.Errorf("a local next became %q", res.Header.Get("Location"))
	}
	// A path naming another host: the sign-in redirect does not carry it, and
	// the error page's language links do not point there.
	res, _ := f.anonymous().get(t, "//evil.example/x")
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/login" {
		t.Errorf("anonymous //evil.example/x: %d → %q, want /login", res.StatusCode, loc)
	}
	res, body := f.get(t, "//evil.example/x")
	if res.StatusCode != http.StatusNotFound || strings.Contains(string(body), "evil.example") || !strings.Contains(string(body), `href="/?lang=ru"`) {
		t.Errorf("signed in, //evil.example/x: %d, links %s", res.StatusCode, clip(string(body), 2000))
	}
}

// TestBaseTarget: under a base path a redirect target must also lie under it.
func TestBaseTarget(t *testing.T) {
	for raw, want := range map[string]string{
		"/totalrec/":                     "/totalrec/",
		"/totalrec":                      "/totalrec",
		"/totalrec/?type=in":             "/totalrec/?type=in",
		"/totalrec/recordings/5#shares":  "/totalrec/recordings/5#shares",
		"/totalrec/audit?who=admin":      "/totalrec/audit?who=admin",
		`/totalrec\recordings\5`:         "/totalrec/recordings/5",
		"/totalrec/?next=//evil.example": "/totalrec/?next=//evil.example",
	} {
		if got := baseTarget(raw, testBase, "FALLBACK"); got != want {
			t.Errorf("baseTarget(%q) = %q, want %q", raw, got, want)
		}
	}
	refused := []string{
		"/", "/?type=in", "/admin/config.php", "/totalrecx/", "/totalrec-other/", "/total", "/totalrec/../admin/config.php",
		"/totalrec/%2e%2e/admin/", "/totalrec/..%2Fadmin", "/totalrec/%252e%252e/admin", "/totalrec/./../admin",
		"//evil.example/totalrec/", "https://evil.example/totalrec/", "/\t/evil.example/totalrec/", `/\evil.example/totalrec/`,
		"/%2F/evil.example/totalrec/", "javascript:alert(1)//totalrec/", "",
	}
	for _, raw := range refused {
		if got := baseTarget(raw, testBase, "FALLBACK"); got != "FALLBACK" {
			t.Errorf("baseTarget(%q) = %q, want the fallback", raw, got)
		}
	}
	// Without a base, it is localTarget.
	if got := baseTarget("/recordings/5", "", "/"); got != "/recordings/5" {
		t.Errorf("no base: %q", got)
	}
}
