package web

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/totalrec/totalrec/recordings"
)

// TestBrowser_DatesFollowLanguage reads and types the search's and the audit's
// dates in Russian (26.11.2026) and in English (2026-11-26), in text boxes, not
// the browser's own date inputs with their US format.
func TestBrowser_DatesFollowLanguage(t *testing.T) {
	f := sharedFixture(t)
	ctx := newBrowser(t)
	signIn(t, ctx, f)
	values := func() []string {
		return run(t, ctx, chromedp.Evaluate[[]string](`[document.getElementById("since").value, document.getElementById("until").value,
			String(document.querySelectorAll('input[type="date"], input[type="datetime-local"]').length)]`))
	}
	do(t, ctx, chromedp.Navigate(f.http.URL+"/?since=2026-11-25T00:00&until=2026-11-26T00:00&lang=ru"), chromedp.WaitVisible(chromedp.ID("since")))
	if got := values(); got[0] != "25.11.2026 00:00" || got[1] != "26.11.2026 00:00" || got[2] != "0" {
		t.Errorf("the Russian form shows %q", got)
	}
	if active := run(t, ctx, chromedp.Evaluate[string](`document.querySelector(".presets a.active").textContent`)); active != "Вчера" {
		t.Errorf("the active range is %q, want Вчера", active)
	}
	do(t, ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById("since").value = ""; null`), chromedp.SendKeys(chromedp.ID("since"), "24.11.2026 08:00"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("search-submit").click(); null`))
	waitURL(t, ctx, "since=24.11.2026")
	waitJS(t, ctx, `document.getElementById("since") && document.getElementById("since").value === "24.11.2026 08:00"`)
	want := len(f.all(t, recordings.Query{HideEmpty: true, Since: time.Date(2026, 11, 24, 8, 0, 0, 0, moscow), Until: time.Date(2026, 11, 26, 0, 0, 0, 0, moscow)}))
	if count := run(t, ctx, chromedp.Evaluate[string](`document.getElementById("result-count").textContent`)); !strings.HasSuffix(count, " из "+languages()["ru"].Number(want)) {
		t.Errorf("the search from 24.11.2026 08:00 says %q, want %d matches", count, want)
	}

	do(t, ctx, chromedp.Navigate(f.http.URL+"/?since=2026-11-25T00:00&lang=en"), chromedp.WaitVisible(chromedp.ID("since")))
	if got := values(); got[0] != "2026-11-25 00:00" || got[1] != "" {
		t.Errorf("the English form shows %q", got)
	}

	do(t, ctx, chromedp.Navigate(f.http.URL+"/audit?lang=ru"), chromedp.WaitVisible(chromedp.ID("audit-since")),
		chromedp.SendKeys(chromedp.ID("audit-since"), "26.11.2026"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector("#audit-form button[type=submit]").click(); null`))
	waitURL(t, ctx, "since=26.11.2026")
	waitJS(t, ctx, `document.getElementById("audit-since") && document.getElementById("audit-since").value === "26.11.2026"`)
	if n := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('[role="alert"], input[type="date"]').length`)); n != 0 {
		t.Error("the Russian audit page refuses its own date, or has a browser date input")
	}
}
