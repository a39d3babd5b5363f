package web

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/totalrec/totalrec/recordings"
)

// chromiumPath is Debian's Chromium, which scripts/test installs.
const chromiumPath = "/usr/bin/chromium"

// newBrowser starts a headless Chromium with a fresh profile and returns a tab.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("no %s (apt-get install chromium): %v", chromiumPath, err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1400, 1000),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(acancel)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		bcancel()
		chromedp.Cancel(bctx)
	})
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return bctx
}

// artifact saves a screenshot where $TOTALREC_ARTIFACTS says, or in the test's
// temporary directory, and logs the path.
func artifact(t *testing.T, name string, png []byte) {
	t.Helper()
	dir := os.Getenv("TOTALREC_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", p)
}

func run[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// waitJS waits until expr is true on the current page.
func waitJS(t *testing.T, ctx context.Context, expr string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never held (%v)", expr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitURL waits for a navigation to a URL containing part, and returns the URL.
// It polls from outside the page, which a navigation replaces.
func waitURL(t *testing.T, ctx context.Context, part string) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err == nil && strings.Contains(loc, part) {
			return loc
		}
		if time.Now().After(deadline) {
			t.Fatalf("no navigation to a URL with %q (at %s, %v)", part, loc, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// signIn signs the browser in through the form, as an administrator with
// testPassword, and waits for the search page.
func signIn(t *testing.T, ctx context.Context, f *fixture) {
	t.Helper()
	signInAs(t, ctx, f, "browser", recordings.RoleAdmin, "")
}

// signInAs signs the browser in through the form as name, made with role and
// scope when it does not exist.
func signInAs(t *testing.T, ctx context.Context, f *fixture, name string, role recordings.Role, scope string) {
	t.Helper()
	f.signIn(t, name, role, scope)
	do(t, ctx, chromedp.Navigate(f.http.URL+f.prefix+"/login"), chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("login-name"), name),
		chromedp.SendKeys(chromedp.ID("login-password"), testPassword),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("login-submit").click(); null`))
	waitJS(t, ctx, `document.getElementById("user-name") !== null`)
}

func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// TestBrowser_Search types a number, picks a type, submits the form and reads
// the rows, the way a supervisor finds a call.
func TestBrowser_Search(t *testing.T) {
	f := sharedFixture(t)
	ctx := newBrowser(t)
	signIn(t, ctx, f)
	caller := f.find(t, recordings.Query{HideEmpty: true, Types: []string{"in"}}, func(r recordings.Recording) bool { return len(r.CDR.Src) > 6 })
	suffix := caller.CDR.Src[len(caller.CDR.Src)-4:]

	do(t, ctx, chromedp.Navigate(f.http.URL+"/"), chromedp.WaitVisible(chromedp.ID("results")))
	artifact(t, "search.png", run(t, ctx, chromedp.FullScreenshot(100)))

	do(t, ctx,
		chromedp.SendKeys(chromedp.ID("number"), suffix),
		chromedp.SetValue(chromedp.ID("type"), "in"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("search-submit").click(); null`),
	)
	loc := waitURL(t, ctx, "type=in")
	waitJS(t, ctx, `document.querySelectorAll("#results tbody tr").length > 0`)
	if !strings.Contains(loc, "number="+suffix) || !strings.Contains(loc, "type=in") {
		t.Errorf("the URL does not hold the query: %s", loc)
	}
	rows := run(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#results tbody tr")).map(r => r.getAttribute("data-id") + "|" + r.innerText)`))
	if len(rows) == 0 {
		t.Fatal("no rows after the search")
	}
	found := false
	for _, r := range rows {
		found = found || strings.HasPrefix(r, fmt.Sprintf("%d|", caller.ID))
		if !strings.Contains(r, "Inbound") || !strings.Contains(r, suffix) {
			t.Errorf("row %q does not fit type in and number %s", r, suffix)
		}
	}
	if !found {
		t.Errorf("recording %d is not among the rows", caller.ID)
	}
	artifact(t, "search-filtered.png", run(t, ctx, chromedp.FullScreenshot(100)))

	// A click on the row opens the player; Back returns to the same search.
	// Clicks that navigate are dispatched from the page, and the new page is
	// awaited by evaluating in a loop: chromedp's own waits follow the page
	// they started on, and a page restored by Back is not a new load.
	do(t, ctx, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector('tr[data-id="%d"] td.party').click(); null`, caller.ID)))
	waitURL(t, ctx, fmt.Sprintf("/recordings/%d", caller.ID))
	waitJS(t, ctx, `document.getElementById("wave") !== null`)
	do(t, ctx, chromedp.Evaluate[chromedp.Void](`setTimeout(() => history.back(), 10); null`))
	if back := waitURL(t, ctx, "type=in"); back != loc {
		t.Errorf("Back went to %s, want %s", back, loc)
	}
	waitJS(t, ctx, `document.querySelectorAll("#results tbody tr").length > 0`)
}

// TestBrowser_Player plays a WAV49 recording in Chromium: the decoded WAV
// plays, seeks to the middle and plays on from there, and the keys work.
func TestBrowser_Player(t *testing.T) {
	f := sharedFixture(t).own(t)
	ctx := newBrowser(t)
	signIn(t, ctx, f)
	r := f.find(t, recordings.Query{HideEmpty: true, Format: recordings.FormatWAV49, Types: []string{"in"}},
		func(r recordings.Recording) bool { return r.Duration > 30*time.Second })

	do(t, ctx,
		chromedp.Navigate(fmt.Sprintf("%s/recordings/%d", f.http.URL, r.ID)),
		chromedp.WaitVisible(chromedp.ID("controls")),
		chromedp.Poll[chromedp.Void](`document.getElementById("player").hasAttribute("data-waveform-ready")`, chromedp.WithPollingTimeout(20*time.Second)),
		chromedp.Click(chromedp.ID("play")),
		chromedp.Poll[chromedp.Void](`document.getElementById("audio").currentTime > 0.5`, chromedp.WithPollingTimeout(20*time.Second)),
	)
	state := run(t, ctx, chromedp.Evaluate[map[string]any](`(() => { const a = document.getElementById("audio");
		return {paused: a.paused, error: a.error ? a.error.code : 0, duration: a.duration}; })()`))
	if state["paused"] != false || state["error"] != float64(0) {
		t.Fatalf("audio after play: %v", state)
	}
	dur := state["duration"].(float64)
	if d := r.Duration.Seconds(); dur < d-1 || dur > d+1 {
		t.Errorf("the browser sees %.1f s, the catalogue %.1f s", dur, d)
	}

	// Seek to the middle: it plays on from there.
	mid := dur / 2
	do(t, ctx,
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.getElementById("audio").currentTime = %f; null`, mid), chromedp.EvalIgnoreExceptions),
		chromedp.Poll[chromedp.Void](fmt.Sprintf(`document.getElementById("audio").currentTime > %f`, mid+0.5), chromedp.WithPollingTimeout(20*time.Second)),
	)
	if cur := run(t, ctx, chromedp.Evaluate[float64](`document.getElementById("audio").currentTime`)); cur < mid || cur > mid+10 {
		t.Errorf("after seeking to %.1f the position is %.1f", mid, cur)
	}
	artifact(t, "player.png", run(t, ctx, chromedp.FullScreenshot(100)))
	// → skips 10 s, ] speeds up, space pauses.
	before := run(t, ctx, chromedp.Evaluate[float64](`document.getElementById("audio").currentTime`))
	do(t, ctx, chromedp.KeyEvent(kb.ArrowRight), chromedp.KeyEvent("]"))
	after := run(t, ctx, chromedp.Evaluate[float64](`document.getElementById("audio").currentTime`))
	if after < before+9 {
		t.Errorf("→ moved from %.1f to %.1f, want 10 s on", before, after)
	}
	if rate := run(t, ctx, chromedp.Evaluate[float64](`document.getElementById("audio").playbackRate`)); rate != 1.25 {
		t.Errorf("] set the speed to %v, want 1.25", rate)
	}
	do(t, ctx, chromedp.KeyEvent(" "), chromedp.Poll[chromedp.Void](`document.getElementById("audio").paused`, chromedp.WithPollingTimeout(5*time.Second)))
	f.noErrors(t, "while playing")
}

// TestBrowser_Download clicks "Download original" and finds the file, byte for
// byte, in the browser's download directory.
func TestBrowser_Download(t *testing.T) {
	f := sharedFixture(t)
	ctx := newBrowser(t)
	signIn(t, ctx, f)
	r := f.find(t, recordings.Query{HideEmpty: true, Format: recordings.FormatGSM}, func(recordings.Recording) bool { return true })
	dir := t.TempDir()
	progress := chromedp.Events(ctx, browser.DownloadProgress)
	do(t, ctx,
		chromedp.Navigate(fmt.Sprintf("%s/recordings/%d", f.http.URL, r.ID)),
		chromedp.WaitVisible(chromedp.ID("controls")),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			yes := true
			_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
				Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &yes,
			})
			return err
		}),
		chromedp.Click(chromedp.CSS(`a[href$="/original"]`)),
	)
	for ev, err := range progress {
		if err != nil {
			t.Fatal(err)
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			t.Fatal("the download was cancelled")
		}
		if ev.State != browser.DownloadProgressStateCompleted {
			continue
		}
		got, err := os.ReadFile(filepath.Join(dir, ev.GUID))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, f.readFile(t, r)) {
			t.Errorf("the downloaded file (%d bytes) is not the recording (%d bytes)", len(got), r.Size)
		}
		break
	}
}

// TestBrowser_BasePath signs in and plays a recording in Chromium with the UI
// under /totalrec, as FreePBX's Apache serves it: the form, the row click, the
// script's waveform fetch, the audio and the back link all stay under the base.
func TestBrowser_BasePath(t *testing.T) {
	f := sharedFixture(t).withBase(t)
	ctx := newBrowser(t)
	signIn(t, ctx, f)
	if loc := run(t, ctx, chromedp.Location()); loc != f.http.URL+testBase+"/" {
		t.Errorf("after signing in the browser is at %s, want %s/", loc, f.http.URL+testBase)
	}
	search := f.http.URL + testBase + "/?format=wav49&type=in&min_duration=30"
	do(t, ctx, chromedp.Navigate(search), chromedp.WaitVisible(chromedp.ID("results")),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#results tbody tr td.party').click(); null`))
	waitURL(t, ctx, testBase+"/recordings/")
	do(t, ctx,
		chromedp.WaitVisible(chromedp.ID("controls")),
		chromedp.Poll[chromedp.Void](`document.getElementById("player").hasAttribute("data-waveform-ready")`, chromedp.WithPollingTimeout(20*time.Second)),
		chromedp.Click(chromedp.ID("play")),
		chromedp.Poll[chromedp.Void](`document.getElementById("audio").currentTime > 0.5`, chromedp.WithPollingTimeout(20*time.Second)),
	)
	state := run(t, ctx, chromedp.Evaluate[map[string]any](`(() => { const a = document.getElementById("audio");
		return {paused: a.paused, error: a.error ? a.error.code : 0, src: a.currentSrc,
			back: document.getElementById("back").getAttribute("href")}; })()`))
	if state["paused"] != false || state["error"] != float64(0) {
		t.Errorf("audio after play: %v", state)
	}
	if src, _ := state["src"].(string); !strings.HasPrefix(src, f.http.URL+testBase+"/api/v1/recordings/") {
		t.Errorf("the audio plays from %q", src)
	}
	if back, _ := state["back"].(string); back != strings.TrimPrefix(search, f.http.URL) {
		t.Errorf("the back link is %q, want the search it came from", back)
	}
	artifact(t, "player-base-path.png", run(t, ctx, chromedp.FullScreenshot(100)))
	do(t, ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById("logout").click(); null`))
	waitURL(t, ctx, testBase+"/login")
	if logs := f.logs.String(); strings.Contains(logs, "level=ERROR") || strings.Contains(logs, "status=404") {
		t.Errorf("the server logged errors or 404s:\n%s", logs)
	}
}
