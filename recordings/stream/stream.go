package stream

import (
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/audio"
)

// File is a recording file opened by the caller, who closes it once the response
// is written. Open and BuildCheckpoints read it with ReadAt, except that the
// Content of a PCM WAV served unchanged from an *os.File reads and seeks the
// file itself (so that its bytes go out with sendfile): one such Content per
// open file at a time.
type File interface {
	io.ReaderAt
}

// Content is the browser-playable form of one recording, ready for
// http.ServeContent.
type Content struct {
	R           io.ReadSeeker // the bytes served; Seek is O(1)
	Size        int64         // length of R, fixed when the content was opened
	ContentType string        // "audio/wav"
	Transcoded  bool          // R is decoded PCM rather than the file's own bytes
	SampleRate  int           // of the served audio, in Hz
	Duration    time.Duration // of the served audio
}

// ErrDamaged reports a file that is not what its format promises, so that no
// decoder could play it: a WAV whose RIFF structure cannot be read (no
// signature, no fmt or data chunk, a header cut short) or whose fmt chunk says
// no channels or no sample rate. It is not ErrUnsupportedFormat, which is a
// sound file of a format Totalrec does not decode; the original file can be
// downloaded either way.
var ErrDamaged = errors.New("damaged recording")

// ErrCheckpoints reports checkpoints that cannot be used: a stored blob that is
// corrupt, or checkpoints of another codec or file, or of a file that shrank or
// changed since. The caller rebuilds them with BuildCheckpoints.
var ErrCheckpoints = errors.New("unusable checkpoints")

const (
	wavHeaderSize = 44
	contentType   = "audio/wav"
)

// source says where a recording's samples are and how to decode them.
type source struct {
	codec    audio.Codec
	name     string // what checkpoints are keyed by: the codec name, or pcm/RATE/CHANNELS
	rate     int
	channels int
	dataOff  int64 // file offset of the first frame
	frames   int64 // whole input frames present, capped to what a WAV header can describe
	fb, fs   int   // input bytes and output samples per frame

	// passthrough marks 16-bit PCM WAV, served as its own bytes; patched says
	// its header sizes agree with the file, so the file is served unchanged.
	passthrough, patched bool
}

// Open returns the browser-playable content of a size-byte recording of the given
// format. 16-bit PCM WAV is served as the file itself; every other format Totalrec
// decodes is transcoded on the fly to 16-bit mono PCM WAV. cp may be nil; for GSM,
// WAV49 and G.722 it bounds the decoding work of a read in the middle (see the
// package documentation). G.729, unknown formats and WAV files of a codec
// Totalrec does not decode yield an error matching
// recordings.ErrUnsupportedFormat; a WAV file whose header cannot be read yields
// ErrDamaged; checkpoints of another file yield ErrCheckpoints.
func Open(f File, size int64, format recordings.Format, cp *Checkpoints) (Content, error) {
	if format.Compressed() {
		return openCompressed(f, size, format)
	}
	src, err := probe(f, size, format)
	if err != nil {
		return Content{}, fmt.Errorf("open %s recording: %w", format, err)
	}
	if err := cp.check(f, src); err != nil {
		return Content{}, fmt.Errorf("open %s recording: %w", format, err)
	}
	c := Content{ContentType: contentType, SampleRate: src.rate, Duration: src.duration()}
	switch {
	case src.passthrough && src.patched:
		c.R, c.Size = wholeFile(f, size), size
	case src.passthrough:
		data := src.frames * int64(src.fb)
		hdr := audio.WAVHeader(src.rate, src.channels, 16, uint32(data))
		c.Size = wavHeaderSize + data
		c.R = io.NewSectionReader(spliced{hdr: hdr, f: f, dataOff: src.dataOff}, 0, c.Size)
	default:
		t := newTranscoder(f, src, cp)
		c.R, c.Size, c.Transcoded = t, t.size, true
	}
	return c, nil
}

// probe finds the samples of a recording: the data chunk of a RIFF file (whose
// header, not the file name, decides the codec) or the whole of a raw file.
func probe(f File, size int64, format recordings.Format) (source, error) {
	if size < 0 {
		return source{}, fmt.Errorf("size %d: %w", size, recordings.ErrInvalid)
	}
	switch format {
	case recordings.FormatWAV, recordings.FormatWAV16, recordings.FormatWAV49, "WAV":
		return probeWAV(f, size)
	}
	codec, err := audio.CodecFor(string(format))
	if err != nil {
		return source{}, unsupported(err)
	}
	return newSource(codec, codec.Name(), codec.SampleRate(), 1, 0, size), nil
}

func probeWAV(f File, size int64) (source, error) {
	info, err := audio.ParseWAV(newHeadReader(f, size), size)
	switch {
	case errors.Is(err, audio.ErrBadWAV), errors.Is(err, io.ErrUnexpectedEOF):
		return source{}, fmt.Errorf("%w: %w", ErrDamaged, err)
	case err != nil:
		return source{}, err
	case info.Channels == 0 || info.SampleRate <= 0:
		return source{}, fmt.Errorf("%w: wav fmt chunk says %d channels, %d Hz", ErrDamaged, info.Channels, info.SampleRate)
	}
	if info.FormatTag == audio.WAVFormatPCM && info.BitsPerSample == 16 &&
		(info.Channels == 1 || info.Channels == 2) && info.SampleRate > 0 {
		// PCM needs no decoding; the codec only serves BuildCheckpoints' peaks,
		// reading interleaved channels as one run of samples.
		slin, _ := audio.CodecFor("sln")
		name := fmt.Sprintf("pcm/%d/%d", info.SampleRate, info.Channels)
		s := newSource(slin, name, info.SampleRate, info.Channels, info.DataOffset, info.DataLength)
		// A passthrough frame is one sample of every channel.
		s.fb, s.fs = 2*info.Channels, info.Channels
		s.frames = min(info.DataLength/int64(s.fb), maxFrames(s.fs))
		s.passthrough = true
		s.patched = !info.Unpatched && !info.Truncated && s.frames*int64(s.fb) == info.DataLength
		return s, nil
	}
	codec, err := audio.CodecForWAV(info)
	if err != nil {
		return source{}, unsupported(err)
	}
	return newSource(codec, codec.Name(), codec.SampleRate(), 1, info.DataOffset, info.DataLength), nil
}

func newSource(c audio.Codec, name string, rate, channels int, off, n int64) source {
	s := source{codec: c, name: name, rate: rate, channels: channels, dataOff: off,
		fb: c.FrameBytes(), fs: c.FrameSamples()}
	s.frames = min(n/int64(s.fb), maxFrames(s.fs))
	return s
}

// maxFrames is the most frames of fs samples whose 16-bit output a WAV header can
// describe: its RIFF size field, data bytes + 36, is 32 bits. Later frames are not
// served (at 8 kHz the limit is past 74 hours).
func maxFrames(fs int) int64 {
	return (math.MaxUint32 - 36) / int64(2*fs)
}

// duration is the length of the served audio.
func (s source) duration() time.Duration {
	samples := s.frames * int64(s.fs) / int64(s.channels)
	return time.Duration(samples) * time.Second / time.Duration(s.rate)
}

// unsupported marks a decoding error of the audio package as
// recordings.ErrUnsupportedFormat while keeping it in the chain.
func unsupported(err error) error {
	return unsupportedError{err}
}

type unsupportedError struct{ err error }

func (e unsupportedError) Error() string { return e.err.Error() }

func (e unsupportedError) Unwrap() []error {
	return []error{e.err, recordings.ErrUnsupportedFormat}
}

// spliced is a WAV file whose header is replaced: a synthetic 44-byte header
// followed by the data section of f.
type spliced struct {
	hdr     [wavHeaderSize]byte
	f       File
	dataOff int64
}

func (s spliced) ReadAt(p []byte, off int64) (int, error) {
	n := 0
	if off < wavHeaderSize {
		n = copy(p, s.hdr[off:])
		if n == len(p) {
			return n, nil
		}
	}
	m, err := s.f.ReadAt(p[n:], s.dataOff+off+int64(n)-wavHeaderSize)
	return n + m, err
}
