package web

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/totalrec/totalrec/internal/testsupport/mariadb"
	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/webhook"
)

// settingsFixture is a fixture on dsn whose server edits the policy file it
// returns, which holds policy.
func settingsFixture(t *testing.T, dsn, policy string) (*fixture, string) {
	t.Helper()
	base := newFixtureOn(t, dsn, 3, 10)
	file := filepath.Join(t.TempDir(), "retention.conf")
	if err := os.WriteFile(file, []byte(policy), 0o640); err != nil {
		t.Fatal(err)
	}
	return base.withOptions(t, func(o *Options) {
		o.Storage.PolicyFile, o.WebhookEvents = file, webhook.EventTypes
	}), file
}

func readText(t testing.TB, file string) string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestSettings changes each setting through its form on SQLite and MariaDB: a
// policy is previewed from the submitted text without being written, saved only
// as previewed and over the file it was read from, refused whole when invalid;
// thresholds become policy lines; webhooks are added and removed; the default
// language applies to whoever picked none. Every change is audited; only
// administrators reach the page, and only with the CSRF token.
func TestSettings(t *testing.T) {
	for _, b := range []struct{ name, dsn string }{
		{"sqlite", ""},
		{"mysql", mariadb.NewDatabase(t, "totalrec_web_settings")},
	} {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			const old = "# kept for ten years\nmax_age = 3650d\n"
			f, file := settingsFixture(t, b.dsn, old)
			for _, who := range []*fixture{f.as(t, "lead", recordings.RoleSupervisor, "100-199"), f.as(t, "agent", recordings.RoleUser, "100")} {
				if res, _ := who.get(t, "/settings"); res.StatusCode != http.StatusForbidden {
					t.Errorf("a non-administrator opens /settings: %d", res.StatusCode)
				}
				if res, _ := who.post(t, "/settings/language", url.Values{"language": {"ru"}}); res.StatusCode != http.StatusForbidden {
					t.Errorf("a non-administrator sets the language: %d", res.StatusCode)
				}
			}
			res, body := f.get(t, "/settings")
			if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "max_age = 3650d") {
				t.Fatalf("GET /settings: %d", res.StatusCode)
			}

			// Preview: the plan of the text, nothing written.
			form := url.Values{"policy": {"max_age = 1d\r\n"}, "base": {digest(old)}, "op": {"preview"}}
			res, body = f.post(t, "/settings/retention", form)
			if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `id="plan-total"`) || !strings.Contains(string(body), `id="policy-save"`) {
				t.Fatalf("preview: %d\n%s", res.StatusCode, body)
			}
			if readText(t, file) != old {
				t.Fatal("a preview wrote the policy file")
			}
			// Invalid: a clear error, nothing written, no Save.
			res, body = f.post(t, "/settings/retention", url.Values{"policy": {"max_age = soon\n"}, "base": {digest(old)}, "op": {"save"},
				"previewed": {digest("max_age = soon\n")}})
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), `id="policy-error"`) ||
				!strings.Contains(string(body), "policy:1") || strings.Contains(string(body), `id="policy-save"`) {
				t.Errorf("an invalid policy: %d\n%s", res.StatusCode, body)
			}
			// A save of a text other than the one previewed previews it instead.
			form.Set("op", "save")
			form.Set("previewed", digest("max_age = 2d\n"))
			if res, body = f.post(t, "/settings/retention", form); res.StatusCode != http.StatusOK || !strings.Contains(string(body), `id="plan-total"`) {
				t.Errorf("a save of an unpreviewed text: %d", res.StatusCode)
			}
			// Without the CSRF token: refused.
			form.Set("previewed", digest("max_age = 1d\n"))
			form.Set("csrf", "wrong")
			if res, _ = f.post(t, "/settings/retention", form); res.StatusCode != http.StatusForbidden {
				t.Errorf("a save without the CSRF token: %d", res.StatusCode)
			}
			// Over a file that changed since: refused, the file as it is shown.
			form.Del("csrf")
			form.Set("base", digest("something else"))
			if res, body = f.post(t, "/settings/retention", form); res.StatusCode != http.StatusOK || !strings.Contains(string(body), "policy-error") {
				t.Errorf("a save over a changed file: %d", res.StatusCode)
			}
			if readText(t, file) != old || len(f.auditOf(t, "settings.retention")) != 0 {
				t.Fatal("a refused save wrote the policy file")
			}
			form.Set("base", digest(old))
			if res, _ = f.post(t, "/settings/retention", form); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("save: %d", res.StatusCode)
			}
			if got := readText(t, file); got != "max_age = 1d\n" {
				t.Errorf("the policy file holds %q", got)
			}
			if st, err := os.Stat(file); err != nil || st.Mode().Perm() != 0o640 {
				t.Errorf("the policy file's mode: %v %v", st.Mode(), err)
			}
			if es := f.auditOf(t, "settings.retention"); len(es) != 1 || !strings.Contains(es[0].Detail, "file="+file) {
				t.Errorf("settings.retention audit: %+v", es)
			}
			if left, _ := filepath.Glob(filepath.Join(filepath.Dir(file), ".*")); len(left) != 0 {
				t.Errorf("temporary files left: %v", left)
			}

			// Thresholds: written into the text and previewed, not saved.
			res, body = f.post(t, "/settings/thresholds", url.Values{"policy": {"max_age = 1d\n"}, "base": {digest("max_age = 1d\n")},
				"min_free": {"10%"}, "max_spool": {"500G"}})
			if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "min_free = 10%\nmax_spool = 500G") || !strings.Contains(string(body), `id="policy-save"`) {
				t.Errorf("thresholds: %d\n%s", res.StatusCode, body)
			}
			if res, _ = f.post(t, "/settings/thresholds", url.Values{"policy": {"max_age = 1d\n"}, "min_free": {"lots"}}); res.StatusCode != http.StatusBadRequest {
				t.Errorf("a bad threshold: %d", res.StatusCode)
			}
			if readText(t, file) != "max_age = 1d\n" {
				t.Error("thresholds wrote the file before a save")
			}

			// Webhooks: add (the secret shown once), refuse a bad URL, remove.
			res, body = f.post(t, "/settings/webhooks", url.Values{"url": {"https://crm.example.com/hook"}, "event": {webhook.EventHeld, webhook.EventReady}})
			if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "whsec_") {
				t.Fatalf("add a webhook: %d", res.StatusCode)
			}
			ws, err := f.cat.Webhooks(ctx)
			if err != nil || len(ws) != 1 || ws[0].URL != "https://crm.example.com/hook" || len(ws[0].Events) != 2 {
				t.Fatalf("webhooks: %+v %v", ws, err)
			}
			for _, bad := range []url.Values{{"url": {"ftp://x"}, "event": {webhook.EventHeld}}, {"url": {"https://x"}, "event": {"recording.eaten"}},
				{"url": {"https://x"}}} {
				if res, _ := f.post(t, "/settings/webhooks", bad); res.StatusCode != http.StatusBadRequest {
					t.Errorf("%v: %d", bad, res.StatusCode)
				}
			}
			if res, _ = f.post(t, "/settings/webhooks/"+itoa(ws[0].ID)+"/remove", nil); res.StatusCode != http.StatusSeeOther {
				t.Errorf("remove a webhook: %d", res.StatusCode)
			}
			if ws, _ := f.cat.Webhooks(ctx); len(ws) != 0 {
				t.Error("the webhook was not removed")
			}
			if res, _ = f.post(t, "/settings/webhooks/"+itoa(ws[0].ID)+"/remove", nil); res.StatusCode != http.StatusNotFound {
				t.Errorf("remove it again: %d", res.StatusCode)
			}
			if len(f.auditOf(t, "settings.webhook.add")) != 1 || len(f.auditOf(t, "settings.webhook.rm")) != 1 {
				t.Error("webhook changes not audited")
			}

			// The default language, for whoever picked none.
			if res, _ = f.post(t, "/settings/language", url.Values{"language": {"de"}}); res.StatusCode != http.StatusBadRequest {
				t.Errorf("language de: %d", res.StatusCode)
			}
			if res, _ = f.post(t, "/settings/language", url.Values{"language": {"ru"}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("language ru: %d", res.StatusCode)
			}
			if _, body = f.get(t, "/", "Accept-Language", "en"); !strings.Contains(string(body), `lang="ru"`) {
				t.Error("the default language does not apply")
			}
			if _, body = f.get(t, "/", "Cookie", langCookie+"=en"); !strings.Contains(string(body), `lang="en"`) {
				t.Error("the default language overrides a choice")
			}
			if v, err := f.cat.Setting(ctx, "language"); err != nil || v != "ru" {
				t.Errorf("stored language: %q %v", v, err)
			}
			if es := f.auditOf(t, "settings.language"); len(es) != 1 || es[0].Detail != "language=ru" {
				t.Errorf("settings.language audit: %+v", es)
			}
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
