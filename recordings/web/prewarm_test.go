package web

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

// TestPrewarm: the daemon prewarms each recording the hook announces; the
// checkpoints land in the cache, so that the first seek finds them; a recording
// without decoder state is left alone.
func TestPrewarm(t *testing.T) {
	f := newFixture(t, 6, 12, nil)
	gsm := f.find(t, recordings.Query{Format: recordings.FormatWAV49, HideEmpty: true}, func(recordings.Recording) bool { return true })
	pcm := f.find(t, recordings.Query{HideEmpty: true}, func(r recordings.Recording) bool { return !stateful(r.Format) })
	dir := filepath.Join(f.dir, "cache")
	f.srv.Prewarm(pcm)
	f.srv.Prewarm(gsm)
	want := fmt.Sprintf("%d-", gsm.ID)
	for deadline := time.Now().Add(20 * time.Second); ; {
		ents, _ := os.ReadDir(dir)
		found := false
		for _, e := range ents {
			found = found || len(e.Name()) > len(want) && e.Name()[:len(want)] == want
			if name := fmt.Sprintf("%d-", pcm.ID); len(e.Name()) > len(name) && e.Name()[:len(name)] == name {
				t.Errorf("checkpoints built for stateless %s recording %d", pcm.Format, pcm.ID)
			}
		}
		if found {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoints for recording %d in %s", gsm.ID, dir)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The first seek into it uses them: the bytes are those of a whole decode.
	res, mid := f.get(t, fmt.Sprintf("/api/v1/recordings/%d/audio", gsm.ID), "Range", "bytes=20000-20999")
	_, whole := f.get(t, fmt.Sprintf("/api/v1/recordings/%d/audio", gsm.ID))
	if res.StatusCode != 206 || string(mid) != string(whole[20000:21000]) {
		t.Errorf("a seek after prewarming: %d, %d bytes, equal to the whole decode: %v", res.StatusCode, len(mid), string(mid) == string(whole[20000:21000]))
	}
}
