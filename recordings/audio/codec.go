package audio

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrUnsupported reports a format this package cannot decode (G.729, or a name it
// does not know).
var ErrUnsupported = errors.New("unsupported audio format")

// ErrShortBuffer reports a destination too small for even one frame.
var ErrShortBuffer = errors.New("destination shorter than one frame")

// Codec describes one recording format as a sequence of independently
// addressable input units ("frames") that each decode to a fixed number of
// samples, so that a byte range of the decoded output maps to whole input frames.
type Codec interface {
	// Name is the canonical Asterisk format name ("ulaw", "gsm", "wav49", ...).
	Name() string
	// SampleRate is the output rate in Hz.
	SampleRate() int
	// FrameBytes is the input size of one frame.
	FrameBytes() int
	// FrameSamples is the number of mono 16-bit samples one frame decodes to.
	FrameSamples() int
	// NewDecoder returns a decoder at the start of a stream.
	NewDecoder() FrameDecoder
}

// FrameDecoder decodes whole frames. Stateless formats ignore State and Restore;
// for stateful ones (GSM, G.722) the state taken before frame i, restored into a
// fresh decoder, makes it decode frame i onwards exactly as a decoder that started
// at frame 0 would.
type FrameDecoder interface {
	// Decode decodes min(len(src)/FrameBytes, len(dst)/FrameSamples) frames and
	// returns the number of samples written. A trailing partial frame in src is
	// left alone. On error, n counts the samples of the frames decoded before it.
	Decode(dst []int16, src []byte) (n int, err error)
	// State returns the decoder state as bytes (empty for stateless formats).
	State() []byte
	// Restore sets the decoder state from State's bytes.
	Restore(state []byte) error
}

// CodecFor returns the codec of an Asterisk format name or file extension:
// "wav" and "wav16" (the data chunk of a 16-bit PCM WAV, 8 or 16 kHz), "wav49" or
// "WAV" (Microsoft GSM blocks), "gsm", "ulaw" ("pcm", "ul", "mu", "ulw"), "alaw"
// ("al", "alw"), "sln" ("slin", "raw"), "sln16", "sln12" ... "sln192", and "g722".
// Names are case-sensitive because Asterisk's are: "WAV" is GSM, "wav" is PCM.
// G.729 and unknown names yield ErrUnsupported.
func CodecFor(format string) (Codec, error) {
	switch format {
	case "wav":
		return slinCodec{name: "wav", rate: 8000}, nil
	case "sln", "slin", "raw":
		return slinCodec{name: "sln", rate: 8000}, nil
	case "wav16", "sln16":
		return slinCodec{name: format, rate: 16000}, nil
	case "wav49", "WAV":
		return wav49Codec{}, nil
	case "gsm":
		return gsmCodec{}, nil
	case "ulaw", "pcm", "ul", "mu", "ulw":
		return g711Codec{name: "ulaw", table: ulawTable}, nil
	case "alaw", "al", "alw":
		return g711Codec{name: "alaw", table: alawTable}, nil
	case "g722":
		return g722Codec{}, nil
	}
	if rate, ok := slinRate(format); ok {
		return slinCodec{name: format, rate: rate}, nil
	}
	return nil, fmt.Errorf("audio format %q: %w", format, ErrUnsupported)
}

// slinRate maps Asterisk's "slnN" names (N in kHz, 44 meaning 44.1) to rates.
func slinRate(format string) (int, bool) {
	k, ok := strings.CutPrefix(format, "sln")
	if !ok {
		return 0, false
	}
	switch k {
	case "12", "24", "32", "48", "96", "192":
		n, _ := strconv.Atoi(k)
		return n * 1000, true
	case "44":
		return 44100, true
	}
	return 0, false
}

// frames returns how many whole frames fit both src and dst.
func frames(dst []int16, src []byte, fb, fs int) (int, error) {
	n := min(len(src)/fb, len(dst)/fs)
	if n == 0 && len(src) >= fb {
		return 0, ErrShortBuffer
	}
	return n, nil
}

// stateless is the State/Restore half of decoders that carry nothing between
// frames.
type stateless struct{}

func (stateless) State() []byte { return nil }

func (stateless) Restore(b []byte) error {
	if len(b) != 0 {
		return fmt.Errorf("state for a stateless format: %w", ErrBadState)
	}
	return nil
}

// g711Codec is µ-law or A-law: one byte per sample.
type g711Codec struct {
	name  string
	table *[256]int16
}

func (c g711Codec) Name() string             { return c.name }
func (g711Codec) SampleRate() int            { return 8000 }
func (g711Codec) FrameBytes() int            { return 1 }
func (g711Codec) FrameSamples() int          { return 1 }
func (c g711Codec) NewDecoder() FrameDecoder { return g711Decoder{table: c.table} }

type g711Decoder struct {
	stateless
	table *[256]int16
}

func (d g711Decoder) Decode(dst []int16, src []byte) (int, error) {
	n, err := frames(dst, src, 1, 1)
	expand(d.table, dst[:n], src)
	return n, err
}

// slinCodec is little-endian signed 16-bit PCM at a given rate.
type slinCodec struct {
	name string
	rate int
}

func (c slinCodec) Name() string           { return c.name }
func (c slinCodec) SampleRate() int        { return c.rate }
func (slinCodec) FrameBytes() int          { return 2 }
func (slinCodec) FrameSamples() int        { return 1 }
func (slinCodec) NewDecoder() FrameDecoder { return slinDecoder{} }

type slinDecoder struct{ stateless }

func (slinDecoder) Decode(dst []int16, src []byte) (int, error) {
	n, err := frames(dst, src, 2, 1)
	DecodeSlin(dst[:n], src)
	return n, err
}

// gsmCodec is raw GSM 06.10: 33-byte frames of 160 samples.
type gsmCodec struct{}

func (gsmCodec) Name() string             { return "gsm" }
func (gsmCodec) SampleRate() int          { return 8000 }
func (gsmCodec) FrameBytes() int          { return GSMFrameBytes }
func (gsmCodec) FrameSamples() int        { return GSMFrameSamples }
func (gsmCodec) NewDecoder() FrameDecoder { return &gsmFrameDecoder{} }

type gsmFrameDecoder struct{ d GSMDecoder }

func (g *gsmFrameDecoder) Decode(dst []int16, src []byte) (int, error) {
	n, err := frames(dst, src, GSMFrameBytes, GSMFrameSamples)
	for i := range n {
		out := (*[GSMFrameSamples]int16)(dst[i*GSMFrameSamples:])
		if err := g.d.DecodeFrame(out, (*[GSMFrameBytes]byte)(src[i*GSMFrameBytes:])); err != nil {
			return i * GSMFrameSamples, fmt.Errorf("gsm frame %d: %w", i, err)
		}
	}
	return n * GSMFrameSamples, err
}

func (g *gsmFrameDecoder) State() []byte          { return g.d.s.appendBinary(nil) }
func (g *gsmFrameDecoder) Restore(b []byte) error { return g.d.s.UnmarshalBinary(b) }

// wav49Codec is Microsoft GSM: 65-byte blocks of 320 samples.
type wav49Codec struct{}

func (wav49Codec) Name() string             { return "wav49" }
func (wav49Codec) SampleRate() int          { return 8000 }
func (wav49Codec) FrameBytes() int          { return WAV49BlockBytes }
func (wav49Codec) FrameSamples() int        { return WAV49BlockSamples }
func (wav49Codec) NewDecoder() FrameDecoder { return &wav49FrameDecoder{} }

type wav49FrameDecoder struct{ gsmFrameDecoder }

func (g *wav49FrameDecoder) Decode(dst []int16, src []byte) (int, error) {
	n, err := frames(dst, src, WAV49BlockBytes, WAV49BlockSamples)
	for i := range n {
		out := (*[WAV49BlockSamples]int16)(dst[i*WAV49BlockSamples:])
		// A WAV49 block has no invalid bit patterns; the error is always nil.
		_ = g.d.DecodeWAV49Block(out, (*[WAV49BlockBytes]byte)(src[i*WAV49BlockBytes:]))
	}
	return n * WAV49BlockSamples, err
}
