package web

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/totalrec/totalrec/recordings"
)

// TestDemoFormats plays a recording of the demo in every format it holds:
// each plays as WAV, but G.729, which answers 415 and gets the player's notice.
func TestDemoFormats(t *testing.T) {
	f := sharedFixture(t)
	for _, format := range []recordings.Format{recordings.FormatWAV, recordings.FormatWAV49, recordings.FormatGSM, recordings.FormatULaw,
		recordings.FormatALaw, recordings.FormatSLN, recordings.FormatG722, recordings.FormatWAV16, recordings.FormatSLN16, recordings.FormatG729} {
		t.Run(string(format), func(t *testing.T) {
			r := f.find(t, recordings.Query{HideEmpty: true, Format: format}, func(r recordings.Recording) bool { return r.Path != "2026/11/26/"+g729Name })
			res, body := f.get(t, fmt.Sprintf("/api/v1/recordings/%d/audio", r.ID), "Range", "bytes=0-99")
			want := http.StatusPartialContent
			if format == recordings.FormatG729 {
				want = http.StatusUnsupportedMediaType
			}
			if res.StatusCode != want {
				t.Errorf("%s: %d %s, want %d", r.Path, res.StatusCode, body, want)
			}
		})
	}
}
