package main

import (
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestCLI_SearchValidation: a filter value outside its set is a usage error on the
// command line (exit 2) and a 400 from the API, both naming the value and the
// values allowed, because both go through the same check; a number too short for
// the catalogue is a usage error with one "search:" prefix.
func TestCLI_SearchValidation(t *testing.T) {
	spoolDir, dataDir, _ := hookFixture(t)
	env := []string{"TOTALREC_SPOOL=" + spoolDir, "TOTALREC_DATA_DIR=" + dataDir,
		"TOTALREC_DB=sqlite:" + filepath.Join(dataDir, "totalrec.db")}
	cli(t, env, "scan", "--no-cdr").must(t, exitOK)

	bad := []struct {
		flag, param, value string
		want               []string // in the message
	}{
		{"--type", "type", "bogus", []string{`"bogus"`, "in, out, internal", "meetme"}},
		{"--disposition", "disposition", "maybe", []string{`"MAYBE"`, "ANSWERED, NO ANSWER, BUSY, FAILED, CONGESTION"}},
		{"--format", "format", "mp3", []string{`"mp3"`, "wav49", "g729"}},
		{"--direction", "direction", "sideways", []string{`"sideways"`, "in, out, internal"}},
		{"--sort", "sort", "size", []string{`"size"`, "time_desc"}},
	}
	for _, b := range bad {
		r := cli(t, env, "search", b.flag, b.value).must(t, exitUsage)
		for _, w := range b.want {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("search %s %s: the message lacks %s:\n%s", b.flag, b.value, w, r.stderr)
			}
		}
		if strings.Contains(r.stdout, "no recordings match") {
			t.Errorf("search %s %s searched anyway", b.flag, b.value)
		}
	}
	r := cli(t, env, "search", "--number", "12").must(t, exitUsage)
	if strings.Count(r.stderr, "search:") != 1 || !strings.Contains(r.stderr, `number: "12"`) {
		t.Errorf("search --number 12:\n%s", r.stderr)
	}
	cli(t, env, "search", "--type", "IN,out", "--disposition", "answered").must(t, exitOK)

	// The API, through a real daemon.
	token := newToken(t, env, "validation", "all")
	d := start(t, env, "serve", "--no-scan", "--listen", "127.0.0.1:0")
	base := d.url(t, "Totalrec is serving on ")
	for _, b := range bad {
		res, body := httpGet(t, base+"api/v1/recordings?"+url.Values{b.param: {b.value}}.Encode(), "Authorization", "Bearer "+token)
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("API %s=%s: %d %s, want 400", b.param, b.value, res.StatusCode, body)
			continue
		}
		// The same check as the command line's: the value and what it may be.
		for _, w := range b.want {
			if !strings.Contains(body, strings.ReplaceAll(w, `"`, `\"`)) {
				t.Errorf("API %s=%s: the message lacks %s: %s", b.param, b.value, w, body)
			}
		}
	}
	if res, body := httpGet(t, base+"api/v1/recordings?type=in", "Authorization", "Bearer "+token); res.StatusCode != http.StatusOK {
		t.Errorf("API type=in: %d %s", res.StatusCode, body)
	}
	if code := d.stop(t, syscall.SIGTERM); code != exitOK {
		t.Errorf("exit %d after SIGTERM", code)
	}
}
