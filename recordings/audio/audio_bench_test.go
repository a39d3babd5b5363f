package audio

import (
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// benchDecode decodes in with codec once per iteration and reports input
// throughput plus the decoding speed as a multiple of real time on one core.
func benchDecode(b *testing.B, c Codec, in []byte) {
	dst := make([]int16, len(in)/c.FrameBytes()*c.FrameSamples())
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	start := time.Now()
	for b.Loop() {
		if _, err := c.NewDecoder().Decode(dst, in); err != nil {
			b.Fatal(err)
		}
	}
	seconds := float64(b.N) * float64(len(dst)) / float64(c.SampleRate())
	b.ReportMetric(seconds/time.Since(start).Seconds(), "x_realtime")
}

// tenMinutes is the speech-like signal of longSignal, ten minutes long.
var tenMinutes = testSignal{"ten_minutes", append([]string{"synth", "600"}, longSignal.synth[2:]...)}

// BenchmarkGSMDecode decodes ten minutes of sox-encoded GSM 06.10. As a baseline
// measured in the same run, it also reports sox_x_realtime: ten minutes over the
// CPU time (user plus system, best of three) of
//
//	sox -t gsm FILE -t raw -e signed -b 16 /dev/null
func BenchmarkGSMDecode(b *testing.B) {
	needSox(b)
	in := soxGenerate(b, tenMinutes, "x.gsm", "-t", "gsm")
	path := filepath.Join(b.TempDir(), "ten.gsm")
	if err := os.WriteFile(path, in, 0o600); err != nil {
		b.Fatal(err)
	}
	best := time.Duration(math.MaxInt64)
	for range 3 {
		cmd := exec.Command("sox", "-t", "gsm", path, "-t", "raw", "-e", "signed", "-b", "16", os.DevNull)
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
		best = min(best, cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime())
	}
	benchDecode(b, gsmCodec{}, in)
	// After the timed loop, whose start deletes metrics reported before it.
	seconds := float64(len(in)/GSMFrameBytes*GSMFrameSamples) / 8000
	b.ReportMetric(seconds/best.Seconds(), "sox_x_realtime")
}

// BenchmarkWAV49Decode decodes the data of a minute of sox-written WAV49.
func BenchmarkWAV49Decode(b *testing.B) {
	needSox(b)
	_, c, data := wavData(b, soxGenerate(b, longSignal, "x.wav", "-e", "gsm-full-rate"))
	benchDecode(b, c, data)
}

// BenchmarkULawDecode expands a minute of µ-law.
func BenchmarkULawDecode(b *testing.B) {
	benchDecode(b, g711Codec{name: "ulaw", table: ulawTable}, randomGSM(2, 60*8000/GSMFrameBytes))
}

// BenchmarkG722Decode decodes a minute of G.722.
func BenchmarkG722Decode(b *testing.B) {
	benchDecode(b, g722Codec{}, randomGSM(4, 60*8000/GSMFrameBytes))
}
