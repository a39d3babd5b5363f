package audio

// Bit layouts of the two GSM 06.10 packings. Both carry the same 76 parameters in
// the same order (8 LARs, then per sub-frame Nc, bc, Mc, xmaxc and 13 pulses); the
// raw format writes them most significant bit first after a 4-bit signature, the
// Microsoft format (WAV49) least significant bit first with no signature, two frames
// back to back so that the second starts in the middle of byte 32.

// larBits is the coded width of each log-area ratio.
var larBits = [8]uint{6, 6, 5, 5, 4, 4, 3, 3}

// bitReader reads fields of up to 8 bits from b in either bit order.
type bitReader struct {
	b   []byte
	lsb bool   // least significant bit first (WAV49)
	acc uint32 // pending bits: right-aligned (msb order) or next bit in bit 0 (lsb order)
	n   uint   // number of pending bits
	pos int
}

func (r *bitReader) read(w uint) int16 {
	if r.lsb {
		for r.n < w {
			r.acc |= uint32(r.b[r.pos]) << r.n
			r.pos++
			r.n += 8
		}
		v := int16(r.acc & (1<<w - 1))
		r.acc >>= w
		r.n -= w
		return v
	}
	for r.n < w {
		r.acc = r.acc<<8 | uint32(r.b[r.pos])
		r.pos++
		r.n += 8
	}
	r.n -= w
	return int16(r.acc >> r.n & (1<<w - 1))
}

// unpackRaw reads a 33-byte frame whose signature nibble was already checked.
func unpackRaw(p *gsmParams, f *[GSMFrameBytes]byte) {
	r := bitReader{b: f[:]}
	r.read(4)
	unpackFields(p, &r)
}

// unpackFields reads the 76 parameters of one frame in transmission order.
func unpackFields(p *gsmParams, r *bitReader) {
	for i, w := range larBits {
		p.larc[i] = r.read(w)
	}
	for j := 0; j < 4; j++ {
		p.nc[j] = r.read(7)
		p.bc[j] = r.read(2)
		p.mc[j] = r.read(2)
		p.xmaxc[j] = r.read(6)
		for i := range p.xmc[j] {
			p.xmc[j][i] = r.read(3)
		}
	}
}
