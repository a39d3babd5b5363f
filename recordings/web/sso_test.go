package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/totalrec/totalrec/internal/testsupport/mariadb"
	"github.com/totalrec/totalrec/recordings/catalog"
	"github.com/totalrec/totalrec/recordings/spool"
)

// ssoServer is a server on the catalogue dsn, opened afresh as `serve` opens it,
// behind a real HTTP server; its catalogue closes with stop.
func ssoServer(t *testing.T, dsn, spoolDir string, clock time.Time) (base string, stop func()) {
	t.Helper()
	ctx := context.Background()
	cat, err := catalog.Open(ctx, dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	tree, err := spool.OpenTree(spoolDir)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Options{Catalog: cat, Spool: tree, CacheDir: t.TempDir(), Location: moscow,
		Now: func() time.Time { return clock }, Access: Access{SSOSecret: testSSOSecret}})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	return hs.URL, func() { hs.Close(); srv.Close(); tree.Close(); cat.Close() }
}

// TestSSO_OnceAcrossRestarts: a sign-on token accepted by one server is
// refused by the next server on the same catalogue — after a restart, or by a
// second node — within the token's lifetime, on SQLite and MariaDB.
func TestSSO_OnceAcrossRestarts(t *testing.T) {
	for _, b := range []struct{ name, dsn string }{
		{"sqlite", "sqlite:" + filepath.Join(t.TempDir(), "totalrec.db")},
		{"mysql", mariadb.NewDatabase(t, "totalrec_web_sso")},
	} {
		t.Run(b.name, func(t *testing.T) {
			spoolDir := t.TempDir()
			tok := url.QueryEscape(ssoToken("fpbxadmin", now, "0123456789abcdef0123456789abcdef"))
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			signIn := func(base string) int {
				res, err := client.Get(base + "/sso?token=" + tok)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				return res.StatusCode
			}

			first, stop := ssoServer(t, b.dsn, spoolDir, now)
			if code := signIn(first); code != http.StatusSeeOther {
				t.Fatalf("first use: %d", code)
			}
			// A second node on the same catalogue, while the first still runs.
			second, stopSecond := ssoServer(t, b.dsn, spoolDir, now.Add(10*time.Second))
			if code := signIn(second); code != http.StatusForbidden {
				t.Errorf("the token on a second server: %d, want 403", code)
			}
			stopSecond()
			stop()
			// The daemon restarted 30 s later: the token is still within its lifetime.
			restarted, stop := ssoServer(t, b.dsn, spoolDir, now.Add(30*time.Second))
			defer stop()
			if code := signIn(restarted); code != http.StatusForbidden {
				t.Errorf("the token after a restart: %d, want 403", code)
			}
		})
	}
}
