package stream

import (
	"io"
	"math/rand/v2"
	"sync"
	"testing"
)

// rangeMode is one way of reading ranges: with or without checkpoints, from one
// Content for all ranges (the decoder moves back and forth) or a fresh Content
// per range (as one per HTTP request).
type rangeMode struct {
	name  string
	cp    *Checkpoints
	fresh bool
}

func rangeModes(t *testing.T, fx fixture) []rangeMode {
	t.Helper()
	f, size := openFile(t, fx.path)
	byDefault, err := BuildCheckpoints(f, size, fx.format, 0)
	if err != nil {
		t.Fatal(err)
	}
	src, err := probe(f, size, fx.format)
	if err != nil {
		t.Fatal(err)
	}
	// An interval that is not a whole number of batches, through a stored copy.
	odd, err := BuildCheckpoints(f, size, fx.format, batchFrames(src)*3/2+1)
	if err != nil {
		t.Fatal(err)
	}
	blob, err := odd.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var stored Checkpoints
	if err := stored.UnmarshalBinary(blob); err != nil {
		t.Fatal(err)
	}
	return []rangeMode{
		{"no_checkpoints/one_content", nil, false},
		{"no_checkpoints/fresh", nil, true},
		{"default_checkpoints/one_content", byDefault, false},
		{"default_checkpoints/fresh", byDefault, true},
		{"odd_interval_stored/one_content", &stored, false},
		{"odd_interval_stored/fresh", &stored, true},
	}
}

// rangeReader reads ranges of one recording the way a mode says.
type rangeReader struct {
	t    *testing.T
	fx   fixture
	mode rangeMode
	c    *Content
}

func (r *rangeReader) read(off, n int64) []byte {
	r.t.Helper()
	if r.c == nil || r.mode.fresh {
		f, size := openFile(r.t, r.fx.path)
		c, err := Open(f, size, r.fx.format, r.mode.cp)
		if err != nil {
			r.t.Fatal(err)
		}
		r.c = &c
	}
	if _, err := r.c.R.Seek(off, io.SeekStart); err != nil {
		r.t.Fatal(err)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r.c.R, b); err != nil {
		r.t.Fatalf("read %d bytes at %d: %v", n, off, err)
	}
	return b
}

// TestRangeIdentity checks the invariant that ranges spliced together are the
// whole output: 200 random ranges, and a random cut of the whole output read in
// random order, each equal to the same bytes of one whole read, in every mode.
func TestRangeIdentity(t *testing.T) {
	// Six seconds of GSM and three of G.722 (8000 frames a second) make two default
	// checkpoints, and four to eight at the odd interval.
	for name, seconds := range map[string]string{"gsm": "6", "wav49": "6", "g722": "3", "ulaw": "8", "sln16": "8", "wav": "8"} {
		t.Run(name, func(t *testing.T) {
			fx := makeFixture(t, name, seconds)
			_, whole := readAll(t, fx.path, fx.format, nil)
			size := int64(len(whole))
			for i, mode := range rangeModes(t, fx) {
				t.Run(mode.name, func(t *testing.T) {
					rng := rand.New(rand.NewPCG(uint64(i), 7))
					r := &rangeReader{t: t, fx: fx, mode: mode}
					for range 200 {
						off := rng.Int64N(size + 1)
						n := rng.Int64N(min(size-off, 40000) + 1)
						sameBytes(t, "range", r.read(off, n), whole[off:off+n])
					}

					// Cut into chunks of random size, read in random order.
					var cuts []int64
					for off := int64(0); off < size; off += 1 + rng.Int64N(9000) {
						cuts = append(cuts, off)
					}
					cuts = append(cuts, size)
					spliced := make([]byte, size)
					for _, j := range rng.Perm(len(cuts) - 1) {
						copy(spliced[cuts[j]:], r.read(cuts[j], cuts[j+1]-cuts[j]))
					}
					sameBytes(t, "spliced", spliced, whole)
				})
			}
		})
	}
}

// TestSeek covers the whence values, reads at and past the end, and refused
// offsets.
func TestSeek(t *testing.T) {
	fx := makeFixture(t, "gsm", "1")
	_, whole := readAll(t, fx.path, fx.format, nil)
	f, size := openFile(t, fx.path)
	c, err := Open(f, size, fx.format, nil)
	if err != nil {
		t.Fatal(err)
	}
	n := int64(len(whole))
	for _, tc := range []struct {
		off    int64
		whence int
		want   int64
	}{
		{0, io.SeekEnd, n},
		{-100, io.SeekEnd, n - 100},
		{-50, io.SeekCurrent, n - 150},
		{10, io.SeekStart, 10},
		{5, io.SeekCurrent, 15},
	} {
		pos, err := c.R.Seek(tc.off, tc.whence)
		if err != nil || pos != tc.want {
			t.Fatalf("Seek(%d, %d) = %d, %v; want %d", tc.off, tc.whence, pos, err, tc.want)
		}
	}
	b := make([]byte, 7)
	if _, err := io.ReadFull(c.R, b); err != nil || string(b) != string(whole[15:22]) {
		t.Errorf("read after seeks: %v", err)
	}
	for _, off := range []int64{n, n + 10} {
		if _, err := c.R.Seek(off, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		if m, err := c.R.Read(b); m != 0 || err != io.EOF {
			t.Errorf("Read at %d of %d: %d, %v; want 0, EOF", off, n, m, err)
		}
	}
	if _, err := c.R.Seek(-1, io.SeekStart); err == nil {
		t.Error("Seek to -1 accepted")
	}
	if _, err := c.R.Seek(0, 42); err == nil {
		t.Error("Seek with whence 42 accepted")
	}
}

// TestSharedCheckpoints reads one recording from several goroutines, each with
// its own Content and all with the same checkpoints, as concurrent requests do.
func TestSharedCheckpoints(t *testing.T) {
	fx := makeFixture(t, "wav49", "6")
	_, whole := readAll(t, fx.path, fx.format, nil)
	cp := buildCheckpoints(t, fx.path, fx, 0)
	f, size := openFile(t, fx.path)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			c, err := Open(f, size, fx.format, cp)
			if err != nil {
				t.Error(err)
				return
			}
			rng := rand.New(rand.NewPCG(uint64(g), 9))
			for range 20 {
				off := rng.Int64N(c.Size)
				b := make([]byte, min(c.Size-off, 3000))
				if _, err := c.R.Seek(off, io.SeekStart); err != nil {
					t.Error(err)
					return
				}
				if _, err := io.ReadFull(c.R, b); err != nil || string(b) != string(whole[off:off+int64(len(b))]) {
					t.Errorf("goroutine %d: range at %d differs (%v)", g, off, err)
					return
				}
			}
		})
	}
	wg.Wait()
}
