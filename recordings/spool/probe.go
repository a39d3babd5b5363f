package spool

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/audio"
)

// ProbeResult is what a recording file's header and size say about its audio.
type ProbeResult struct {
	Format     recordings.Format // what the header says; the extension's promise for raw formats
	Duration   time.Duration
	State      recordings.State // ok, empty, writing or corrupt
	SampleRate int              // Hz; 0 when unknown
	Detail     string           // a sentence on anything odd; "" when nothing is
}

const (
	// probeMax is the most Probe reads of a file: the header, never the audio.
	probeMax = 4096
	// emptyMax is the largest file that holds no audio: a 44-byte WAV header.
	emptyMax = 44
)

// rawFormat describes a headerless format: the bytes of one frame, the bytes per
// second and the audio's sample rate.
type rawFormat struct {
	frame, perSec int64
	rate          int
}

// rawFormats are Asterisk's headerless formats.
var rawFormats = map[recordings.Format]rawFormat{
	recordings.FormatGSM:   {33, 1650, 8000},
	recordings.FormatULaw:  {1, 8000, 8000},
	recordings.FormatALaw:  {1, 8000, 8000},
	recordings.FormatSLN:   {2, 16000, 8000},
	recordings.FormatSLN16: {2, 32000, 16000},
	recordings.FormatG722:  {1, 8000, 16000},
	recordings.FormatG729:  {10, 1000, 8000},
}

// riffFormats are the RIFF formats Asterisk writes, with the header it writes and
// the rates used when the header cannot be read.
var riffFormats = map[recordings.Format]struct {
	header, perSec int64
	rate           int
}{
	recordings.FormatWAV:   {44, 16000, 8000},
	recordings.FormatWAV16: {44, 32000, 16000},
	recordings.FormatWAV49: {60, 1625, 8000},
}

// Probe reads the header of a recording file of size bytes whose extension promises
// format, and says what audio it holds. It reads at most 4 KB. A file that is not what
// its extension promises is StateCorrupt with a Detail, never an error: Probe returns
// an error only when reading fails.
func Probe(r io.ReaderAt, size int64, format recordings.Format) (ProbeResult, error) {
	res := ProbeResult{Format: format}
	if size <= emptyMax {
		res.State, res.Detail = recordings.StateEmpty, "no audio: header only"
		if size == 0 {
			res.Detail = "no audio: zero bytes"
		}
		return res, nil
	}
	if raw, ok := rawFormats[format]; ok {
		return probeRaw(r, size, format, raw)
	}
	if _, ok := riffFormats[format]; ok {
		buf, size, err := readHeader(r, size)
		if err != nil {
			return res, err
		}
		return probeRIFF(buf, size, format), nil
	}
	if format.Compressed() {
		return probeCompressed(r, size, format), nil
	}
	res.State, res.Detail = recordings.StateOK, "unknown format"
	return res, nil
}

// probeCompressed reads the container of an Ogg Opus or MP3 file for its length.
// It reads the first page or frame and, for Ogg, the last 64 KB.
func probeCompressed(r io.ReaderAt, size int64, format recordings.Format) ProbeResult {
	info, err := audio.MP3Info(r, size)
	if format == recordings.FormatOpus {
		info, err = audio.OggOpusInfo(r, size)
	}
	if err != nil {
		return ProbeResult{Format: format, State: recordings.StateCorrupt, Detail: err.Error()}
	}
	return ProbeResult{Format: format, State: recordings.StateOK, Duration: info.Duration, SampleRate: info.InputRate}
}

// readHeader reads up to probeMax bytes from the start. A file that turns out shorter
// than size has the size it has.
func readHeader(r io.ReaderAt, size int64) ([]byte, int64, error) {
	buf := make([]byte, min(size, probeMax))
	n, err := r.ReadAt(buf, 0)
	if n == len(buf) {
		return buf, size, nil
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, 0, fmt.Errorf("read header: %w", err)
	}
	return buf[:n], int64(n), nil
}

// probeRaw sizes a headerless file. Only GSM can be checked: every frame starts with
// the nibble 0xD.
func probeRaw(r io.ReaderAt, size int64, format recordings.Format, raw rawFormat) (ProbeResult, error) {
	res := ProbeResult{Format: format, State: recordings.StateOK, SampleRate: raw.rate}
	if format == recordings.FormatGSM {
		b, size2, err := readHeader(r, 1)
		if err != nil {
			return res, err
		}
		if size2 < 1 || b[0]>>4 != 0xD {
			res.State, res.Detail = recordings.StateCorrupt, "not GSM: the first frame lacks the 0xD signature"
		}
	}
	res.Duration = bytesDuration(size/raw.frame*raw.frame, raw.perSec)
	if tail := size % raw.frame; tail != 0 && res.Detail == "" {
		res.Detail = fmt.Sprintf("file ends in a partial frame (%d of %d bytes)", tail, raw.frame)
	}
	return res, nil
}

// bytesDuration is how long n bytes play at perSec bytes a second, without overflow.
func bytesDuration(n, perSec int64) time.Duration {
	if n <= 0 || perSec <= 0 {
		return 0
	}
	return time.Duration(n/perSec)*time.Second + time.Duration(n%perSec)*time.Second/time.Duration(perSec)
}

// waveFmt is what a RIFF file's chunks say.
type waveFmt struct {
	tag, channels, bits int
	rate, byteRate      int64
	samples             int64 // from the fact chunk; 0 when there is none
	riffSize, dataSize  uint32
	dataOff             int64 // where the audio starts; 0 when no data chunk was seen
	haveFmt             bool
	beyond              bool // the walk left the bytes read before reaching the data chunk
}

// probeRIFF reads a RIFF/WAVE header. Asterisk writes its header with the RIFF and data
// sizes zero and patches them when MixMonitor closes the file (format_wav.c,
// format_wav_gsm.c), so zero sizes on a file with audio mean it is still being written.
func probeRIFF(buf []byte, size int64, format recordings.Format) ProbeResult {
	def := riffFormats[format]
	res := ProbeResult{Format: format, State: recordings.StateCorrupt, SampleRate: def.rate}
	guess := bytesDuration(size-def.header, def.perSec)
	if len(buf) < 12 || string(buf[0:4]) != "RIFF" || string(buf[8:12]) != "WAVE" {
		res.Duration, res.Detail = guess, "not a RIFF/WAVE file"
		return res
	}
	w, detail := walkChunks(buf, size)
	if w.beyond && w.haveFmt {
		// A long LIST or other chunk before the audio: estimate from the size.
		res.State, res.SampleRate = recordings.StateOK, int(w.rate)
		res.Format, _ = headerFormat(w, format)
		res.Duration = bytesDuration(size-def.header, w.byteRate)
		res.Detail = "data chunk not in the first 4 KB: duration estimated from the file size"
		return res
	}
	if detail != "" {
		res.Duration, res.Detail = guess, detail
		return res
	}
	res.State, res.SampleRate = recordings.StateOK, int(w.rate)
	res.Format, res.Detail = headerFormat(w, format)

	avail := size - w.dataOff
	bytes := int64(w.dataSize)
	switch {
	case unpatched(w.dataSize) && (w.dataSize != 0 || unpatched(w.riffSize)):
		if avail == 0 {
			res.State, res.Detail = recordings.StateEmpty, "no audio: header only"
			return res
		}
		res.State, res.Detail, bytes = recordings.StateWriting, "RIFF sizes not patched: still being written", avail
	case bytes == 0:
		res.State, res.Detail = recordings.StateEmpty, "no audio: the data chunk is empty"
		return res
	case bytes > avail:
		res.State = recordings.StateWriting
		res.Detail = fmt.Sprintf("data chunk says %d bytes, file has %d: still being copied, or truncated", bytes, avail)
		bytes = avail
	}
	res.Duration = bytesDuration(bytes, w.byteRate)
	if res.State == recordings.StateOK && w.samples > 0 && w.rate > 0 && w.tag != 1 {
		// Compressed data ends in a padded block; the fact chunk counts real samples.
		if d := bytesDuration(w.samples, w.rate); d <= res.Duration {
			res.Duration = d
		}
	}
	return res
}

// unpatched reports whether a RIFF size field holds a value written before the size
// was known: Asterisk's zero, or the all-ones placeholders of streaming writers.
func unpatched(v uint32) bool {
	return v == 0 || v == 0xFFFFFFFF || v == 0x7FFFFFFF
}

// walkChunks reads the chunks after "RIFF....WAVE" in any order up to the data chunk.
// detail is non-empty when the header is unusable.
func walkChunks(buf []byte, size int64) (waveFmt, string) {
	le32 := binary.LittleEndian.Uint32
	le16 := func(b []byte) int { return int(binary.LittleEndian.Uint16(b)) }
	w := waveFmt{riffSize: le32(buf[4:8])}
	for off := int64(12); ; {
		if off+8 > int64(len(buf)) {
			if off+8 <= size {
				w.beyond = true
				return w, "no data chunk in the first 4 KB"
			}
			return w, "no data chunk"
		}
		id, n := string(buf[off:off+4]), int64(le32(buf[off+4:off+8]))
		body := buf[off+8 : min(off+8+n, int64(len(buf)))]
		switch id {
		case "fmt ":
			if len(body) < 16 {
				return w, "fmt chunk too short"
			}
			w.haveFmt = true
			w.tag, w.channels = le16(body[0:2]), le16(body[2:4])
			w.rate, w.byteRate = int64(le32(body[4:8])), int64(le32(body[8:12]))
			w.bits = le16(body[14:16])
			if w.byteRate == 0 {
				w.byteRate = w.rate * int64(w.channels) * int64(w.bits) / 8
			}
			if w.channels == 0 || w.rate == 0 || w.byteRate < 1000 {
				// No telephone format carries less than G.729's 1000 bytes a second.
				return w, fmt.Sprintf("fmt chunk says %d channels, %d Hz, %d bytes a second", w.channels, w.rate, w.byteRate)
			}
		case "fact":
			if len(body) >= 4 {
				w.samples = int64(le32(body[0:4]))
			}
		case "data":
			if !w.haveFmt {
				return w, "data chunk before any fmt chunk"
			}
			w.dataSize, w.dataOff = uint32(n), off+8
			return w, ""
		}
		off += 8 + n + n&1
	}
}

// headerFormat names the format the fmt chunk describes, and says when it is not the
// one the extension promised. A tag Asterisk does not write keeps the promised name.
func headerFormat(w waveFmt, promised recordings.Format) (recordings.Format, string) {
	got := promised
	switch {
	case w.tag == 49:
		got = recordings.FormatWAV49
	case (w.tag == 1 || w.tag == 0xFFFE) && w.bits == 16 && w.rate == 16000:
		got = recordings.FormatWAV16
	case (w.tag == 1 || w.tag == 0xFFFE) && w.bits == 16:
		got = recordings.FormatWAV
	default:
		return got, fmt.Sprintf("format tag %d, %d-bit, %d Hz: not what Asterisk writes", w.tag, w.bits, w.rate)
	}
	switch {
	case got != promised:
		return got, fmt.Sprintf("header says %s, the extension promises %s", got, promised)
	case got == recordings.FormatWAV && w.rate != 8000:
		return got, fmt.Sprintf("PCM at %d Hz, not 8000", w.rate)
	case w.channels != 1:
		return got, fmt.Sprintf("%d channels, not mono", w.channels)
	}
	return got, ""
}
