package web

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/totalrec/totalrec/recordings"
)

// TestBrowser_PlayerShare plays a recording whose length has a fraction of a
// second over half, and checks that the header and the player's clock give the
// same length; makes a share link while it plays, which neither reloads the page
// nor stops the audio, copies it, and opens it: time and length apart.
func TestBrowser_PlayerShare(t *testing.T) {
	f := sharedFixture(t).own(t)
	ctx := newBrowser(t)
	signIn(t, ctx, f)
	r := f.find(t, recordings.Query{HideEmpty: true, Format: recordings.FormatWAV49},
		func(r recordings.Recording) bool {
			return r.Duration > 20*time.Second && r.Duration%time.Second >= 500*time.Millisecond
		})
	do(t, ctx,
		chromedp.Navigate(fmt.Sprintf("%s/recordings/%d", f.http.URL, r.ID)),
		chromedp.WaitVisible(chromedp.ID("controls")),
		chromedp.Click(chromedp.ID("play")),
		chromedp.Poll[chromedp.Void](`document.getElementById("audio").currentTime > 0.5`, chromedp.WithPollingTimeout(20*time.Second)),
	)
	heads := run(t, ctx, chromedp.Evaluate[[]string](`[document.getElementById("head-duration").textContent, document.getElementById("dur").textContent]`))
	want := fmt.Sprintf("%d:%02d", int(r.Duration.Seconds())/60, int(r.Duration.Seconds())%60)
	if heads[0] != want || heads[1] != want {
		t.Errorf("a recording of %s: the header says %s and the player %s, want %s both", r.Duration, heads[0], heads[1], want)
	}

	// Other tests on the fixture may have shared this recording too.
	before := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("#share-list li").length`))
	do(t, ctx, chromedp.Evaluate[chromedp.Void](`window.samePage = true; document.querySelector("#share-form button[type=submit]").click(); null`))
	waitJS(t, ctx, fmt.Sprintf(`document.querySelectorAll("#share-list li").length === %d`, before+1))
	state := run(t, ctx, chromedp.Evaluate[map[string]any](`({same: window.samePage === true, paused: document.getElementById("audio").paused,
		url: document.querySelector("#share-list li:last-child .share-url").value, none: document.getElementById("share-none").hidden})`))
	if state["same"] != true || state["paused"] != false || state["none"] != true {
		t.Errorf("after making a share link: %v (want the same page, still playing)", state)
	}
	link, _ := state["url"].(string)
	if !strings.HasPrefix(link, f.http.URL+"/share/") {
		t.Fatalf("the new link is %q", link)
	}
	do(t, ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector("#share-list li:last-child button.copy").click(); null`))
	waitJS(t, ctx, `document.querySelector("#share-list li:last-child button.copy").textContent === "Copied"`)

	do(t, ctx, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("share")))
	sub := run(t, ctx, chromedp.Evaluate[map[string]any](`(() => { const w = document.getElementById("share-when"), l = document.getElementById("share-length");
		return {when: w.textContent, length: l.textContent, gap: l.getBoundingClientRect().left - w.getBoundingClientRect().right,
			below: l.getBoundingClientRect().top >= w.getBoundingClientRect().bottom}; })()`))
	if l, _ := sub["length"].(string); l != "Recording length: "+want {
		t.Errorf("the share page's length reads %q", l)
	}
	if gap, _ := sub["gap"].(float64); gap < 8 && sub["below"] != true {
		t.Errorf("the share page's time and length run together: %v", sub)
	}
}
