package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/auth"
)

// testSSOSecret is the fixture's sso_secret.
const testSSOSecret = "0123456789abcdef0123456789abcdef"

// testParams make test passwords cheap to hash; verification reads them from the hash.
var testParams = auth.Params{Memory: 64, Time: 1, Threads: 1}

// testPassword is every test user's password.
const testPassword = "correct horse battery"

// signIn makes (or reuses) a user with testPassword and opens a session for
// them directly in the catalogue; it returns the cookie's value and the CSRF token.
func (f *fixture) signIn(t testing.TB, name string, role recordings.Role, scope string) (cookie, csrf string) {
	t.Helper()
	ctx := context.Background()
	u, err := f.cat.UserByName(ctx, name)
	if errors.Is(err, recordings.ErrNotFound) {
		sc, err := userScope(role, scope)
		if err != nil {
			t.Fatal(err)
		}
		hash, err := auth.HashPassword(testPassword, testParams)
		if err != nil {
			t.Fatal(err)
		}
		u, err = f.cat.AddUser(ctx, recordings.User{Name: name, Role: role, Scope: sc, PasswordHash: hash})
		if err != nil {
			t.Fatal(err)
		}
	} else if err != nil {
		t.Fatal(err)
	}
	cookie, csrf = auth.NewSecret(32), auth.NewSecret(32)
	if err := f.cat.CreateSession(ctx, recordings.Session{IDHash: auth.HashToken(cookie), UserID: u.ID, CSRF: csrf,
		CreatedAt: now, SeenAt: now}); err != nil {
		t.Fatal(err)
	}
	return cookie, csrf
}

// as is the fixture seen by another user: same server, that user's session.
func (f *fixture) as(t testing.TB, name string, role recordings.Role, scope string) *fixture {
	t.Helper()
	g := *f
	g.cookie, g.csrf = f.signIn(t, name, role, scope)
	return &g
}

// anonymous is the fixture without a session.
func (f *fixture) anonymous() *fixture {
	g := *f
	g.cookie, g.csrf = "", ""
	return &g
}

// post sends a form; the session's CSRF token is added unless form has one.
func (f *fixture) post(t testing.TB, path string, form url.Values, header ...string) (*http.Response, []byte) {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok && f.csrf != "" {
		form.Set("csrf", f.csrf)
	}
	return f.send(t, http.MethodPost, path, strings.NewReader(form.Encode()),
		append([]string{"Content-Type", "application/x-www-form-urlencoded"}, header...)...)
}
