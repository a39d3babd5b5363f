package audio

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Tests in this package compare against sox (which decodes GSM with libgsm) on
// inputs that sox itself generates at test time.

// testSignal is a sox synth chain, several seconds long, chosen to reach a
// particular code path: sweeps and pitch-like tones for the long-term predictor,
// noise and full-scale squares for the saturating paths, silence for the quiet
// ones.
type testSignal struct {
	name  string
	synth []string
}

var testSignals = []testSignal{
	{"sweep", []string{"synth", "3", "sine", "300-3000"}},
	{"whitenoise", []string{"synth", "3", "whitenoise"}},
	{"speechlike", []string{"synth", "4", "pinknoise", "tremolo", "5", "90"}},
	{"silence", []string{"trim", "0", "2"}},
	{"square", []string{"synth", "3", "square", "440"}},
	{"square_loud", []string{"synth", "2", "square", "97", "gain", "-n"}},
	{"pitch", []string{"synth", "5", "sawtooth", "80-400"}},
}

// longSignal is a minute of speech-like sound with a wandering pitch.
var longSignal = testSignal{"long", []string{
	"synth", "60", "sawtooth", "90-300", "pinknoise", "mix", "tremolo", "3", "80",
}}

// needSox skips the test when sox is not installed.
func needSox(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("sox"); err != nil {
		t.Skip("sox not found in PATH: the bit-exactness tests compare against sox (install the sox package)")
	}
}

// sox runs sox with args and fails the test on error.
func sox(t testing.TB, args ...string) {
	t.Helper()
	cmd := exec.Command("sox", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("sox %q: %v\n%s", args, err, stderr.String())
	}
}

// soxGenerate writes sig to a file of the given type (sox output options) and
// returns its contents.
func soxGenerate(t testing.TB, sig testSignal, name string, outOpts ...string) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	args := []string{"-R", "-n", "-r", "8000", "-c", "1"}
	args = append(args, outOpts...)
	args = append(args, path)
	args = append(args, sig.synth...)
	sox(t, args...)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// soxDecode decodes input (given sox input options) to signed 16-bit samples.
func soxDecode(t testing.TB, input []byte, name string, inOpts ...string) []int16 {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, name)
	out := filepath.Join(dir, "out.raw")
	if err := os.WriteFile(in, input, 0o600); err != nil {
		t.Fatal(err)
	}
	args := append(inOpts, in, "-t", "raw", "-e", "signed", "-b", "16", "-L", out)
	sox(t, args...)
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	pcm := make([]int16, len(raw)/2)
	for i := range pcm {
		pcm[i] = int16(binary.LittleEndian.Uint16(raw[2*i:]))
	}
	return pcm
}

// sameSamples fails the test at the first sample that differs.
func sameSamples(t testing.TB, got, want []int16) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("decoded %d samples, sox %d", len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			t.Fatalf("sample %d (frame %d): got %d, sox %d", i, i/160, got[i], want[i])
		}
	}
}

// decodeAll decodes src with a fresh decoder of codec.
func decodeAll(t testing.TB, c Codec, src []byte) []int16 {
	t.Helper()
	dst := make([]int16, len(src)/c.FrameBytes()*c.FrameSamples())
	n, err := c.NewDecoder().Decode(dst, src)
	if err != nil {
		t.Fatalf("decode %s: %v", c.Name(), err)
	}
	return dst[:n]
}
