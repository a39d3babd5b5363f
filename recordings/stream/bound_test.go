package stream

import (
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// longGSM writes a raw GSM recording of the given minutes by repeating a minute
// of sox's output (3000 whole frames, so the copies join frame for frame).
func longGSM(t testing.TB, minutes int) fixture {
	t.Helper()
	fx := makeFixture(t, "gsm", "60")
	minute, err := os.ReadFile(fx.path)
	if err != nil {
		t.Fatal(err)
	}
	fx.path = filepath.Join(t.TempDir(), "long.gsm")
	w, err := os.Create(fx.path)
	if err != nil {
		t.Fatal(err)
	}
	for range minutes {
		if _, err := w.Write(minute); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	fx.pcm = nil
	return fx
}

// TestWorkBound opens an hour of GSM with checkpoints and reads from random
// offsets: the first byte costs at most Every frames of decoding, and reading on
// from there decodes each further frame once.
func TestWorkBound(t *testing.T) {
	fx := longGSM(t, 60)
	f, size := openFile(t, fx.path)
	start := time.Now()
	cp, err := BuildCheckpoints(f, size, fx.format, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("checkpoints of %d frames: %v; %d states every %d frames, %d peaks",
		cp.Frames, time.Since(start), len(cp.marks), cp.Every, len(cp.Peaks))

	rng := rand.New(rand.NewPCG(3, 4))
	var slowest time.Duration
	for i := range 20 {
		c, err := Open(f, size, fx.format, cp)
		if err != nil {
			t.Fatal(err)
		}
		tr := c.R.(*transcoder)
		off := c.Size / 2 // the middle first, then anywhere
		if i > 0 {
			off = rng.Int64N(c.Size)
		}
		start := time.Now()
		if _, err := c.R.Seek(off, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		var first [1]byte
		if _, err := io.ReadFull(c.R, first[:]); err != nil {
			t.Fatal(err)
		}
		slowest = max(slowest, time.Since(start))
		if tr.decoded > int64(cp.Every) {
			t.Errorf("first byte at %d: decoded %d frames, more than the interval of %d", off, tr.decoded, cp.Every)
		}
		before := tr.decoded
		n, err := io.ReadFull(c.R, make([]byte, 64<<10))
		if err != nil && err != io.ErrUnexpectedEOF {
			t.Fatal(err)
		}
		// Each further frame once, plus the rest of the batch of the last byte.
		if more, limit := tr.decoded-before, int64(n)/320+1+int64(tr.batch); more > limit {
			t.Errorf("reading %d bytes on from %d decoded %d frames, want at most %d", n, off, more, limit)
		}
	}
	// Time is logged, not asserted: the bound is the frames decoded, above; the
	// seconds are measured in bench/ against a baseline of the same run.
	t.Logf("slowest time to first byte: %v", slowest)
}

// TestMemoryBound reads the end of a two-hour GSM recording without checkpoints,
// the worst case: the whole file is decoded, in bounded memory.
func TestMemoryBound(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes two hours of GSM")
	}
	fx := longGSM(t, 120)
	f, size := openFile(t, fx.path)
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)

	c, err := Open(f, size, fx.format, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.R.Seek(-64<<10, io.SeekEnd); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64<<10)
	if _, err := io.ReadFull(c.R, buf); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&m1)
	frames := c.R.(*transcoder).decoded
	allocated := m1.TotalAlloc - m0.TotalAlloc
	t.Logf("%d frames (%v) decoded; %d bytes allocated, %d of them the read buffer", frames, c.Duration, allocated, len(buf))
	if want := int64(120 * 60 * 50); frames != want {
		t.Errorf("decoded %d frames, want all %d", frames, want)
	}
	if allocated > 256<<10 {
		t.Errorf("allocated %d bytes to read the end of a %d-byte file", allocated, size)
	}
}
