package web

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/totalrec/totalrec/recordings"
)

// TestBrowser_ResultsPositionAndZIP reads the position of the rows among the
// matches on the first and second page, and finds "Download ZIP" disabled when
// nothing matches.
func TestBrowser_ResultsPositionAndZIP(t *testing.T) {
	f := sharedFixture(t)
	ctx := newBrowser(t)
	signIn(t, ctx, f)
	total := languages()["en"].Number(len(f.all(t, recordings.Query{HideEmpty: true})))
	do(t, ctx, chromedp.Navigate(f.http.URL+"/"), chromedp.WaitVisible(chromedp.ID("results")))
	if got := run(t, ctx, chromedp.Evaluate[string](`document.getElementById("result-count").textContent`)); got != "1–50 of "+total {
		t.Errorf("the first page says %q, want 1–50 of %s", got, total)
	}
	do(t, ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById("next").click(); null`))
	waitURL(t, ctx, "after=")
	waitJS(t, ctx, `document.getElementById("result-count") && document.getElementById("result-count").textContent.startsWith("51–")`)
	if got := run(t, ctx, chromedp.Evaluate[string](`document.getElementById("result-count").textContent`)); got != "51–100 of "+total {
		t.Errorf("the second page says %q, want 51–100 of %s", got, total)
	}
	do(t, ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById("prev").click(); null`))
	waitJS(t, ctx, `document.getElementById("result-count") && document.getElementById("result-count").textContent.startsWith("1–")`)

	do(t, ctx, chromedp.Navigate(f.http.URL+"/?number=000000000"), chromedp.WaitVisible(chromedp.ID("no-results")))
	zip := run(t, ctx, chromedp.Evaluate[map[string]any](`(() => { const z = document.getElementById("zip");
		return {tag: z.tagName, disabled: z.getAttribute("aria-disabled"), href: z.getAttribute("href")}; })()`))
	if zip["tag"] != "SPAN" || zip["disabled"] != "true" || zip["href"] != nil {
		t.Errorf("Download ZIP with nothing matching: %v, want a disabled button", zip)
	}
}

// TestBrowser_InlinePlayer plays a recording from the results: a player opens
// under its row and plays while the page stays; the next row's play button
// moves it there.
func TestBrowser_InlinePlayer(t *testing.T) {
	f := sharedFixture(t).own(t)
	ctx := newBrowser(t)
	signIn(t, ctx, f)
	search := f.http.URL + "/?format=wav49&type=in&min_duration=30"
	do(t, ctx, chromedp.Navigate(search), chromedp.WaitVisible(chromedp.ID("results")),
		chromedp.Evaluate[chromedp.Void](`window.samePage = true; document.querySelectorAll("#results a.play")[0].click(); null`))
	waitJS(t, ctx, `document.querySelector("#results tr.mini audio") !== null && document.querySelector("#results tr.mini audio").currentTime > 0.3`)
	state := run(t, ctx, chromedp.Evaluate[map[string]any](`(() => { const mini = document.querySelector("#results tr.mini");
		const rows = document.querySelectorAll("#results tbody tr[data-id]");
		return {same: window.samePage === true, after: mini.previousElementSibling === rows[0], minis: document.querySelectorAll("#results tr.mini").length,
			src: mini.querySelector("audio").getAttribute("src"), id: rows[0].getAttribute("data-id"), location: location.href}; })()`))
	if state["same"] != true || state["after"] != true || state["minis"] != float64(1) || state["location"] != search {
		t.Errorf("playing from the results: %v", state)
	}
	if src, _ := state["src"].(string); src != fmt.Sprintf("/api/v1/recordings/%s/audio", state["id"]) {
		t.Errorf("the row's player plays %q", src)
	}
	do(t, ctx, chromedp.Evaluate[chromedp.Void](`document.querySelectorAll("#results tbody tr[data-id] a.play")[1].click(); null`))
	waitJS(t, ctx, `document.querySelectorAll("#results tr.mini").length === 1 &&
		document.querySelector("#results tr.mini").previousElementSibling === document.querySelectorAll("#results tbody tr[data-id]")[1] &&
		document.querySelector("#results tr.mini audio").currentTime > 0.3`)
	f.noErrors(t, "while playing from the results")
}

// TestBrowser_TextSearch finds recordings by a part of the caller name, in
// another case than the CDR's.
func TestBrowser_TextSearch(t *testing.T) {
	f := sharedFixture(t)
	ctx := newBrowser(t)
	signIn(t, ctx, f)
	named := f.find(t, recordings.Query{HideEmpty: true}, func(r recordings.Recording) bool { return len(r.CDR.CNam) > 4 })
	part := strings.ToLower(named.CDR.CNam[1:4])
	want := len(f.all(t, recordings.Query{HideEmpty: true, Text: part}))
	do(t, ctx, chromedp.Navigate(f.http.URL+"/"), chromedp.WaitVisible(chromedp.ID("results")),
		chromedp.SendKeys(chromedp.ID("text"), part),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("search-submit").click(); null`))
	if loc := waitURL(t, ctx, "text="); !strings.HasSuffix(loc, "/?text="+part) {
		t.Errorf("the search went to %s", loc)
	}
	waitJS(t, ctx, `document.querySelectorAll("#results tbody tr[data-id]").length > 0`)
	names := run(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#results tbody tr[data-id] .cnam")).map(e => e.textContent)`))
	if len(names) == 0 || want == 0 {
		t.Fatalf("no rows with a caller name for %q (the catalogue has %d)", part, want)
	}
	for _, n := range names {
		if !strings.Contains(strings.ToLower(n), part) {
			t.Errorf("a row's caller name %q does not hold %q", n, part)
		}
	}
	count := run(t, ctx, chromedp.Evaluate[string](`document.getElementById("result-count").textContent`))
	if !strings.HasSuffix(count, " of "+languages()["en"].Number(want)) {
		t.Errorf("the search for %q says %q, want %d matches", part, count, want)
	}
}
