package web

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/totalrec/totalrec/recordings"
)

// TestBrowser_Holds puts a hold on a recording from its player and releases it,
// then holds and releases a search's matches from the selection's form, reading
// the list at /holds; the audit trail has each change, the pages fit a phone in
// both languages, and a user finds no holds link and gets 403 at /holds.
func TestBrowser_Holds(t *testing.T) {
	f := newFixture(t, 3, 10, nil)
	ctx := newBrowser(t)
	signIn(t, ctx, f)
	rec := f.find(t, recordings.Query{HideEmpty: true, Types: []string{"in"}}, func(r recordings.Recording) bool { return true })
	player := fmt.Sprintf("%s/recordings/%d", f.http.URL, rec.ID)

	// From the player: put, then release.
	do(t, ctx, chromedp.Navigate(player), chromedp.WaitVisible(chromedp.ID("hold-form")),
		chromedp.SendKeys(chromedp.ID("hold-reason"), "subpoena 42"),
		chromedp.SendKeys(chromedp.ID("hold-until"), "2029-03-01"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector("#hold-form button[type=submit]").click(); null`))
	waitJS(t, ctx, `document.getElementById("hold-release") !== null && document.getElementById("hold").textContent.includes("subpoena 42")`)
	if hs := f.holdsOf(t, rec.ID); len(hs) != 1 || hs[0].Who != "browser" {
		t.Fatalf("holds after the player's form: %+v", hs)
	}
	do(t, ctx, chromedp.Navigate(f.http.URL+"/holds"), chromedp.WaitVisible(chromedp.ID("holds")))
	row := run(t, ctx, chromedp.Evaluate[string](`document.querySelector("#holds tbody tr").textContent`))
	for _, want := range []string{"subpoena 42", "browser", "2029-03-01"} {
		if !strings.Contains(row, want) {
			t.Errorf("the list's row %q lacks %q", row, want)
		}
	}
	do(t, ctx, chromedp.Navigate(player), chromedp.WaitVisible(chromedp.ID("hold-release")),
		chromedp.Evaluate[chromedp.Void](`document.querySelector("#hold-release button").click(); null`))
	waitJS(t, ctx, `document.getElementById("hold-form") !== null && document.getElementById("hold-release") === null`)
	if len(f.holdsOf(t, rec.ID)) != 0 {
		t.Fatal("the player's release left a hold")
	}

	// From a search's selection: every match of type "in", put and released.
	matches := f.all(t, recordings.Query{Types: []string{"in"}, HideEmpty: true, Scope: &recordings.AllScope})
	do(t, ctx, chromedp.Navigate(f.http.URL+"/?type=in"), chromedp.WaitVisible(chromedp.ID("hold-selection")),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("hold-selection").open = true; null`),
		chromedp.SendKeys(chromedp.ID("selection-reason"), "inbound review"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("selection-hold").click(); null`))
	waitURL(t, ctx, "/holds?done=added")
	waitJS(t, ctx, fmt.Sprintf(`document.querySelectorAll("#holds tbody tr").length === %d && document.getElementById("holds-done") !== null`, len(matches)))
	do(t, ctx, chromedp.Navigate(f.http.URL+"/?type=in"), chromedp.WaitVisible(chromedp.ID("hold-selection")),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("hold-selection").open = true; document.getElementById("selection-release").click(); null`))
	waitURL(t, ctx, "/holds?done=released")
	waitJS(t, ctx, `document.getElementById("holds-none") !== null`)
	if adds, rms := f.auditOf(t, "hold.add"), f.auditOf(t, "hold.rm"); len(adds) != 1+len(matches) || len(rms) != 1+len(matches) {
		t.Errorf("audit: %d hold.add and %d hold.rm, want %d each", len(adds), len(rms), 1+len(matches))
	}

	// On a phone, in both languages, with a hold listed.
	do(t, ctx, chromedp.Navigate(player), chromedp.WaitVisible(chromedp.ID("hold-form")),
		chromedp.SendKeys(chromedp.ID("hold-reason"), "a rather long reason that a phone must wrap rather than scroll sideways"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector("#hold-form button[type=submit]").click(); null`))
	waitJS(t, ctx, `document.getElementById("hold-release") !== null`)
	do(t, ctx, chromedp.EmulateViewport(1400, 900))
	for _, lang := range []string{"en", "ru"} {
		do(t, ctx, chromedp.Navigate(f.http.URL+"/holds?lang="+lang), chromedp.WaitVisible(chromedp.ID("holds")))
		artifact(t, "holds-1400-"+lang+".png", run(t, ctx, chromedp.FullScreenshot(100)))
	}
	do(t, ctx, chromedp.EmulateViewport(390, 844))
	for _, lang := range []string{"en", "ru"} {
		for _, p := range []string{"/holds", fmt.Sprintf("/recordings/%d", rec.ID), "/?type=in"} {
			do(t, ctx, chromedp.Navigate(f.http.URL+p+sep(p)+"lang="+lang), chromedp.WaitReady(chromedp.CSS("footer")))
			if p == "/?type=in" {
				do(t, ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById("hold-selection").open = true; null`))
			}
			checkWidth(t, ctx, p+" ("+lang+")")
		}
		do(t, ctx, chromedp.Navigate(f.http.URL+"/holds?lang="+lang), chromedp.WaitReady(chromedp.CSS("footer")))
		artifact(t, "holds-390-"+lang+".png", run(t, ctx, chromedp.FullScreenshot(100)))
	}

	// A user: no link, and 403.
	uctx := newBrowser(t)
	signInAs(t, uctx, f, "agent", recordings.RoleUser, "100-999")
	if n := run(t, uctx, chromedp.Evaluate[int](`document.querySelectorAll('a[href$="/holds"], #hold-selection').length`)); n != 0 {
		t.Errorf("a user sees %d holds links or forms", n)
	}
	do(t, uctx, chromedp.Navigate(f.http.URL+"/holds"), chromedp.WaitReady(chromedp.CSS("footer")))
	if txt := run(t, uctx, chromedp.Evaluate[string](`document.body.textContent`)); !strings.Contains(txt, "403") {
		t.Errorf("a user at /holds sees %q", txt)
	}
	f.noErrors(t, "while holding")
}
