package stream

import (
	"io"
	"testing"
	"time"
)

// benchFixture is ten minutes of speech-like sound in a format.
func benchFixture(b *testing.B, name string) (fixture, File, int64) {
	b.Helper()
	fx := makeFixture(b, name, "600")
	f, size := openFile(b, fx.path)
	return fx, f, size
}

// BenchmarkRangeMiddle is the time to the first 4 KiB of a Range request into
// the middle of a ten-minute recording with checkpoints: Open, Seek, Read, as
// http.ServeContent does. The offsets vary over a checkpoint interval, so the
// frames decoded before the first byte vary from one batch to a whole interval.
func BenchmarkRangeMiddle(b *testing.B) {
	for _, name := range []string{"gsm", "wav49", "g722"} {
		b.Run(name, func(b *testing.B) {
			fx, f, size := benchFixture(b, name)
			cp, err := BuildCheckpoints(f, size, fx.format, 0)
			if err != nil {
				b.Fatal(err)
			}
			buf := make([]byte, 4<<10)
			var frames int64
			i := int64(0)
			for b.Loop() {
				c, err := Open(f, size, fx.format, cp)
				if err != nil {
					b.Fatal(err)
				}
				// Five seconds of output is 80000 bytes at 8 kHz.
				off := c.Size/2 + i*7919%(5*int64(2*c.SampleRate))
				i++
				if _, err := c.R.Seek(off, io.SeekStart); err != nil {
					b.Fatal(err)
				}
				if _, err := io.ReadFull(c.R, buf); err != nil {
					b.Fatal(err)
				}
				frames += c.R.(*transcoder).decoded
			}
			b.ReportMetric(float64(frames)/float64(b.N), "frames/op")
		})
	}
}

// BenchmarkTranscode reads a whole ten-minute recording; throughput is of the
// WAV output, x_realtime is audio seconds per second of one core.
func BenchmarkTranscode(b *testing.B) {
	for _, name := range []string{"gsm", "wav49", "g722", "ulaw"} {
		b.Run(name, func(b *testing.B) {
			fx, f, size := benchFixture(b, name)
			var c Content
			start := time.Now()
			for b.Loop() {
				var err error
				if c, err = Open(f, size, fx.format, nil); err != nil {
					b.Fatal(err)
				}
				if _, err := io.Copy(io.Discard, c.R); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(c.Size)
			b.ReportMetric(float64(b.N)*c.Duration.Seconds()/time.Since(start).Seconds(), "x_realtime")
		})
	}
}

// BenchmarkBuildCheckpoints is the one decoding pass that makes checkpoints and
// peaks of a ten-minute recording.
func BenchmarkBuildCheckpoints(b *testing.B) {
	for _, name := range []string{"gsm", "wav49", "g722"} {
		b.Run(name, func(b *testing.B) {
			fx, f, size := benchFixture(b, name)
			var cp *Checkpoints
			for b.Loop() {
				var err error
				if cp, err = BuildCheckpoints(f, size, fx.format, 0); err != nil {
					b.Fatal(err)
				}
			}
			blob, _ := cp.MarshalBinary()
			b.ReportMetric(float64(len(blob)), "blob_bytes")
		})
	}
}
