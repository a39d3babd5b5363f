package main

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/totalrec/totalrec/recordings"
)

// TestCLI_DemoProgress builds a demo on a terminal (script(1) gives it one) and
// finds the progress of the recordings being built; without a terminal the
// output has none.
func TestCLI_DemoProgress(t *testing.T) {
	script, err := exec.LookPath("script")
	if err != nil {
		t.Skipf("no script(1) to give the demo a terminal: %v", err)
	}
	dir := filepath.Join(t.TempDir(), "demo")
	home := t.TempDir()
	cmd := exec.Command(script, "-qec", bin+" demo --dir "+dir+" --days 10 --calls-per-day 8 --no-serve", "/dev/null")
	cmd.Env = []string{"HOME=" + home, "PATH=/usr/bin:/bin", "SHELL=/bin/sh", "TZ=Europe/Moscow", "TERM=dumb",
		"TOTALREC_FS_ROOT=" + t.TempDir(), "TOTALREC_DATA_DIR=" + filepath.Join(home, "data"), "TOTALREC_COMPRESS=keep"}
	r := runCmd(t, cmd).must(t, exitOK)
	if !regexp.MustCompile(`building about [0-9,]+ recordings… [0-9]+ %`).MatchString(r.stdout) || !strings.Contains(r.stdout, "100 %") {
		t.Errorf("the demo on a terminal shows no progress:\n%q", r.stdout)
	}
	if !strings.Contains(r.stdout, "built a demo PBX") {
		t.Errorf("the demo's summary is missing:\n%s", r.stdout)
	}
	plain := cli(t, nil, "demo", "--dir", filepath.Join(t.TempDir(), "demo"), "--days", "3", "--calls-per-day", "4", "--no-serve").must(t, exitOK)
	if strings.Contains(plain.stdout+plain.stderr, "building about") {
		t.Errorf("the demo without a terminal draws progress:\n%s", plain.stderr)
	}
}

func TestBuildProgress(t *testing.T) {
	for _, tc := range []struct {
		recs, done, days int
		want             string
	}{
		{0, 0, 60, "building recordings…"},
		{800, 24, 60, "building about 2,000 recordings… 40 %"},
		{37, 1, 3, "building about 111 recordings… 33 %"},
		{123456, 60, 60, "building about 123,500 recordings… 100 %"},
	} {
		if got := buildProgress(tc.recs, tc.done, tc.days); got != tc.want {
			t.Errorf("buildProgress(%d, %d, %d) = %q, want %q", tc.recs, tc.done, tc.days, got, tc.want)
		}
	}
}

// TestCLI_DemoData: the demo's recordings have audio in every format the player
// decodes and in G.729, which it does not; no extension calls itself, and no
// internal caller carries the customer's caller name.
func TestCLI_DemoData(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	cli(t, nil, "demo", "--dir", dir, "--days", "14", "--calls-per-day", "14", "--no-serve").must(t, exitOK)
	page := decode[recordings.PageJSON](t, cli(t, nil, "--config", filepath.Join(dir, "totalrec.conf"), "search", "--limit", "1000", "--json").must(t, exitOK).stdout)
	formats := map[string]bool{}
	for _, r := range page.Items {
		if r.State == "ok" {
			formats[r.Format] = true
		}
		internal := len(r.Src) > 0 && len(r.Src) <= 4
		if internal && r.CNam != "" {
			t.Errorf("recording %d from extension %s has the caller name %q", r.ID, r.Src, r.CNam)
		}
		if r.Type == "internal" && (r.From == r.Dest || r.Src == r.Dst) {
			t.Errorf("recording %d is a call from %s to itself", r.ID, r.From)
		}
	}
	for _, f := range []string{"wav", "wav49", "gsm", "ulaw", "alaw", "sln", "g722", "wav16", "sln16", "g729"} {
		if !formats[f] {
			t.Errorf("the demo has no %s recording with audio (it has %v)", f, formats)
		}
	}
}
