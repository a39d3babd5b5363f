package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/totalrec/totalrec/recordings"
)

// The settings page (administrators): the retention policy and its disk
// thresholds (settings_retention.go), the webhook endpoints and the interface's
// default language. Each is written where the command line and the nightly job
// read it — the policy file that configuration's retention_policy names, the
// catalogue's webhook endpoints, the catalogue's settings table for the language,
// which no file holds — and each change is audited.

// Audit actions of the settings page.
const (
	actSettingsRetention  = "settings.retention"
	actSettingsWebhookAdd = "settings.webhook.add"
	actSettingsWebhookRm  = "settings.webhook.rm"
	actSettingsLanguage   = "settings.language"
)

// settingLanguage is the catalogue setting of the default language.
const settingLanguage = "language"

// settingsCatalog is what the settings page needs of the catalogue beyond the
// storage page's (part of Catalog).
type settingsCatalog interface {
	AddWebhook(ctx context.Context, w recordings.Webhook) (int64, error)
	RemoveWebhook(ctx context.Context, id int64) error
	Webhooks(ctx context.Context) ([]recordings.Webhook, error)
	Setting(ctx context.Context, name string) (string, error)
	SetSetting(ctx context.Context, name, value, who string) error
}

// settingsView is the settings page's data.
type settingsView struct {
	Retention retentionForm
	Webhooks  []webhookRow
	Events    []option // the event types, for the add form
	HookURL   string   // the add form, shown again after an error
	NewSecret string   // the secret of the endpoint just added, shown once
	Languages []option
	Error     string
	Saved     string
}

type webhookRow struct {
	ID                   int64
	URL, Events, Created string
	Pending, Dead        int
}

// settingsPage is GET /settings.
func (s *Server) settingsPage(c echo.Context) error {
	v := settingsView{}
	if what := c.QueryParam("saved"); what != "" {
		v.Saved = langOf(c).T("settings.saved." + clip(what, 20))
	}
	return s.renderSettings(c, http.StatusOK, v)
}

// renderSettings fills what v leaves empty from the stores and renders the page.
func (s *Server) renderSettings(c echo.Context, status int, v settingsView) error {
	ctx, l := c.Request().Context(), langOf(c)
	sc := s.opts.Catalog
	var err error
	if !v.Retention.Loaded {
		if v.Retention, err = s.currentPolicy(); err != nil {
			return err
		}
	}
	v.Retention.Path = s.policyFile()
	ws, err := sc.Webhooks(ctx)
	if err != nil {
		return err
	}
	now := s.now().In(s.loc)
	for _, w := range ws {
		v.Webhooks = append(v.Webhooks, webhookRow{ID: w.ID, URL: redactURL(w.URL), Events: strings.Join(w.Events, ", "),
			Created: l.Short(w.Created.In(s.loc), now), Pending: w.Pending, Dead: w.Dead})
	}
	for _, e := range s.opts.WebhookEvents {
		v.Events = append(v.Events, option{Value: e, Label: e, Selected: true})
	}
	def, err := sc.Setting(ctx, settingLanguage)
	if err != nil {
		return err
	}
	v.Languages = []option{{Value: "", Label: l.T("settings.language.browser"), Selected: def == ""}}
	for _, code := range []string{"en", "ru"} {
		v.Languages = append(v.Languages, option{Value: code, Label: l.T("settings.language." + code), Selected: def == code})
	}
	return c.Render(status, "settings", s.newPage(c, l.T("settings.title"), v))
}

// redactURL hides a password in a URL's user info.
func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	return s
}

// addWebhook is POST /settings/webhooks: a new endpoint for the chosen events,
// with a random signing secret shown once, as `totalrec webhook add` does.
func (s *Server) addWebhook(c echo.Context) error {
	raw := strings.TrimSpace(c.FormValue("url"))
	fail := func(msg string) error {
		return s.renderSettings(c, http.StatusBadRequest, settingsView{Error: msg, HookURL: raw})
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(raw) > 2000 {
		return fail(fmt.Sprintf("%q is not an http or https URL", clip(raw, 100)))
	}
	form, err := c.FormParams()
	if err != nil {
		return badRequest("form", "unreadable")
	}
	var events []string
	for _, e := range form["event"] {
		if !slices.Contains(s.opts.WebhookEvents, e) {
			return fail(fmt.Sprintf("unknown event %q", clip(e, 40)))
		}
		if !slices.Contains(events, e) {
			events = append(events, e)
		}
	}
	if len(events) == 0 {
		return fail("choose at least one event")
	}
	secret := recordings.NewWebhookSecret()
	id, err := s.opts.Catalog.AddWebhook(c.Request().Context(), recordings.Webhook{URL: u.String(), Secret: secret, Events: events})
	if err != nil {
		return err
	}
	if err := s.audit(c, actSettingsWebhookAdd, 0, fmt.Sprintf("id=%d url=%s events=%s", id, u.Redacted(), strings.Join(events, ","))); err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "private, no-store")
	return s.renderSettings(c, http.StatusOK, settingsView{NewSecret: secret, Saved: langOf(c).T("settings.saved.webhook")})
}

// removeWebhook is POST /settings/webhooks/{wid}/remove: the endpoint and its
// deliveries go, as with `totalrec webhook rm`.
func (s *Server) removeWebhook(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("wid"), 10, 64)
	if err != nil || id <= 0 {
		return badRequest("wid", "not a webhook ID")
	}
	if err := s.opts.Catalog.RemoveWebhook(c.Request().Context(), id); err != nil {
		return err
	}
	if err := s.audit(c, actSettingsWebhookRm, 0, fmt.Sprintf("id=%d", id)); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, s.path("/settings?saved=webhook_rm#webhooks"))
}

// setLanguage is POST /settings/language: the language of whoever has not
// picked one (no ?lang= and no cookie); "" follows the browser's.
func (s *Server) setLanguage(c echo.Context) error {
	code := c.FormValue("language")
	if _, ok := languages()[code]; !ok && code != "" {
		return badRequest("language", "%q is not en or ru", clip(code, 10))
	}
	sc := s.opts.Catalog
	if err := sc.SetSetting(c.Request().Context(), settingLanguage, code, principalOf(c).Name); err != nil {
		return err
	}
	s.defaultLang.set(code, time.Now())
	if err := s.audit(c, actSettingsLanguage, 0, "language="+code); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, s.path("/settings?saved=language#language"))
}

// defaultLangTTL is how long a server trusts the default language it read: a
// change on another node sharing the catalogue shows within it.
const defaultLangTTL = 30 * time.Second

// defaultLang is the catalogue's default language, cached.
type defaultLang struct {
	mu   sync.Mutex
	code string
	at   time.Time // when code was read; zero: never
}

func (d *defaultLang) set(code string, at time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.code, d.at = code, at
}

// siteLanguage is the default language, nil when none is set or it cannot be
// read (the browser's choice applies then). It is real time, not s.now, that
// ages the cache.
func (s *Server) siteLanguage(ctx context.Context) *lang {
	d := &s.defaultLang
	d.mu.Lock()
	code, fresh := d.code, !d.at.IsZero() && time.Since(d.at) < defaultLangTTL
	d.mu.Unlock()
	if !fresh {
		v, err := s.opts.Catalog.Setting(ctx, settingLanguage)
		if err != nil {
			s.log.Warn("read the default language", "error", err)
			return nil
		}
		code = v
		d.set(code, time.Now())
	}
	return languages()[code]
}
