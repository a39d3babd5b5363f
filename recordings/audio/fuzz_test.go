package audio

import (
	"bytes"
	"testing"
)

// FuzzGSMDecode feeds arbitrary bytes to every stateful decoder, as frames and as
// checkpoints: nothing may panic, and a rejected checkpoint leaves a decoder usable.
func FuzzGSMDecode(f *testing.F) {
	f.Add(randomGSM(1, 2))
	f.Add(make([]byte, WAV49BlockBytes))
	f.Add([]byte{0xD0})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, c := range []Codec{gsmCodec{}, wav49Codec{}, g722Codec{}} {
			d := c.NewDecoder()
			_ = d.Restore(b)
			dst := make([]int16, len(b)/c.FrameBytes()*c.FrameSamples())
			n, err := d.Decode(dst, b)
			if n > len(dst) || n%c.FrameSamples() != 0 || (err == nil && n != len(dst)) {
				t.Fatalf("%s: Decode = %d, %v for %d bytes", c.Name(), n, err, len(b))
			}
		}
		var s GSMState
		if s.UnmarshalBinary(b) == nil {
			if m, _ := s.MarshalBinary(); !bytes.Equal(m, b) {
				t.Fatal("GSMState round trip changed the bytes")
			}
		}
	})
}

// FuzzParseWAV parses arbitrary bytes as a WAV file: nothing may panic, and an
// accepted file's data must lie inside it and decode without panicking.
func FuzzParseWAV(f *testing.F) {
	h := WAVHeader(8000, 1, 16, 4)
	f.Add(append(h[:], 1, 2, 3, 4))
	f.Add(asteriskWAV49(make([]byte, WAV49BlockBytes), true))
	f.Add(riff(chunk("LIST", []byte{1}), chunk("fmt ", extensibleFmt(WAVFormatALaw)), chunk("data", []byte{1, 2})))
	f.Fuzz(func(t *testing.T, b []byte) {
		info, err := ParseWAV(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		if info.DataOffset < 12 || info.DataLength < 0 || info.DataOffset+info.DataLength > int64(len(b)) {
			t.Fatalf("data [%d,+%d) outside a %d-byte file", info.DataOffset, info.DataLength, len(b))
		}
		c, err := CodecForWAV(info)
		if err != nil {
			return
		}
		data := b[info.DataOffset : info.DataOffset+info.DataLength]
		dst := make([]int16, len(data)/c.FrameBytes()*c.FrameSamples())
		_, _ = c.NewDecoder().Decode(dst, data)
	})
}
