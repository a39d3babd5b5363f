package stream

import (
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"sync"

	"github.com/totalrec/totalrec/recordings"
)

// Checkpoints are what one decoding pass over a recording leaves behind for later
// reads: the decoder state before every Every-th frame, so that a read anywhere
// decodes at most Every frames before the bytes it returns, and the waveform
// peaks. They stay valid while the file only grows (a recording still being
// written): frames past Frames are decoded from the last checkpoint onwards.
//
// Stateless formats (G.711, PCM) have peaks but no states.
type Checkpoints struct {
	Codec       string  // the codec decoded: "gsm", "wav49", "g722", "ulaw", ..., or pcm/RATE/CHANNELS
	Every       int     // frames between checkpoints
	Frames      int64   // input frames the pass covered
	SampleRate  int     // in Hz
	PeakSamples int     // samples per peak (100 ms; all channels of stereo PCM)
	Peaks       []int16 // the largest absolute sample of each PeakSamples, the last one partial
	RMS         []int16 // the root mean square of the same samples: how loud, where Peaks is how high

	stateSize int      // bytes per decoder state; 0 for stateless codecs
	states    []byte   // state k, before frame k·Every, at [k·stateSize, (k+1)·stateSize)
	marks     []uint32 // mark k: fingerprint of the input just before frame k·Every
}

// markBytes is how much input before a checkpoint its fingerprint covers. The
// input before a checkpoint is what its state was computed from, and it stays the
// same while a recording grows.
const markBytes = 64

// castagnoli is the CRC-32C table, made on first use rather than at every
// process start (the hook never needs it).
var castagnoli = sync.OnceValue(func() *crc32.Table { return crc32.MakeTable(crc32.Castagnoli) })

// BuildCheckpoints decodes a size-byte recording once and returns its checkpoints
// and peaks. every is the number of input frames between checkpoints; zero or
// less picks about five seconds' worth (250 GSM frames, 125 WAV49 blocks, 40960
// G.722 bytes), a whole number of decode batches so that a read decodes at most
// every frames. Its errors are those of Open.
func BuildCheckpoints(f File, size int64, format recordings.Format, every int) (*Checkpoints, error) {
	src, err := probe(f, size, format)
	if err != nil {
		return nil, fmt.Errorf("build checkpoints of %s recording: %w", format, err)
	}
	batch := int64(batchFrames(src))
	if every <= 0 {
		every = defaultEvery(src, int(batch))
	}
	dec := src.codec.NewDecoder()
	cp := &Checkpoints{
		Codec: src.name, Every: every, Frames: src.frames, SampleRate: src.rate,
		PeakSamples: max(1, src.rate/10*src.channels), stateSize: len(dec.State()),
	}
	in := make([]byte, batch*int64(src.fb))
	pcm := make([]int16, batch*int64(src.fs))
	var peak peaker
	for next := int64(0); next < src.frames; {
		n := min(batch, src.frames-next)
		if cp.stateSize > 0 {
			if next%int64(every) == 0 {
				m, err := mark(f, src, next)
				if err != nil {
					return nil, fmt.Errorf("build checkpoints: %w", err)
				}
				cp.states = append(cp.states, dec.State()...)
				cp.marks = append(cp.marks, m)
			}
			n = min(n, int64(every)-next%int64(every))
		}
		if err := readFrames(f, src, next, in[:n*int64(src.fb)]); err != nil {
			return nil, fmt.Errorf("build checkpoints: %w", err)
		}
		if err := decodeFrames(dec, pcm, in[:n*int64(src.fb)], src.fb, src.fs); err != nil {
			return nil, fmt.Errorf("build checkpoints: decode frames at %d: %w", next, err)
		}
		cp.Peaks, cp.RMS = peak.add(cp.Peaks, cp.RMS, pcm[:n*int64(src.fs)], cp.PeakSamples)
		next += n
	}
	cp.Peaks, cp.RMS = peak.flush(cp.Peaks, cp.RMS)
	return cp, nil
}

// defaultEvery is about five seconds of frames, rounded to whole batches.
func defaultEvery(src source, batch int) int {
	perSecond := float64(src.rate*src.channels) / float64(src.fs)
	return batch * max(1, int(5*perSecond/float64(batch)+0.5))
}

// peaker accumulates the largest absolute sample of each bucket, and the sum
// of its squares for the root mean square.
type peaker struct {
	max   int16
	sum   float64
	count int
}

func (p *peaker) add(peaks, rms, samples []int16, per int) ([]int16, []int16) {
	for _, s := range samples {
		a := int32(s)
		if a < 0 {
			a = -a
		}
		p.max = int16(max(int32(p.max), min(a, 32767)))
		p.sum += float64(a) * float64(a)
		if p.count++; p.count == per {
			peaks, rms = p.flush(peaks, rms)
		}
	}
	return peaks, rms
}

func (p *peaker) flush(peaks, rms []int16) ([]int16, []int16) {
	if p.count > 0 {
		peaks = append(peaks, p.max)
		rms = append(rms, int16(min(32767, math.Round(math.Sqrt(p.sum/float64(p.count))))))
	}
	p.max, p.sum, p.count = 0, 0, 0
	return peaks, rms
}

// mark fingerprints the input just before frame i.
func mark(f File, src source, i int64) (uint32, error) {
	end := i * int64(src.fb)
	n := min(end, markBytes)
	var b [markBytes]byte
	off := src.dataOff + end - n
	if m, err := f.ReadAt(b[:n], off); int64(m) < n {
		if err == nil || errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return 0, fmt.Errorf("read %d bytes of audio at %d: %w", n, off, err)
	}
	return crc32.Checksum(b[:n], castagnoli()), nil
}

// before returns the last checkpoint at or before frame i and its frame, or -1
// and frame 0 (the start of the stream) when there is none.
func (cp *Checkpoints) before(i int64) (int, int64) {
	if cp == nil || len(cp.marks) == 0 {
		return -1, 0
	}
	k := int(min(i/int64(cp.Every), int64(len(cp.marks)-1)))
	return k, int64(k) * int64(cp.Every)
}

// state returns decoder state k.
func (cp *Checkpoints) state(k int) []byte {
	return cp.states[k*cp.stateSize : (k+1)*cp.stateSize]
}

// check tells whether cp can serve reads of src: same codec and state size, no
// more frames than the file holds, and the last checkpoint's fingerprint found
// in the file. A nil cp always can.
func (cp *Checkpoints) check(f File, src source) error {
	if cp == nil {
		return nil
	}
	if cp.Codec != src.name {
		return fmt.Errorf("checkpoints of %s for %s audio: %w", cp.Codec, src.name, ErrCheckpoints)
	}
	if cp.Frames > src.frames {
		return fmt.Errorf("checkpoints of %d frames for a file of %d: %w", cp.Frames, src.frames, ErrCheckpoints)
	}
	if cp.stateSize != len(src.codec.NewDecoder().State()) {
		return fmt.Errorf("%s checkpoints with states of %d bytes: %w", cp.Codec, cp.stateSize, ErrCheckpoints)
	}
	if err := cp.shape(); err != nil {
		return fmt.Errorf("checkpoints of %s: %w: %w", cp.Codec, ErrCheckpoints, err)
	}
	if len(cp.marks) > 0 {
		return cp.verify(f, src, len(cp.marks)-1)
	}
	return nil
}

// shape checks that there is one state and mark every Every frames, and none
// for a stateless codec.
func (cp *Checkpoints) shape() error {
	if cp.Every <= 0 || cp.Frames < 0 {
		return fmt.Errorf("every %d of %d frames: %w", cp.Every, cp.Frames, errCorrupt)
	}
	want := int64(0)
	if cp.stateSize > 0 {
		want = (cp.Frames + int64(cp.Every) - 1) / int64(cp.Every)
	}
	if int64(len(cp.marks)) != want || len(cp.states) != len(cp.marks)*cp.stateSize {
		return fmt.Errorf("%d marks and %d bytes of states for %d frames every %d: %w",
			len(cp.marks), len(cp.states), cp.Frames, cp.Every, errCorrupt)
	}
	return nil
}

// verify checks checkpoint k's fingerprint against the file.
func (cp *Checkpoints) verify(f File, src source, k int) error {
	m, err := mark(f, src, int64(k)*int64(cp.Every))
	if err != nil {
		return fmt.Errorf("verify checkpoint %d: %w", k, err)
	}
	if m != cp.marks[k] {
		return fmt.Errorf("checkpoint %d: input differs from the file the checkpoints were built from: %w", k, ErrCheckpoints)
	}
	return nil
}
