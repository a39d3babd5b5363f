package audio

// Short-term (LPC) synthesis and post-processing (GSM 06.10 sections 4.2.8–4.2.10,
// 4.3.3–4.3.6): the log-area ratios are decoded, interpolated with the previous
// frame's over four segments, turned into reflection coefficients and run through
// the lattice filter; the result is de-emphasised, doubled and truncated to 13 bits.

// Decoding tables for the log-area ratios: offsets B, the coded minimum MIC and
// the inverse scale factors 1/A.
var (
	larB    = [8]int16{0, 0, 2048, -2560, 94, -1792, -341, -1144}
	larMIC  = [8]int16{-32, -32, -16, -16, -8, -8, -4, -4}
	larINVA = [8]int16{13107, 13107, 13107, 13107, 19223, 17476, 31454, 29708}
)

// decodeLAR turns coded log-area ratios into their values LARpp.
func decodeLAR(larc *[8]int16, larpp *[8]int16) {
	for i := range larpp {
		// The signed code times 2^10 spans exactly the word range.
		v := sub((larc[i]+larMIC[i])<<10, larB[i]<<1)
		v = multR(larINVA[i], v)
		larpp[i] = add(v, v)
	}
}

// larToRP converts interpolated log-area ratios to reflection coefficients in
// place, by the specification's piecewise-linear approximation.
func larToRP(larp *[8]int16) {
	for i, v := range larp {
		neg := v < 0
		t := v
		if neg {
			t = -v
			if v == minWord {
				t = maxWord
			}
		}
		switch {
		case t < 11059:
			t <<= 1
		case t < 20070:
			t += 11059
		default:
			t = add(t>>2, 26112)
		}
		if neg {
			t = -t
		}
		larp[i] = t
	}
}

// shortTermSynthesis filters the residual wt of one frame into sr, interpolating
// the coefficients from the previous frame's LARs to this frame's.
func (s *GSMState) shortTermSynthesis(larc *[8]int16, wt, sr *[GSMFrameSamples]int16) {
	var cur, rp [8]int16
	decodeLAR(larc, &cur)
	prev := &s.larpp

	for i := range rp { // samples 0..12: 3/4 previous, 1/4 current
		rp[i] = add(add(prev[i]>>2, cur[i]>>2), prev[i]>>1)
	}
	larToRP(&rp)
	s.lattice(&rp, wt[0:13], sr[0:13])

	for i := range rp { // samples 13..26: half and half
		rp[i] = add(prev[i]>>1, cur[i]>>1)
	}
	larToRP(&rp)
	s.lattice(&rp, wt[13:27], sr[13:27])

	for i := range rp { // samples 27..39: 1/4 previous, 3/4 current
		rp[i] = add(add(prev[i]>>2, cur[i]>>2), cur[i]>>1)
	}
	larToRP(&rp)
	s.lattice(&rp, wt[27:40], sr[27:40])

	rp = cur // samples 40..159: current only
	larToRP(&rp)
	s.lattice(&rp, wt[40:], sr[40:])

	s.larpp = cur
}

// lattice runs the 8-stage short-term synthesis lattice filter over wt into sr.
func (s *GSMState) lattice(rrp *[8]int16, wt, sr []int16) {
	v := &s.v
	sr = sr[:len(wt)]
	for k, sri := range wt {
		// Stage 8 feeds no state of its own: its output v[8] is never read.
		sri = sub(sri, multR(rrp[7], v[7]))
		for i := 6; i >= 0; i-- {
			sri = sub(sri, multR(rrp[i], v[i]))
			v[i+1] = add(v[i], multR(rrp[i], sri))
		}
		v[0] = sri
		sr[k] = sri
	}
}

// postprocess applies de-emphasis, upscaling and truncation to the 13-bit
// output resolution (sections 4.3.5 and 4.3.6).
func (s *GSMState) postprocess(sr *[GSMFrameSamples]int16) {
	msr := s.msr
	for k, v := range sr {
		msr = add(v, multR(msr, 28180))
		sr[k] = add(msr, msr) &^ 7
	}
	s.msr = msr
}
