package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/compress"
	"github.com/totalrec/totalrec/recordings/evidence"
)

// TestCompressedRecording: a recording compressed to Opus after the call plays
// as its own bytes (audio/ogg, Range answered from the file), downloads as .opus,
// has a waveform (decoded by opusdec), and the player says what it was compressed
// from.
func TestCompressedRecording(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 1, 4, nil)
	codec := compress.Codecs[recordings.FormatOpus]
	if err := codec.Available(); err != nil {
		t.Fatalf("%v: scripts/test installs it", err)
	}
	f.serve(t, t.Cleanup, func(o *Options) {
		o.Decode = func(ctx context.Context, format recordings.Format, file *os.File, w io.Writer) error {
			return compress.Codecs[format].Decode(ctx, file, 8000, w)
		}
	})
	if _, err := (&evidence.Hasher{Store: f.cat, Tree: f.tree}).Pass(ctx, time.Now(), true); err != nil {
		t.Fatal(err)
	}
	rec := f.find(t, recordings.Query{Limit: 100}, compress.Candidate)
	v, err := (&compress.Compressor{Store: f.cat, Tree: f.tree, Codec: codec}).Convert(ctx, rec)
	if err != nil || v.State != recordings.ConversionSwitched && v.State != recordings.ConversionDone {
		t.Fatalf("convert %d: %+v %v", rec.ID, v, err)
	}
	got, err := f.cat.Get(ctx, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	file := f.readFile(t, got)

	resp, body := f.get(t, fmt.Sprintf("/api/v1/recordings/%d/audio", rec.ID), "Range", "bytes=10-209")
	if resp.StatusCode != http.StatusPartialContent || resp.Header.Get("Content-Type") != "audio/ogg" || string(body) != string(file[10:210]) {
		t.Errorf("Range: %d %s, %d bytes", resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
	}
	resp, _ = f.get(t, fmt.Sprintf("/api/v1/recordings/%d/audio?download=1", rec.ID))
	if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, ".opus") {
		t.Errorf("download named %q", cd)
	}
	resp, body = f.get(t, fmt.Sprintf("/api/v1/recordings/%d/waveform", rec.ID))
	w := decodeJSON[waveformJSON](t, body)
	if resp.StatusCode != http.StatusOK || len(w.Peaks) < int(got.Duration/(100*time.Millisecond))-1 || w.Duration != got.Duration.Seconds() {
		t.Errorf("waveform: %d, %d peaks for %s (duration %v)", resp.StatusCode, len(w.Peaks), got.Duration, w.Duration)
	}
	loud := 0
	for _, p := range w.Peaks {
		if p > 1000 {
			loud++
		}
	}
	if loud < len(w.Peaks)/10 {
		t.Errorf("waveform: %d of %d peaks loud", loud, len(w.Peaks))
	}
	_, page := f.get(t, fmt.Sprintf("/recordings/%d", rec.ID))
	if !strings.Contains(string(page), "from "+string(rec.Format)) || !strings.Contains(string(page), "to opus") {
		t.Errorf("the player does not say what the recording was compressed from")
	}
	// The storage page says what compression saved.
	_, page = f.get(t, "/storage?refresh=1")
	if !strings.Contains(string(page), `id="storage-compressed"`) || !strings.Contains(string(page), "Recordings compressed after the call: 1;") {
		t.Errorf("the storage page does not say what compression saved")
	}
}

// TestBrowser_PlaysOpus: Chromium plays a recording compressed to Opus as the
// server sends it, seeks into its middle (a Range request answered from the
// file), and draws its waveform.
func TestBrowser_PlaysOpus(t *testing.T) {
	ctx0 := context.Background()
	f := newFixture(t, 1, 4, nil)
	codec := compress.Codecs[recordings.FormatOpus]
	f.serve(t, t.Cleanup, func(o *Options) {
		o.Decode = func(ctx context.Context, format recordings.Format, file *os.File, w io.Writer) error {
			return compress.Codecs[format].Decode(ctx, file, 8000, w)
		}
	})
	if _, err := (&evidence.Hasher{Store: f.cat, Tree: f.tree}).Pass(ctx0, time.Now(), true); err != nil {
		t.Fatal(err)
	}
	rec := f.find(t, recordings.Query{Limit: 100}, func(r recordings.Recording) bool {
		return compress.Candidate(r) && r.Duration > 20*time.Second
	})
	if _, err := (&compress.Compressor{Store: f.cat, Tree: f.tree, Codec: codec}).Convert(ctx0, rec); err != nil {
		t.Fatal(err)
	}
	ctx := newBrowser(t)
	signIn(t, ctx, f)
	do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/recordings/%d", f.http.URL, rec.ID)), chromedp.WaitVisible(chromedp.ID("controls")),
		chromedp.Poll[chromedp.Void](`document.getElementById("player").hasAttribute("data-waveform-ready")`, chromedp.WithPollingTimeout(20*time.Second)),
		chromedp.Evaluate[chromedp.Void](`(() => { const a = document.getElementById("audio"); a.muted = true; a.play(); })()`))
	waitJS(t, ctx, `document.getElementById("audio").currentTime > 0.3`)
	do(t, ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById("audio").currentTime = 15`))
	waitJS(t, ctx, `(() => { const a = document.getElementById("audio"); return a.currentTime > 15.2 && !a.seeking; })()`)
	dur := run(t, ctx, chromedp.Evaluate[float64](`document.getElementById("audio").duration`))
	if d := time.Duration(dur * float64(time.Second)); d < rec.Duration-time.Second || d > rec.Duration+time.Second {
		t.Errorf("the browser says %.2f s, the recording is %s", dur, rec.Duration)
	}
	f.noErrors(t, "while playing an Opus recording")
}
