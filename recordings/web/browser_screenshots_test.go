package web

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// screenshotDir is where TestBrowser_Screenshots writes: $TOTALREC_SCREENSHOTS
// when set, else test-output/screenshots at the top of the repository, which
// git ignores.
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("TOTALREC_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "test-output", "screenshots")
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestBrowser_Screenshots writes a whole-page screenshot of every page of
// uiPages, at 1400×900 and 390×844, in English and Russian, as
// NAME-WIDTHxHEIGHT-LANG.png, for a person to look at; no page may be wider
// than its screen.
func TestBrowser_Screenshots(t *testing.T) {
	dir := screenshotDir(t)
	f := sharedFixture(t)
	ctx := newBrowser(t)
	eachPage(t, ctx, f, []string{"en", "ru"}, []size{desktop, phone}, func(p uiPage, lang string, sz size) {
		name := fmt.Sprintf("%s-%dx%d-%s.png", p.name, sz.w, sz.h, lang)
		checkWidth(t, ctx, name)
		png := run(t, ctx, chromedp.FullScreenshot(100))
		if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("screenshots in %s", dir)
}
