package stream

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func buildCheckpoints(t testing.TB, path string, fx fixture, every int) *Checkpoints {
	t.Helper()
	f, size := openFile(t, path)
	cp, err := BuildCheckpoints(f, size, fx.format, every)
	if err != nil {
		t.Fatalf("BuildCheckpoints: %v", err)
	}
	return cp
}

// TestCheckpointsContent checks the intervals, the number of states and the
// peaks against the reference decode.
func TestCheckpointsContent(t *testing.T) {
	for _, tc := range []struct {
		name       string
		every      int
		states     int // in 4 s
		peakSample int
	}{
		{"gsm", 250, 1, 800},
		{"wav49", 125, 1, 800},
		{"g722", 40960, 1, 1600},
		{"ulaw", 0, 0, 800},
		{"wav", 0, 0, 800},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fx := makeFixture(t, tc.name, "4")
			cp := buildCheckpoints(t, fx.path, fx, 0)
			if tc.every != 0 && cp.Every != tc.every {
				t.Errorf("Every = %d, want %d", cp.Every, tc.every)
			}
			if len(cp.marks) != tc.states || cp.PeakSamples != tc.peakSample || cp.SampleRate != fx.rate {
				t.Errorf("%d states, %d samples per peak, %d Hz", len(cp.marks), cp.PeakSamples, cp.SampleRate)
			}
			var want []int16
			for i := 0; i < len(fx.pcm)/2; i += cp.PeakSamples {
				var m int16
				for j := i; j < min(i+cp.PeakSamples, len(fx.pcm)/2); j++ {
					s := int32(int16(binary.LittleEndian.Uint16(fx.pcm[2*j:])))
					m = int16(max(int32(m), min(max(s, -s), 32767)))
				}
				want = append(want, m)
			}
			if !reflect.DeepEqual(cp.Peaks, want) {
				t.Errorf("peaks differ from the reference decode's (%d and %d)", len(cp.Peaks), len(want))
			}
		})
	}
}

// TestCheckpointsMarshal round-trips checkpoints and refuses every altered,
// truncated or extended blob, leaving the destination unchanged.
func TestCheckpointsMarshal(t *testing.T) {
	for _, name := range []string{"gsm", "g722", "alaw"} {
		t.Run(name, func(t *testing.T) {
			fx := makeFixture(t, name, "12")
			cp := buildCheckpoints(t, fx.path, fx, 0)
			blob, err := cp.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			var back Checkpoints
			if err := back.UnmarshalBinary(blob); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(&back, cp) {
				t.Fatalf("round trip changed the checkpoints:\n%+v\n%+v", back, *cp)
			}
			kept := back
			refuse := func(what string, b []byte) {
				t.Helper()
				if err := back.UnmarshalBinary(b); !errors.Is(err, ErrCheckpoints) {
					t.Fatalf("%s: UnmarshalBinary = %v, want ErrCheckpoints", what, err)
				}
				if !reflect.DeepEqual(back, kept) {
					t.Fatalf("%s: a refused blob changed the checkpoints", what)
				}
			}
			for i := range blob {
				bad := append([]byte(nil), blob...)
				bad[i] ^= 1 << (i % 8)
				refuse("bit flip", bad)
			}
			for _, n := range []int{0, 3, 4, 8, len(blob) / 2, len(blob) - 1} {
				refuse("truncated", blob[:n])
			}
			refuse("extended", append(append([]byte(nil), blob...), 0))
		})
	}
}

// reseal replaces a blob's trailing checksum, as a bug rather than a disk would
// leave it.
func reseal(b []byte) []byte {
	body := b[:len(b)-4]
	return binary.LittleEndian.AppendUint32(append([]byte(nil), body...), crc32.Checksum(body, castagnoli()))
}

// TestCheckpointsRefuseBadStates refuses blobs whose checksum is right but whose
// contents are not checkpoints the decoder can use.
func TestCheckpointsRefuseBadStates(t *testing.T) {
	fx := makeFixture(t, "gsm", "12")
	cp := buildCheckpoints(t, fx.path, fx, 0)
	for name, change := range map[string]func(c *Checkpoints){
		// A GSM state ends with its lag and de-emphasis memory; lag 200 is
		// beyond what a decoder can reach.
		"lag": func(c *Checkpoints) {
			s := c.state(1)
			binary.LittleEndian.PutUint16(s[len(s)-4:], 200)
		},
		"version": func(c *Checkpoints) { c.state(2)[0] = 9 },
		"states": func(c *Checkpoints) {
			c.states, c.marks = c.states[:c.stateSize], c.marks[:1]
		},
		"codec": func(c *Checkpoints) { c.Codec = "g729" },
		"every": func(c *Checkpoints) { c.Every = 0 },
	} {
		bad := *cp
		bad.states = append([]byte(nil), cp.states...)
		change(&bad)
		blob, _ := bad.MarshalBinary()
		var got Checkpoints
		if err := got.UnmarshalBinary(reseal(blob)); !errors.Is(err, ErrCheckpoints) {
			t.Errorf("%s: UnmarshalBinary = %v, want ErrCheckpoints", name, err)
		}
	}
}

// TestCheckpointsOfAnotherFile refuses checkpoints of another codec or of a
// different file, and of a file that shrank.
func TestCheckpointsOfAnotherFile(t *testing.T) {
	gsm := makeFixture(t, "gsm", "12")
	silent := makeFixture(t, "gsm_silent", "12")
	wav49 := makeFixture(t, "wav49", "12")
	cp := buildCheckpoints(t, gsm.path, gsm, 0)

	shrunk := filepath.Join(t.TempDir(), "shrunk.gsm")
	whole, _ := os.ReadFile(gsm.path)
	if err := os.WriteFile(shrunk, whole[:len(whole)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	for _, fx := range []fixture{silent, wav49, {path: shrunk, format: gsm.format}} {
		f, size := openFile(t, fx.path)
		if _, err := Open(f, size, fx.format, cp); !errors.Is(err, ErrCheckpoints) {
			t.Errorf("Open(%s) with checkpoints of %s: %v, want ErrCheckpoints", filepath.Base(fx.path), gsm.path, err)
		}
	}
}

// TestCheckpointsOfGrowingFile uses checkpoints built while a recording was
// being written (cut in the middle of a frame) on the finished file: the output
// is still the whole-file decode.
func TestCheckpointsOfGrowingFile(t *testing.T) {
	for _, name := range []string{"gsm", "g722"} {
		t.Run(name, func(t *testing.T) {
			fx := makeFixture(t, name, "12")
			_, whole := readAll(t, fx.path, fx.format, nil)
			file, _ := os.ReadFile(fx.path)
			partial := filepath.Join(t.TempDir(), "partial")
			if err := os.WriteFile(partial, file[:len(file)*2/3+1], 0o600); err != nil {
				t.Fatal(err)
			}
			cp := buildCheckpoints(t, partial, fx, 0)
			r := &rangeReader{t: t, fx: fx, mode: rangeMode{cp: cp, fresh: true}}
			size := int64(len(whole))
			for _, off := range []int64{0, size / 3, size * 2 / 3, size*2/3 + 5000, size - 1000} {
				sameBytes(t, "range", r.read(off, min(size-off, 30000)), whole[off:min(off+30000, size)])
			}
		})
	}
}
