package audio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"
)

// The compressed forms Totalrec converts recordings to after the call are not
// decoded here (libopus and LAME do that, through their programs); this file only
// reads their containers for the length of the audio, as the spool's probe and the
// player need it without decoding.

// ErrNotCompressed reports a file that is not the Ogg Opus or MP3 stream its name
// promises.
var ErrNotCompressed = errors.New("not a compressed audio stream")

// CompressedInfo is what a compressed file's container says of its audio.
type CompressedInfo struct {
	SampleRate int           // of the decoded audio: 48000 for Opus, the MP3's own rate
	InputRate  int           // the rate the encoder was given, when the container says
	Samples    int64         // at SampleRate, priming and padding excluded
	Duration   time.Duration // Samples at SampleRate
}

// oggTail is how far from the end OggOpusInfo looks for the last page: an Ogg page
// is at most 65,307 bytes.
const oggTail = 65536 + 27 + 255

// OggOpusInfo reads an Ogg Opus file of size bytes: the OpusHead packet of its
// first page (pre-skip, input rate) and the granule position of its last page,
// which counts 48 kHz samples from the stream's start, pre-skip included.
func OggOpusInfo(r io.ReaderAt, size int64) (CompressedInfo, error) {
	var head [27 + 255 + 19]byte
	n, err := r.ReadAt(head[:], 0)
	if n < 27+1+19 && err != nil {
		return CompressedInfo{}, fmt.Errorf("read Ogg header: %w", ErrNotCompressed)
	}
	b := head[:n]
	if !bytes.HasPrefix(b, []byte("OggS")) {
		return CompressedInfo{}, fmt.Errorf("no Ogg page at the start: %w", ErrNotCompressed)
	}
	segs := int(b[26])
	if len(b) < 27+segs+19 || !bytes.HasPrefix(b[27+segs:], []byte("OpusHead")) {
		return CompressedInfo{}, fmt.Errorf("first Ogg packet is not OpusHead: %w", ErrNotCompressed)
	}
	oh := b[27+segs:]
	info := CompressedInfo{SampleRate: 48000, InputRate: int(binary.LittleEndian.Uint32(oh[12:16]))}
	preSkip := int64(binary.LittleEndian.Uint16(oh[10:12]))

	off := max(size-oggTail, 0)
	tail := make([]byte, size-off)
	if n, err := r.ReadAt(tail, off); n < len(tail) {
		return CompressedInfo{}, fmt.Errorf("read Ogg tail: %w", err)
	}
	granule := int64(-1)
	for i := bytes.LastIndex(tail, []byte("OggS")); i >= 0; i = bytes.LastIndex(tail[:i], []byte("OggS")) {
		p := tail[i:]
		if len(p) < 27 || p[4] != 0 || len(p) < 27+int(p[26]) {
			continue
		}
		body := 0
		for _, l := range p[27 : 27+int(p[26])] {
			body += int(l)
		}
		if len(p) < 27+int(p[26])+body {
			continue // a page cut short: look at the one before
		}
		if g := int64(binary.LittleEndian.Uint64(p[6:14])); g >= 0 {
			granule = g
			break
		}
	}
	if granule < 0 {
		return CompressedInfo{}, fmt.Errorf("no complete Ogg page with a position: %w", ErrNotCompressed)
	}
	info.Samples = max(granule-preSkip, 0)
	info.Duration = samplesDuration(info.Samples, info.SampleRate)
	return info, nil
}

// mp3Rates are the sample rates of MPEG 1, 2 and 2.5 layer III, by the header's
// version bits (3, 2, 0) and rate index.
var mp3Rates = map[byte][3]int{3: {44100, 48000, 32000}, 2: {22050, 24000, 16000}, 0: {11025, 12000, 8000}}

// MP3Info reads the first frame of an MP3 file written by LAME: its Xing or Info
// tag counts the frames, and the LAME extension says how many samples of priming
// (encoder delay) and padding the frames hold. A file without the tag (written to
// a pipe, which LAME cannot go back to patch) is an error: its length cannot be
// known without decoding it.
func MP3Info(r io.ReaderAt, size int64) (CompressedInfo, error) {
	var b [4096]byte
	n, err := r.ReadAt(b[:], 0)
	if n < 4+32+16 && err != nil {
		return CompressedInfo{}, fmt.Errorf("read MP3 header: %w", ErrNotCompressed)
	}
	h := b[:n]
	if bytes.HasPrefix(h, []byte("ID3")) && len(h) >= 10 {
		skip := int64(h[6]&0x7f)<<21 | int64(h[7]&0x7f)<<14 | int64(h[8]&0x7f)<<7 | int64(h[9]&0x7f) + 10
		if n, _ = r.ReadAt(b[:], skip); n < 4+32+16 {
			return CompressedInfo{}, fmt.Errorf("read MP3 header: %w", ErrNotCompressed)
		}
		h = b[:n]
	}
	if h[0] != 0xff || h[1]&0xe0 != 0xe0 || (h[1]>>1)&3 != 1 {
		return CompressedInfo{}, fmt.Errorf("no MPEG layer III frame at the start: %w", ErrNotCompressed)
	}
	version, rateIdx := (h[1]>>3)&3, (h[2]>>2)&3
	rates, ok := mp3Rates[version]
	if !ok || rateIdx == 3 {
		return CompressedInfo{}, fmt.Errorf("MPEG frame header has a reserved version or rate: %w", ErrNotCompressed)
	}
	mono := h[3]>>6 == 3
	side, perFrame := 32, int64(1152)
	switch {
	case version == 3 && mono:
		side = 17
	case version != 3 && mono:
		side, perFrame = 9, 576
	case version != 3:
		side, perFrame = 17, 576
	}
	x := h[4+side:]
	if len(x) < 16 || (!bytes.HasPrefix(x, []byte("Xing")) && !bytes.HasPrefix(x, []byte("Info"))) {
		return CompressedInfo{}, fmt.Errorf("MP3 has no Xing or Info tag, so its length is unknown: %w", ErrNotCompressed)
	}
	flags := binary.BigEndian.Uint32(x[4:8])
	if flags&1 == 0 {
		return CompressedInfo{}, fmt.Errorf("MP3's Xing tag does not count frames: %w", ErrNotCompressed)
	}
	frames := int64(binary.BigEndian.Uint32(x[8:12]))
	at := 12
	for _, f := range []struct {
		bit uint32
		n   int
	}{{1, 0}, {2, 4}, {4, 100}, {8, 4}} {
		if flags&f.bit != 0 {
			at += f.n
		}
	}
	var delay, padding int64
	if len(x) >= at+24 && bytes.HasPrefix(x[at:], []byte("LAME")) {
		d := x[at+21 : at+24]
		delay = int64(d[0])<<4 | int64(d[1])>>4
		padding = int64(d[1]&0x0f)<<8 | int64(d[2])
	}
	info := CompressedInfo{SampleRate: rates[rateIdx], InputRate: rates[rateIdx]}
	info.Samples = max(frames*perFrame-delay-padding, 0)
	info.Duration = samplesDuration(info.Samples, info.SampleRate)
	return info, nil
}

func samplesDuration(n int64, rate int) time.Duration {
	if rate <= 0 {
		return 0
	}
	return time.Duration(n/int64(rate))*time.Second + time.Duration(n%int64(rate))*time.Second/time.Duration(rate)
}

// WAVStream is the format of a 16-bit PCM WAV read as a stream (from a decoder's
// output), whose size fields may say "unknown".
type WAVStream struct {
	SampleRate, Channels int
}

// ReadWAVStream reads a WAV header from r, chunk after chunk up to the data
// chunk, and leaves r at the first sample. Only 16-bit PCM is accepted. The data
// chunk's size is not trusted: a decoder writing to a pipe cannot patch it, so the
// samples run to the end of r.
func ReadWAVStream(r io.Reader) (WAVStream, error) {
	var hdr [12]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return WAVStream{}, fmt.Errorf("read WAV stream: %w", err)
	}
	if string(hdr[0:4]) != "RIFF" || string(hdr[8:12]) != "WAVE" {
		return WAVStream{}, fmt.Errorf("read WAV stream: no RIFF/WAVE signature: %w", ErrBadWAV)
	}
	var ws WAVStream
	for {
		var ch [8]byte
		if _, err := io.ReadFull(r, ch[:]); err != nil {
			return WAVStream{}, fmt.Errorf("read WAV stream: no data chunk: %w", err)
		}
		n := int64(binary.LittleEndian.Uint32(ch[4:8]))
		switch string(ch[0:4]) {
		case "data":
			if ws.SampleRate == 0 {
				return WAVStream{}, fmt.Errorf("read WAV stream: data before fmt: %w", ErrBadWAV)
			}
			return ws, nil
		case "fmt ":
			if n < 16 || n > 1024 {
				return WAVStream{}, fmt.Errorf("read WAV stream: fmt chunk of %d bytes: %w", n, ErrBadWAV)
			}
			b := make([]byte, n+n&1)
			if _, err := io.ReadFull(r, b); err != nil {
				return WAVStream{}, fmt.Errorf("read WAV stream: %w", err)
			}
			tag, bits := binary.LittleEndian.Uint16(b[0:2]), binary.LittleEndian.Uint16(b[14:16])
			if tag == 0xfffe && n >= 40 { // WAVE_FORMAT_EXTENSIBLE: the sub-format's first two bytes
				tag = binary.LittleEndian.Uint16(b[24:26])
			}
			ws.Channels, ws.SampleRate = int(binary.LittleEndian.Uint16(b[2:4])), int(binary.LittleEndian.Uint32(b[4:8]))
			if tag != WAVFormatPCM || bits != 16 || ws.Channels < 1 || ws.SampleRate <= 0 {
				return WAVStream{}, fmt.Errorf("read WAV stream: format %#x, %d bits, %d channels: %w", tag, bits, ws.Channels, ErrBadWAV)
			}
		default:
			if _, err := io.CopyN(io.Discard, r, n+n&1); err != nil {
				return WAVStream{}, fmt.Errorf("read WAV stream: %w", err)
			}
		}
	}
}
