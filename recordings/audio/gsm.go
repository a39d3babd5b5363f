package audio

import "errors"

// GSM 06.10 frame geometry.
const (
	// GSMFrameBytes is the size of one raw GSM 06.10 frame (260 bits after a 4-bit
	// signature nibble).
	GSMFrameBytes = 33
	// GSMFrameSamples is the number of 8 kHz samples one GSM frame decodes to (20 ms).
	GSMFrameSamples = 160
	// WAV49BlockBytes is the size of one Microsoft GSM (WAV format tag 49) block,
	// which packs two frames into 520 bits.
	WAV49BlockBytes = 65
	// WAV49BlockSamples is the number of samples one WAV49 block decodes to (40 ms).
	WAV49BlockSamples = 2 * GSMFrameSamples
)

// gsmMagic is the signature nibble at the top of the first byte of a raw frame.
const gsmMagic = 0xD

// ErrBadFrame reports a raw GSM frame without the 0xD signature nibble; libgsm (and
// so sox) refuses such a frame, and so does this decoder.
var ErrBadFrame = errors.New("gsm frame without signature nibble")

// GSMDecoder is a GSM 06.10 full-rate (RPE-LTP) decoder producing the same samples
// as libgsm, bit for bit. The zero value is a decoder at the start of a stream.
// Decoding is sequential: each frame depends on the state left by the previous one,
// which State and Restore expose for checkpoints.
type GSMDecoder struct {
	s GSMState
}

// gsmParams holds the 76 parameters of one frame as transmitted.
type gsmParams struct {
	larc  [8]int16     // log-area ratios, unsigned as coded
	nc    [4]int16     // LTP lags
	bc    [4]int16     // LTP gains
	mc    [4]int16     // RPE grid positions
	xmaxc [4]int16     // block amplitudes
	xmc   [4][13]int16 // RPE pulses, unsigned as coded
}

// Reset returns the decoder to the start-of-stream state.
func (d *GSMDecoder) Reset() { d.s = GSMState{} }

// State returns a copy of everything the decoder carries from one frame to the next.
func (d *GSMDecoder) State() GSMState { return d.s }

// Restore makes the decoder continue from a state taken with State. Decoding the
// frames that followed that state then yields exactly the samples a decoder that
// ran from the start of the stream produces.
func (d *GSMDecoder) Restore(s GSMState) { d.s = s }

// DecodeFrame decodes one raw 33-byte frame into 160 samples. A frame without the
// signature nibble yields ErrBadFrame and leaves dst and the decoder untouched.
func (d *GSMDecoder) DecodeFrame(dst *[GSMFrameSamples]int16, frame *[GSMFrameBytes]byte) error {
	if frame[0]>>4 != gsmMagic {
		return ErrBadFrame
	}
	var p gsmParams
	unpackRaw(&p, frame)
	d.s.decode(&p, dst)
	return nil
}

// DecodeWAV49Block decodes one 65-byte Microsoft GSM block (two frames) into 320
// samples. Every bit pattern is a valid block, so the error is always nil; it is
// there so that both GSM packings share one calling convention.
func (d *GSMDecoder) DecodeWAV49Block(dst *[WAV49BlockSamples]int16, block *[WAV49BlockBytes]byte) error {
	var p gsmParams
	r := bitReader{b: block[:], lsb: true}
	unpackFields(&p, &r)
	d.s.decode(&p, (*[GSMFrameSamples]int16)(dst[:GSMFrameSamples]))
	unpackFields(&p, &r)
	d.s.decode(&p, (*[GSMFrameSamples]int16)(dst[GSMFrameSamples:]))
	return nil
}

// decode runs the RPE-LTP synthesis of section 4.3 for one frame.
func (s *GSMState) decode(p *gsmParams, out *[GSMFrameSamples]int16) {
	var wt [GSMFrameSamples]int16 // reconstructed short-term residual
	for j := 0; j < 4; j++ {
		var erp [40]int16
		rpeDecode(p.xmaxc[j], p.mc[j], &p.xmc[j], &erp)
		s.longTermSynthesis(p.nc[j], p.bc[j], &erp, (*[40]int16)(wt[j*40:]))
	}
	s.shortTermSynthesis(&p.larc, &wt, out)
	s.postprocess(out)
}
