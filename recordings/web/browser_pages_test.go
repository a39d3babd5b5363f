package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/totalrec/totalrec/recordings"
)

// uiPage is one page of the interface as the browser tests open it: the
// accessibility check, the screenshots and the phone's width check go through
// every page of uiPages, so a new page is one line there.
type uiPage struct {
	name string
	// path is the page's path, made from the recordings the fixture holds.
	path func(pageArgs) string
	// signedOut pages are opened with no session.
	signedOut bool
}

// pageArgs are what paths name: recordings of the shared fixture and a share link.
type pageArgs struct {
	player, undecodable int64
	share               string
}

func at(p string) func(pageArgs) string { return func(pageArgs) string { return p } }

var uiPages = []uiPage{
	{name: "signin", path: at("/login"), signedOut: true},
	{name: "search", path: at("/")},
	{name: "search-none", path: at("/?number=000000000")},
	{name: "player", path: func(a pageArgs) string { return fmt.Sprintf("/recordings/%d", a.player) }},
	{name: "player-undecodable", path: func(a pageArgs) string { return fmt.Sprintf("/recordings/%d", a.undecodable) }},
	{name: "share", path: func(a pageArgs) string { return a.share }},
	{name: "users", path: at("/users")},
	{name: "audit", path: at("/audit")},
	{name: "storage", path: at("/storage")},
	{name: "holds", path: at("/holds")},
	{name: "settings", path: at("/settings")},
	{name: "evidence", path: at("/evidence")},
	{name: "subject", path: at("/subject")},
	{name: "not-found", path: at("/recordings/999999999")},
}

// newPageArgs finds the fixture's recordings the pages show, in their fullest
// state: a WAV49 call with CDR legs, a G.729 file no browser plays, and a
// share link to the first.
func newPageArgs(t *testing.T, f *fixture) pageArgs {
	t.Helper()
	wav := f.find(t, recordings.Query{HideEmpty: true, Format: recordings.FormatWAV49, Types: []string{"in"}},
		func(r recordings.Recording) bool { return r.CDR.Src != "" && r.LinkedID != "" })
	g729 := f.find(t, recordings.Query{Format: recordings.FormatG729}, func(recordings.Recording) bool { return true })
	res, body := f.post(t, fmt.Sprintf("/recordings/%d/shares", wav.ID), url.Values{"ttl": {"1d"}}, "Accept", "application/json")
	var sh shareLink
	if err := json.Unmarshal(body, &sh); err != nil || res.StatusCode != 201 {
		t.Fatalf("make a share link: %d %s", res.StatusCode, body)
	}
	return pageArgs{player: wav.ID, undecodable: g729.ID, share: strings.TrimPrefix(sh.URL, f.http.URL)}
}

// size is a browser window's width and height in CSS pixels.
type size struct{ w, h int64 }

var (
	desktop = size{1400, 900}
	phone   = size{390, 844}
)

// eachPage opens every page of uiPages in each language at each size, the
// signed-out ones first, then signs in, and calls check on each once it has
// settled: the player's waveform drawn, the fonts loaded.
func eachPage(t *testing.T, ctx context.Context, f *fixture, langs []string, sizes []size, check func(p uiPage, lang string, sz size)) {
	t.Helper()
	args := newPageArgs(t, f)
	for _, out := range []bool{true, false} {
		if !out {
			signIn(t, ctx, f)
		}
		for _, lang := range langs {
			for _, p := range uiPages {
				if p.signedOut != out {
					continue
				}
				path := p.path(args)
				for _, sz := range sizes {
					do(t, ctx, chromedp.EmulateViewport(sz.w, sz.h),
						chromedp.Navigate(f.http.URL+path+sep(path)+"lang="+lang), chromedp.WaitReady(chromedp.CSS("footer, #share")))
					waitJS(t, ctx, `document.readyState === "complete" && document.fonts.status === "loaded" &&
						(!document.getElementById("wave") || document.getElementById("player").hasAttribute("data-waveform-ready"))`)
					check(p, lang, sz)
				}
			}
		}
	}
}
