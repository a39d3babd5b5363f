package audio

// Regular pulse excitation decoding (GSM 06.10 sections 4.2.15–4.2.17, 4.3.1):
// the 13 coded pulses of a sub-frame are scaled back by the block amplitude and
// placed on one of four interleaved grids of the 40-sample excitation.

// apcmFac is the normalized mantissa table FAC of the inverse APCM quantiser.
var apcmFac = [8]int16{18431, 20479, 22527, 24575, 26623, 28671, 30719, 32767}

// expMant splits a coded block amplitude into exponent and 3-bit mantissa.
func expMant(xmaxc int16) (exp, mant int16) {
	if xmaxc > 15 {
		exp = xmaxc>>3 - 1
	}
	mant = xmaxc - exp<<3
	if mant == 0 {
		return -4, 7
	}
	for mant <= 7 {
		mant = mant<<1 | 1
		exp--
	}
	return exp, mant - 8
}

// rpeDecode rebuilds the excitation erp of one sub-frame from its block amplitude
// xmaxc, grid position mc and pulses xmc.
func rpeDecode(xmaxc, mc int16, xmc *[13]int16, erp *[40]int16) {
	exp, mant := expMant(xmaxc)
	fac := apcmFac[mant]
	shift := sub(6, exp)
	round := asl(1, sub(shift, 1))
	*erp = [40]int16{}
	pos := int(mc)
	for _, x := range xmc {
		// The 3-bit code is an odd level in -7..7, scaled to the top of the word.
		v := (x<<1 - 7) << 12
		v = add(multR(fac, v), round)
		erp[pos] = asr(v, shift)
		pos += 3
	}
}
