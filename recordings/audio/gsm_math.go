package audio

// Fixed-point primitives of GSM 06.10 (section 5.1 of the specification). Every
// operation works on 16-bit words and saturates where the specification says so;
// the decoder is bit-exact only because these match the reference arithmetic.

const (
	minWord = -32768
	maxWord = 32767
)

// sat clamps a 32-bit intermediate to the 16-bit word range.
func sat(x int32) int16 {
	if x > maxWord {
		return maxWord
	}
	if x < minWord {
		return minWord
	}
	return int16(x)
}

// add is the saturating 16-bit addition.
func add(a, b int16) int16 { return sat(int32(a) + int32(b)) }

// sub is the saturating 16-bit subtraction.
func sub(a, b int16) int16 { return sat(int32(a) - int32(b)) }

// multR is the rounded fractional multiplication (a*b + 2^14) >> 15; the one
// product that does not fit, -1 × -1, saturates to the largest word.
func multR(a, b int16) int16 {
	if a == minWord && b == minWord {
		return maxWord
	}
	return int16((int32(a)*int32(b) + 16384) >> 15)
}

// asr shifts a right by n arithmetically; a negative n shifts left.
func asr(a int16, n int16) int16 {
	switch {
	case n >= 16:
		if a < 0 {
			return -1
		}
		return 0
	case n <= -16:
		return 0
	case n < 0:
		return int16(int32(a) << uint(-n))
	}
	return a >> uint(n)
}

// asl shifts a left by n; a negative n shifts right arithmetically.
func asl(a int16, n int16) int16 {
	switch {
	case n >= 16:
		return 0
	case n <= -16:
		if a < 0 {
			return -1
		}
		return 0
	case n < 0:
		return asr(a, -n)
	}
	return int16(int32(a) << uint(n))
}
