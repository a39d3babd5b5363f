package audio

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// WAV format tags this package decodes.
const (
	WAVFormatPCM        = 1      // linear PCM
	WAVFormatALaw       = 6      // G.711 A-law
	WAVFormatULaw       = 7      // G.711 µ-law
	WAVFormatGSM610     = 49     // Microsoft GSM 06.10 (Asterisk's wav49)
	wavFormatExtensible = 0xFFFE // WAVE_FORMAT_EXTENSIBLE; resolved to its sub-format
)

// ErrBadWAV reports a file that is not a RIFF/WAVE file this package can read.
var ErrBadWAV = errors.New("malformed WAV file")

// maxChunks bounds the chunk walk so that a hostile file of tiny chunks costs
// little.
const maxChunks = 1024

// WAVHeader returns the canonical 44-byte header of a PCM WAV file: RIFF, a
// 16-byte fmt chunk and the data chunk header. The RIFF size saturates for data
// lengths that would overflow it.
func WAVHeader(sampleRate, channels, bitsPerSample int, dataBytes uint32) [44]byte {
	var h [44]byte
	le := binary.LittleEndian
	blockAlign := channels * bitsPerSample / 8
	riff := uint64(dataBytes) + 36
	copy(h[0:], "RIFF")
	le.PutUint32(h[4:], uint32(min(riff, math.MaxUint32)))
	copy(h[8:], "WAVEfmt ")
	le.PutUint32(h[16:], 16)
	le.PutUint16(h[20:], WAVFormatPCM)
	le.PutUint16(h[22:], uint16(channels))
	le.PutUint32(h[24:], uint32(sampleRate))
	le.PutUint32(h[28:], uint32(sampleRate*blockAlign))
	le.PutUint16(h[32:], uint16(blockAlign))
	le.PutUint16(h[34:], uint16(bitsPerSample))
	copy(h[36:], "data")
	le.PutUint32(h[40:], dataBytes)
	return h
}

// WAV49Header returns the 60-byte header Asterisk's wav49 format writes: format tag
// 49 (GSM 6.10), 65-byte blocks of 320 samples at 8 kHz, a fact chunk with the sample
// count, then the data chunk header.
func WAV49Header(blocks uint32) [60]byte {
	var h [60]byte
	le := binary.LittleEndian
	data := uint64(blocks) * WAV49BlockBytes
	copy(h[0:], "RIFF")
	le.PutUint32(h[4:], uint32(min(data+52, math.MaxUint32)))
	copy(h[8:], "WAVEfmt ")
	le.PutUint32(h[16:], 20)
	le.PutUint16(h[20:], WAVFormatGSM610)
	le.PutUint16(h[22:], 1)
	le.PutUint32(h[24:], 8000)
	le.PutUint32(h[28:], 1625)
	le.PutUint16(h[32:], WAV49BlockBytes)
	le.PutUint16(h[34:], 0)
	le.PutUint16(h[36:], 2)
	le.PutUint16(h[38:], WAV49BlockSamples)
	copy(h[40:], "fact")
	le.PutUint32(h[44:], 4)
	le.PutUint32(h[48:], uint32(min(uint64(blocks)*WAV49BlockSamples, math.MaxUint32)))
	copy(h[52:], "data")
	le.PutUint32(h[56:], uint32(min(data, math.MaxUint32)))
	return h
}

// WAVInfo describes a WAV file's format and where its samples are.
type WAVInfo struct {
	FormatTag       uint16 // WAVFormatPCM, WAVFormatGSM610, ...; an extensible header's sub-format
	Channels        int
	SampleRate      int
	ByteRate        int
	BlockAlign      int
	BitsPerSample   int
	SamplesPerBlock int    // from the fmt extension of compressed formats (320 for GSM), else 0
	HasFact         bool   // a fact chunk was present
	FactSamples     uint32 // the fact chunk's sample count
	DataOffset      int64  // file offset of the first data byte
	DataLength      int64  // data bytes present in the file
	// Unpatched is set when the header's sizes were never filled in (zero, as a
	// recorder writes them before closing, or all ones, as streaming writers do):
	// the data then runs to the end of the file.
	Unpatched bool
	// Truncated is set when the data chunk claims more bytes than the file holds;
	// DataLength counts only those present.
	Truncated bool
}

// ParseWAV reads the RIFF structure of a size-byte WAV file. Chunks may come in any
// order and odd-sized chunks carry a pad byte; unknown chunks (fact, LIST, ...) are
// skipped. The file must have a fmt and a data chunk.
func ParseWAV(r io.ReaderAt, size int64) (WAVInfo, error) {
	var info WAVInfo
	var hdr [12]byte
	if err := readAt(r, hdr[:], 0, size); err != nil {
		return info, fmt.Errorf("read RIFF header: %w", err)
	}
	if string(hdr[0:4]) != "RIFF" || string(hdr[8:12]) != "WAVE" {
		return info, fmt.Errorf("no RIFF/WAVE signature: %w", ErrBadWAV)
	}
	riffSize := binary.LittleEndian.Uint32(hdr[4:])
	haveFmt, haveData := false, false
	off := int64(12)
	for range maxChunks {
		if off+8 > size {
			break
		}
		var ch [8]byte
		if err := readAt(r, ch[:], off, size); err != nil {
			return info, fmt.Errorf("read chunk header at %d: %w", off, err)
		}
		id, n := string(ch[0:4]), int64(binary.LittleEndian.Uint32(ch[4:]))
		body := off + 8
		switch id {
		case "fmt ":
			if haveFmt {
				break
			}
			if err := parseFmt(r, body, n, size, &info); err != nil {
				return info, err
			}
			haveFmt = true
		case "fact":
			var b [4]byte
			if n >= 4 && readAt(r, b[:], body, size) == nil {
				info.HasFact, info.FactSamples = true, binary.LittleEndian.Uint32(b[:])
			}
		case "data":
			if haveData {
				break // only the first data chunk counts
			}
			haveData = true
			info.DataOffset = body
			if (n == 0 && riffSize == 0) || n == math.MaxUint32 {
				info.Unpatched = true
				info.DataLength = size - body
			} else {
				info.DataLength = min(n, size-body)
				info.Truncated = n > size-body
			}
		}
		if haveData && info.Unpatched {
			break // the data runs to the end of the file: no chunk follows it
		}
		off = body + n + n&1
	}
	if !haveFmt {
		return info, fmt.Errorf("no fmt chunk: %w", ErrBadWAV)
	}
	if !haveData {
		return info, fmt.Errorf("no data chunk: %w", ErrBadWAV)
	}
	return info, nil
}

// parseFmt decodes an n-byte fmt chunk body at off.
func parseFmt(r io.ReaderAt, off, n, size int64, info *WAVInfo) error {
	if n < 16 {
		return fmt.Errorf("fmt chunk of %d bytes: %w", n, ErrBadWAV)
	}
	var b [40]byte
	m := min(n, int64(len(b)), size-off)
	if m < 16 {
		return fmt.Errorf("fmt chunk cut off after %d bytes: %w", m, ErrBadWAV)
	}
	if err := readAt(r, b[:m], off, size); err != nil {
		return fmt.Errorf("read fmt chunk: %w", err)
	}
	le := binary.LittleEndian
	info.FormatTag = le.Uint16(b[0:])
	info.Channels = int(le.Uint16(b[2:]))
	info.SampleRate = int(le.Uint32(b[4:]))
	info.ByteRate = int(le.Uint32(b[8:]))
	info.BlockAlign = int(le.Uint16(b[12:]))
	info.BitsPerSample = int(le.Uint16(b[14:]))
	cb := int64(0)
	if m >= 18 {
		cb = min(int64(le.Uint16(b[16:])), m-18)
	}
	switch {
	case info.FormatTag == WAVFormatGSM610 && cb >= 2:
		info.SamplesPerBlock = int(le.Uint16(b[18:]))
	case info.FormatTag == wavFormatExtensible && cb >= 22:
		// valid bits (2), channel mask (4), then the sub-format GUID whose first two
		// bytes are the plain format tag.
		info.FormatTag = le.Uint16(b[24:])
	}
	return nil
}

// readAt fills b from off, treating a read past size as a truncated file.
func readAt(r io.ReaderAt, b []byte, off, size int64) error {
	if off < 0 || off+int64(len(b)) > size {
		return fmt.Errorf("%d bytes at %d past end of %d-byte file: %w", len(b), off, size, ErrBadWAV)
	}
	if n, err := r.ReadAt(b, off); n < len(b) {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return err
	}
	return nil
}

// CodecForWAV returns the codec for the data chunk of a parsed WAV file: mono
// 16-bit PCM at any rate, mono µ-law and A-law at 8 kHz, and mono GSM 06.10 in
// 65-byte blocks. Anything else yields ErrUnsupported.
func CodecForWAV(info WAVInfo) (Codec, error) {
	bad := func(what string) (Codec, error) {
		return nil, fmt.Errorf("wav %s (format %d, %d channels, %d Hz, %d bits): %w",
			what, info.FormatTag, info.Channels, info.SampleRate, info.BitsPerSample, ErrUnsupported)
	}
	if info.Channels != 1 {
		return bad("not mono")
	}
	switch info.FormatTag {
	case WAVFormatPCM:
		if info.BitsPerSample != 16 || info.SampleRate <= 0 {
			return bad("pcm")
		}
		name := "wav"
		if info.SampleRate != 8000 {
			name = "wav16"
			if info.SampleRate != 16000 {
				name = fmt.Sprintf("wav%d", info.SampleRate)
			}
		}
		return slinCodec{name: name, rate: info.SampleRate}, nil
	case WAVFormatULaw, WAVFormatALaw:
		if info.SampleRate != 8000 || info.BitsPerSample != 8 {
			return bad("g711")
		}
		if info.FormatTag == WAVFormatULaw {
			return g711Codec{name: "ulaw", table: ulawTable}, nil
		}
		return g711Codec{name: "alaw", table: alawTable}, nil
	case WAVFormatGSM610:
		if info.SampleRate != 8000 || info.BlockAlign != WAV49BlockBytes {
			return bad("gsm")
		}
		return wav49Codec{}, nil
	}
	return bad("format")
}
