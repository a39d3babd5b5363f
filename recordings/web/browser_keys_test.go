package web

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/totalrec/totalrec/recordings"
)

// TestBrowser_Keyboard searches and plays without a mouse: / goes to the
// number box, a key typed there is the box's, j and k select a result with a
// visible focus, Enter plays it under its row, and ? opens the keys' help,
// which passes the accessibility check too and Escape closes. On the player
// page space plays and pauses, → and ← seek and [ slows down.
func TestBrowser_Keyboard(t *testing.T) {
	src := axeSource(t)
	f := sharedFixture(t).own(t)
	ctx := newBrowser(t)
	signIn(t, ctx, f)
	do(t, ctx, chromedp.Navigate(f.http.URL+"/?format=wav49&type=in&min_duration=30"), chromedp.WaitVisible(chromedp.ID("results")))

	do(t, ctx, press('/'), press('j'))
	if got := run(t, ctx, chromedp.Evaluate[string](`document.activeElement.id + "|" + document.activeElement.value +
		"|" + document.querySelectorAll("#results tr.selected").length`)); got != "number|j|0" {
		t.Errorf("after / and j: focus, box and selection are %q, want the number box holding j and no selection", got)
	}
	do(t, ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById("number").value = ""; document.activeElement.blur(); null`))

	// selected is the index of the selected row, the focus's row and whether
	// the focus shows.
	const selected = `(() => { const rows = Array.from(document.querySelectorAll("#results tbody tr[data-id]"));
		const sel = document.querySelectorAll("#results tr.selected"), a = document.activeElement, st = getComputedStyle(a);
		return [sel.length === 1 ? rows.indexOf(sel[0]) : -sel.length - 1, rows.indexOf(a.closest("tr")),
			st.outlineStyle !== "none" && parseFloat(st.outlineWidth) >= 2 ? 1 : 0]; })()`
	for _, step := range []struct {
		key  rune
		want int
	}{{'j', 0}, {'j', 1}, {'j', 2}, {'k', 1}} {
		do(t, ctx, press(step.key))
		if got := run(t, ctx, chromedp.Evaluate[[]int](selected)); fmt.Sprint(got) != fmt.Sprint([]int{step.want, step.want, 1}) {
			t.Errorf("after %c: [selected row, focused row, focus shown] = %v, want row %d with its focus shown", step.key, got, step.want)
		}
	}
	do(t, ctx, chromedp.KeyEvent(kb.Enter))
	waitJS(t, ctx, `document.querySelector("#results tr.mini") !== null &&
		document.querySelector("#results tr.mini").previousElementSibling === document.querySelector("#results tr.selected") &&
		document.querySelector("#results tr.mini audio").currentTime > 0.3`)
	if loc := run(t, ctx, chromedp.Location()); loc != f.http.URL+"/?format=wav49&type=in&min_duration=30" {
		t.Errorf("Enter left the search for %s", loc)
	}
	do(t, ctx, chromedp.KeyEvent(kb.Enter))
	waitJS(t, ctx, `document.querySelector("#results tr.mini audio").paused`)

	do(t, ctx, press('?'))
	waitJS(t, ctx, `document.getElementById("keys").open`)
	artifact(t, "keys-help.png", run(t, ctx, chromedp.CaptureScreenshot()))
	do(t, ctx, chromedp.Evaluate[chromedp.Void](src+"\n;null"))
	for _, v := range run(t, ctx, chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise)) {
		t.Errorf("the keys' help: %s %s: %s", v.Impact, v.ID, v.Help)
	}
	do(t, ctx, chromedp.KeyEvent(kb.Escape))
	waitJS(t, ctx, `!document.getElementById("keys").open`)

	r := f.find(t, recordings.Query{HideEmpty: true, Format: recordings.FormatWAV49, Types: []string{"in"}},
		func(r recordings.Recording) bool { return r.Duration > 30*time.Second })
	do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/recordings/%d", f.http.URL, r.ID)), chromedp.WaitVisible(chromedp.ID("controls")),
		press(' '))
	waitJS(t, ctx, `document.getElementById("audio").currentTime > 0.3`)
	const state = `(() => { const a = document.getElementById("audio"); return {at: a.currentTime, rate: a.playbackRate}; })()`
	before := run(t, ctx, chromedp.Evaluate[map[string]float64](state))
	do(t, ctx, chromedp.KeyEvent(kb.ArrowRight), chromedp.KeyEvent(kb.ArrowRight))
	on := run(t, ctx, chromedp.Evaluate[map[string]float64](state))
	do(t, ctx, chromedp.KeyEvent(kb.ArrowLeft), press('['))
	back := run(t, ctx, chromedp.Evaluate[map[string]float64](state))
	if on["at"] < before["at"]+19 || back["at"] > on["at"]-9 || back["rate"] != 0.75 {
		t.Errorf("→ → from %.1f s went to %.1f s, then ← and [ to %v: want 20 s on, 10 s back and 0.75×", before["at"], on["at"], back)
	}
	do(t, ctx, press(' '))
	waitJS(t, ctx, `document.getElementById("audio").paused`)
	f.noErrors(t, "while using the keyboard")
}

// press types a printable key as a keyboard does: one keydown that carries the
// text, so that a page that takes the key as a shortcut (and prevents its
// default) keeps it out of a box the shortcut focuses. chromedp.KeyEvent sends
// the text as an event of its own, which no keydown handler can prevent.
func press(r rune) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		k, ok := kb.Keys[r]
		if !ok {
			return fmt.Errorf("no key for %q", r)
		}
		var mod int64
		if k.Shift {
			mod = int64(kb.ModifierShift)
		}
		down := input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyDown, Modifiers: mod, Key: k.Key, Code: k.Code,
			Text: k.Text, UnmodifiedText: k.Unmodified, WindowsVirtualKeyCode: k.Windows, NativeVirtualKeyCode: k.Native}
		if _, err := chromedp.Call(ctx, input.DispatchKeyEvent, down); err != nil {
			return err
		}
		up := down
		up.Type, up.Text, up.UnmodifiedText = input.DispatchKeyEventTypeKeyUp, "", ""
		_, err := chromedp.Call(ctx, input.DispatchKeyEvent, up)
		return err
	})
}
