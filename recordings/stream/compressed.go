package stream

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/audio"
)

// compressedTypes are the media types of the forms recordings are compressed to.
// Browsers play both as they are, with Range requests for seeking.
var compressedTypes = map[recordings.Format]string{
	recordings.FormatOpus: "audio/ogg",
	recordings.FormatMP3:  "audio/mpeg",
}

// openCompressed serves an Ogg Opus or MP3 recording as its own bytes; its
// container gives the duration without decoding.
func openCompressed(f File, size int64, format recordings.Format) (Content, error) {
	info, err := audio.MP3Info(f, size)
	if format == recordings.FormatOpus {
		info, err = audio.OggOpusInfo(f, size)
	}
	if errors.Is(err, audio.ErrNotCompressed) {
		return Content{}, fmt.Errorf("open %s recording: %w: %w", format, ErrDamaged, err)
	}
	if err != nil {
		return Content{}, fmt.Errorf("open %s recording: %w", format, err)
	}
	return Content{R: wholeFile(f, size), Size: size, ContentType: compressedTypes[format],
		SampleRate: info.InputRate, Duration: info.Duration}, nil
}

// PeaksOf makes the waveform of a compressed recording from its decoded audio:
// wav is the 16-bit PCM WAV stream its decoder writes (see audio.ReadWAVStream).
// The Checkpoints hold peaks only: playback of a compressed recording needs no
// decoder state.
func PeaksOf(wav io.Reader, format recordings.Format) (*Checkpoints, error) {
	br := bufio.NewReaderSize(wav, 64<<10)
	ws, err := audio.ReadWAVStream(br)
	if err != nil {
		return nil, fmt.Errorf("waveform of %s recording: %w", format, err)
	}
	cp := &Checkpoints{Codec: "decoded/" + string(format), Every: 1, SampleRate: ws.SampleRate,
		PeakSamples: max(1, ws.SampleRate/10*ws.Channels)}
	var (
		peak peaker
		buf  = make([]byte, 16<<10)
		pcm  = make([]int16, len(buf)/2)
	)
	for {
		n, err := io.ReadFull(br, buf)
		n -= n % 2
		for i := range n / 2 {
			pcm[i] = int16(binary.LittleEndian.Uint16(buf[2*i:]))
		}
		cp.Peaks, cp.RMS = peak.add(cp.Peaks, cp.RMS, pcm[:n/2], cp.PeakSamples)
		cp.Frames += int64(n / 2)
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("waveform of %s recording: %w", format, err)
		}
	}
	cp.Peaks, cp.RMS = peak.flush(cp.Peaks, cp.RMS)
	return cp, nil
}
