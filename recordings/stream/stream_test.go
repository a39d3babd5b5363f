package stream

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/audio"
)

// Tests here use files that sox (and, for G.722, ffmpeg) write at test time, and
// compare the output with what the same tools decode from them.

// speech is a sox synth chain of speech-like sound: a wandering pitch, noise and
// a tremolo; seconds is prepended.
var speech = []string{"sawtooth", "90-300", "pinknoise", "mix", "tremolo", "3", "80"}

func needTool(t testing.TB, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("%s not found in PATH: these tests compare against %s's decoding", name, name)
	}
}

func run(t testing.TB, name string, args ...string) {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %q: %v\n%s", name, args, err, out)
	}
}

// fixture is a recording file and the 16-bit samples a reference decoder makes
// of it.
type fixture struct {
	path   string
	format recordings.Format
	rate   int
	pcm    []byte // little-endian 16-bit samples
}

// fixtureCase makes one kind of recording file.
type fixtureCase struct {
	format recordings.Format
	file   string   // file name; its extension matters only to sox
	rate   int      // output rate
	opts   []string // sox output options; nil: G.722 made by ffmpeg
}

var fixtureCases = map[string]fixtureCase{
	"wav":        {recordings.FormatWAV, "x.wav", 8000, []string{"-t", "wav", "-e", "signed", "-b", "16"}},
	"wav16":      {recordings.FormatWAV16, "x.wav16", 16000, []string{"-t", "wav", "-e", "signed", "-b", "16"}},
	"wav49":      {recordings.FormatWAV49, "x.WAV", 8000, []string{"-t", "wav", "-e", "gsm-full-rate"}},
	"wav_ulaw":   {recordings.FormatWAV, "u.wav", 8000, []string{"-t", "wav", "-e", "u-law"}},
	"gsm":        {recordings.FormatGSM, "x.gsm", 8000, []string{"-t", "gsm"}},
	"ulaw":       {recordings.FormatULaw, "x.ulaw", 8000, []string{"-t", "ul"}},
	"alaw":       {recordings.FormatALaw, "x.alaw", 8000, []string{"-t", "al"}},
	"sln":        {recordings.FormatSLN, "x.sln", 8000, []string{"-t", "raw", "-e", "signed", "-b", "16"}},
	"sln16":      {recordings.FormatSLN16, "x.sln16", 16000, []string{"-t", "raw", "-e", "signed", "-b", "16"}},
	"g722":       {recordings.FormatG722, "x.g722", 16000, nil},
	"gsm_silent": {recordings.FormatGSM, "s.gsm", 8000, []string{"-t", "gsm"}},
}

// makeFixture writes seconds of speech-like sound in the case's format and
// decodes it back with the reference decoder.
func makeFixture(t testing.TB, name string, seconds string) fixture {
	t.Helper()
	fc := fixtureCases[name]
	dir := t.TempDir()
	path := filepath.Join(dir, fc.file)
	rate := strconv.Itoa(fc.rate)
	synth := append([]string{"synth", seconds}, speech...)
	if name == "gsm_silent" {
		synth = []string{"trim", "0", seconds}
	}
	raw := filepath.Join(dir, "decoded.raw")
	if fc.opts == nil {
		needTool(t, "sox")
		needTool(t, "ffmpeg")
		in := filepath.Join(dir, "in.raw")
		run(t, "sox", append([]string{"-R", "-n", "-r", rate, "-c", "1", "-t", "raw", "-e", "signed", "-b", "16", in}, synth...)...)
		run(t, "ffmpeg", "-v", "error", "-y", "-f", "s16le", "-ar", rate, "-ac", "1", "-i", in, "-acodec", "g722", "-f", "g722", path)
		run(t, "ffmpeg", "-v", "error", "-y", "-f", "g722", "-i", path, "-f", "s16le", raw)
	} else {
		needTool(t, "sox")
		args := append([]string{"-R", "-n", "-r", rate, "-c", "1"}, fc.opts...)
		run(t, "sox", append(append(args, path), synth...)...)
		in := append([]string{"-r", rate, "-c", "1"}, fc.opts...)
		if fc.opts[1] == "wav" {
			in = []string{"-t", "wav"}
		}
		run(t, "sox", append(append(in, path), "-t", "raw", "-e", "signed", "-b", "16", "-L", raw)...)
	}
	pcm, err := os.ReadFile(raw)
	if err != nil {
		t.Fatal(err)
	}
	if len(pcm) < 1000 {
		t.Fatalf("reference decoder wrote %d bytes", len(pcm))
	}
	return fixture{path: path, format: fc.format, rate: fc.rate, pcm: pcm}
}

// openFile opens path and returns it with its size; the test closes it.
func openFile(t testing.TB, path string) (*os.File, int64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	return f, fi.Size()
}

// readAll opens the recording and reads all of its output.
func readAll(t testing.TB, path string, format recordings.Format, cp *Checkpoints) (Content, []byte) {
	t.Helper()
	f, size := openFile(t, path)
	c, err := Open(f, size, format, cp)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	b, err := io.ReadAll(c.R)
	if err != nil {
		t.Fatalf("read all: %v", err)
	}
	return c, b
}

// wavOf is the expected output for decoded samples: the canonical header, then
// the samples.
func wavOf(rate int, pcm []byte) []byte {
	h := audio.WAVHeader(rate, 1, 16, uint32(len(pcm)))
	return append(h[:], pcm...)
}

// sameBytes fails at the first byte that differs.
func sameBytes(t testing.TB, what string, got, want []byte) {
	t.Helper()
	if bytes.Equal(got, want) {
		return
	}
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			t.Fatalf("%s: byte %d of %d differs: got %#x, want %#x", what, i, len(want), got[i], want[i])
		}
	}
	t.Fatalf("%s: %d bytes, want %d", what, len(got), len(want))
}

// TestWholeOutputMatchesReference reads every format's whole output and compares
// it with sox's (ffmpeg's for G.722) decode of the same file, sample for sample.
func TestWholeOutputMatchesReference(t *testing.T) {
	for name, fc := range fixtureCases {
		t.Run(name, func(t *testing.T) {
			fx := makeFixture(t, name, "3")
			c, got := readAll(t, fx.path, fx.format, nil)
			want := wavOf(fx.rate, fx.pcm)
			passthrough := name == "wav" || name == "wav16"
			if passthrough {
				// Served as the file: sox's decode is its data chunk.
				want, _ = os.ReadFile(fx.path)
				if !bytes.HasSuffix(want, fx.pcm) {
					t.Fatal("sox's decode is not the end of the WAV file")
				}
			}
			sameBytes(t, name, got, want)
			if c.Size != int64(len(want)) || c.SampleRate != fc.rate || c.ContentType != "audio/wav" ||
				c.Transcoded == passthrough || c.Duration != time.Duration(len(fx.pcm)/2)*time.Second/time.Duration(fc.rate) {
				t.Errorf("content %+v for %d output bytes, %d samples at %d Hz", c, len(want), len(fx.pcm)/2, fc.rate)
			}
		})
	}
}

// TestUnpatchedWAV serves files whose header sizes a recorder has not written
// yet with a corrected header and the data present.
func TestUnpatchedWAV(t *testing.T) {
	for _, name := range []string{"wav", "wav49"} {
		t.Run(name, func(t *testing.T) {
			fx := makeFixture(t, name, "2")
			file, err := os.ReadFile(fx.path)
			if err != nil {
				t.Fatal(err)
			}
			info, err := audio.ParseWAV(bytes.NewReader(file), int64(len(file)))
			if err != nil {
				t.Fatal(err)
			}
			// Zero the RIFF and data sizes, as MixMonitor leaves them while writing,
			// and cut the file in the middle of a frame.
			binary.LittleEndian.PutUint32(file[4:], 0)
			binary.LittleEndian.PutUint32(file[info.DataOffset-4:], 0)
			file = file[:len(file)-3]
			writing := filepath.Join(t.TempDir(), "writing.wav")
			if err := os.WriteFile(writing, file, 0o600); err != nil {
				t.Fatal(err)
			}
			c, got := readAll(t, writing, fx.format, nil)
			var want []byte
			if name == "wav" {
				want = wavOf(8000, file[info.DataOffset:len(file)-1]) // whole samples
			} else {
				want = wavOf(8000, fx.pcm[:len(fx.pcm)-audio.WAV49BlockSamples*2]) // whole blocks
			}
			sameBytes(t, name, got, want)
			if c.Size != int64(len(want)) {
				t.Errorf("Size %d, want %d", c.Size, len(want))
			}
		})
	}
}

func TestUnsupported(t *testing.T) {
	dir := t.TempDir()
	stereo := filepath.Join(dir, "stereo.wav")
	needTool(t, "sox")
	run(t, "sox", "-n", "-r", "8000", "-c", "2", "-e", "u-law", stereo, "synth", "1", "sine", "440")
	garbage := filepath.Join(dir, "garbage.wav")
	if err := os.WriteFile(garbage, bytes.Repeat([]byte("not a wav "), 100), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path   string
		format recordings.Format
	}{
		{garbage, recordings.FormatG729},
		{garbage, recordings.FormatUnknown},
		{garbage, "aiff"},
		{stereo, recordings.FormatWAV},
	} {
		f, size := openFile(t, tc.path)
		if _, err := Open(f, size, tc.format, nil); !errors.Is(err, recordings.ErrUnsupportedFormat) {
			t.Errorf("Open(%s, %s): %v, want ErrUnsupportedFormat", filepath.Base(tc.path), tc.format, err)
		}
		if _, err := BuildCheckpoints(f, size, tc.format, 0); !errors.Is(err, recordings.ErrUnsupportedFormat) {
			t.Errorf("BuildCheckpoints(%s, %s): %v, want ErrUnsupportedFormat", filepath.Base(tc.path), tc.format, err)
		}
	}
}

// TestCompressedServedAsIs: Opus and MP3 files, which browsers play, are served
// as their own bytes with their media type and the length their container
// gives; one whose container cannot be read is damaged.
func TestCompressedServedAsIs(t *testing.T) {
	dir := t.TempDir()
	needTool(t, "sox")
	needTool(t, "opusenc")
	needTool(t, "lame")
	wav := filepath.Join(dir, "tone.wav")
	run(t, "sox", "-n", "-r", "8000", "-c", "1", "-b", "16", wav, "synth", "3", "sine", "440")
	run(t, "opusenc", "--quiet", wav, filepath.Join(dir, "tone.opus"))
	run(t, "lame", "--quiet", "--abr", "16", wav, filepath.Join(dir, "tone.mp3"))
	for _, tc := range []struct {
		name   string
		format recordings.Format
		typ    string
	}{{"tone.opus", recordings.FormatOpus, "audio/ogg"}, {"tone.mp3", recordings.FormatMP3, "audio/mpeg"}} {
		f, size := openFile(t, filepath.Join(dir, tc.name))
		c, err := Open(f, size, tc.format, nil)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got, err := io.ReadAll(c.R)
		want, _ := os.ReadFile(filepath.Join(dir, tc.name))
		if err != nil || !bytes.Equal(got, want) || c.Size != size || c.Transcoded || c.ContentType != tc.typ ||
			c.Duration != 3*time.Second || c.SampleRate != 8000 {
			t.Errorf("%s: %s, %d bytes of %d, transcoded %v, %v at %d Hz, err %v", tc.name, c.ContentType, len(got), size,
				c.Transcoded, c.Duration, c.SampleRate, err)
		}
		garbage := filepath.Join(dir, "garbage."+string(tc.format))
		if err := os.WriteFile(garbage, bytes.Repeat([]byte("not audio "), 100), 0o600); err != nil {
			t.Fatal(err)
		}
		g, gsize := openFile(t, garbage)
		if _, err := Open(g, gsize, tc.format, nil); !errors.Is(err, ErrDamaged) {
			t.Errorf("%s of garbage: %v, want ErrDamaged", tc.format, err)
		}
	}
}

// TestDamaged: a WAV whose header cannot be read is damaged, not of an
// unsupported format: ErrDamaged, and not ErrUnsupportedFormat.
func TestDamaged(t *testing.T) {
	dir := t.TempDir()
	good := audio.WAVHeader(8000, 1, 16, 1600)
	cut := good[:30] // the fmt chunk cut short
	noData := append(append([]byte{}, good[:36]...), make([]byte, 1600)...)
	zeroRate := append(append([]byte{}, good[:]...), make([]byte, 1600)...)
	binary.LittleEndian.PutUint32(zeroRate[24:], 0)
	for _, tc := range []struct {
		name   string
		body   []byte
		format recordings.Format
	}{
		{"garbage.wav", bytes.Repeat([]byte("not a wav "), 100), recordings.FormatWAV},
		{"garbage.WAV", bytes.Repeat([]byte("not a wav "), 100), recordings.FormatWAV49},
		{"cut.wav", cut, recordings.FormatWAV},
		{"nodata.wav", noData[:100], recordings.FormatWAV},
		{"zerorate.wav", zeroRate, recordings.FormatWAV},
	} {
		path := filepath.Join(dir, tc.name)
		if err := os.WriteFile(path, tc.body, 0o600); err != nil {
			t.Fatal(err)
		}
		f, size := openFile(t, path)
		_, err := Open(f, size, tc.format, nil)
		if !errors.Is(err, ErrDamaged) || errors.Is(err, recordings.ErrUnsupportedFormat) {
			t.Errorf("Open(%s): %v, want ErrDamaged only", tc.name, err)
		}
		_, err = BuildCheckpoints(f, size, tc.format, 0)
		if !errors.Is(err, ErrDamaged) || errors.Is(err, recordings.ErrUnsupportedFormat) {
			t.Errorf("BuildCheckpoints(%s): %v, want ErrDamaged only", tc.name, err)
		}
	}
}

// TestEmptyRawFile serves a raw recording with no whole frame as a WAV of no
// samples.
func TestEmptyRawFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.gsm")
	if err := os.WriteFile(path, make([]byte, 20), 0o600); err != nil {
		t.Fatal(err)
	}
	c, got := readAll(t, path, recordings.FormatGSM, nil)
	sameBytes(t, "empty", got, wavOf(8000, nil))
	if c.Duration != 0 {
		t.Errorf("Duration %v", c.Duration)
	}
}

// TestDamagedGSMFrame decodes a raw GSM frame without its signature nibble as
// silence that leaves the decoder alone: the rest is sox's decode of the file
// without that frame, and ranges read through checkpoints agree.
func TestDamagedGSMFrame(t *testing.T) {
	fx := makeFixture(t, "gsm", "2")
	file, err := os.ReadFile(fx.path)
	if err != nil {
		t.Fatal(err)
	}
	const bad, fb, out = 40, audio.GSMFrameBytes, 2 * audio.GSMFrameSamples
	dir := t.TempDir()
	without := filepath.Join(dir, "without.gsm")
	if err := os.WriteFile(without, append(append([]byte(nil), file[:bad*fb]...), file[(bad+1)*fb:]...), 0o600); err != nil {
		t.Fatal(err)
	}
	raw := filepath.Join(dir, "without.raw")
	run(t, "sox", "-t", "gsm", without, "-t", "raw", "-e", "signed", "-b", "16", "-L", raw)
	pcm, err := os.ReadFile(raw)
	if err != nil {
		t.Fatal(err)
	}
	want := wavOf(8000, append(append(append([]byte(nil), pcm[:bad*out]...), make([]byte, out)...), pcm[bad*out:]...))

	file[bad*fb] &= 0x0F
	damaged := fixture{path: filepath.Join(dir, "damaged.gsm"), format: fx.format}
	if err := os.WriteFile(damaged.path, file, 0o600); err != nil {
		t.Fatal(err)
	}
	_, got := readAll(t, damaged.path, damaged.format, nil)
	sameBytes(t, "damaged", got, want)
	r := &rangeReader{t: t, fx: damaged, mode: rangeMode{cp: buildCheckpoints(t, damaged.path, damaged, 7), fresh: true}}
	for off := int64(0); off < int64(len(want)); off += 997 {
		n := min(int64(len(want))-off, 5000)
		sameBytes(t, "range", r.read(off, n), want[off:off+n])
	}
}
