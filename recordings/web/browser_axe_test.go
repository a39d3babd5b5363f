package web

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// a11yDir holds the package.json and package-lock.json that pin axe-core;
// its node_modules is installed by the tests (npm ci) and not committed.
var a11yDir = filepath.Join("testdata", "a11y")

var axe struct {
	once sync.Once
	src  string
	err  error
	skip string
}

// axeSource is axe-core's script, installed with npm ci the first time a test
// needs it when testdata/a11y/node_modules lacks it.
func axeSource(t *testing.T) string {
	t.Helper()
	axe.once.Do(func() {
		js := filepath.Join(a11yDir, "node_modules", "axe-core", "axe.min.js")
		if _, err := os.Stat(js); err != nil {
			npm, err := exec.LookPath("npm")
			if err != nil {
				axe.skip = "no npm (apt-get install npm) to install axe-core"
				return
			}
			cmd := exec.Command(npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts")
			cmd.Dir = a11yDir
			if out, err := cmd.CombinedOutput(); err != nil {
				axe.err = fmt.Errorf("npm ci in %s: %w\n%s", a11yDir, err, out)
				return
			}
		}
		b, err := os.ReadFile(js)
		axe.src, axe.err = string(b), err
	})
	if axe.skip != "" {
		t.Skip(axe.skip)
	}
	if axe.err != nil {
		t.Fatal(axe.err)
	}
	return axe.src
}

// axeViolation is one rule axe-core found broken, with the first few of the
// elements that break it.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// axeRun is the check run on the page: axe-core's rules, the violations of
// serious or critical impact.
const axeRun = `axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations
	.filter(v => v.impact === "serious" || v.impact === "critical")
	.map(v => ({id: v.id, impact: v.impact, help: v.help,
		nodes: v.nodes.slice(0, 4).map(n => n.target.join(" ") + " — " + (n.failureSummary || "").replace(/\s+/g, " "))})))`

// TestBrowser_Axe runs axe-core on every page, in English and Russian, on a
// wide screen and a phone's, and finds no serious or critical violation; on
// the wide screen, every control Tab reaches shows its focus.
func TestBrowser_Axe(t *testing.T) {
	src := axeSource(t)
	f := sharedFixture(t)
	ctx := newBrowser(t)
	eachPage(t, ctx, f, []string{"en", "ru"}, []size{desktop, phone}, func(p uiPage, lang string, sz size) {
		do(t, ctx, chromedp.Evaluate[chromedp.Void](src+"\n;null"))
		for _, v := range run(t, ctx, chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise)) {
			t.Errorf("%s (%s, %d px): %s %s: %s\n\t%s", p.name, lang, sz.w, v.Impact, v.ID, v.Help, strings.Join(v.Nodes, "\n\t"))
		}
		if lang == "en" && sz == desktop {
			tabShowsFocus(t, ctx, p.name)
		}
	})
}

// tabShowsFocus presses Tab through the page's first controls and fails when
// one that takes the focus does not show it.
func tabShowsFocus(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	do(t, ctx, chromedp.Evaluate[chromedp.Void](`document.activeElement.blur(); window.scrollTo(0, 0); null`))
	for i := 0; i < 30; i++ {
		do(t, ctx, chromedp.KeyEvent(kb.Tab))
		got := run(t, ctx, chromedp.Evaluate[map[string]string](`(() => { const a = document.activeElement, st = getComputedStyle(a);
			return {tag: a.tagName, el: a.tagName + (a.id ? "#" + a.id : "") + (a.className ? "." + a.className : ""),
				shown: String(a.matches(":focus-visible") && st.outlineStyle !== "none" && parseFloat(st.outlineWidth) >= 2)}; })()`))
		if got["tag"] == "BODY" {
			return
		}
		if got["tag"] == "AUDIO" { // the browser's own controls, which draw their own focus
			continue
		}
		if got["shown"] != "true" {
			t.Errorf("%s: Tab %d focuses %s without showing it", page, i+1, got["el"])
		}
	}
}
