package compress

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/totalrec/totalrec/recordings/audio"
)

// The check a new file passes before it replaces the original: decoded by the
// reference decoder, it is as long as the original to within maxDrift, and no
// second of it is silent where the same second of the original was not.
const (
	maxDrift = 20 * time.Millisecond
	// audible is the RMS (of 32767) above which a second of the original counts as
	// sound: about -50 dBFS, above a quiet line's noise.
	audible = 100
	// maxLoss is how much quieter a second of the new file may be than the same
	// second of the original: 18 dB. A speech codec at 16 kbit/s loses a few dB at
	// most; a second that lost more was dropped or muted.
	maxLoss = 8.0
)

// ErrCheck reports a new file that failed the check; the original is kept.
var ErrCheck = errors.New("compressed file failed its check")

// levels is what the check compares of two streams: their length and the loudness
// of each second.
type levels struct {
	rate, channels int
	frames         int64     // samples per channel
	rms            []float64 // of each second, channels together
}

func (l levels) duration() time.Duration {
	if l.rate == 0 {
		return 0
	}
	return time.Duration(l.frames) * time.Second / time.Duration(l.rate)
}

// measure reads a 16-bit PCM WAV stream to its end.
func measure(r io.Reader) (levels, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	ws, err := audio.ReadWAVStream(br)
	if err != nil {
		return levels{}, err
	}
	l := levels{rate: ws.SampleRate, channels: ws.Channels}
	per := int64(ws.SampleRate * ws.Channels) // samples in a second
	var (
		sum   float64
		n     int64
		total int64
		buf   = make([]byte, 32<<10)
	)
	for {
		k, err := io.ReadFull(br, buf)
		k -= k % 2
		for i := 0; i < k; i += 2 {
			s := float64(int16(binary.LittleEndian.Uint16(buf[i:])))
			sum += s * s
			if n++; n == per {
				l.rms = append(l.rms, math.Sqrt(sum/float64(n)))
				sum, n = 0, 0
			}
		}
		total += int64(k / 2)
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			return levels{}, err
		}
	}
	if n > 0 {
		l.rms = append(l.rms, math.Sqrt(sum/float64(n)))
	}
	l.frames = total / int64(ws.Channels)
	return l, nil
}

// compare checks the decoded new file against the original.
func compare(orig, got levels) error {
	if d := got.duration() - orig.duration(); d > maxDrift || d < -maxDrift {
		return fmt.Errorf("%w: it decodes to %s, the original to %s", ErrCheck, got.duration(), orig.duration())
	}
	for i, r := range orig.rms {
		if r < audible {
			continue
		}
		if i >= len(got.rms) || got.rms[i]*maxLoss < r {
			g := 0.0
			if i < len(got.rms) {
				g = got.rms[i]
			}
			return fmt.Errorf("%w: second %d is silent in it (level %.0f, the original's %.0f)", ErrCheck, i, g, r)
		}
	}
	return nil
}
