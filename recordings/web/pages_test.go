package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

func TestSearchPage(t *testing.T) {
	f := sharedFixture(t)
	res, body := f.get(t, "/")
	page := string(body)
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /: %d %v", res.StatusCode, res.Header)
	}
	if strings.Contains(page, "<script>") || regexp.MustCompile(`\sstyle=`).MatchString(page) || regexp.MustCompile(`\son[a-z]+=`).MatchString(page) {
		t.Error("the page has inline script or style, which the CSP forbids")
	}
	if n := strings.Count(page, `<tr class="state-`); n != recordings.DefaultLimit {
		t.Errorf("%d rows, want a page of %d", n, recordings.DefaultLimit)
	}
	if !strings.Contains(page, `name="hide_empty" value="1" checked`) {
		t.Error("hide empty recordings is not on by default")
	}
	for _, want := range []string{"Today", "Yesterday", "7 days", "30 days", `rel="next"`, "Export CSV", "footer", `id="user-name"`, `action="/logout"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the search page lacks %q", want)
		}
	}
	if strings.Contains(page, `rel="prev"`) {
		t.Error("the first page offers a previous page")
	}

	// Next, then previous, through the cursor stack in the URL.
	next := html(regexp.MustCompile(`href="([^"]+)" rel="next"`).FindStringSubmatch(page)[1])
	_, body = f.get(t, next)
	second := string(body)
	prev := regexp.MustCompile(`href="([^"]+)" rel="prev"`).FindStringSubmatch(second)
	if prev == nil {
		t.Fatal("the second page has no previous link")
	}
	if html(prev[1]) != "/" {
		t.Errorf("previous from the second page is %s, want /", html(prev[1]))
	}
	next2 := html(regexp.MustCompile(`href="([^"]+)" rel="next"`).FindStringSubmatch(second)[1])
	_, body = f.get(t, next2)
	third := string(body)
	prev = regexp.MustCompile(`href="([^"]+)" rel="prev"`).FindStringSubmatch(third)
	_, body = f.get(t, html(prev[1]))
	if firstID(t, string(body)) != firstID(t, second) {
		t.Error("previous from the third page is not the second page")
	}

	// A filter that matches nothing says so.
	_, body = f.get(t, "/?number=000000000")
	if !strings.Contains(string(body), `id="no-results"`) || !strings.Contains(string(body), "No recordings match") {
		t.Error("an empty result is not shown as such")
	}

	// The presets hold absolute ranges in the PBX's zone.
	_, body = f.get(t, "/?since="+url.QueryEscape(now.In(moscow).Format("2006-01-02")+"T00:00"))
	if !strings.Contains(string(body), `class="chip active" href="/?since=`+now.In(moscow).Format("2006-01-02")+`T00%3A00">Today`) {
		t.Error("today's preset is not marked active for today's range")
	}
}

func TestPlayerPage(t *testing.T) {
	f := sharedFixture(t)
	r := f.find(t, recordings.Query{HideEmpty: true, Format: recordings.FormatWAV49}, func(r recordings.Recording) bool { return r.CDR.Src != "" })
	res, body := f.get(t, fmt.Sprintf("/recordings/%d", r.ID))
	page := string(body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("player page: %d", res.StatusCode)
	}
	for _, want := range []string{
		fmt.Sprintf(`src="/api/v1/recordings/%d/audio"`, r.ID), fmt.Sprintf(`data-waveform="/api/v1/recordings/%d/waveform"`, r.ID),
		`id="wave"`, `id="speed"`, `value="0.75"`, `value="2"`, "Download WAV", "Download original", r.Path, r.CDR.Src, "CDR legs",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the player page lacks %q", want)
		}
	}

	empty := f.find(t, recordings.Query{}, func(r recordings.Recording) bool { return r.State == recordings.StateEmpty })
	_, body = f.get(t, fmt.Sprintf("/recordings/%d", empty.ID))
	if !strings.Contains(string(body), "This recording is empty") || strings.Contains(string(body), "<audio") {
		t.Error("an empty recording gets a player instead of a notice")
	}
	g := f.find(t, recordings.Query{Format: recordings.FormatG729}, func(recordings.Recording) bool { return true })
	_, body = f.get(t, fmt.Sprintf("/recordings/%d", g.ID))
	if !strings.Contains(string(body), "g729") || strings.Contains(string(body), "<audio") ||
		!strings.Contains(string(body), fmt.Sprintf(`href="/api/v1/recordings/%d/original"`, g.ID)) {
		t.Error("a G.729 recording gets a player, or no notice and original download")
	}
	res, _ = f.get(t, "/recordings/123456789")
	if res.StatusCode != http.StatusNotFound || !strings.Contains(res.Header.Get("Content-Type"), "text/html") {
		t.Errorf("an unknown recording's page: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
}

func TestLanguages(t *testing.T) {
	f := sharedFixture(t)
	_, body := f.get(t, "/", "Accept-Language", "ru-RU,ru;q=0.9,en;q=0.8")
	if !strings.Contains(string(body), `<html lang="ru">`) || !strings.Contains(string(body), "Найти") {
		t.Error("Accept-Language ru does not give the Russian page")
	}
	res, body := f.get(t, "/?lang=ru", "Accept-Language", "en")
	if !strings.Contains(string(body), "Сегодня") {
		t.Error("?lang=ru does not give the Russian page")
	}
	var ck *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == langCookie {
			ck = c
		}
	}
	if ck == nil || ck.Value != "ru" {
		t.Fatalf("?lang=ru sets no cookie: %v", res.Cookies())
	}
	_, body = f.get(t, "/", "Cookie", langCookie+"=ru", "Accept-Language", "en")
	if !strings.Contains(string(body), "Найти") {
		t.Error("the language cookie is not honoured")
	}
	r := f.find(t, recordings.Query{HideEmpty: true}, func(recordings.Recording) bool { return true })
	_, body = f.get(t, fmt.Sprintf("/recordings/%d?lang=ru", r.ID))
	month := monthsRU[r.CallTime.In(moscow).Month()-1]
	if !strings.Contains(string(body), month) {
		t.Errorf("the Russian player page does not write the date in Russian (%s)", month)
	}
}

func TestMessageTables(t *testing.T) {
	sameKeys(t, messagesEN(), messagesRU())
	// Every key a template or handler names is in the table.
	f := sharedFixture(t)
	for _, p := range []string{"/", "/?hide_empty=0&deleted=1&limit=1000", "/recordings/1", "/nope"} {
		for _, lang := range []string{"en", "ru"} {
			_, body := f.get(t, p+sep(p)+"lang="+lang)
			if m := regexp.MustCompile(`\b(filter|results|player|notice|detail|type|dir|disp|state|cdr|col|export|pager|preset|nav|footer|error|action|key)\.[a-z_A-Z. ]+\b`).FindString(string(body)); m != "" {
				t.Errorf("%s in %s shows an untranslated key %q", p, lang, m)
			}
		}
	}
	for _, tc := range []struct {
		n    int
		want string
	}{{1, "1 запись"}, {3, "3 записи"}, {11, "11 записей"}, {21, "21 запись"}, {112, "112 записей"}, {10000, "10\u00a0000 записей"}} {
		if got := languages()["ru"].Recordings(tc.n, false); got != tc.want {
			t.Errorf("Recordings(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
	if got := languages()["en"].Recordings(10000, true); got != "More than 10,000 recordings" {
		t.Errorf("capped: %q", got)
	}
	for h, want := range map[string]string{"": "en", "ru": "ru", "de-DE,ru;q=0.5,en;q=0.4": "ru", "en-GB,ru;q=0.9": "en", "ru;q=0.1,en;q=0.2": "en", "*": "en"} {
		if got := acceptLanguage(h).Code; got != want {
			t.Errorf("Accept-Language %q: %s, want %s", h, got, want)
		}
	}
}

func TestDownloadName(t *testing.T) {
	at := time.Date(2026, 11, 26, 7, 15, 30, 0, time.UTC)
	for _, tc := range []struct {
		r    recordings.Recording
		ext  string
		want string
	}{
		{recordings.Recording{CallTime: at, Name: recordings.Name{Type: "in", From: "+442012345678", Dest: "100"}}, "wav",
			"2026-11-26_10-15-30_in_+442012345678_100.wav"},
		{recordings.Recording{CallTime: at, Name: recordings.Name{Type: "out"}, CDR: recordings.CDR{Src: "101", Dst: "8 (495) 123-45-67"}}, "WAV",
			"2026-11-26_10-15-30_out_101_8--495--123-45-67.WAV"},
		{recordings.Recording{CallTime: at, Name: recordings.Name{Type: "other", From: "../../etc/passwd"}, Direction: recordings.DirIn}, "gsm",
			"2026-11-26_10-15-30_in_etc-passwd.gsm"},
		{recordings.Recording{CallTime: at, Name: recordings.Name{Type: "q", From: "Иван\"; rm -rf", Dest: "700"}}, "w/a\\v",
			"2026-11-26_10-15-30_q_rm--rf_700.w-a-v"},
	} {
		if got := downloadName(tc.r, moscow, tc.ext); got != tc.want {
			t.Errorf("downloadName = %q, want %q", got, tc.want)
		}
	}
	for in, want := range map[string]string{"=HYPERLINK(1)": "'=HYPERLINK(1)", "+79161234567": "+79161234567", "+SUM(A1)": "'+SUM(A1)",
		"-": "'-", "@cmd": "'@cmd", "101": "101", "-5": "-5"} {
		if got := cell(in); got != want {
			t.Errorf("cell(%q) = %q, want %q", in, got, want)
		}
	}
}

func html(s string) string { return strings.ReplaceAll(s, "&amp;", "&") }

func sep(p string) string {
	if strings.Contains(p, "?") {
		return "&"
	}
	return "?"
}

func firstID(t *testing.T, page string) string {
	t.Helper()
	m := regexp.MustCompile(`data-id="(\d+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no rows")
	}
	return m[1]
}
