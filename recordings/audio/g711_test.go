package audio

import (
	"testing"
)

// allCodes holds every 8-bit code, repeated, followed by random bytes.
func allCodes() []byte {
	b := make([]byte, 0, 4*256)
	for range 4 {
		for c := range 256 {
			b = append(b, byte(c))
		}
	}
	return append(b, randomGSM(9, 100)...)
}

func TestG711MatchesSox(t *testing.T) {
	needSox(t)
	for _, law := range []struct{ format, soxType string }{{"ulaw", "ul"}, {"alaw", "al"}} {
		c, err := CodecFor(law.format)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(law.format+"/all_codes", func(t *testing.T) {
			in := allCodes()
			want := soxDecode(t, in, "x."+law.soxType, "-t", law.soxType, "-r", "8000", "-c", "1")
			sameSamples(t, decodeAll(t, c, in), want)
		})
		for _, sig := range testSignals {
			t.Run(law.format+"/"+sig.name, func(t *testing.T) {
				in := soxGenerate(t, sig, "x."+law.soxType, "-t", law.soxType)
				want := soxDecode(t, in, "x."+law.soxType, "-t", law.soxType, "-r", "8000", "-c", "1")
				sameSamples(t, decodeAll(t, c, in), want)
			})
		}
	}
}

func TestG711Functions(t *testing.T) {
	in := allCodes()
	u, a := make([]int16, len(in)), make([]int16, len(in))
	DecodeULaw(u, in)
	DecodeALaw(a, in)
	cu, _ := CodecFor("ulaw")
	ca, _ := CodecFor("alaw")
	sameSamples(t, u, decodeAll(t, cu, in))
	sameSamples(t, a, decodeAll(t, ca, in))
	// Known points of the laws: µ-law 0xFF and A-law 0xD5 are the smallest
	// positive levels, 0x80 the largest positive ones.
	for _, c := range []struct {
		got, want int16
	}{{u[0xFF], 0}, {u[0x80], 32124}, {u[0x00], -32124}, {a[0xD5], 8}, {a[0xAA], 32256}, {a[0x2A], -32256}} {
		if c.got != c.want {
			t.Errorf("got %d, want %d", c.got, c.want)
		}
	}
}

func TestSlinMatchesSox(t *testing.T) {
	needSox(t)
	for _, f := range []struct {
		format string
		rate   string
	}{{"sln", "8000"}, {"sln16", "16000"}} {
		c, err := CodecFor(f.format)
		if err != nil {
			t.Fatal(err)
		}
		for _, sig := range testSignals {
			t.Run(f.format+"/"+sig.name, func(t *testing.T) {
				opts := []string{"-t", "raw", "-e", "signed", "-b", "16", "-L"}
				in := soxGenerate(t, sig, "x.raw", append([]string{"-r", f.rate}, opts...)...)
				want := soxDecode(t, in, "x.raw", append([]string{"-r", f.rate, "-c", "1"}, opts...)...)
				sameSamples(t, decodeAll(t, c, in), want)
			})
		}
	}
}

// TestPCMWAVMatchesSox decodes the data chunk of PCM WAV files sox writes, at the
// rates of Asterisk's wav and wav16.
func TestPCMWAVMatchesSox(t *testing.T) {
	needSox(t)
	for _, f := range []struct {
		rate, name string
	}{{"8000", "wav"}, {"16000", "wav16"}} {
		for _, sig := range testSignals[:3] {
			t.Run(f.name+"/"+sig.name, func(t *testing.T) {
				file := soxGenerate(t, sig, "x.wav", "-r", f.rate, "-e", "signed", "-b", "16")
				info, c, data := wavData(t, file)
				if c.Name() != f.name || c.SampleRate() != info.SampleRate {
					t.Fatalf("codec %s at %d Hz for %+v", c.Name(), c.SampleRate(), info)
				}
				sameSamples(t, decodeAll(t, c, data), soxDecode(t, file, "x.wav"))
			})
		}
	}
}
