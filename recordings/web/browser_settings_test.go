package web

import (
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/totalrec/totalrec/recordings"
)

// TestBrowser_Settings previews a retention policy and saves it, sees an invalid
// one refused with the file unchanged, adds and removes a webhook endpoint and
// sets the default language, in Chromium; the page fits a phone in both
// languages, each change is in the audit trail, and a supervisor finds no
// settings link and gets 403.
func TestBrowser_Settings(t *testing.T) {
	const old = "max_age = 3650d\n"
	f, file := settingsFixture(t, "", old)
	ctx := newBrowser(t)
	signIn(t, ctx, f)
	setPolicy := func(text string) {
		t.Helper()
		do(t, ctx, chromedp.SetValue(chromedp.ID("policy-text"), text),
			chromedp.Evaluate[chromedp.Void](`document.getElementById("policy-preview").click(); null`))
	}

	// Preview, then save.
	do(t, ctx, chromedp.Navigate(f.http.URL+"/settings"), chromedp.WaitVisible(chromedp.ID("policy-text")))
	if n := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("#policy-save").length`)); n != 0 {
		t.Error("Save shows before a preview")
	}
	setPolicy("max_age = 1d\nempty_after = 1h\n")
	waitJS(t, ctx, `document.getElementById("plan-total") !== null && document.getElementById("policy-save") !== null`)
	rules := run(t, ctx, chromedp.Evaluate[string](`document.getElementById("policy-plan").textContent`))
	if !strings.Contains(rules, "max_age") {
		t.Errorf("the preview names no rule: %q", rules)
	}
	if readText(t, file) != old {
		t.Fatal("the preview wrote the file")
	}
	do(t, ctx, chromedp.EmulateViewport(1400, 900))
	artifact(t, "settings-1400-en.png", run(t, ctx, chromedp.FullScreenshot(100)))
	do(t, ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById("policy-save").click(); null`))
	waitURL(t, ctx, "saved=retention")
	waitJS(t, ctx, `document.getElementById("settings-saved") !== null`)
	if got := readText(t, file); got != "max_age = 1d\nempty_after = 1h\n" {
		t.Errorf("saved policy: %q", got)
	}

	// Invalid: refused, nothing written.
	setPolicy("max_age = 1d\nmax_age = 2d\n")
	waitJS(t, ctx, `document.getElementById("policy-error") !== null`)
	if n := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("#policy-save").length`)); n != 0 {
		t.Error("an invalid policy can be saved")
	}
	if readText(t, file) != "max_age = 1d\nempty_after = 1h\n" {
		t.Error("an invalid policy changed the file")
	}

	// A webhook endpoint, added then removed.
	do(t, ctx, chromedp.Navigate(f.http.URL+"/settings"), chromedp.WaitVisible(chromedp.ID("webhook-url")),
		chromedp.SendKeys(chromedp.ID("webhook-url"), "https://crm.example.com/hooks/totalrec"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("webhook-add").click(); null`))
	waitJS(t, ctx, `document.getElementById("webhook-secret") !== null && document.querySelectorAll("#webhook-list tbody tr").length === 1`)

	// The page on a phone, with a preview and an endpoint.
	do(t, ctx, chromedp.EmulateViewport(390, 844))
	for _, lang := range []string{"en", "ru"} {
		do(t, ctx, chromedp.Navigate(f.http.URL+"/settings?lang="+lang), chromedp.WaitVisible(chromedp.ID("policy-text")))
		setPolicy("max_age = 1d\nmin_free = 10%\n")
		waitJS(t, ctx, `document.getElementById("plan-total") !== null`)
		checkWidth(t, ctx, "/settings ("+lang+")")
		artifact(t, "settings-390-"+lang+".png", run(t, ctx, chromedp.FullScreenshot(100)))
	}
	do(t, ctx, chromedp.EmulateViewport(1400, 900), chromedp.Navigate(f.http.URL+"/settings?lang=ru"), chromedp.WaitVisible(chromedp.ID("webhook-list")))
	artifact(t, "settings-1400-ru.png", run(t, ctx, chromedp.FullScreenshot(100)))
	do(t, ctx, chromedp.EmulateViewport(1400, 1000))
	do(t, ctx, chromedp.Navigate(f.http.URL+"/settings?lang=en"), chromedp.WaitVisible(chromedp.CSS("#webhook-list form button")),
		chromedp.Evaluate[chromedp.Void](`document.querySelector("#webhook-list form button").click(); null`))
	waitURL(t, ctx, "saved=webhook_rm")
	waitJS(t, ctx, `document.getElementById("webhooks-none") !== null`)

	// The default language: a browser that picked none (a fresh one) follows it.
	do(t, ctx, chromedp.SetValue(chromedp.ID("language-default"), "ru"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("language-save").click(); null`))
	waitURL(t, ctx, "saved=language")
	lead := newBrowser(t)
	signInAs(t, lead, f, "lead", recordings.RoleSupervisor, "100-199")
	if lang := run(t, lead, chromedp.Evaluate[string](`document.documentElement.lang`)); lang != "ru" {
		t.Errorf("a browser that picked no language gets %q, want ru", lang)
	}
	if n := run(t, lead, chromedp.Evaluate[int](`document.querySelectorAll('a[href$="/settings"]').length`)); n != 0 {
		t.Error("a supervisor sees the settings link")
	}
	do(t, lead, chromedp.Navigate(f.http.URL+"/settings"), chromedp.WaitReady(chromedp.CSS("footer")))
	if txt := run(t, lead, chromedp.Evaluate[string](`document.body.textContent`)); !strings.Contains(txt, "403") {
		t.Errorf("a supervisor at /settings sees %q", txt)
	}

	for _, a := range []string{"settings.retention", "settings.webhook.add", "settings.webhook.rm", "settings.language"} {
		if len(f.auditOf(t, a)) != 1 {
			t.Errorf("%d audit entries %s, want 1", len(f.auditOf(t, a)), a)
		}
	}
	if _, err := os.Stat(file); err != nil {
		t.Fatal(err)
	}
	f.noErrors(t, "while changing settings")
}
