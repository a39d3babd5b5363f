package web

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/totalrec/totalrec/recordings"
)

// TestBrowser_SpentSignInLink opens the demo's one-time link twice: the first
// time it signs in, the second time the sign-in page says the link is spent and
// how to get a new one.
func TestBrowser_SpentSignInLink(t *testing.T) {
	f := sharedFixture(t).own(t)
	f.signIn(t, "linked", recordings.RoleAdmin, "")
	link, err := f.srv.LoginLink("linked", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	ctx := newBrowser(t)
	do(t, ctx, chromedp.Navigate(f.http.URL+link))
	waitJS(t, ctx, `document.getElementById("user-name") !== null && document.getElementById("user-name").textContent === "linked"`)
	do(t, ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById("logout").click(); null`))
	waitURL(t, ctx, "/login")
	do(t, ctx, chromedp.Navigate(f.http.URL+link))
	waitJS(t, ctx, `document.getElementById("login-error") !== null`)
	msg := run(t, ctx, chromedp.Evaluate[string](`document.getElementById("login-error").textContent`))
	for _, want := range []string{"already used or has expired", "totalrec demo"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the spent link's page says %q, without %q", msg, want)
		}
	}
	if n := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("#login-form input[name=name]").length`)); n != 1 {
		t.Error("the spent link's page has no sign-in form")
	}
	res, body := f.anonymous().get(t, link+"&lang=ru")
	if res.StatusCode != 403 || !strings.Contains(string(body), "уже использована") {
		t.Errorf("the spent link in Russian: %d, %s", res.StatusCode, body)
	}
}
