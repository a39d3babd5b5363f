package stream

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"

	"github.com/totalrec/totalrec/recordings/audio"
)

// The binary form of Checkpoints, all integers little-endian:
//
//	"TRCP" version:u8 len:u8 codec every:u32 frames:u64 rate:u32 peakSamples:u32
//	stateSize:u32 n:u32 n×state n×mark:u32 peaks:u32 peaks×i16 peaks×i16(rms) crc32c:u32
//
// The trailing CRC-32C covers everything before it.
const (
	checkpointMagic   = "TRCP"
	checkpointVersion = 2 // 2: the RMS beside the peaks
)

var le = binary.LittleEndian

// MarshalBinary encodes the checkpoints for a cache.
func (cp *Checkpoints) MarshalBinary() ([]byte, error) {
	if len(cp.Codec) > math.MaxUint8 {
		return nil, fmt.Errorf("marshal checkpoints: codec name of %d bytes", len(cp.Codec))
	}
	if len(cp.RMS) != len(cp.Peaks) {
		return nil, fmt.Errorf("marshal checkpoints: %d peaks, %d RMS values", len(cp.Peaks), len(cp.RMS))
	}
	b := make([]byte, 0, 40+len(cp.Codec)+len(cp.states)+4*len(cp.marks)+4*len(cp.Peaks))
	b = append(b, checkpointMagic...)
	b = append(b, checkpointVersion, byte(len(cp.Codec)))
	b = append(b, cp.Codec...)
	b = le.AppendUint32(b, uint32(cp.Every))
	b = le.AppendUint64(b, uint64(cp.Frames))
	b = le.AppendUint32(b, uint32(cp.SampleRate))
	b = le.AppendUint32(b, uint32(cp.PeakSamples))
	b = le.AppendUint32(b, uint32(cp.stateSize))
	b = le.AppendUint32(b, uint32(len(cp.marks)))
	b = append(b, cp.states...)
	for _, m := range cp.marks {
		b = le.AppendUint32(b, m)
	}
	b = le.AppendUint32(b, uint32(len(cp.Peaks)))
	for _, p := range cp.Peaks {
		b = le.AppendUint16(b, uint16(p))
	}
	for _, p := range cp.RMS {
		b = le.AppendUint16(b, uint16(p))
	}
	return le.AppendUint32(b, crc32.Checksum(b, castagnoli())), nil
}

// UnmarshalBinary decodes checkpoints written by MarshalBinary. It refuses a
// blob that is cut short, altered (its CRC), of another version, internally
// inconsistent, or holding a decoder state its codec rejects, with an error
// matching ErrCheckpoints, and then leaves cp unchanged.
func (cp *Checkpoints) UnmarshalBinary(b []byte) error {
	if err := cp.unmarshal(b); err != nil {
		return fmt.Errorf("unmarshal checkpoints: %w: %w", ErrCheckpoints, err)
	}
	return nil
}

var errCorrupt = errors.New("corrupt")

func (cp *Checkpoints) unmarshal(b []byte) error {
	if len(b) < len(checkpointMagic)+4 || string(b[:4]) != checkpointMagic {
		return fmt.Errorf("no checkpoint signature: %w", errCorrupt)
	}
	body := b[:len(b)-4]
	if crc32.Checksum(body, castagnoli()) != le.Uint32(b[len(body):]) {
		return fmt.Errorf("checksum mismatch: %w", errCorrupt)
	}
	r := reader{b: body[4:]}
	if v := r.bytes(1); v != nil && v[0] != checkpointVersion {
		return fmt.Errorf("version %d, want %d: %w", v[0], checkpointVersion, errCorrupt)
	}
	var t Checkpoints
	if n := r.bytes(1); n != nil {
		t.Codec = string(r.bytes(int(n[0])))
	}
	every, frames := r.u32(), r.u64()
	t.SampleRate, t.PeakSamples, t.stateSize = int(r.u32()), int(r.u32()), int(r.u32())
	n := int(r.u32())
	if t.stateSize > 1<<16 {
		return fmt.Errorf("states of %d bytes: %w", t.stateSize, errCorrupt)
	}
	if b := r.bytes(n * t.stateSize); len(b) > 0 {
		t.states = bytes.Clone(b)
	}
	for range r.count(n, 4) {
		t.marks = append(t.marks, r.u32())
	}
	peaks := int(r.u32())
	for range r.count(peaks, 2) {
		t.Peaks = append(t.Peaks, int16(r.u16()))
	}
	for range r.count(len(t.Peaks), 2) {
		t.RMS = append(t.RMS, int16(r.u16()))
	}
	if r.short || len(r.b) != 0 {
		return fmt.Errorf("%d bytes left over or missing: %w", len(r.b), errCorrupt)
	}
	if every > math.MaxInt32 || frames > math.MaxInt64 || t.SampleRate <= 0 || t.PeakSamples <= 0 {
		return fmt.Errorf("every %d, frames %d, rate %d, peak samples %d: %w",
			every, frames, t.SampleRate, t.PeakSamples, errCorrupt)
	}
	t.Every, t.Frames = int(every), int64(frames)
	if err := t.checkStates(); err != nil {
		return err
	}
	*cp = t
	return nil
}

// checkStates makes sure there is one state every Every frames and that the
// codec accepts each of them.
func (cp *Checkpoints) checkStates() error {
	if err := cp.shape(); err != nil {
		return err
	}
	if cp.stateSize == 0 {
		return nil
	}
	codec, err := audio.CodecFor(cp.Codec)
	if err != nil {
		return fmt.Errorf("codec %q: %w", cp.Codec, err)
	}
	dec := codec.NewDecoder()
	if len(dec.State()) != cp.stateSize {
		return fmt.Errorf("%s states of %d bytes: %w", cp.Codec, cp.stateSize, errCorrupt)
	}
	for k := range cp.marks {
		if err := dec.Restore(cp.state(k)); err != nil {
			return fmt.Errorf("state %d: %w", k, err)
		}
	}
	return nil
}

// reader consumes a byte slice; a read past its end sets short and yields
// zeros, so a decoder checks once at the end.
type reader struct {
	b     []byte
	short bool
}

func (r *reader) bytes(n int) []byte {
	if n < 0 || n > len(r.b) {
		r.short, r.b = true, nil
		return nil
	}
	p := r.b[:n:n]
	r.b = r.b[n:]
	return p
}

// count returns n when n items of size bytes remain, else 0 (and marks r short),
// so that a corrupt count cannot force a large allocation.
func (r *reader) count(n, size int) int {
	if n < 0 || n > len(r.b)/size {
		r.short, r.b = true, nil
		return 0
	}
	return n
}

func (r *reader) u16() uint16 {
	if p := r.bytes(2); p != nil {
		return le.Uint16(p)
	}
	return 0
}

func (r *reader) u32() uint32 {
	if p := r.bytes(4); p != nil {
		return le.Uint32(p)
	}
	return 0
}

func (r *reader) u64() uint64 {
	if p := r.bytes(8); p != nil {
		return le.Uint64(p)
	}
	return 0
}
