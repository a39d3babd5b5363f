package stream

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/totalrec/totalrec/recordings/audio"
)

// batchBytes bounds the decoded output held at once: the memory a transcoder
// keeps is three buffers of at most this size, whatever the file's length.
const batchBytes = 16 << 10

// transcoder is the io.ReadSeeker of a transcoded recording: a synthetic WAV
// header followed by the decoded samples. It decodes one batch of frames at a
// time, batch b being frames [b·batch, (b+1)·batch), with a decoder whose state
// before each frame is that of a decoder run from the first frame: the bytes at
// an offset never depend on how the reader got there.
type transcoder struct {
	f      File
	src    source
	cp     *Checkpoints // nil: a stateful decoder starts at the first frame
	header [wavHeaderSize]byte
	size   int64
	off    int64

	batch    int  // frames per batch
	stateful bool // the decoder carries state between frames
	dec      audio.FrameDecoder
	next     int64 // the frame dec decodes next

	in    []byte
	pcm   []int16
	out   []byte
	first int64 // first frame whose output is in out
	held  int64 // frames whose output is in out

	decoded int64 // frames decoded, discarded ones included: the work done
}

// newTranscoder returns the transcoder of src; cp, if not nil, has passed check.
func newTranscoder(f File, src source, cp *Checkpoints) *transcoder {
	dec := src.codec.NewDecoder()
	t := &transcoder{
		f: f, src: src, size: wavHeaderSize + src.frames*int64(2*src.fs),
		batch: batchFrames(src), stateful: len(dec.State()) > 0, dec: dec,
	}
	if t.stateful {
		t.cp = cp
	}
	t.header = audio.WAVHeader(src.rate, 1, 16, uint32(t.size-wavHeaderSize))
	t.in = make([]byte, t.batch*src.fb)
	t.pcm = make([]int16, t.batch*src.fs)
	t.out = make([]byte, 2*len(t.pcm))
	return t
}

// batchFrames is the number of frames decoded at once: a second of audio, or
// fewer frames when a second would exceed batchBytes of output.
func batchFrames(src source) int {
	perSecond := max(1, src.rate*src.channels/src.fs)
	return max(1, min(perSecond, batchBytes/(2*src.fs)))
}

// Read implements io.Reader.
func (t *transcoder) Read(p []byte) (int, error) {
	if t.off >= t.size {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && t.off < t.size {
		var m int
		if t.off < wavHeaderSize {
			m = copy(p[n:], t.header[t.off:])
		} else {
			b, err := t.at(t.off - wavHeaderSize)
			if err != nil {
				return n, err
			}
			m = copy(p[n:], b)
		}
		n += m
		t.off += int64(m)
	}
	return n, nil
}

// Seek implements io.Seeker. It only moves the offset; decoding happens on Read.
func (t *transcoder) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += t.off
	case io.SeekEnd:
		offset += t.size
	default:
		return 0, fmt.Errorf("seek transcoded audio: whence %d: %w", whence, errInvalidSeek)
	}
	if offset < 0 {
		return 0, fmt.Errorf("seek transcoded audio to %d: %w", offset, errInvalidSeek)
	}
	t.off = offset
	return offset, nil
}

var errInvalidSeek = errors.New("invalid seek")

// at returns the decoded output from data byte d to the end of d's batch.
func (t *transcoder) at(d int64) ([]byte, error) {
	perFrame := int64(2 * t.src.fs)
	f := d / perFrame
	if f < t.first || f >= t.first+t.held {
		if err := t.fill(f - f%int64(t.batch)); err != nil {
			return nil, err
		}
	}
	return t.out[d-t.first*perFrame : t.held*perFrame], nil
}

// fill decodes the batch starting at frame b into out.
func (t *transcoder) fill(b int64) error {
	t.held = 0
	if err := t.position(b); err != nil {
		return err
	}
	n := min(int64(t.batch), t.src.frames-b)
	if err := t.decode(n); err != nil {
		return err
	}
	for i, s := range t.pcm[:n*int64(t.src.fs)] {
		binary.LittleEndian.PutUint16(t.out[2*i:], uint16(s))
	}
	t.first, t.held = b, n
	return nil
}

// position makes the decoder's next frame b. A stateless decoder just jumps. A
// stateful one continues from where it is, or restarts at the checkpoint at or
// before b (the first frame without checkpoints), whichever is nearer, and
// decodes forward to b.
func (t *transcoder) position(b int64) error {
	if !t.stateful {
		t.next = b
		return nil
	}
	k, start := t.cp.before(b)
	if t.next < start || t.next > b {
		if err := t.restart(k); err != nil {
			return err
		}
		t.next = start
	}
	for t.next < b {
		if err := t.decode(min(int64(t.batch), b-t.next)); err != nil {
			return err
		}
	}
	return nil
}

// restart resets the decoder to checkpoint k, or to the start of the stream when
// k is negative.
func (t *transcoder) restart(k int) error {
	t.next = -1
	if k < 0 {
		t.dec = t.src.codec.NewDecoder()
		return nil
	}
	if err := t.cp.verify(t.f, t.src, k); err != nil {
		return err
	}
	if err := t.dec.Restore(t.cp.state(k)); err != nil {
		return fmt.Errorf("restore checkpoint %d: %w: %w", k, ErrCheckpoints, err)
	}
	return nil
}

// decode decodes n frames from t.next into pcm.
func (t *transcoder) decode(n int64) error {
	in := t.in[:n*int64(t.src.fb)]
	if err := readFrames(t.f, t.src, t.next, in); err != nil {
		return err
	}
	if err := decodeFrames(t.dec, t.pcm, in, t.src.fb, t.src.fs); err != nil {
		t.next = -1 // the decoder's state is no longer that of any frame
		return fmt.Errorf("decode frames at %d: %w", t.next, err)
	}
	t.next += n
	t.decoded += n
	return nil
}

// readFrames reads len(p) bytes of input from frame i.
func readFrames(f File, src source, i int64, p []byte) error {
	off := src.dataOff + i*int64(src.fb)
	if n, err := f.ReadAt(p, off); n < len(p) {
		if err == nil || errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("read %d bytes of audio at %d: %w", len(p), off, err)
	}
	return nil
}

// decodeFrames decodes the whole frames of src into dst. A raw GSM frame without
// its signature nibble, which libgsm refuses, becomes a frame of silence and
// leaves the decoder's state as it was, so one damaged frame does not end the
// recording.
func decodeFrames(dec audio.FrameDecoder, dst []int16, src []byte, fb, fs int) error {
	for len(src) >= fb {
		n, err := dec.Decode(dst, src)
		if err == nil {
			return nil
		}
		if !errors.Is(err, audio.ErrBadFrame) {
			return err
		}
		bad := n / fs
		clear(dst[n : n+fs])
		dst, src = dst[n+fs:], src[(bad+1)*fb:]
	}
	return nil
}
