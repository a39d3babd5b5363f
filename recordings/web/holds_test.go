package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/totalrec/totalrec/internal/testsupport/mariadb"
	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/webhook"
)

// auditOf lists the audit entries of action, newest first.
func (f *fixture) auditOf(t testing.TB, action string) []recordings.AuditEntry {
	t.Helper()
	es, _, err := f.cat.AuditLog(context.Background(), recordings.AuditQuery{Action: action, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// holdsOf lists the holds of recording id.
func (f *fixture) holdsOf(t testing.TB, id int64) []recordings.Hold {
	t.Helper()
	all, err := f.cat.Holds(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []recordings.Hold
	for _, h := range all {
		if h.RecordingID == id {
			out = append(out, h)
		}
	}
	return out
}

// TestHolds puts and releases holds through the forms, on SQLite and MariaDB:
// one recording and a search's matches, by an administrator and by a supervisor
// within their scope; each change is audited and announced to webhooks, and
// users, bad input and forms without their CSRF token change nothing.
func TestHolds(t *testing.T) {
	for _, b := range []struct{ name, dsn string }{
		{"sqlite", ""},
		{"mysql", mariadb.NewDatabase(t, "totalrec_web_holds")},
	} {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			base := newFixtureOn(t, b.dsn, 3, 10)
			if _, err := base.cat.AddWebhook(ctx, recordings.Webhook{URL: "http://127.0.0.1:1/hook", Secret: "whsec_test",
				Events: []string{webhook.EventHeld, webhook.EventReleased}}); err != nil {
				t.Fatal(err)
			}
			f := base.withOptions(t, func(o *Options) {
				o.HoldEvents = webhook.NewEvents(base.cat, webhook.Options{Location: moscow, Now: func() time.Time { return now }})
			})
			in := f.find(t, recordings.Query{Types: []string{"in"}, HideEmpty: true}, func(r recordings.Recording) bool {
				return recordings.ChannelExtension(r.CDR.DstChannel) != ""
			})
			ext := recordings.ChannelExtension(in.CDR.DstChannel)
			other := f.find(t, recordings.Query{}, func(r recordings.Recording) bool {
				return !recordings.Scope{Ranges: []recordings.ExtRange{{Lo: ext, Hi: ext}}}.Admits(r)
			})

			// An administrator holds one recording from the player, until a date.
			res, _ := f.post(t, "/holds", url.Values{"id": {fmt.Sprint(in.ID)}, "reason": {"court order 17"},
				"until": {"2028-01-01"}, "from": {"player"}})
			if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != fmt.Sprintf("/recordings/%d#hold", in.ID) {
				t.Fatalf("hold: %d → %q", res.StatusCode, res.Header.Get("Location"))
			}
			hs := f.holdsOf(t, in.ID)
			if len(hs) != 1 || hs[0].Reason != "court order 17" || hs[0].Who != "admin" || hs[0].Until.In(moscow).Format("2006-01-02") != "2028-01-01" {
				t.Fatalf("holds after the form: %+v", hs)
			}
			if r, _ := f.cat.Get(ctx, in.ID); !r.Held {
				t.Error("the recording is not marked held")
			}
			if es := f.auditOf(t, "hold.add"); len(es) != 1 || es[0].RecordingID != in.ID || es[0].Who != "admin" ||
				es[0].Detail != `reason="court order 17" by="admin" until=2028-01-01` {
				t.Errorf("hold.add audit: %+v", es)
			}
			_, body := f.get(t, fmt.Sprintf("/recordings/%d", in.ID))
			if !strings.Contains(string(body), `id="hold-release"`) || !strings.Contains(string(body), "court order 17") {
				t.Error("the player does not show the hold and its release")
			}
			_, body = f.get(t, "/holds?lang=ru")
			if !strings.Contains(string(body), "court order 17") || !strings.Contains(string(body), "01.01.2028") {
				t.Errorf("the holds page does not list the hold:\n%s", body)
			}

			// Refused: no reason, a bad or past date, no CSRF token, a user.
			for _, form := range []url.Values{
				{"id": {fmt.Sprint(other.ID)}},
				{"id": {fmt.Sprint(other.ID)}, "reason": {"x"}, "until": {"next year"}},
				{"id": {fmt.Sprint(other.ID)}, "reason": {"x"}, "until": {"2020-01-01"}},
				{"id": {"abc"}, "reason": {"x"}},
			} {
				if res, _ := f.post(t, "/holds", form); res.StatusCode != http.StatusBadRequest {
					t.Errorf("%v: %d, want 400", form, res.StatusCode)
				}
			}
			if res, _ := f.post(t, "/holds", url.Values{"id": {fmt.Sprint(other.ID)}, "reason": {"x"}, "csrf": {"wrong"}}); res.StatusCode != http.StatusForbidden {
				t.Errorf("without the CSRF token: %d", res.StatusCode)
			}
			user := f.as(t, "agent", recordings.RoleUser, ext)
			if res, _ := user.get(t, "/holds"); res.StatusCode != http.StatusForbidden {
				t.Errorf("a user opens /holds: %d", res.StatusCode)
			}
			if res, _ := user.post(t, "/holds", url.Values{"id": {fmt.Sprint(in.ID)}, "reason": {"x"}}); res.StatusCode != http.StatusForbidden {
				t.Errorf("a user holds: %d", res.StatusCode)
			}
			if _, body := user.get(t, "/"); strings.Contains(string(body), `href="/holds"`) || strings.Contains(string(body), "hold-selection") {
				t.Error("a user sees the holds link or the selection's hold form")
			}
			if len(f.holdsOf(t, other.ID)) != 0 {
				t.Fatal("a refused form held a recording")
			}

			// A supervisor of ext holds in scope only and lists only those holds.
			sup := f.as(t, "lead", recordings.RoleSupervisor, ext)
			if res, _ := sup.post(t, "/holds", url.Values{"id": {fmt.Sprint(other.ID)}, "reason": {"x"}}); res.StatusCode != http.StatusNotFound {
				t.Errorf("a supervisor holds out of scope: %d, want 404", res.StatusCode)
			}
			if _, err := f.cat.AddHold(ctx, recordings.Hold{RecordingID: other.ID, Reason: "secret case", Who: "cli", Since: now}); err != nil {
				t.Fatal(err)
			}
			_, body = sup.get(t, "/holds")
			if strings.Contains(string(body), "secret case") || !strings.Contains(string(body), "court order 17") {
				t.Error("the supervisor's list shows a hold out of scope, or not the one in scope")
			}
			if res, _ := sup.post(t, "/holds/release", url.Values{"id": {fmt.Sprint(other.ID)}}); res.StatusCode != http.StatusNotFound || len(f.holdsOf(t, other.ID)) != 1 {
				t.Errorf("a supervisor releases out of scope: %d", res.StatusCode)
			}

			// A search's matches, held and released as a selection by the supervisor.
			query := url.Values{"ext": {ext}}.Encode()
			matches := f.all(t, recordings.Query{Ext: ext, HideEmpty: true, Scope: &recordings.Scope{Ranges: []recordings.ExtRange{{Lo: ext, Hi: ext}}}})
			if !slices.ContainsFunc(matches, func(r recordings.Recording) bool { return r.ID == in.ID }) {
				t.Fatalf("the search for %s does not find recording %d", ext, in.ID)
			}
			res, _ = sup.post(t, "/holds", url.Values{"query": {query}, "reason": {"audit of " + ext}})
			if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), fmt.Sprintf("/holds?done=added&n=%d&", len(matches))) {
				t.Fatalf("hold a selection of %d: %d → %q", len(matches), res.StatusCode, res.Header.Get("Location"))
			}
			for _, r := range matches {
				if len(f.holdsOf(t, r.ID)) == 0 {
					t.Errorf("recording %d of the selection is not held", r.ID)
				}
			}
			res, _ = sup.post(t, "/holds/release", url.Values{"query": {query}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("release a selection: %d", res.StatusCode)
			}
			for _, r := range matches {
				if len(f.holdsOf(t, r.ID)) != 0 {
					t.Errorf("recording %d of the selection is still held", r.ID)
				}
			}
			rms := f.auditOf(t, "hold.rm")
			if len(rms) != len(matches) || rms[0].Who != "lead" {
				t.Errorf("hold.rm audit: %d entries for %d recordings (%+v)", len(rms), len(matches), rms)
			}
			if r, _ := f.cat.Get(ctx, in.ID); r.Held {
				t.Error("a released recording is still marked held")
			}
			pending, err := f.cat.Deliveries(ctx, recordings.OutboxPending, 10000)
			if err != nil {
				t.Fatal(err)
			}
			kinds := map[string]int{}
			for _, d := range pending {
				kinds[d.Type]++
			}
			if kinds[webhook.EventHeld] != 1+len(matches) || kinds[webhook.EventReleased] != len(matches) {
				t.Errorf("webhook events: %v; want %d held and %d released", kinds, 1+len(matches), len(matches))
			}
		})
	}
}

// TestMessageTablesMatch: the tables of each part of the interface have the
// same keys in English and Russian.
func TestMessageTablesMatch(t *testing.T) {
	for name, pair := range map[string][2]map[string]string{
		"holds":    {holdMessagesEN(), holdMessagesRU()},
		"settings": {settingsMessagesEN(), settingsMessagesRU()},
	} {
		for k := range pair[0] {
			if _, ok := pair[1][k]; !ok {
				t.Errorf("%s: Russian lacks %q", name, k)
			}
		}
		for k := range pair[1] {
			if _, ok := pair[0][k]; !ok {
				t.Errorf("%s: English lacks %q", name, k)
			}
		}
	}
}
