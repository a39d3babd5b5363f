package audio

// G.711 expansion. Both laws map each 8-bit code to one 16-bit sample through a
// 256-entry table built once from the ITU-T G.711 segment definitions; the
// values match sox's (and Asterisk's) expansion.

var (
	ulawTable = buildTable(ulawToLinear)
	alawTable = buildTable(alawToLinear)
)

func buildTable(f func(byte) int16) *[256]int16 {
	var t [256]int16
	for i := range t {
		t[i] = f(byte(i))
	}
	return &t
}

// ulawToLinear expands one µ-law code: the complemented byte holds a sign, a
// 3-bit segment and a 4-bit step; the magnitude is ((step*2+33) << seg) - 33,
// scaled by four to 16 bits.
func ulawToLinear(c byte) int16 {
	c = ^c
	mag := (int32(c&0x0F)<<3 + 0x84) << (c >> 4 & 7)
	if c&0x80 != 0 {
		return int16(0x84 - mag)
	}
	return int16(mag - 0x84)
}

// alawToLinear expands one A-law code: even bits are inverted on the line, the
// first segment is linear and each further one doubles the step; the sign bit set
// means positive.
func alawToLinear(c byte) int16 {
	c ^= 0x55
	mag := int32(c&0x0F)<<4 + 8
	if seg := c >> 4 & 7; seg > 0 {
		mag = (mag + 0x100) << (seg - 1)
	}
	if c&0x80 != 0 {
		return int16(mag)
	}
	return int16(-mag)
}

// DecodeULaw expands min(len(dst), len(src)) µ-law bytes into dst.
func DecodeULaw(dst []int16, src []byte) {
	expand(ulawTable, dst, src)
}

// DecodeALaw expands min(len(dst), len(src)) A-law bytes into dst.
func DecodeALaw(dst []int16, src []byte) {
	expand(alawTable, dst, src)
}

func expand(t *[256]int16, dst []int16, src []byte) {
	if len(src) > len(dst) {
		src = src[:len(dst)]
	}
	dst = dst[:len(src)]
	for i, c := range src {
		dst[i] = t[c]
	}
}
