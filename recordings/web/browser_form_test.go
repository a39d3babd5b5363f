package web

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/totalrec/totalrec/recordings"
)

// query is the query of a URL the browser is at, parsed.
func query(t *testing.T, loc string) url.Values {
	t.Helper()
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// TestBrowser_PresetKeepsFilters types a number and a minimum length without
// searching, clicks "Yesterday", and finds both in the new search beside the
// day's range.
func TestBrowser_PresetKeepsFilters(t *testing.T) {
	f := sharedFixture(t)
	ctx := newBrowser(t)
	signIn(t, ctx, f)
	do(t, ctx, chromedp.Navigate(f.http.URL+"/?type=in"), chromedp.WaitVisible(chromedp.ID("results")),
		chromedp.SendKeys(chromedp.ID("number"), "4567"),
		chromedp.SendKeys(chromedp.CSS(`input[name="min_duration"]`), "1:00"),
		chromedp.Evaluate[chromedp.Void](`Array.from(document.querySelectorAll(".presets a")).find(a => a.textContent === "Yesterday").click(); null`))
	q := query(t, waitURL(t, ctx, "since="))
	day := now.In(moscow)
	want := url.Values{"type": {"in"}, "number": {"4567"}, "min_duration": {"1:00"},
		"since": {day.AddDate(0, 0, -1).Format("2006-01-02") + "T00:00"}, "until": {day.Format("2006-01-02") + "T00:00"}}
	if q.Encode() != want.Encode() {
		t.Errorf("Yesterday searched for %s, want %s", q.Encode(), want.Encode())
	}
	waitJS(t, ctx, `document.getElementById("number") && document.getElementById("number").value === "4567"`)
	if v := run(t, ctx, chromedp.Evaluate[string](`document.querySelector('input[name="min_duration"]').value`)); v != "1:00" {
		t.Errorf("the form shows minimum length %q after Yesterday, want 1:00", v)
	}
}

// TestBrowser_CleanSearchURL submits the search form and finds only the
// filters that are set in the URL.
func TestBrowser_CleanSearchURL(t *testing.T) {
	f := sharedFixture(t)
	ctx := newBrowser(t)
	signIn(t, ctx, f)
	caller := f.find(t, recordings.Query{HideEmpty: true, Types: []string{"in"}}, func(r recordings.Recording) bool { return len(r.CDR.Src) > 6 })
	suffix := caller.CDR.Src[len(caller.CDR.Src)-4:]
	do(t, ctx, chromedp.Navigate(f.http.URL+"/"), chromedp.WaitVisible(chromedp.ID("results")),
		chromedp.SendKeys(chromedp.ID("number"), suffix),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("search-submit").click(); null`))
	loc := waitURL(t, ctx, "number=")
	if _, raw, _ := strings.Cut(loc, "?"); raw != "number="+suffix {
		t.Errorf("the search for a number went to %s, want only number=%s in the URL", loc, suffix)
	}
	waitJS(t, ctx, `document.querySelectorAll("#results tbody tr").length > 0`)

	// Showing empty recordings is the one way hide_empty enters the URL.
	do(t, ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector('input[type="checkbox"][name="hide_empty"]').click();
		document.querySelector('select[name="direction"]').value = "in";
		document.getElementById("search-submit").click(); null`))
	loc = waitURL(t, ctx, "hide_empty")
	if _, raw, _ := strings.Cut(loc, "?"); raw != "number="+suffix+"&direction=in&hide_empty=0" {
		t.Errorf("the search went to %s, want number, direction and hide_empty=0 only", loc)
	}
	waitJS(t, ctx, `document.querySelector('input[type="checkbox"][name="hide_empty"]') && !document.querySelector('input[type="checkbox"][name="hide_empty"]').checked`)
}
