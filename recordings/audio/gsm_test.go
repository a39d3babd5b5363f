package audio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"testing"
)

func TestGSMMatchesSox(t *testing.T) {
	needSox(t)
	c, _ := CodecFor("gsm")
	for _, sig := range append(testSignals, longSignal) {
		t.Run(sig.name, func(t *testing.T) {
			in := soxGenerate(t, sig, "x.gsm", "-t", "gsm")
			want := soxDecode(t, in, "x.gsm", "-t", "gsm")
			if len(want) == 0 {
				t.Fatal("sox decoded no samples")
			}
			sameSamples(t, decodeAll(t, c, in), want)
		})
	}
}

// randomGSM returns n frames of random parameters behind valid signature nibbles.
// No encoder produces most of them; they drive every lag, gain, amplitude and
// coefficient into the decoder, including the ones that saturate.
func randomGSM(seed uint64, n int) []byte {
	rng := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, n*GSMFrameBytes)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	for i := 0; i < len(b); i += GSMFrameBytes {
		b[i] = gsmMagic<<4 | b[i]&0x0F
	}
	return b
}

func TestGSMRandomFramesMatchSox(t *testing.T) {
	needSox(t)
	c, _ := CodecFor("gsm")
	in := randomGSM(7, 3000)
	// Out-of-range lags in the whole first frame make the decoder fall back on its
	// initial lag.
	for j := range 4 {
		clearBitsMSB(in, 4+36+56*j, 7)
	}
	got := decodeAll(t, c, in)
	sameSamples(t, got, soxDecode(t, in, "x.gsm", "-t", "gsm"))
	var clipped bool
	for _, v := range got {
		clipped = clipped || v == maxWord&^7 || v == minWord
	}
	if !clipped {
		t.Error("random frames never reached full scale: the saturation paths went untested")
	}
}

// clearBitsMSB zeroes n bits of b from bit offset off, most significant first.
func clearBitsMSB(b []byte, off, n int) {
	for i := off; i < off+n; i++ {
		b[i/8] &^= 0x80 >> (i % 8)
	}
}

// asteriskWAV49 wraps blocks in the 60-byte header Asterisk's format_wav_gsm
// writes: a 20-byte fmt chunk, a fact chunk, then data, padded to an even length
// that the data size includes. Unpatched leaves the sizes zero as they are before
// the recorder fills them in.
func asteriskWAV49(blocks []byte, unpatched bool) []byte {
	h := WAV49Header(uint32(len(blocks) / WAV49BlockBytes))
	file := append(h[:], blocks...)
	if len(file)%2 == 1 {
		file = append(file, 0)
	}
	le := binary.LittleEndian
	if unpatched {
		le.PutUint32(file[4:], 0)
		le.PutUint32(file[48:], 0)
		le.PutUint32(file[56:], 0)
	} else {
		le.PutUint32(file[4:], uint32(len(file)-8))
		le.PutUint32(file[56:], uint32(len(file)-60))
	}
	return file
}

// wavData parses a WAV file held in memory and returns its codec and data.
func wavData(t testing.TB, file []byte) (WAVInfo, Codec, []byte) {
	t.Helper()
	info, err := ParseWAV(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		t.Fatalf("ParseWAV: %v", err)
	}
	c, err := CodecForWAV(info)
	if err != nil {
		t.Fatalf("CodecForWAV(%+v): %v", info, err)
	}
	return info, c, file[info.DataOffset : info.DataOffset+info.DataLength]
}

func TestWAV49MatchesSox(t *testing.T) {
	needSox(t)
	for _, sig := range append(testSignals, longSignal) {
		t.Run(sig.name, func(t *testing.T) {
			file := soxGenerate(t, sig, "x.wav", "-e", "gsm-full-rate")
			info, c, data := wavData(t, file)
			if info.FormatTag != WAVFormatGSM610 || info.BlockAlign != WAV49BlockBytes ||
				info.SamplesPerBlock != WAV49BlockSamples || c.Name() != "wav49" {
				t.Fatalf("sox wrote %+v (codec %s), want Microsoft GSM in 65-byte blocks of 320 samples", info, c.Name())
			}
			want := soxDecode(t, file, "x.wav")
			if len(want) == 0 {
				t.Fatal("sox decoded no samples")
			}
			sameSamples(t, decodeAll(t, c, data), want)
		})
	}
}

func TestWAV49RandomBlocksMatchSox(t *testing.T) {
	needSox(t)
	blocks := randomGSM(11, 2*1500) // any bytes are a valid block
	blocks = blocks[:len(blocks)/WAV49BlockBytes*WAV49BlockBytes]
	file := asteriskWAV49(blocks, false)
	_, c, data := wavData(t, file)
	sameSamples(t, decodeAll(t, c, data), soxDecode(t, file, "x.wav"))
}

// TestWAV49SameFramesAsRaw checks the two packings against each other: libgsm
// encodes the same repeatable signal to the same frames whichever packing sox
// writes, so both files must decode to identical samples.
func TestWAV49SameFramesAsRaw(t *testing.T) {
	needSox(t)
	raw := soxGenerate(t, testSignals[0], "x.gsm", "-t", "gsm")
	fromRaw := decodeAll(t, gsmCodec{}, raw)
	file := soxGenerate(t, testSignals[0], "x.wav", "-e", "gsm-full-rate")
	_, c, data := wavData(t, file)
	fromWAV := decodeAll(t, c, data)
	sameSamples(t, fromWAV, fromRaw[:len(fromWAV)])
}

func TestGSMBadFrame(t *testing.T) {
	in := randomGSM(3, 4)
	in[2*GSMFrameBytes] = 0x20
	dec := gsmCodec{}.NewDecoder()
	dst := make([]int16, 4*GSMFrameSamples)
	n, err := dec.Decode(dst, in)
	if !errors.Is(err, ErrBadFrame) || n != 2*GSMFrameSamples {
		t.Fatalf("Decode = %d, %v; want %d samples and ErrBadFrame", n, err, 2*GSMFrameSamples)
	}
}
