package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/auth"
)

// loginForm fetches the sign-in form and returns its CSRF cookie and field.
func loginForm(t *testing.T, f *fixture) (cookie, field string) {
	t.Helper()
	res, body := f.get(t, "/login")
	for _, c := range res.Cookies() {
		if c.Name == loginCookie {
			cookie = c.Value
		}
	}
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(body)
	if res.StatusCode != http.StatusOK || cookie == "" || m == nil || string(m[1]) != cookie {
		t.Fatalf("GET /login: %d, cookie %q, field %q", res.StatusCode, cookie, m)
	}
	return cookie, string(m[1])
}

// tryLogin posts the sign-in form; it returns the response and the new session cookie.
func tryLogin(t *testing.T, f *fixture, name, password string, header ...string) (*http.Response, *http.Cookie) {
	t.Helper()
	ck, field := loginForm(t, f)
	res, _ := f.post(t, "/login", url.Values{"name": {name}, "password": {password}, "csrf": {field}, "next": {"/?type=in"}},
		append([]string{"Cookie", loginCookie + "=" + ck}, header...)...)
	for _, c := range res.Cookies() {
		if c.Name == sessionCookie && c.Value != "" {
			return res, c
		}
	}
	return res, nil
}

// auditOf lists the fixture's audit entries of action, newest first.
func auditOf(t *testing.T, f *fixture, who, action string) []recordings.AuditEntry {
	t.Helper()
	es, _, err := f.cat.AuditLog(context.Background(), recordings.AuditQuery{Who: who, Action: action, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func TestLogin_FormSessionLogout(t *testing.T) {
	f := sharedFixture(t).anonymous()
	f.signIn(t, "alice", recordings.RoleUser, "100-109")
	if res, _ := f.get(t, "/?type=in"); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login?next=%2F%3Ftype%3Din" {
		t.Fatalf("anonymous search page: %d → %s", res.StatusCode, res.Header.Get("Location"))
	}
	if res, _ := tryLogin(t, f, "alice", "wrong password"); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong password: %d", res.StatusCode)
	}
	res, ck := tryLogin(t, f, "alice", testPassword)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/?type=in" || ck == nil {
		t.Fatalf("sign in: %d → %s, cookie %v", res.StatusCode, res.Header.Get("Location"), ck)
	}
	if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Secure || ck.Path != "/" {
		t.Errorf("session cookie %+v: want HttpOnly, SameSite=Lax, not Secure over plain HTTP", ck)
	}
	// Without the login cookie's token, the form is refused.
	if res, _ := f.post(t, "/login", url.Values{"name": {"alice"}, "password": {testPassword}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("sign-in without its CSRF token: %d", res.StatusCode)
	}
	g := *f
	g.cookie = ck.Value
	res, body := g.get(t, "/")
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `id="user-name">alice<`) {
		t.Fatalf("signed in: %d", res.StatusCode)
	}
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(body)[1]
	if res, _ := g.post(t, "/logout", nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("logout without the CSRF token: %d", res.StatusCode)
	}
	if res, _ := g.post(t, "/logout", url.Values{"csrf": {string(csrf)}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("logout: %d", res.StatusCode)
	}
	if res, _ := g.get(t, "/"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("after logout the session still works: %d", res.StatusCode)
	}
	for _, a := range []string{actLogin, actLoginFailed, actLogout} {
		if len(auditOf(t, f, "alice", a)) == 0 {
			t.Errorf("no %s audit entry for alice", a)
		}
	}
}

func TestLogin_Throttle(t *testing.T) {
	clock := now
	f := sharedFixture(t).withOptions(t, func(o *Options) { o.Now = func() time.Time { return clock } }).anonymous()
	f.signIn(t, "bob", recordings.RoleUser, "100")
	for i := 0; i < 5; i++ {
		if res, _ := tryLogin(t, f, "bob", "guess"); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i+1, res.StatusCode)
		}
	}
	// The sixth failure starts the backoff: even the right password waits.
	tryLogin(t, f, "bob", "guess")
	res, ck := tryLogin(t, f, "bob", testPassword)
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" || ck != nil {
		t.Fatalf("throttled sign-in: %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
	}
	if len(auditOf(t, f, "bob", actThrottled)) == 0 || len(auditOf(t, f, "bob", actLoginFailed)) < 6 {
		t.Error("the failures and the refusal are not audited")
	}
	clock = clock.Add(2 * time.Second)
	if res, ck := tryLogin(t, f, "bob", testPassword); res.StatusCode != http.StatusSeeOther || ck == nil {
		t.Errorf("after the backoff: %d", res.StatusCode)
	}
	// Per address: many names from one address are throttled too. (The test
	// client is on loopback, where a proxy's X-Forwarded-For is believed.)
	// Existing users: a wrong password costs their test hash, not the real
	// argon2id of an unknown name.
	for i := 0; i <= auth.AddrFree; i++ {
		f.signIn(t, fmt.Sprintf("nobody%d", i), recordings.RoleUser, "100")
		tryLogin(t, f, fmt.Sprintf("nobody%d", i), "guess", "X-Forwarded-For", "203.0.113.9")
	}
	if res, _ := tryLogin(t, f, "bob", testPassword, "X-Forwarded-For", "203.0.113.9"); res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("an address after its failures: %d", res.StatusCode)
	}
	if res, ck := tryLogin(t, f, "bob", testPassword, "X-Forwarded-For", "198.51.100.1"); res.StatusCode != http.StatusSeeOther || ck == nil {
		t.Errorf("another address: %d", res.StatusCode)
	}
	if e := auditOf(t, f, "nobody0", actLoginFailed); len(e) != 1 || e[0].Addr != "203.0.113.9" {
		t.Errorf("audited address %+v", e)
	}
}

// TestLogin_AttackerSlowsOnlyHimself: failed sign-ins from one address do not
// lock the user they name out of other addresses; the attacker's address is
// throttled, and every failure is audited.
func TestLogin_AttackerSlowsOnlyHimself(t *testing.T) {
	clock := now
	f := sharedFixture(t).withOptions(t, func(o *Options) { o.Now = func() time.Time { return clock } }).anonymous()
	f.signIn(t, "victim", recordings.RoleAdmin, "")
	const attacker, office = "203.0.113.66", "198.51.100.66"
	for i := range auth.PairFree + 3 {
		res, _ := tryLogin(t, f, "victim", fmt.Sprintf("guess%d", i), "X-Forwarded-For", attacker)
		if i < auth.PairFree+1 && res.StatusCode != http.StatusUnauthorized || i > auth.PairFree && res.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("attacker's attempt %d: %d", i+1, res.StatusCode)
		}
		clock = clock.Add(100 * time.Millisecond) // never as long as the backoff
	}
	if res, ck := tryLogin(t, f, "victim", testPassword, "X-Forwarded-For", office); res.StatusCode != http.StatusSeeOther || ck == nil {
		t.Errorf("the real user from another address: %d, want signed in", res.StatusCode)
	}
	res, ck := tryLogin(t, f, "victim", testPassword, "X-Forwarded-For", attacker)
	if res.StatusCode != http.StatusTooManyRequests || ck != nil {
		t.Errorf("the attacker's address with the right password: %d, want 429", res.StatusCode)
	}
	if secs, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || secs < 1 {
		t.Errorf("Retry-After %q", res.Header.Get("Retry-After"))
	}
	failed := 0
	for _, e := range auditOf(t, f, "victim", actLoginFailed) {
		if e.Addr == attacker {
			failed++
		}
	}
	if failed != auth.PairFree+1 || len(auditOf(t, f, "victim", actThrottled)) < 3 || len(auditOf(t, f, "victim", actLogin)) != 1 {
		t.Errorf("audited %d failures from the attacker, want %d, and the refusals and the sign-in", failed, auth.PairFree+1)
	}
}

func TestSession_TimeoutsAndRevocation(t *testing.T) {
	var mu sync.Mutex
	clock := now
	f := sharedFixture(t).withOptions(t, func(o *Options) {
		o.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	})
	set := func(d time.Duration) { mu.Lock(); clock = now.Add(d); mu.Unlock() }
	ok := func(g *fixture) bool {
		res, _ := g.get(t, "/api/v1/recordings?limit=1")
		return res.StatusCode == http.StatusOK
	}

	idle := f.as(t, "carol", recordings.RoleUser, "100")
	set(29 * time.Minute)
	if !ok(idle) {
		t.Fatal("a session 29 minutes idle was refused")
	}
	set(29*time.Minute + 31*time.Minute)
	if ok(idle) {
		t.Error("a session 31 minutes idle still works")
	}

	set(0)
	busy := f.as(t, "carol", recordings.RoleUser, "100")
	for d := 20 * time.Minute; d < 12*time.Hour; d += 20 * time.Minute {
		set(d)
		if !ok(busy) {
			t.Fatalf("an active session ended after %v", d)
		}
	}
	set(12*time.Hour + 10*time.Minute)
	if ok(busy) {
		t.Error("a session outlived the 12-hour limit")
	}

	set(0)
	g := f.as(t, "carol", recordings.RoleUser, "100")
	u, err := f.cat.UserByName(t.Context(), "carol")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.cat.SetPassword(t.Context(), u.ID, u.PasswordHash); err != nil {
		t.Fatal(err)
	}
	if ok(g) {
		t.Error("a password change left the session open")
	}
}

func TestSecurityHeadersAndCookies(t *testing.T) {
	f := sharedFixture(t)
	res, body := f.get(t, "/")
	csp := res.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") ||
		!strings.Contains(csp, "frame-ancestors 'self' http://127.0.0.1 https://127.0.0.1") {
		t.Errorf("CSP %q", csp)
	}
	if strings.Contains(string(body), "<script>") {
		t.Error("inline script")
	}
	for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin", "X-Frame-Options": "SAMEORIGIN"} {
		if got := res.Header.Get(h); got != want {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
	}
	// Behind https, framed by FreePBX on another site: SameSite=None, Secure, Partitioned.
	g := f.withOptions(t, func(o *Options) {
		o.Access.PublicURL = "https://rec.example.com/"
		o.Access.FrameAncestors = []string{"https://pbx.example.com"}
	}).anonymous()
	res, ck := tryLogin(t, g, "admin", testPassword)
	if ck == nil || !ck.Secure || ck.SameSite != http.SameSiteNoneMode || !ck.Partitioned {
		t.Errorf("cross-site frame under https: %d, cookie %+v", res.StatusCode, ck)
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.HasSuffix(csp, "frame-ancestors 'self' https://pbx.example.com") {
		t.Errorf("CSP %q", csp)
	}
	// https on the same site: Secure, still Lax.
	h := f.withOptions(t, func(o *Options) {
		o.Access.PublicURL = "https://pbx.example.com:8443/"
		o.Access.FrameAncestors = []string{"https://pbx.example.com"}
	}).anonymous()
	if _, ck := tryLogin(t, h, "admin", testPassword); ck == nil || !ck.Secure || ck.SameSite != http.SameSiteLaxMode {
		t.Errorf("same-site https: cookie %+v", ck)
	}
}

func TestCSRF(t *testing.T) {
	f := sharedFixture(t)
	form := url.Values{"name": {"csrf-victim"}, "role": {"user"}, "scope": {"100"}, "password": {testPassword}}
	for _, tok := range []string{"", "wrong"} {
		form.Set("csrf", tok)
		if res, _ := f.post(t, "/users", form); res.StatusCode != http.StatusForbidden {
			t.Errorf("add user with CSRF token %q: %d", tok, res.StatusCode)
		}
	}
	form.Del("csrf")
	if res, _ := f.post(t, "/users", form, "X-CSRF-Token", f.csrf); res.StatusCode != http.StatusSeeOther {
		t.Errorf("add user with the header: %d", res.StatusCode)
	}
	if _, err := f.cat.UserByName(t.Context(), "csrf-victim"); err != nil {
		t.Error(err)
	}
	// Only administrators manage users.
	u := f.as(t, "plain", recordings.RoleSupervisor, "100")
	if res, _ := u.get(t, "/users"); res.StatusCode != http.StatusForbidden {
		t.Errorf("a supervisor on /users: %d", res.StatusCode)
	}
}

// ssoToken signs a token as the FreePBX module does.
func ssoToken(user string, iat time.Time, nonce string) string {
	b, _ := json.Marshal(map[string]any{"u": user, "iat": iat.Unix(), "exp": iat.Add(60 * time.Second).Unix(), "n": nonce})
	body := base64.RawURLEncoding.EncodeToString(b)
	m := hmac.New(sha256.New, []byte(testSSOSecret))
	m.Write([]byte(body))
	return body + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func TestSSO(t *testing.T) {
	f := sharedFixture(t).withOptions(t, nil).anonymous()
	tok := url.QueryEscape(ssoToken("fpbxadmin", now, "00112233445566778899aabbccddeeff"))
	res, _ := f.get(t, "/sso?token="+tok)
	var ck *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == sessionCookie {
			ck = c
		}
	}
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" || ck == nil {
		t.Fatalf("SSO: %d → %s", res.StatusCode, res.Header.Get("Location"))
	}
	g := *f
	g.cookie = ck.Value
	if res, _ := g.get(t, "/users"); res.StatusCode != http.StatusOK {
		t.Errorf("the FreePBX admin on /users: %d", res.StatusCode)
	}
	// Replayed: refused, and audited.
	if res, _ := f.get(t, "/sso?token="+tok); res.StatusCode != http.StatusForbidden {
		t.Errorf("replayed SSO token: %d", res.StatusCode)
	}
	if len(auditOf(t, f, "freepbx:fpbxadmin", actLogin)) != 1 || len(auditOf(t, f, "freepbx:?", actLoginFailed)) == 0 {
		t.Error("SSO sign-ins are not audited")
	}
	// Local users cannot sign in as the SSO user with a password.
	if res, _ := tryLogin(t, f, "freepbx:fpbxadmin", ""); res.StatusCode == http.StatusSeeOther {
		t.Error("the SSO user signed in with an empty password")
	}
}

// ucpToken is ssoToken for an end user of FreePBX's User Control Panel: it carries
// the extensions User Manager assigns them.
func ucpToken(user, scope string, iat time.Time, nonce string) string {
	b, _ := json.Marshal(map[string]any{"u": user, "s": scope, "iat": iat.Unix(), "exp": iat.Add(60 * time.Second).Unix(), "n": nonce})
	body := base64.RawURLEncoding.EncodeToString(b)
	m := hmac.New(sha256.New, []byte(testSSOSecret))
	m.Write([]byte(body))
	return body + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// TestSSO_UCP: a token from UCP signs in an end user who sees only the calls of
// their extensions (404 for the rest, as for a missing id), is no administrator,
// gets no retention status, and follows User Manager when their extensions change.
func TestSSO_UCP(t *testing.T) {
	base := sharedFixture(t)
	in, out := scopeSets(t, base, "100-109")
	f := base.withOptions(t, nil).anonymous()
	signIn := func(scope, nonce string) *fixture {
		t.Helper()
		res, _ := f.get(t, "/sso?token="+url.QueryEscape(ucpToken("alice", scope, now, nonce)))
		g := *f
		for _, c := range res.Cookies() {
			if c.Name == sessionCookie {
				g.cookie = c.Value
			}
		}
		if res.StatusCode != http.StatusSeeOther || g.cookie == "" {
			t.Fatalf("UCP sign-on (scope %s): %d", scope, res.StatusCode)
		}
		return &g
	}
	u := signIn("100-109", "aa112233445566778899aabbccddeeff")
	res, body := u.get(t, "/api/v1/recordings?limit=1000&deleted=1&hide_empty=0")
	if p := decodeJSON[recordings.PageJSON](t, body); res.StatusCode != http.StatusOK || len(p.Items) != len(in) {
		t.Errorf("UCP user's search: %d, %d items, %d in scope", res.StatusCode, len(p.Items), len(in))
	}
	res, body = u.get(t, fmt.Sprintf("/api/v1/recordings/%d/audio", out[0].ID))
	wantError(t, res, body, http.StatusNotFound, "not_found")
	if res, _ := u.get(t, "/users"); res.StatusCode != http.StatusForbidden {
		t.Errorf("a UCP user on /users: %d, want 403", res.StatusCode)
	}
	usr, err := base.cat.UserByName(t.Context(), "ucp:alice")
	if err != nil || usr.Role != recordings.RoleUser || usr.Scope.String() != "100-109" {
		t.Errorf("the UCP user: %+v, %v", usr, err)
	}
	// Reassigned in User Manager: the next sign-on carries the new extensions.
	signIn("110-129", "bb112233445566778899aabbccddeeff")
	if usr, err := base.cat.UserByName(t.Context(), "ucp:alice"); err != nil || usr.Scope.String() != "110-129" {
		t.Errorf("after reassignment: %+v, %v", usr, err)
	}
	// A UCP token is no key to the module's retention status.
	res, body = f.get(t, "/api/v1/retention", "Authorization", "FreePBX-SSO "+ucpToken("alice", "100", now, "cc112233445566778899aabbccddeeff"))
	wantError(t, res, body, http.StatusForbidden, "forbidden")
	// A scope naming nothing signs no one in.
	if res, _ := f.get(t, "/sso?token="+url.QueryEscape(ucpToken("bob", "all", now, "dd112233445566778899aabbccddeeff"))); res.StatusCode != http.StatusForbidden {
		t.Errorf("a UCP token for all recordings: %d, want 403", res.StatusCode)
	}
}
