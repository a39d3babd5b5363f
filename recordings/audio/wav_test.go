package audio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

// chunk builds a RIFF chunk with its pad byte.
func chunk(id string, body []byte) []byte {
	b := binary.LittleEndian.AppendUint32([]byte(id), uint32(len(body)))
	b = append(b, body...)
	if len(body)%2 == 1 {
		b = append(b, 0)
	}
	return b
}

// riff builds a RIFF/WAVE file from chunks with a correct RIFF size.
func riff(chunks ...[]byte) []byte {
	body := []byte("WAVE")
	for _, c := range chunks {
		body = append(body, c...)
	}
	return chunk("RIFF", body)
}

func pcmFmt(rate int) []byte {
	h := WAVHeader(rate, 1, 16, 0)
	return h[20:36]
}

func TestWAVHeader(t *testing.T) {
	h := WAVHeader(8000, 1, 16, 320)
	file := append(h[:], make([]byte, 320)...)
	info, err := ParseWAV(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		t.Fatal(err)
	}
	want := WAVInfo{FormatTag: 1, Channels: 1, SampleRate: 8000, ByteRate: 16000, BlockAlign: 2,
		BitsPerSample: 16, DataOffset: 44, DataLength: 320}
	if info != want {
		t.Fatalf("got %+v\nwant %+v", info, want)
	}
	if got := binary.LittleEndian.Uint32(h[4:]); got != 356 {
		t.Errorf("RIFF size %d, want 356", got)
	}
	big := WAVHeader(8000, 1, 16, 0xFFFFFFF0)
	if got := binary.LittleEndian.Uint32(big[4:]); got != 0xFFFFFFFF {
		t.Errorf("RIFF size of a huge file %#x, want saturated", got)
	}
}

func TestParseWAV(t *testing.T) {
	data := make([]byte, 10)
	odd := []byte{1, 2, 3}
	blocks := make([]byte, 3*WAV49BlockBytes)
	unpatchedPCM := WAVHeader(8000, 1, 16, 0)
	unpatchedPCM[4] = 0
	for _, tc := range []struct {
		name string
		file []byte
		want WAVInfo
		err  error
	}{
		{"canonical", riff(chunk("fmt ", pcmFmt(8000)), chunk("data", data)),
			WAVInfo{FormatTag: 1, Channels: 1, SampleRate: 8000, ByteRate: 16000, BlockAlign: 2, BitsPerSample: 16, DataOffset: 44, DataLength: 10}, nil},
		{"data before fmt, LIST and odd chunk", riff(chunk("LIST", odd), chunk("data", data), chunk("junk", odd), chunk("fmt ", pcmFmt(16000))),
			WAVInfo{FormatTag: 1, Channels: 1, SampleRate: 16000, ByteRate: 32000, BlockAlign: 2, BitsPerSample: 16, DataOffset: 32, DataLength: 10}, nil},
		{"odd data length", riff(chunk("fmt ", pcmFmt(8000)), chunk("data", odd)),
			WAVInfo{FormatTag: 1, Channels: 1, SampleRate: 8000, ByteRate: 16000, BlockAlign: 2, BitsPerSample: 16, DataOffset: 44, DataLength: 3}, nil},
		{"asterisk wav49", asteriskWAV49(blocks, false),
			WAVInfo{FormatTag: 49, Channels: 1, SampleRate: 8000, ByteRate: 1625, BlockAlign: 65, SamplesPerBlock: 320,
				HasFact: true, FactSamples: 960, DataOffset: 60, DataLength: 196}, nil},
		{"asterisk wav49 unpatched", asteriskWAV49(blocks, true),
			WAVInfo{FormatTag: 49, Channels: 1, SampleRate: 8000, ByteRate: 1625, BlockAlign: 65, SamplesPerBlock: 320,
				HasFact: true, DataOffset: 60, DataLength: 196, Unpatched: true}, nil},
		{"unpatched pcm", append(unpatchedPCM[:], data...),
			WAVInfo{FormatTag: 1, Channels: 1, SampleRate: 8000, ByteRate: 16000, BlockAlign: 2, BitsPerSample: 16, DataOffset: 44, DataLength: 10, Unpatched: true}, nil},
		{"empty recording", func() []byte { h := WAVHeader(8000, 1, 16, 0); return h[:] }(),
			WAVInfo{FormatTag: 1, Channels: 1, SampleRate: 8000, ByteRate: 16000, BlockAlign: 2, BitsPerSample: 16, DataOffset: 44}, nil},
		{"truncated data", riff(chunk("fmt ", pcmFmt(8000)), chunk("data", data))[:50],
			WAVInfo{FormatTag: 1, Channels: 1, SampleRate: 8000, ByteRate: 16000, BlockAlign: 2, BitsPerSample: 16, DataOffset: 44, DataLength: 6, Truncated: true}, nil},
		{"extensible", riff(chunk("fmt ", extensibleFmt(WAVFormatULaw)), chunk("data", data)),
			WAVInfo{FormatTag: 7, Channels: 1, SampleRate: 8000, ByteRate: 8000, BlockAlign: 1, BitsPerSample: 8, DataOffset: 68, DataLength: 10}, nil},
		{"not riff", []byte("RIFX\x00\x00\x00\x00WAVE"), WAVInfo{}, ErrBadWAV},
		{"short", []byte("RIFF"), WAVInfo{}, ErrBadWAV},
		{"no data", riff(chunk("fmt ", pcmFmt(8000))), WAVInfo{}, ErrBadWAV},
		{"no fmt", riff(chunk("data", data)), WAVInfo{}, ErrBadWAV},
		{"tiny fmt", riff(chunk("fmt ", odd), chunk("data", data)), WAVInfo{}, ErrBadWAV},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseWAV(bytes.NewReader(tc.file), int64(len(tc.file)))
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func extensibleFmt(tag uint16) []byte {
	le := binary.LittleEndian
	b := make([]byte, 40)
	le.PutUint16(b[0:], wavFormatExtensible)
	le.PutUint16(b[2:], 1)
	le.PutUint32(b[4:], 8000)
	le.PutUint32(b[8:], 8000)
	le.PutUint16(b[12:], 1)
	le.PutUint16(b[14:], 8)
	le.PutUint16(b[16:], 22)
	le.PutUint16(b[18:], 8)
	le.PutUint16(b[24:], tag)
	copy(b[26:], "\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71")
	return b
}

func TestCodecFor(t *testing.T) {
	for _, tc := range []struct {
		format, name string
		rate, fb, fs int
	}{
		{"wav", "wav", 8000, 2, 1},
		{"wav16", "wav16", 16000, 2, 1},
		{"WAV", "wav49", 8000, 65, 320},
		{"wav49", "wav49", 8000, 65, 320},
		{"gsm", "gsm", 8000, 33, 160},
		{"ulaw", "ulaw", 8000, 1, 1},
		{"pcm", "ulaw", 8000, 1, 1},
		{"alaw", "alaw", 8000, 1, 1},
		{"sln", "sln", 8000, 2, 1},
		{"raw", "sln", 8000, 2, 1},
		{"sln16", "sln16", 16000, 2, 1},
		{"sln44", "sln44", 44100, 2, 1},
		{"g722", "g722", 16000, 1, 2},
	} {
		c, err := CodecFor(tc.format)
		if err != nil {
			t.Errorf("%s: %v", tc.format, err)
			continue
		}
		if c.Name() != tc.name || c.SampleRate() != tc.rate || c.FrameBytes() != tc.fb || c.FrameSamples() != tc.fs {
			t.Errorf("%s: got %s %d Hz %d→%d, want %s %d Hz %d→%d", tc.format,
				c.Name(), c.SampleRate(), c.FrameBytes(), c.FrameSamples(), tc.name, tc.rate, tc.fb, tc.fs)
		}
	}
	for _, f := range []string{"g729", "mp3", "", "sln13", "Wav"} {
		if _, err := CodecFor(f); !errors.Is(err, ErrUnsupported) {
			t.Errorf("%q: err = %v, want ErrUnsupported", f, err)
		}
	}
}

func TestDecodeShortBuffer(t *testing.T) {
	for _, f := range []string{"gsm", "WAV", "ulaw", "sln", "g722"} {
		c, _ := CodecFor(f)
		src := make([]byte, 2*c.FrameBytes())
		if f == "gsm" {
			src = randomGSM(1, 2)
		}
		d := c.NewDecoder()
		if _, err := d.Decode(make([]int16, c.FrameSamples()-1), src); !errors.Is(err, ErrShortBuffer) {
			t.Errorf("%s: err = %v, want ErrShortBuffer", f, err)
		}
		n, err := d.Decode(make([]int16, 3*c.FrameSamples()), src[:len(src)-1])
		if err != nil || n != c.FrameSamples() {
			t.Errorf("%s: a trailing partial frame gave %d samples, %v; want one frame", f, n, err)
		}
	}
}

func TestWAV49HeaderParses(t *testing.T) {
	h := WAV49Header(10)
	b := append(h[:], make([]byte, 10*WAV49BlockBytes)...)
	info, err := ParseWAV(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if info.FormatTag != WAVFormatGSM610 || info.DataOffset != 60 || info.DataLength != 650 || info.FactSamples != 3200 || info.SamplesPerBlock != 320 || info.Unpatched {
		t.Errorf("WAV49Header(10) parses as %+v", info)
	}
}
