package web

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
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

// TestPrewarmerIsBounded: one build runs, size recordings wait, the rest are
// dropped; a recording waiting already is not queued twice; close cancels what
// waits, waits for the build under way, and refuses later work.
func TestPrewarmerIsBounded(t *testing.T) {
	const size = 3
	started := make(chan int64, 10)
	release := make(chan struct{})
	var built sync.Map
	p := newPrewarmer(size, func(ctx context.Context, rec recordings.Recording) {
		started <- rec.ID
		<-release
		built.Store(rec.ID, true)
	})
	if !p.add(recordings.Recording{ID: 1}) {
		t.Fatal("the first recording was refused")
	}
	if id := <-started; id != 1 {
		t.Fatalf("building %d, want 1", id)
	}
	for id := int64(2); id < 2+size; id++ {
		if !p.add(recordings.Recording{ID: id}) {
			t.Fatalf("recording %d refused with room in the queue", id)
		}
	}
	if p.add(recordings.Recording{ID: 2}) {
		t.Error("recording 2 queued twice")
	}
	if p.add(recordings.Recording{ID: 99}) {
		t.Error("a full queue took another recording")
	}

	closed := make(chan struct{})
	go func() { p.close(); close(closed) }()
	select {
	case <-closed:
		t.Fatal("close returned while a build was under way")
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("close did not return after the build ended")
	}
	if _, ok := built.Load(int64(1)); !ok {
		t.Error("the build under way did not finish")
	}
	for id := int64(2); id < 2+size; id++ {
		if _, ok := built.Load(id); ok {
			t.Errorf("recording %d built after close", id)
		}
	}
	if p.add(recordings.Recording{ID: 100}) {
		t.Error("add after close queued a recording")
	}
	p.close() // again: no panic, no wait
}
