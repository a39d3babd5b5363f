package web

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/totalrec/totalrec/recordings"
)

// TestStoragePage serves /storage on the demo spool: without a policy, then with
// one and a stored run, in both languages, to administrators only.
func TestStoragePage(t *testing.T) {
	f := sharedFixture(t)
	ctx := t.Context()
	policy := filepath.Join(t.TempDir(), "retention.conf")
	g := f.withOptions(t, func(o *Options) { o.Storage.PolicyFile = policy })

	// No policy file: nothing is deleted, and the page says so.
	res, body := g.get(t, "/storage")
	page := string(body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /storage: %d\n%s", res.StatusCode, page)
	}
	for _, want := range []string{`id="storage-nopolicy"`, "No retention policy: nothing is deleted.",
		`id="storage-free"`, "Free on its file system", `<svg class="chart"`, `href="/storage"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page without a policy lacks %q", want)
		}
	}
	if n := len(regexp.MustCompile(`<rect `).FindAllString(page, -1)); n < 14 {
		t.Errorf("%d bars in the charts, want at least the demo's 14 days", n)
	}
	// The demo records every day of the last two weeks: the forecast has a rate.
	if !regexp.MustCompile(`id="storage-forecast">At the recent ingest of [0-9.]+ [KMG]?B a day the disk is full in [0-9,]+ days`).MatchString(page) {
		t.Errorf("no forecast in:\n%s", between(page, `id="storage-forecast"`, "</p>"))
	}
	if strings.Contains(page, "<script>") || strings.Contains(page, " style=") {
		t.Error("the page has inline script or style, which the CSP refuses")
	}

	// A policy keeping a week and a stored run. The snapshot is cached: refresh.
	if err := os.WriteFile(policy, []byte("max_age = 7d\nmax_share = 60%\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	started := now.Add(-20 * time.Hour)
	if _, err := f.cat.SaveRetentionRun(ctx, recordings.RetentionRun{Started: started, Finished: started.Add(3 * time.Second),
		Status: "done", DeletedFiles: 1234, DeletedBytes: 5 << 20,
		Report: `{"status":"done","deleted":{"files":1234,"bytes":5242880},"deleted_by_rule":{"max_age":{"files":1234,"bytes":5242880}}}`}); err != nil {
		t.Fatal(err)
	}
	_, body = g.get(t, "/storage?refresh=1")
	page = string(body)
	for _, want := range []string{"delete recordings whose call is older than 7d", `id="storage-plan-total"`,
		`id="storage-rules"`, "<td>max_age</td>", `id="storage-kept"`, "<td>young</td>", "1,234", "5.0 MB", "deleted_by_rule"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page with a policy lacks %q", want)
		}
	}
	if strings.Contains(page, `id="storage-nopolicy"`) {
		t.Error("the page says there is no policy")
	}
	// Half the demo's fortnight goes: a run would delete about half, and no file is
	// touched by looking.
	if m := regexp.MustCompile(`A run now would delete ([0-9,]+) recordings`).FindStringSubmatch(page); m == nil || m[1] == "0" {
		t.Errorf("plan total: %q", between(page, `id="storage-plan-total"`, "</p>"))
	}
	if live := f.all(t, recordings.Query{}); len(live) == 0 {
		t.Error("the catalogue lost its recordings")
	}

	// Russian.
	_, body = g.get(t, "/storage?lang=ru")
	for _, want := range []string{"Хранилище", "Что удалит ночной запуск хранения", "Запуски хранения", "Свободно в его файловой системе"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("the Russian page lacks %q", want)
		}
	}

	// Administrators only.
	if res, _ := g.as(t, "sue", recordings.RoleUser, "100").get(t, "/storage"); res.StatusCode != http.StatusForbidden {
		t.Errorf("a user gets /storage: %d", res.StatusCode)
	}
	if res, _ := g.anonymous().get(t, "/storage"); res.StatusCode == http.StatusOK {
		t.Error("an anonymous client gets /storage")
	}
}

// TestBrowser_StoragePage opens /storage in Chromium: the charts draw, and a
// screenshot is kept.
func TestBrowser_StoragePage(t *testing.T) {
	f := sharedFixture(t)
	policy := filepath.Join(t.TempDir(), "retention.conf")
	if err := os.WriteFile(policy, []byte("max_age = 7d\nempty_after = 1h\nmax_share = 60%\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	g := f.withOptions(t, func(o *Options) { o.Storage.PolicyFile = policy })
	ctx := newBrowser(t)
	signIn(t, ctx, g)
	do(t, ctx, chromedp.Navigate(g.http.URL+"/storage"), chromedp.WaitVisible(chromedp.ID("storage-plan")))
	// The bars have a size on screen: the SVG is drawn, not refused.
	waitJS(t, ctx, `Array.from(document.querySelectorAll("svg.chart rect")).some(r => r.getBoundingClientRect().height > 0)`)
	artifact(t, "storage.png", run(t, ctx, chromedp.FullScreenshot(100)))
}

// between returns the text of s from the first from up to the next to.
func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return ""
	}
	s = s[i:]
	if j := strings.Index(s, to); j >= 0 {
		return s[:j]
	}
	return s
}

// TestStoragePageArchive: with recordings in the archive bucket, the page says
// how much is on disk and how much in the bucket.
func TestStoragePageArchive(t *testing.T) {
	f := newFixture(t, 2, 3, nil)
	if _, body := f.get(t, "/storage"); strings.Contains(string(body), `id="storage-archived"`) {
		t.Error("the page speaks of the archive with nothing archived")
	}
	all := f.all(t, recordings.Query{})
	rec := all[0]
	if _, err := f.cat.DB().ExecContext(t.Context(), `UPDATE totalrec_recordings SET storage = 's3' WHERE id = ?`, rec.ID); err != nil {
		t.Fatal(err)
	}
	_, body := f.get(t, "/storage?refresh=1")
	want := "In the archive bucket: 1 recordings, "
	if got := between(string(body), `id="storage-archived"`, "</p>"); !strings.Contains(got, want) ||
		!strings.Contains(got, fmt.Sprintf("On this disk: %d recordings", len(all)-1)) {
		t.Errorf("the archive's figures: %q", got)
	}
}
