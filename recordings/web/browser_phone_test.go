package web

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// phonePages are the paths of the pages a signed-in phone opens: every page
// of uiPages.
func phonePages(t *testing.T, f *fixture) []string {
	t.Helper()
	args := newPageArgs(t, f)
	var paths []string
	for _, p := range uiPages {
		if !p.signedOut {
			paths = append(paths, p.path(args))
		}
	}
	return paths
}

// TestBrowser_Phone opens every page at 390×844, in English and Russian, and
// finds none wider than the screen; the results are cards with their play
// button in view.
func TestBrowser_Phone(t *testing.T) {
	f := sharedFixture(t)
	ctx := newBrowser(t)
	do(t, ctx, chromedp.EmulateViewport(390, 844))
	do(t, ctx, chromedp.Navigate(f.http.URL+"/login"), chromedp.WaitVisible(chromedp.ID("login-form")))
	checkWidth(t, ctx, "/login")
	signIn(t, ctx, f)
	pages := phonePages(t, f)
	for _, lang := range []string{"en", "ru"} {
		for i, p := range pages {
			do(t, ctx, chromedp.Navigate(f.http.URL+p+sep(p)+"lang="+lang), chromedp.WaitReady(chromedp.CSS("footer, #share")))
			checkWidth(t, ctx, p+" ("+lang+")")
			if p == "/" {
				artifact(t, "search-390-"+lang+".png", run(t, ctx, chromedp.FullScreenshot(100)))
				play := run(t, ctx, chromedp.Evaluate[map[string]float64](`(() => { const r = document.querySelector("#results a.play").getBoundingClientRect();
					return {left: r.left, right: r.right}; })()`))
				if play["left"] < 0 || play["right"] > 390 {
					t.Errorf("(%s) the first result's play button is at %v, off the screen", lang, play)
				}
			}
			if strings.HasPrefix(p, "/recordings/") && !strings.HasSuffix(p, "999999999") {
				artifact(t, fmt.Sprintf("player-390-%s-%d.png", lang, i), run(t, ctx, chromedp.FullScreenshot(100)))
			}
		}
	}
}

// checkWidth fails when the page is wider than the window: it scrolls sideways.
func checkWidth(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	w := run(t, ctx, chromedp.Evaluate[map[string]float64](`(() => {
		const wide = Array.from(document.querySelectorAll("body *")).filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
			.slice(0, 3).map(e => e.tagName + (e.id ? "#" + e.id : "") + "." + e.className);
		window.tooWide = wide.join(", ");
		return {scroll: document.documentElement.scrollWidth, view: window.innerWidth}; })()`))
	if w["scroll"] > w["view"] {
		t.Errorf("%s is %v px wide on a %v px screen (%s)", page, w["scroll"], w["view"], run(t, ctx, chromedp.Evaluate[string](`window.tooWide`)))
	}
}
