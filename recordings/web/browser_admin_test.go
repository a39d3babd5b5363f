package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowser_AdminForms picks an action from the audit page's list, and finds
// the users page's "Add a user" heading inside its card.
func TestBrowser_AdminForms(t *testing.T) {
	f := sharedFixture(t)
	ctx := newBrowser(t)
	signIn(t, ctx, f)
	do(t, ctx, chromedp.Navigate(f.http.URL+"/audit"), chromedp.WaitVisible(chromedp.ID("audit-action")))
	opts := run(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#audit-action option")).map(o => o.value)`))
	for _, want := range []string{"", "login", "play", "download", "share.add", "hold.add", "retention.run"} {
		if !strings.Contains("|"+strings.Join(opts, "|")+"|", "|"+want+"|") {
			t.Errorf("the action list %q lacks %q", opts, want)
		}
	}
	do(t, ctx, chromedp.SetValue(chromedp.ID("audit-action"), "login"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector("#audit-form button[type=submit]").click(); null`))
	waitURL(t, ctx, "action=login")
	waitJS(t, ctx, `document.getElementById("audit-action") && document.getElementById("audit-action").value === "login"`)
	actions := run(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#audit tbody tr td:nth-child(4)")).map(td => td.textContent)`))
	if len(actions) == 0 {
		t.Error("no sign-ins in the audit trail filtered by login")
	}
	for _, a := range actions {
		if a != "login" {
			t.Errorf("the filter by login shows %q", a)
		}
	}

	do(t, ctx, chromedp.Navigate(f.http.URL+"/users"), chromedp.WaitVisible(chromedp.ID("add-user")))
	inset := run(t, ctx, chromedp.Evaluate[map[string]float64](`(() => {
		const h = document.querySelector("#add-user-card h2").getBoundingClientRect();
		const c = document.getElementById("add-user-card").getBoundingClientRect();
		return {left: h.left - c.left, top: h.top - c.top, right: c.right - h.right}; })()`))
	if inset["left"] < 8 || inset["top"] < 8 || inset["right"] < 0 {
		t.Errorf("the Add a user heading is not inside its card: insets %v", inset)
	}
}
