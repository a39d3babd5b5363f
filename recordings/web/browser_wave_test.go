package web

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/totalrec/totalrec/recordings"
)

// TestBrowser_Waveform draws a call's waveform: the API gives a loudness (RMS)
// beside every peak, never above it; the canvas shows both, the loudness in
// bars and the peaks in thin lines over them, and marks where the CDR legs start.
func TestBrowser_Waveform(t *testing.T) {
	f := sharedFixture(t)
	r := f.find(t, recordings.Query{HideEmpty: true, Types: []string{"in"}, Format: recordings.FormatGSM},
		func(r recordings.Recording) bool {
			return r.CDRStatus == recordings.CDRLinked && r.Duration > 20*time.Second
		})
	_, body := f.get(t, fmt.Sprintf("/api/v1/recordings/%d/waveform", r.ID))
	w := decodeJSON[waveformJSON](t, body)
	if len(w.RMS) != len(w.Peaks) || len(w.Peaks) == 0 {
		t.Fatalf("%d RMS values for %d peaks", len(w.RMS), len(w.Peaks))
	}
	quieter := 0
	for i := range w.Peaks {
		if w.RMS[i] > w.Peaks[i] {
			t.Fatalf("bucket %d: RMS %d above its peak %d", i, w.RMS[i], w.Peaks[i])
		}
		if w.RMS[i] > 0 && int(w.RMS[i])*2 <= int(w.Peaks[i]) {
			quieter++
		}
	}
	if quieter < len(w.Peaks)/4 {
		t.Errorf("speech's RMS is at most half its peak in only %d of %d buckets", quieter, len(w.Peaks))
	}

	ctx := newBrowser(t)
	signIn(t, ctx, f)
	do(t, ctx, chromedp.Navigate(fmt.Sprintf("%s/recordings/%d", f.http.URL, r.ID)),
		chromedp.Poll[chromedp.Void](`document.getElementById("player").hasAttribute("data-waveform-ready")`, chromedp.WithPollingTimeout(20*time.Second)))
	got := run(t, ctx, chromedp.Evaluate[map[string]float64](`(() => {
		const c = document.getElementById("wave"), d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
		let bars = 0, lines = 0, marks = 0;
		for (let i = 0; i < d.length; i += 4) {
			const [r, g, b] = [d[i], d[i + 1], d[i + 2]];
			if (r === 0x64 && g === 0x74 && b === 0x8b) bars++;
			else if (r > 150 && g > 150 && b > 160 && r < 240) lines++;
			else if (r === 0xf5 && g === 0x9e && b === 0x0b) marks++;
		}
		return {bars, lines, marks, legs: JSON.parse(document.getElementById("player").getAttribute("data-legs")).length,
			drawn: Number(c.getAttribute("data-marks"))}; })()`))
	if got["bars"] == 0 || got["lines"] == 0 {
		t.Errorf("the waveform has %v loudness pixels and %v peak pixels", got["bars"], got["lines"])
	}
	if got["legs"] < 1 || got["drawn"] != got["legs"] || got["marks"] == 0 {
		t.Errorf("CDR legs: %v", got)
	}
	artifact(t, "waveform.png", run(t, ctx, chromedp.FullScreenshot(100)))
}
