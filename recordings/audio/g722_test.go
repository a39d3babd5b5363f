package audio

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// g722Encode is a test-only G.722 encoder: the recommendation's transmit QMF and
// sub-band ADPCM adaptation (shared with the decoder), with each sub-band code
// chosen as the one whose reconstruction lies nearest the prediction error.
func g722Encode(pcm []int16) []byte {
	var st G722State
	var hist [24]int32
	out := make([]byte, 0, len(pcm)/2)
	for i := 0; i+1 < len(pcm); i += 2 {
		copy(hist[:], hist[2:])
		hist[22], hist[23] = int32(pcm[i]), int32(pcm[i+1])
		var even, odd int32
		for k, c := range g722QMF {
			odd += hist[2*k] * c
			even += hist[2*k+1] * g722QMF[11-k]
		}
		xl, xh := (even+odd)>>14, (even-odd)>>14
		lo, hi := &st.band[0], &st.band[1]
		il := nearestCode(xl-int32(lo.s), lo.det+detFloor[0], g722QM6[4:]) + 4
		ih := nearestCode(xh-int32(hi.s), hi.det+detFloor[1], g722QM2[:])
		lo.lower(int16(il))
		hi.higher(int16(ih))
		out = append(out, byte(ih<<6|il))
	}
	return out
}

func nearestCode(e int32, det int16, levels []int16) int {
	best, bestErr := 0, int32(math.MaxInt32)
	for i, q := range levels {
		d := e - int32(det)*int32(q)>>15
		if d < 0 {
			d = -d
		}
		if d < bestErr {
			best, bestErr = i, d
		}
	}
	return best
}

// snr returns the signal-to-noise ratio in dB of got against want, at the lag
// (the QMF pair's group delay) that maximises it.
func snr(want, got []int16) float64 {
	best := math.Inf(-1)
	for lag := range 48 {
		var sig, noise float64
		for i := 1000; i+lag < len(got) && i < len(want); i++ {
			s, e := float64(want[i]), float64(got[i+lag])-float64(want[i])
			sig += s * s
			noise += e * e
		}
		best = max(best, 10*math.Log10(sig/noise))
	}
	return best
}

// TestG722EncodeDecodeSNR round-trips tones through the test encoder: this checks
// the decoder against the recommendation's structure without external tools, not
// bit for bit.
func TestG722EncodeDecodeSNR(t *testing.T) {
	for _, tc := range []struct {
		hz, min float64
	}{{440, 30}, {1000, 30}, {3000, 30}} {
		pcm := make([]int16, 32000)
		for i := range pcm {
			pcm[i] = int16(12000 * math.Sin(2*math.Pi*tc.hz*float64(i)/16000))
		}
		got := decodeAll(t, g722Codec{}, g722Encode(pcm))
		s := snr(pcm, got)
		t.Logf("%.0f Hz: SNR %.1f dB", tc.hz, s)
		if s < tc.min {
			t.Errorf("%.0f Hz: SNR %.1f dB, want > %.0f", tc.hz, s, tc.min)
		}
	}
}

// TestG722MatchesFFmpeg compares with FFmpeg's G.722 decoder, bit for bit, on
// random codes (every path, including the clamps) and on FFmpeg-encoded sound.
// It skips where FFmpeg is not installed.
func TestG722MatchesFFmpeg(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg not found in PATH: G.722 is then only checked by TestG722EncodeDecodeSNR")
	}
	dir := t.TempDir()
	ffmpeg := func(args ...string) {
		t.Helper()
		out, err := exec.Command("ffmpeg", append([]string{"-v", "error", "-y"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("ffmpeg %q: %v\n%s", args, err, out)
		}
	}
	encoded := filepath.Join(dir, "enc.g722")
	ffmpeg("-f", "lavfi", "-i", "sine=f=440:d=3", "-f", "lavfi", "-i", "anoisesrc=d=3:c=pink:a=0.4",
		"-filter_complex", "amix=inputs=2", "-ar", "16000", "-ac", "1", "-c:a", "g722", "-f", "g722", encoded)
	enc, err := os.ReadFile(encoded)
	if err != nil {
		t.Fatal(err)
	}
	for name, in := range map[string][]byte{"random": randomGSM(13, 3000), "ffmpeg_encoded": enc} {
		t.Run(name, func(t *testing.T) {
			src, out := filepath.Join(dir, name+".g722"), filepath.Join(dir, name+".raw")
			if err := os.WriteFile(src, in, 0o600); err != nil {
				t.Fatal(err)
			}
			ffmpeg("-f", "g722", "-i", src, "-f", "s16le", out)
			raw, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			want := make([]int16, len(raw)/2)
			for i := range want {
				want[i] = int16(binary.LittleEndian.Uint16(raw[2*i:]))
			}
			sameSamples(t, decodeAll(t, g722Codec{}, in), want)
		})
	}
}

func TestG722Checkpoints(t *testing.T) {
	in := randomGSM(17, 500)
	whole := decodeAll(t, g722Codec{}, in)
	rng := rand.New(rand.NewPCG(3, 4))
	for range 30 {
		i := rng.IntN(len(in))
		d := g722Codec{}.NewDecoder()
		tmp := make([]int16, 2*i)
		if _, err := d.Decode(tmp, in[:i]); err != nil {
			t.Fatal(err)
		}
		var st G722State
		if err := st.UnmarshalBinary(d.State()); err != nil {
			t.Fatal(err)
		}
		b, _ := st.MarshalBinary()
		if !bytes.Equal(b, d.State()) {
			t.Fatal("G722State does not survive a marshalling round trip")
		}
		fresh := g722Codec{}.NewDecoder()
		if err := fresh.Restore(b); err != nil {
			t.Fatal(err)
		}
		sameSamples(t, decodeWith(t, fresh, in[i:]), whole[2*i:])
	}
}

// decodeWith decodes src with an existing decoder.
func decodeWith(t testing.TB, d FrameDecoder, src []byte) []int16 {
	t.Helper()
	dst := make([]int16, 2*len(src))
	n, err := d.Decode(dst, src)
	if err != nil {
		t.Fatal(err)
	}
	return dst[:n]
}
