package spool

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

// sox writes real audio with the sox command: opts are the output options, then a
// tone or noise of secs seconds. The test is skipped only when sox is not installed.
func sox(t *testing.T, opts []string, secs, wave string) []byte {
	t.Helper()
	bin, err := exec.LookPath("sox")
	if err != nil {
		t.Skip("sox is not installed: apt-get install -y sox")
	}
	out := filepath.Join(t.TempDir(), "out")
	args := append(append([]string{"-n"}, opts...), out, "synth", secs, wave, "440")
	if msg, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
		t.Fatalf("sox %v: %v: %s", args, err, msg)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("read sox output: %v", err)
	}
	return b
}

// Output options sox needs for each format Asterisk writes.
var (
	soxWAV   = []string{"-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer", "-t", "wav"}
	soxWAV16 = []string{"-r", "16000", "-c", "1", "-b", "16", "-e", "signed-integer", "-t", "wav"}
	soxWAV49 = []string{"-r", "8000", "-c", "1", "-e", "gsm-full-rate", "-t", "wav"}
	soxGSM   = []string{"-r", "8000", "-c", "1", "-t", "gsm"}
	soxULaw  = []string{"-r", "8000", "-c", "1", "-t", "ul"}
	soxALaw  = []string{"-r", "8000", "-c", "1", "-t", "al"}
	soxSLN   = []string{"-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer", "-t", "raw"}
	soxSLN16 = []string{"-r", "16000", "-c", "1", "-b", "16", "-e", "signed-integer", "-t", "raw"}
)

// patch overwrites b at off with a little-endian uint32.
func patch(b []byte, off int, v uint32) []byte {
	c := bytes.Clone(b)
	binary.LittleEndian.PutUint32(c[off:], v)
	return c
}

// chunk builds a RIFF chunk, padded to an even length.
func chunk(id string, body []byte) []byte {
	c := append([]byte(id), 0, 0, 0, 0)
	binary.LittleEndian.PutUint32(c[4:], uint32(len(body)))
	c = append(c, body...)
	if len(body)%2 == 1 {
		c = append(c, 0)
	}
	return c
}

// riff builds a RIFF/WAVE file from chunks, with its size patched.
func riff(chunks ...[]byte) []byte {
	b := []byte("RIFF\x00\x00\x00\x00WAVE")
	for _, c := range chunks {
		b = append(b, c...)
	}
	binary.LittleEndian.PutUint32(b[4:], uint32(len(b)-8))
	return b
}

// pcmFmt is a fmt chunk body for 16-bit mono PCM at rate.
func pcmFmt(rate uint32) []byte {
	b := make([]byte, 16)
	binary.LittleEndian.PutUint16(b[0:], 1)
	binary.LittleEndian.PutUint16(b[2:], 1)
	binary.LittleEndian.PutUint32(b[4:], rate)
	binary.LittleEndian.PutUint32(b[8:], rate*2)
	binary.LittleEndian.PutUint16(b[12:], 2)
	binary.LittleEndian.PutUint16(b[14:], 16)
	return b
}

func TestProbe(t *testing.T) {
	wav25 := sox(t, soxWAV, "2.5", "sine")
	wav73 := sox(t, soxWAV, "7.3", "noise")
	wav49 := sox(t, soxWAV49, "1", "sine")
	tests := []struct {
		name   string
		data   []byte
		format recordings.Format
		state  recordings.State
		dur    time.Duration
		got    recordings.Format // the format the header shows; "" for the promised one
		rate   int
		detail string // a fragment Detail must hold; "" for no Detail
	}{
		{"wav 1 s sine", sox(t, soxWAV, "1", "sine"), recordings.FormatWAV, recordings.StateOK, time.Second, "", 8000, ""},
		{"wav 2.5 s sine", wav25, recordings.FormatWAV, recordings.StateOK, 2500 * time.Millisecond, "", 8000, ""},
		{"wav 7.3 s noise", wav73, recordings.FormatWAV, recordings.StateOK, 7300 * time.Millisecond, "", 8000, ""},
		{"wav16 2.5 s", sox(t, soxWAV16, "2.5", "sine"), recordings.FormatWAV16, recordings.StateOK, 2500 * time.Millisecond, "", 16000, ""},
		{"wav16 7.3 s", sox(t, soxWAV16, "7.3", "noise"), recordings.FormatWAV16, recordings.StateOK, 7300 * time.Millisecond, "", 16000, ""},
		{"wav49 1 s", wav49, recordings.FormatWAV49, recordings.StateOK, time.Second, "", 8000, ""},
		{"wav49 2.5 s", sox(t, soxWAV49, "2.5", "sine"), recordings.FormatWAV49, recordings.StateOK, 2500 * time.Millisecond, "", 8000, ""},
		{"wav49 7.3 s", sox(t, soxWAV49, "7.3", "noise"), recordings.FormatWAV49, recordings.StateOK, 7300 * time.Millisecond, "", 8000, ""},
		{"gsm 1 s", sox(t, soxGSM, "1", "sine"), recordings.FormatGSM, recordings.StateOK, time.Second, "", 8000, ""},
		{"gsm 7.3 s", sox(t, soxGSM, "7.3", "noise"), recordings.FormatGSM, recordings.StateOK, 7300 * time.Millisecond, "", 8000, ""},
		{"ulaw 2.5 s", sox(t, soxULaw, "2.5", "sine"), recordings.FormatULaw, recordings.StateOK, 2500 * time.Millisecond, "", 8000, ""},
		{"alaw 7.3 s", sox(t, soxALaw, "7.3", "noise"), recordings.FormatALaw, recordings.StateOK, 7300 * time.Millisecond, "", 8000, ""},
		{"sln 2.5 s", sox(t, soxSLN, "2.5", "sine"), recordings.FormatSLN, recordings.StateOK, 2500 * time.Millisecond, "", 8000, ""},
		{"sln16 1 s", sox(t, soxSLN16, "1", "sine"), recordings.FormatSLN16, recordings.StateOK, time.Second, "", 16000, ""},
		{"g722 2.5 s", bytes.Repeat([]byte{0x5a}, 20000), recordings.FormatG722, recordings.StateOK, 2500 * time.Millisecond, "", 16000, ""},
		{"g729 7.3 s", bytes.Repeat([]byte{0x5a}, 7300), recordings.FormatG729, recordings.StateOK, 7300 * time.Millisecond, "", 8000, ""},

		// what MixMonitor leaves behind
		{"zero bytes", nil, recordings.FormatWAV, recordings.StateEmpty, 0, "", 0, "zero bytes"},
		{"44-byte header", wav25[:44], recordings.FormatWAV, recordings.StateEmpty, 0, "", 0, "header only"},
		{"44 bytes of gsm", bytes.Repeat([]byte{0xd0}, 44), recordings.FormatGSM, recordings.StateEmpty, 0, "", 0, "header only"},
		{"wav49 header only, unpatched", patch(patch(patch(wav49[:60], 4, 0), 48, 0), 56, 0), recordings.FormatWAV49, recordings.StateEmpty, 0, "", 8000, "header only"},
		{"wav unpatched", patch(patch(wav25, 4, 0), 40, 0), recordings.FormatWAV, recordings.StateWriting, 2500 * time.Millisecond, "", 8000, "not patched"},
		{"wav49 unpatched", patch(patch(patch(wav49, 4, 0), 48, 0), 56, 0), recordings.FormatWAV49, recordings.StateWriting, time.Second, "", 8000, "not patched"},
		{"wav streaming placeholders", patch(patch(wav25, 4, 0xFFFFFFFF), 40, 0xFFFFFFFF), recordings.FormatWAV, recordings.StateWriting, 2500 * time.Millisecond, "", 8000, "not patched"},
		{"wav truncated", wav73[:16044], recordings.FormatWAV, recordings.StateWriting, time.Second, "", 8000, "data chunk says 116800 bytes, file has 16000"},
		{"wav empty data chunk, patched", riff(chunk("fmt ", pcmFmt(8000)), chunk("data", nil), chunk("LIST", []byte("INFOISFT\x05\x00\x00\x00sox\x00\x00"))), recordings.FormatWAV, recordings.StateEmpty, 0, "", 8000, "data chunk is empty"},

		// headers in other shapes
		{"chunks in another order, odd sizes padded", riff(chunk("LIST", []byte("INFOx")), chunk("fmt ", pcmFmt(8000)), chunk("fact", []byte{0, 0, 0, 0}), chunk("data", wav25[44:44+16000])), recordings.FormatWAV, recordings.StateOK, time.Second, "", 8000, ""},
		{"LIST chunk longer than 4 KB", riff(chunk("fmt ", pcmFmt(8000)), chunk("LIST", make([]byte, 5000)), chunk("data", wav73[44:44+40000])), recordings.FormatWAV, recordings.StateOK, 2500*time.Millisecond + 315*time.Millisecond, "", 8000, "estimated"},
		{"wav49 under a .wav name", wav49, recordings.FormatWAV, recordings.StateOK, time.Second, recordings.FormatWAV49, 8000, "header says wav49"},
		{"16 kHz under a .wav name", riff(chunk("fmt ", pcmFmt(16000)), chunk("data", wav25[44:44+16000])), recordings.FormatWAV, recordings.StateOK, 500 * time.Millisecond, recordings.FormatWAV16, 16000, "header says wav16"},
		{"8-bit PCM", riff(chunk("fmt ", []byte{1, 0, 1, 0, 0x40, 0x1f, 0, 0, 0x40, 0x1f, 0, 0, 1, 0, 8, 0}), chunk("data", make([]byte, 8000))), recordings.FormatWAV, recordings.StateOK, time.Second, "", 8000, "not what Asterisk writes"},

		// not what the extension promises
		{"garbage under a .wav name", bytes.Repeat([]byte("garbage!"), 2002), recordings.FormatWAV, recordings.StateCorrupt, time.Second, "", 8000, "not a RIFF/WAVE file"},
		{"garbage under a .WAV name", bytes.Repeat([]byte("garbage!"), 210), recordings.FormatWAV49, recordings.StateCorrupt, time.Second, "", 8000, "not a RIFF/WAVE file"},
		{"RIFF without fmt", riff(chunk("data", make([]byte, 16000))), recordings.FormatWAV, recordings.StateCorrupt, time.Second - 2*time.Millisecond, "", 8000, "before any fmt"},
		{"RIFF without data", riff(chunk("fmt ", pcmFmt(8000)), chunk("LIST", make([]byte, 100))), recordings.FormatWAV, recordings.StateCorrupt, 6 * time.Millisecond, "", 8000, "no data chunk"},
		{"fmt with zero rate", riff(chunk("fmt ", pcmFmt(0)), chunk("data", make([]byte, 16000))), recordings.FormatWAV, recordings.StateCorrupt, time.Second, "", 8000, "0 Hz"},
		{"gsm that is not gsm", bytes.Repeat([]byte{0x00}, 1650), recordings.FormatGSM, recordings.StateCorrupt, time.Second, "", 8000, "0xD signature"},
		{"gsm with a partial frame", append(bytes.Repeat([]byte{0xd2}, 1650), 0xd2, 0xd2), recordings.FormatGSM, recordings.StateOK, time.Second, "", 8000, "partial frame"},
		{"unknown format", bytes.Repeat([]byte{1}, 1000), recordings.FormatUnknown, recordings.StateOK, 0, "", 0, "unknown format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Probe(bytes.NewReader(tt.data), int64(len(tt.data)), tt.format)
			if err != nil {
				t.Fatalf("Probe: %v", err)
			}
			wantFormat := tt.got
			if wantFormat == "" {
				wantFormat = tt.format
			}
			if got.State != tt.state || got.Format != wantFormat || got.SampleRate != tt.rate {
				t.Errorf("got %+v, want state %s, format %s, rate %d", got, tt.state, wantFormat, tt.rate)
			}
			if d := got.Duration - tt.dur; d < -20*time.Millisecond || d > 20*time.Millisecond {
				t.Errorf("Duration = %v, want %v ± 20ms", got.Duration, tt.dur)
			}
			if tt.detail == "" && got.Detail != "" || !strings.Contains(got.Detail, tt.detail) {
				t.Errorf("Detail = %q, want it to say %q", got.Detail, tt.detail)
			}
		})
	}
}

// countingReaderAt counts the bytes read through it.
type countingReaderAt struct {
	r io.ReaderAt
	n int
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.n += n
	return n, err
}

func TestProbeReadsOnlyTheHeader(t *testing.T) {
	files := map[recordings.Format][]byte{
		recordings.FormatWAV:   sox(t, soxWAV, "7.3", "noise"),
		recordings.FormatWAV16: sox(t, soxWAV16, "7.3", "noise"),
		recordings.FormatWAV49: sox(t, soxWAV49, "7.3", "noise"),
		recordings.FormatGSM:   sox(t, soxGSM, "7.3", "noise"),
		recordings.FormatULaw:  sox(t, soxULaw, "7.3", "noise"),
	}
	files["big LIST"] = riff(chunk("fmt ", pcmFmt(8000)), chunk("LIST", make([]byte, 100000)), chunk("data", make([]byte, 16000)))
	for format, data := range files {
		f := filepath.Join(t.TempDir(), "rec")
		if err := os.WriteFile(f, data, 0o644); err != nil {
			t.Fatal(err)
		}
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		c := &countingReaderAt{r: fh}
		if format == "big LIST" {
			format = recordings.FormatWAV
		}
		if _, err := Probe(c, int64(len(data)), format); err != nil {
			t.Errorf("%s: %v", format, err)
		}
		fh.Close()
		if c.n > probeMax {
			t.Errorf("%s: read %d bytes of %d, want at most %d", format, c.n, len(data), probeMax)
		}
	}
}

type failingReaderAt struct{}

var errDisk = errors.New("input/output error")

func (failingReaderAt) ReadAt([]byte, int64) (int, error) { return 0, errDisk }

func TestProbeReadError(t *testing.T) {
	for _, format := range []recordings.Format{recordings.FormatWAV, recordings.FormatWAV49, recordings.FormatGSM} {
		if _, err := Probe(failingReaderAt{}, 10000, format); !errors.Is(err, errDisk) {
			t.Errorf("%s: err = %v, want %v", format, err, errDisk)
		}
	}
}

func TestProbeFileShorterThanSize(t *testing.T) {
	wav := sox(t, soxWAV, "1", "sine")
	got, err := Probe(bytes.NewReader(wav[:1044]), int64(len(wav)), recordings.FormatWAV)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != recordings.StateWriting || got.Duration != 62500*time.Microsecond {
		t.Errorf("got %+v, want writing, 62.5ms", got)
	}
}

func FuzzProbe(f *testing.F) {
	f.Add(riff(chunk("fmt ", pcmFmt(8000)), chunk("data", make([]byte, 100))), uint8(0))
	f.Add(riff(chunk("LIST", []byte("INFOx")), chunk("fmt ", pcmFmt(16000)), chunk("fact", []byte{1, 0, 0, 0}), chunk("data", nil), make([]byte, 60)), uint8(1))
	f.Add(bytes.Repeat([]byte{0xd2}, 100), uint8(3))
	formats := []recordings.Format{recordings.FormatWAV, recordings.FormatWAV16, recordings.FormatWAV49, recordings.FormatGSM, recordings.FormatULaw, recordings.FormatG729, recordings.FormatUnknown}
	f.Fuzz(func(t *testing.T, data []byte, pick uint8) {
		format := formats[int(pick)%len(formats)]
		got, err := Probe(bytes.NewReader(data), int64(len(data)), format)
		if err != nil {
			t.Fatalf("Probe: %v", err)
		}
		if got.Duration < 0 || got.State == "" || got.Format == "" {
			t.Fatalf("Probe = %+v", got)
		}
		if got.State != recordings.StateEmpty && got.Duration > bytesDuration(int64(len(data)), 1000) {
			t.Fatalf("%d bytes last %v", len(data), got.Duration)
		}
	})
}

// TestProbeCompressed: an Ogg Opus or MP3 file (what the compressor writes) is
// probed for its length from its container; a file that is not one is corrupt.
func TestProbeCompressed(t *testing.T) {
	wav := filepath.Join(t.TempDir(), "tone.wav")
	if err := os.WriteFile(wav, sox(t, soxWAV, "2.5", "sine"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		format recordings.Format
		cmd    []string
	}{
		{recordings.FormatOpus, []string{"opusenc", "--quiet", wav, "OUT"}},
		{recordings.FormatMP3, []string{"lame", "--quiet", "--abr", "16", wav, "OUT"}},
	} {
		if _, err := exec.LookPath(tc.cmd[0]); err != nil {
			t.Fatalf("%s is not installed: scripts/test installs it", tc.cmd[0])
		}
		out := filepath.Join(t.TempDir(), "out")
		for i, a := range tc.cmd {
			if a == "OUT" {
				tc.cmd[i] = out
			}
		}
		if msg, err := exec.Command(tc.cmd[0], tc.cmd[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v: %s", tc.cmd, err, msg)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Probe(bytes.NewReader(b), int64(len(b)), tc.format)
		if err != nil || res.State != recordings.StateOK || res.Duration != 2500*time.Millisecond || res.SampleRate != 8000 {
			t.Errorf("%s: %+v %v, want ok, 2.5 s at 8000 Hz", tc.format, res, err)
		}
		junk := bytes.Repeat([]byte("junk"), 100)
		if res, err := Probe(bytes.NewReader(junk), int64(len(junk)), tc.format); err != nil || res.State != recordings.StateCorrupt {
			t.Errorf("%s of junk: %+v %v, want corrupt", tc.format, res, err)
		}
	}
}
