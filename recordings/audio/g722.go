package audio

import (
	"encoding/binary"
	"fmt"
)

// G.722 (ITU-T, 64 kbit/s mode): each byte carries a 6-bit lower sub-band code in
// its low bits and a 2-bit higher sub-band code in its top bits; the two ADPCM
// sub-band decoders run at 8 kHz and the receive QMF merges them into two 16 kHz
// samples. Block names in comments follow the recommendation's.

// Quantiser and scale-factor tables of the recommendation.
var (
	g722QM6 = [64]int16{
		-136, -136, -136, -136, -24808, -21904, -19008, -16704,
		-14984, -13512, -12280, -11192, -10232, -9360, -8576, -7856,
		-7192, -6576, -6000, -5456, -4944, -4464, -4008, -3576,
		-3168, -2776, -2400, -2032, -1688, -1360, -1040, -728,
		24808, 21904, 19008, 16704, 14984, 13512, 12280, 11192,
		10232, 9360, 8576, 7856, 7192, 6576, 6000, 5456,
		4944, 4464, 4008, 3576, 3168, 2776, 2400, 2032,
		1688, 1360, 1040, 728, 432, 136, -432, -136,
	}
	g722QM4 = [16]int16{
		0, -20456, -12896, -8968, -6288, -4240, -2584, -1200,
		20456, 12896, 8968, 6288, 4240, 2584, 1200, 0,
	}
	g722QM2  = [4]int16{-7408, -1616, 7408, 1616}
	g722WL   = [8]int16{-60, -30, 58, 172, 334, 538, 1198, 3042}
	g722RL42 = [16]uint8{0, 7, 6, 5, 4, 3, 2, 1, 7, 6, 5, 4, 3, 2, 1, 0}
	g722WH   = [3]int16{0, -214, 798}
	g722RH2  = [4]uint8{2, 1, 2, 1}
	g722ILB  = [32]int16{
		2048, 2093, 2139, 2186, 2233, 2282, 2332, 2383,
		2435, 2489, 2543, 2599, 2656, 2714, 2774, 2834,
		2896, 2960, 3025, 3091, 3158, 3228, 3298, 3371,
		3444, 3520, 3597, 3676, 3756, 3838, 3922, 4008,
	}
	// g722QMF holds half of the 24 symmetric QMF coefficients.
	g722QMF = [12]int32{3, -11, 12, 32, -210, 951, 3876, -805, 362, -156, 53, -11}
)

// g722Band is the adaptive predictor and scale factor of one sub-band.
type g722Band struct {
	s, sz int16    // predicted signal and its zero-section part
	r     [2]int16 // reconstructed signal, one and two samples back
	p     [2]int16 // partially reconstructed signal, one and two samples back
	a     [2]int16 // pole coefficients a1, a2
	b     [6]int16 // zero coefficients b1..b6
	d     [6]int16 // quantised difference, one to six samples back
	nb    int16    // logarithmic scale factor
	det   int16    // linear scale factor less its minimum, so that zero is the start
}

// G722State is everything a G.722 decoder carries between input bytes: both
// sub-band predictors and the receive QMF delay line. It is a comparable value;
// the zero value is the state at the start of a stream.
type G722State struct {
	band [2]g722Band
	qmf  [22]int16 // sub-band sums and differences of the last 11 bytes
}

// G722Decoder decodes 64 kbit/s G.722 to 16 kHz samples. The zero value is ready.
type G722Decoder struct{ s G722State }

// detFloor are the minimum (and initial) linear scale factors of the two bands;
// g722Band.det is stored less these.
var detFloor = [2]int16{32, 8}

// State returns the decoder state.
func (d *G722Decoder) State() G722State { return d.s }

// Restore continues decoding from a state taken with State.
func (d *G722Decoder) Restore(s G722State) { d.s = s }

// Decode decodes min(len(src), len(dst)/2) bytes into twice as many samples and
// returns the number of samples written.
func (d *G722Decoder) Decode(dst []int16, src []byte) int {
	n := min(len(src), len(dst)/2)
	for i, c := range src[:n] {
		rl := d.s.band[0].lower(int16(c & 0x3F))
		rh := d.s.band[1].higher(int16(c >> 6))
		dst[2*i], dst[2*i+1] = d.s.receiveQMF(rl, rh)
	}
	return 2 * n
}

// lower decodes one 6-bit lower sub-band code (blocks 2L–6L) and adapts.
func (b *g722Band) lower(il int16) int16 {
	det := b.det + detFloor[0]
	dl := int16(int32(det) * int32(g722QM6[il]) >> 15)
	rl := clampI16(int32(b.s)+int32(dl), -16384, 16383)
	ilr := il >> 2 // the predictor only ever sees the 4-bit core code
	dlt := int16(int32(det) * int32(g722QM4[ilr]) >> 15)
	nb := int32(b.nb)*127>>7 + int32(g722WL[g722RL42[ilr]])
	b.nb = clampI16(nb, 0, 18432)
	b.det = scale(b.nb, 8) - detFloor[0]
	b.adapt(dlt)
	return rl
}

// higher decodes one 2-bit higher sub-band code (blocks 2H–6H) and adapts.
func (b *g722Band) higher(ih int16) int16 {
	det := b.det + detFloor[1]
	dh := int16(int32(det) * int32(g722QM2[ih]) >> 15)
	rh := clampI16(int32(b.s)+int32(dh), -16384, 16383)
	nb := int32(b.nb)*127>>7 + int32(g722WH[g722RH2[ih]])
	b.nb = clampI16(nb, 0, 22528)
	b.det = scale(b.nb, 10) - detFloor[1]
	b.adapt(dh)
	return rh
}

// scale is SCALEL/SCALEH: the linear scale factor of a logarithmic one.
func scale(nb int16, bias int16) int16 {
	m := int32(g722ILB[nb>>6&31])
	if sh := bias - nb>>11; sh < 0 {
		m <<= uint(-sh)
	} else {
		m >>= uint(sh)
	}
	return int16(m << 2)
}

// adapt is block 4: it reconstructs the signal from the quantised difference d,
// updates the pole and zero predictor coefficients and computes the next
// prediction.
func (b *g722Band) adapt(d int16) {
	r0 := sat(int32(b.s) + int32(d))  // RECONS
	p0 := sat(int32(b.sz) + int32(d)) // PARREC

	// UPPOL2
	sg0, sg1, sg2 := p0>>15, b.p[0]>>15, b.p[1]>>15
	wd1 := int32(sat(int32(b.a[0]) << 2))
	wd2 := wd1
	if sg0 == sg1 {
		wd2 = min(-wd1, maxWord)
	}
	wd3 := int32(-128)
	if sg0 == sg2 {
		wd3 = 128
	}
	wd3 += wd2>>7 + int32(b.a[1])*32512>>15
	a2 := clampI16(wd3, -12288, 12288)

	// UPPOL1
	wd1 = -192
	if sg0 == sg1 {
		wd1 = 192
	}
	a1 := sat(wd1 + int32(b.a[0])*32640>>15)
	lim := sat(15360 - int32(a2))
	a1 = clampI16(int32(a1), -int32(lim), int32(lim))

	// UPZERO
	step := int32(128)
	if d == 0 {
		step = 0
	}
	sgd := d >> 15
	for i := range b.b {
		w := step
		if b.d[i]>>15 != sgd {
			w = -step
		}
		b.b[i] = sat(w + int32(b.b[i])*32640>>15)
	}

	// DELAYA
	copy(b.d[1:], b.d[:5])
	b.d[0] = d
	b.r[1], b.r[0] = b.r[0], r0
	b.p[1], b.p[0] = b.p[0], p0
	b.a[0], b.a[1] = a1, a2

	// FILTEP, FILTEZ, PREDIC
	sp := sat(int32(b.a[0])*int32(sat(2*int32(b.r[0])))>>15 + int32(b.a[1])*int32(sat(2*int32(b.r[1])))>>15)
	var sz int32
	for i := range b.b {
		sz += int32(b.b[i]) * int32(sat(2*int32(b.d[i]))) >> 15
	}
	b.sz = sat(sz)
	b.s = sat(int32(sp) + int32(b.sz))
}

// receiveQMF merges one pair of sub-band samples into two output samples.
func (s *G722State) receiveQMF(rl, rh int16) (int16, int16) {
	var x [24]int32
	for i, v := range s.qmf {
		x[i] = int32(v)
	}
	x[22] = int32(rl) + int32(rh)
	x[23] = int32(rl) - int32(rh)
	var even, odd int32
	for i, c := range g722QMF {
		odd += x[2*i] * c
		even += x[2*i+1] * g722QMF[11-i]
	}
	copy(s.qmf[:], s.qmf[2:])
	s.qmf[20], s.qmf[21] = int16(x[22]), int16(x[23])
	// The coefficients sum to 2^12 per phase and the sub-bands carry half the
	// amplitude, so a shift by 11 gives unity gain.
	return sat(even >> 11), sat(odd >> 11)
}

func clampI16(x, lo, hi int32) int16 { return int16(max(lo, min(x, hi))) }

// g722StateVersion leads the binary form of G722State.
const g722StateVersion = 1

// G722StateSize is the length of a marshalled G722State.
const G722StateSize = 1 + 2*(2*22+22)

// MarshalBinary encodes the state as a version byte and little-endian words.
func (s G722State) MarshalBinary() ([]byte, error) { return s.appendBinary(nil), nil }

func (s *G722State) appendBinary(b []byte) []byte {
	b = append(b, g722StateVersion)
	for _, w := range s.words() {
		b = binary.LittleEndian.AppendUint16(b, uint16(*w))
	}
	return b
}

// UnmarshalBinary decodes a state written by MarshalBinary; on error s is unchanged.
func (s *G722State) UnmarshalBinary(b []byte) error {
	if len(b) != G722StateSize || b[0] != g722StateVersion {
		return fmt.Errorf("g722 state of %d bytes: %w", len(b), ErrBadState)
	}
	var t G722State
	for i, w := range t.words() {
		*w = int16(binary.LittleEndian.Uint16(b[1+2*i:]))
	}
	*s = t
	return nil
}

// words lists pointers to every word of the state in binary order.
func (s *G722State) words() []*int16 {
	w := make([]*int16, 0, 2*22+22)
	for i := range s.band {
		b := &s.band[i]
		w = append(w, &b.s, &b.sz, &b.r[0], &b.r[1], &b.p[0], &b.p[1], &b.a[0], &b.a[1])
		for j := range b.b {
			w = append(w, &b.b[j], &b.d[j])
		}
		w = append(w, &b.nb, &b.det)
	}
	for i := range s.qmf {
		w = append(w, &s.qmf[i])
	}
	return w
}

// g722Codec is 64 kbit/s G.722: one byte per pair of 16 kHz samples.
type g722Codec struct{}

func (g722Codec) Name() string             { return "g722" }
func (g722Codec) SampleRate() int          { return 16000 }
func (g722Codec) FrameBytes() int          { return 1 }
func (g722Codec) FrameSamples() int        { return 2 }
func (g722Codec) NewDecoder() FrameDecoder { return &g722FrameDecoder{} }

type g722FrameDecoder struct{ d G722Decoder }

func (g *g722FrameDecoder) Decode(dst []int16, src []byte) (int, error) {
	n, err := frames(dst, src, 1, 2)
	return g.d.Decode(dst, src[:n]), err
}

func (g *g722FrameDecoder) State() []byte          { return g.d.s.appendBinary(nil) }
func (g *g722FrameDecoder) Restore(b []byte) error { return g.d.s.UnmarshalBinary(b) }
