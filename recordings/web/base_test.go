package web

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

// testBase is the base path of the server behind FreePBX's Apache.
const testBase = "/totalrec"

// withBase is another server on the fixture, under testBase, whose requests
// name paths below it. Its storage page reads a policy file that is not there.
func (f *fixture) withBase(t testing.TB) *fixture {
	t.Helper()
	policy := filepath.Join(t.TempDir(), "retention.conf")
	g := f.withOptions(t, func(o *Options) { o.BasePath, o.Storage.PolicyFile = testBase, policy })
	g.prefix = testBase
	return g
}

func TestCheckBasePath(t *testing.T) {
	for _, p := range []string{"", "/totalrec", "/pbx/call-recordings", "/a.b_c~d/v2"} {
		if err := checkBasePath(p); err != nil {
			t.Errorf("checkBasePath(%q) = %v", p, err)
		}
	}
	for _, p := range []string{"/", "totalrec", "/totalrec/", "//totalrec", "/a//b", "/.", "/a/..", "/a b", "/a%2Fb", "/a?b", "/a#b", "/caf\u00e9", "/" + strings.Repeat("a", 300)} {
		if err := checkBasePath(p); err == nil {
			t.Errorf("checkBasePath(%q) accepted it", p)
		}
	}
	if _, err := New(Options{Catalog: sharedFixture(t).cat, Spool: sharedFixture(t).tree, BasePath: "/totalrec/"}); err == nil {
		t.Error("New accepted a base path with a trailing slash")
	}
}

// urlAttrRE finds the attributes that hold a URL the browser follows or fetches.
var urlAttrRE = regexp.MustCompile(`\s(href|src|action|data-href|data-waveform)="([^"]*)"`)

// allUnderBase fails the test for every URL attribute of page that is not
// under the base path, and returns how many it checked.
func allUnderBase(t *testing.T, what string, page []byte) int {
	t.Helper()
	ms := urlAttrRE.FindAllSubmatch(page, -1)
	for _, m := range ms {
		v := html(string(m[2]))
		if !strings.HasPrefix(v, testBase+"/") {
			t.Errorf("%s: %s=%q is not under %s", what, m[1], v, testBase)
		}
	}
	if !bytes.Contains(page, []byte(`<body data-base="`+testBase+`"`)) && bytes.Contains(page, []byte("<body")) && !bytes.Contains(page, []byte(`class="share"`)) {
		t.Errorf("%s: <body> does not carry the base for the script", what)
	}
	return len(ms)
}

// TestBasePath serves the UI under /totalrec, as behind FreePBX's Apache, and
// walks its key flows with the prefix: sign-in, the search page and its links,
// the player, audio with Range, exports, share links, redirects, cookies,
// static files. No link, redirect or cookie path may lack the prefix.
func TestBasePath(t *testing.T) {
	f := sharedFixture(t).withBase(t)
	anon := f.anonymous()

	// Outside the base: only /healthz, and the root sends browsers to the UI.
	root := *anon
	root.prefix = ""
	if res, _ := root.get(t, "/healthz"); res.StatusCode != http.StatusOK {
		t.Errorf("/healthz at the root: %d", res.StatusCode)
	}
	if res, _ := anon.get(t, "/healthz"); res.StatusCode != http.StatusOK {
		t.Errorf("%s/healthz: %d", testBase, res.StatusCode)
	}
	for _, p := range []string{"/login", "/api/v1/recordings", "/static/x/app.css", "/totalrecx/", "/sso?token=x"} {
		if res, _ := root.get(t, p); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s outside the base: %d, want 404", p, res.StatusCode)
		}
	}
	for p, want := range map[string]string{"/": testBase + "/", testBase: testBase + "/", testBase + "?type=in": testBase + "/?type=in"} {
		if res, _ := root.get(t, p); res.StatusCode != http.StatusFound || res.Header.Get("Location") != want {
			t.Errorf("GET %s: %d → %q, want %s", p, res.StatusCode, res.Header.Get("Location"), want)
		}
	}

	// Anonymous: sent to the sign-in page with the whole path as next.
	res, _ := anon.get(t, "/?type=in")
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != testBase+"/login?next=%2Ftotalrec%2F%3Ftype%3Din" {
		t.Fatalf("anonymous search page: %d → %s", res.StatusCode, loc)
	}
	res, body := anon.get(t, "/login?next="+url.QueryEscape(testBase+"/?type=in"))
	if n := allUnderBase(t, "sign-in page", body); n < 4 || !strings.Contains(string(body), `action="/totalrec/login"`) ||
		!strings.Contains(string(body), `name="next" value="/totalrec/?type=in"`) {
		t.Errorf("sign-in page:\n%s", clip(string(body), 3000))
	}
	var loginCk *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == loginCookie {
			loginCk = c
		}
	}
	if loginCk == nil || loginCk.Path != testBase+"/login" {
		t.Fatalf("sign-in form cookie %+v, want Path %s/login", loginCk, testBase)
	}
	field := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(body)[1]
	f.signIn(t, "based", recordings.RoleAdmin, "")
	res, _ = anon.post(t, "/login", url.Values{"name": {"based"}, "password": {testPassword}, "csrf": {string(field)}, "next": {testBase + "/?type=in"}},
		"Cookie", loginCookie+"="+loginCk.Value)
	var sess *http.Cookie
	for _, c := range res.Cookies() {
		switch {
		case c.Name == sessionCookie && c.Value != "":
			sess = c
		case c.Name == loginCookie && c.Path != testBase+"/login":
			t.Errorf("the sign-in cookie is cleared on %q", c.Path)
		}
	}
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != testBase+"/?type=in" || sess == nil {
		t.Fatalf("sign in: %d → %s", res.StatusCode, res.Header.Get("Location"))
	}
	if sess.Path != testBase || !sess.HttpOnly {
		t.Errorf("session cookie %+v, want Path %s", sess, testBase)
	}
	u := *anon
	u.cookie = sess.Value

	// The search page: every link, form, asset and row under the base.
	res, body = u.get(t, "/")
	page := string(body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("search page: %d", res.StatusCode)
	}
	if n := allUnderBase(t, "search page", body); n < recordings.DefaultLimit {
		t.Errorf("only %d URLs on the search page", n)
	}
	for _, want := range []string{`action="/totalrec/logout"`, `action="/totalrec/"`, `href="/totalrec/users"`, `href="/totalrec/?lang=ru"`,
		`href="/totalrec/api/v1/exports/recordings.csv?`, `rel="next"`, `data-href="/totalrec/recordings/`} {
		if !strings.Contains(page, want) {
			t.Errorf("the search page lacks %q", want)
		}
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'self' ") {
		t.Errorf("CSP %q: FreePBX's page on the same origin cannot frame the UI", csp)
	}
	// Every link of the page answers, through the paging and the sort links.
	next := html(regexp.MustCompile(`href="([^"]+)" rel="next"`).FindStringSubmatch(page)[1])
	res, body = u.get(t, strings.TrimPrefix(next, testBase))
	allUnderBase(t, "second page", body)
	prev := regexp.MustCompile(`href="([^"]+)" rel="prev"`).FindStringSubmatch(string(body))
	if res.StatusCode != http.StatusOK || prev == nil || html(prev[1]) != testBase+"/" {
		t.Errorf("second page: %d, previous %v", res.StatusCode, prev)
	}
	// Static files under their checksummed URLs.
	for _, m := range regexp.MustCompile(`(?:href|src)="(/totalrec/static/[^"]+)"`).FindAllStringSubmatch(page, -1) {
		if res, b := u.get(t, strings.TrimPrefix(m[1], testBase)); res.StatusCode != http.StatusOK || len(b) == 0 {
			t.Errorf("static %s: %d", m[1], res.StatusCode)
		}
	}

	// The player page, its audio with Range, the waveform and the downloads.
	r := f.find(t, recordings.Query{HideEmpty: true, Format: recordings.FormatWAV, Types: []string{"in"}},
		func(r recordings.Recording) bool { return r.State == recordings.StateOK })
	res, body = u.get(t, fmt.Sprintf("/recordings/%d", r.ID))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("player page: %d", res.StatusCode)
	}
	allUnderBase(t, "player page", body)
	audioURL := fmt.Sprintf("%s/api/v1/recordings/%d/audio", testBase, r.ID)
	for _, want := range []string{`src="` + audioURL + `"`, fmt.Sprintf(`data-waveform="%s/api/v1/recordings/%d/waveform"`, testBase, r.ID),
		`href="` + audioURL + `?download=1"`, fmt.Sprintf(`action="%s/recordings/%d/shares"`, testBase, r.ID)} {
		if !strings.Contains(string(body), want) {
			t.Errorf("the player page lacks %q", want)
		}
	}
	_, whole := u.get(t, strings.TrimPrefix(audioURL, testBase))
	res, part := u.get(t, strings.TrimPrefix(audioURL, testBase), "Range", "bytes=1000-1999")
	if res.StatusCode != http.StatusPartialContent || len(whole) < 2000 || !bytes.Equal(part, whole[1000:2000]) {
		t.Errorf("audio Range under the base: %d, %d bytes of %d", res.StatusCode, len(part), len(whole))
	}
	if res, _ := u.get(t, fmt.Sprintf("/api/v1/recordings/%d/waveform", r.ID)); res.StatusCode != http.StatusOK {
		t.Errorf("waveform: %d", res.StatusCode)
	}
	csv := html(regexp.MustCompile(`href="(/totalrec/api/v1/exports/recordings\.csv[^"]*)"`).FindStringSubmatch(page)[1])
	if res, b := u.get(t, strings.TrimPrefix(csv, testBase)); res.StatusCode != http.StatusOK || len(b) == 0 {
		t.Errorf("CSV export: %d", res.StatusCode)
	}

	// A share link: made on the player page, under the base, with the proxy's
	// scheme; its page and audio answer without a session.
	res, _ = u.post(t, fmt.Sprintf("/recordings/%d/shares", r.ID), url.Values{"ttl": {"1d"}, "csrf": {sessionCSRF(t, &u)}})
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != fmt.Sprintf("%s/recordings/%d#shares", testBase, r.ID) {
		t.Fatalf("share: %d → %s", res.StatusCode, loc)
	}
	_, body = u.get(t, fmt.Sprintf("/recordings/%d", r.ID), "X-Forwarded-Proto", "https")
	allUnderBase(t, "player page with shares", body)
	m := regexp.MustCompile(`value="(https?://[^"/]+)(/[^"]*/share/([^"]+))"`).FindStringSubmatch(string(body))
	if m == nil || m[1] != "https://"+strings.TrimPrefix(f.http.URL, "http://") || !strings.HasPrefix(m[2], testBase+"/share/") {
		t.Fatalf("share link %q, want https://…%s/share/…", m, testBase)
	}
	res, body = anon.get(t, "/share/"+m[3])
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `src="/totalrec/share/`+m[3]+`/audio"`) {
		t.Fatalf("share page: %d\n%s", res.StatusCode, clip(string(body), 2000))
	}
	allUnderBase(t, "share page", body)
	if res, _ := anon.get(t, "/share/"+m[3]+"/audio", "Range", "bytes=0-99"); res.StatusCode != http.StatusPartialContent {
		t.Errorf("shared audio: %d", res.StatusCode)
	}

	// Redirect targets stay under the base; everything else becomes the search page.
	for next, want := range map[string]string{
		testBase + "/recordings/1#shares": testBase + "/recordings/1#shares",
		"/admin/config.php":               testBase + "/",
		testBase + "/../admin/":           testBase + "/",
		"//evil.example/totalrec/":        testBase + "/",
		"https://evil.example/":           testBase + "/",
		"/\t/evil.example":                testBase + "/",
	} {
		if res, _ := u.get(t, "/login?next="+url.QueryEscape(next)); res.Header.Get("Location") != want {
			t.Errorf("signed in, /login?next=%q → %q, want %q", next, res.Header.Get("Location"), want)
		}
	}
	// The other pages and their redirects.
	for _, p := range []string{"/users", "/audit", "/storage", "/recordings/123456789", "/?lang=ru"} {
		res, body := u.get(t, p)
		if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d", p, res.StatusCode)
		}
		allUnderBase(t, p, body)
		for _, c := range res.Cookies() {
			if c.Path != testBase {
				t.Errorf("%s: cookie %s on path %q", p, c.Name, c.Path)
			}
		}
	}
	res, _ = u.post(t, "/users", url.Values{"name": {"based-user"}, "role": {"user"}, "scope": {"100"}, "password": {testPassword},
		"csrf": {sessionCSRF(t, &u)}})
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != testBase+"/users?saved=1" {
		t.Errorf("add user: %d → %s", res.StatusCode, loc)
	}
	res, _ = u.post(t, "/logout", url.Values{"csrf": {sessionCSRF(t, &u)}})
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != testBase+"/login" {
		t.Errorf("logout: %d → %s", res.StatusCode, loc)
	}
	for _, c := range res.Cookies() {
		if c.Name == sessionCookie && (c.MaxAge >= 0 || c.Path != testBase) {
			t.Errorf("logout clears the session cookie %+v", c)
		}
	}

	// Single sign-on from the FreePBX module, behind the proxy over https.
	tok := url.QueryEscape(ssoToken("basedadmin", now, "99112233445566778899aabbccddeeff"))
	res, _ = anon.get(t, "/sso?token="+tok, "X-Forwarded-Proto", "https")
	var ssoCk *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == sessionCookie {
			ssoCk = c
		}
	}
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != testBase+"/" || ssoCk == nil || ssoCk.Path != testBase || !ssoCk.Secure {
		t.Errorf("SSO: %d → %s, cookie %+v (want Path %s, Secure behind an https proxy on loopback)", res.StatusCode, res.Header.Get("Location"), ssoCk, testBase)
	}

	// The one-time link `totalrec demo` prints.
	link, err := f.srv.LoginLink("based", time.Minute)
	if err != nil || !strings.HasPrefix(link, testBase+"/login/once?token=") {
		t.Fatalf("LoginLink = %q, %v", link, err)
	}
	if res, _ := anon.get(t, strings.TrimPrefix(link, testBase)); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != testBase+"/" {
		t.Errorf("one-time link: %d → %s", res.StatusCode, res.Header.Get("Location"))
	}

	// An API error names the original file's URL under the base.
	g := f.find(t, recordings.Query{Format: recordings.FormatG729}, func(recordings.Recording) bool { return true })
	_, body = f.get(t, fmt.Sprintf("/api/v1/recordings/%d/audio", g.ID))
	if !strings.Contains(string(body), fmt.Sprintf("%s/api/v1/recordings/%d/original", testBase, g.ID)) {
		t.Errorf("unsupported format message: %s", body)
	}
}

// TestFromLoopback: X-Forwarded-Proto makes cookies Secure only when the peer,
// the proxy, is on this machine (TestBasePath sends it from loopback).
func TestFromLoopback(t *testing.T) {
	for addr, want := range map[string]bool{"127.0.0.1:5000": true, "[::1]:5000": true, "192.0.2.7:5000": false, "garbage": false} {
		if got := fromLoopback(addr); got != want {
			t.Errorf("fromLoopback(%q) = %v", addr, got)
		}
	}
}

// sessionCSRF is the CSRF token of f's session, read from a page.
func sessionCSRF(t *testing.T, f *fixture) string {
	t.Helper()
	_, body := f.get(t, "/")
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(body)
	if m == nil {
		t.Fatal("no CSRF token on the search page")
	}
	return string(m[1])
}
