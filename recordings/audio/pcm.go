package audio

import "encoding/binary"

// DecodeSlin converts min(len(dst), len(src)/2) little-endian 16-bit samples
// (Asterisk's sln family and the data of a PCM WAV) into dst.
func DecodeSlin(dst []int16, src []byte) {
	n := min(len(dst), len(src)/2)
	for i := range dst[:n] {
		dst[i] = int16(binary.LittleEndian.Uint16(src[2*i:]))
	}
}
