package audio

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// GSMState is everything a GSM 06.10 decoder carries from one frame to the next: the
// long-term predictor history, the last lag, the previous frame's log-area ratios,
// the lattice filter memory and the de-emphasis memory. It is a comparable value of
// 276 bytes; the zero value is the state at the start of a stream.
type GSMState struct {
	dp    [120]int16 // reconstructed short-term residual of the last 120 samples
	larpp [8]int16   // decoded log-area ratios of the previous frame
	v     [8]int16   // short-term synthesis lattice memory
	nrp   int16      // last valid LTP lag; 0 stands for the initial 40
	msr   int16      // de-emphasis filter memory
}

// gsmStateVersion leads the binary form so that a stored checkpoint from an
// incompatible layout is refused instead of misread.
const gsmStateVersion = 1

// GSMStateSize is the length of a marshalled GSMState.
const GSMStateSize = 1 + 2*(120+8+8+1+1)

// ErrBadState reports a checkpoint that is not a marshalled decoder state.
var ErrBadState = errors.New("malformed decoder state")

// MarshalBinary encodes the state as a version byte followed by its words in
// little-endian order.
func (s GSMState) MarshalBinary() ([]byte, error) {
	return s.appendBinary(make([]byte, 0, GSMStateSize)), nil
}

func (s *GSMState) appendBinary(b []byte) []byte {
	b = append(b, gsmStateVersion)
	for _, w := range s.arrays() {
		for _, x := range w {
			b = binary.LittleEndian.AppendUint16(b, uint16(x))
		}
	}
	b = binary.LittleEndian.AppendUint16(b, uint16(s.nrp))
	return binary.LittleEndian.AppendUint16(b, uint16(s.msr))
}

// UnmarshalBinary decodes a state written by MarshalBinary. It refuses a wrong
// length, an unknown version or a lag the decoder can never reach, and then leaves
// s unchanged.
func (s *GSMState) UnmarshalBinary(b []byte) error {
	if len(b) != GSMStateSize {
		return fmt.Errorf("gsm state of %d bytes, want %d: %w", len(b), GSMStateSize, ErrBadState)
	}
	if b[0] != gsmStateVersion {
		return fmt.Errorf("gsm state version %d: %w", b[0], ErrBadState)
	}
	var t GSMState
	b = b[1:]
	for _, w := range t.arrays() {
		for i := range w {
			w[i] = int16(binary.LittleEndian.Uint16(b))
			b = b[2:]
		}
	}
	t.nrp = int16(binary.LittleEndian.Uint16(b))
	t.msr = int16(binary.LittleEndian.Uint16(b[2:]))
	if t.nrp != 0 && (t.nrp < minLag || t.nrp > maxLag) {
		return fmt.Errorf("gsm state lag %d: %w", t.nrp, ErrBadState)
	}
	*s = t
	return nil
}

// arrays lists the state's array fields in their binary order; nrp and msr follow.
func (s *GSMState) arrays() [3][]int16 {
	return [3][]int16{s.dp[:], s.larpp[:], s.v[:]}
}
