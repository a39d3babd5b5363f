package audio

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestGSMCheckpoints decodes a whole file once, taking a state checkpoint before
// every frame, then restarts from 30 random checkpoints (marshalled and
// unmarshalled, as a stored checkpoint would be) and decodes to the end: every
// sample must equal the whole-file decode.
func TestGSMCheckpoints(t *testing.T) {
	needSox(t)
	for _, tc := range []struct {
		codec Codec
		opts  []string
		name  string
	}{
		{gsmCodec{}, []string{"-t", "gsm"}, "x.gsm"},
		{wav49Codec{}, []string{"-e", "gsm-full-rate"}, "x.wav"},
	} {
		t.Run(tc.codec.Name(), func(t *testing.T) {
			in := soxGenerate(t, longSignal, tc.name, tc.opts...)
			if tc.codec.Name() == "wav49" {
				_, _, in = wavData(t, in)
			}
			fb, fs := tc.codec.FrameBytes(), tc.codec.FrameSamples()
			frames := len(in) / fb
			whole := make([]int16, frames*fs)
			checkpoints := make([][]byte, frames)
			dec := tc.codec.NewDecoder()
			for i := range frames {
				checkpoints[i] = dec.State()
				if _, err := dec.Decode(whole[i*fs:], in[i*fb:(i+1)*fb]); err != nil {
					t.Fatal(err)
				}
			}
			sameSamples(t, whole, decodeAll(t, tc.codec, in))

			rng := rand.New(rand.NewPCG(1, 2))
			for range 30 {
				i := rng.IntN(frames)
				var st GSMState
				if err := st.UnmarshalBinary(checkpoints[i]); err != nil {
					t.Fatalf("checkpoint %d: %v", i, err)
				}
				stored, _ := st.MarshalBinary()
				if !bytes.Equal(stored, checkpoints[i]) {
					t.Fatalf("checkpoint %d does not survive a marshalling round trip", i)
				}
				d := tc.codec.NewDecoder()
				if err := d.Restore(stored); err != nil {
					t.Fatalf("restore checkpoint %d: %v", i, err)
				}
				tail := make([]int16, (frames-i)*fs)
				if _, err := d.Decode(tail, in[i*fb:]); err != nil {
					t.Fatal(err)
				}
				if i > 0 && bytes.Equal(checkpoints[i], checkpoints[0]) {
					t.Fatalf("checkpoint %d equals the initial state", i)
				}
				sameSamples(t, tail, whole[i*fs:])
			}
		})
	}
}

// TestGSMStateValue checks that GSMState is a plain value: restoring a copy
// continues exactly as the original decoder does.
func TestGSMStateValue(t *testing.T) {
	in := randomGSM(5, 50)
	var a, b GSMDecoder
	var out [GSMFrameSamples]int16
	for i := range 25 {
		_ = a.DecodeFrame(&out, (*[GSMFrameBytes]byte)(in[i*GSMFrameBytes:]))
	}
	b.Restore(a.State())
	var x, y [GSMFrameSamples]int16
	for i := 25; i < 50; i++ {
		_ = a.DecodeFrame(&x, (*[GSMFrameBytes]byte)(in[i*GSMFrameBytes:]))
		_ = b.DecodeFrame(&y, (*[GSMFrameBytes]byte)(in[i*GSMFrameBytes:]))
		if x != y || a.State() != b.State() {
			t.Fatalf("frame %d: restored decoder diverged", i)
		}
	}
}

func TestGSMStateUnmarshalRefuses(t *testing.T) {
	good, _ := GSMState{}.MarshalBinary()
	for name, b := range map[string][]byte{
		"empty":   nil,
		"short":   good[:len(good)-1],
		"long":    append(append([]byte{}, good...), 0),
		"version": append([]byte{9}, good[1:]...),
		"lag":     append(append([]byte{}, good[:len(good)-4]...), 200, 0, 0, 0),
	} {
		var s GSMState
		if err := s.UnmarshalBinary(b); err == nil {
			t.Errorf("%s: UnmarshalBinary accepted %d bytes", name, len(b))
		}
	}
}
