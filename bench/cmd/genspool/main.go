// Command genspool writes a date-sharded FreePBX 2.10+ recording spool of small
// files for the scan benchmark: <dir>/YYYY/MM/DD/<type>-<dest>-<from>-YYYYMMDD-HHMMSS-<uniqueid>.<fmt>,
// each file a valid header with a few bytes of audio (wav: 44-byte header, WAV:
// wav49's 60-byte header and one GSM block, gsm: whole frames, ulaw: raw bytes),
// 5 % of them empty 44-byte wavs, each file's mtime the end of its call.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/totalrec/totalrec/bench/internal/callgen"
	"github.com/totalrec/totalrec/recordings/audio"
)

func main() {
	dir := flag.String("dir", "", "spool root to create (must not exist)")
	files := flag.Int64("files", 1000000, "number of recording files")
	days := flag.Int("days", 365, "days the calls spread over")
	end := flag.String("end", "2026-07-01", "the day after the last day (UTC)")
	seed := flag.Uint64("seed", 1, "random seed")
	workers := flag.Int("workers", 4, "parallel writers")
	flag.Parse()
	if *dir == "" || *files <= 0 || *days <= 0 {
		flag.Usage()
		os.Exit(2)
	}
	endT, err := time.Parse("2006-01-02", *end)
	if err != nil {
		fail(err)
	}
	m := callgen.Model{N: *files, Days: *days, End: endT, Seed: *seed}
	start := time.Now()
	if err := os.Mkdir(*dir, 0o755); err != nil {
		fail(err)
	}
	for d := 0; d < *days; d++ {
		day := m.Start().AddDate(0, 0, d).Format("2006/01/02")
		if err := os.MkdirAll(filepath.Join(*dir, day), 0o755); err != nil {
			fail(err)
		}
	}
	var next, bytes atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, *workers)
	const chunk = 5000
	for w := 0; w < *workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				lo := next.Add(chunk) - chunk
				if lo >= m.N {
					return
				}
				for i := lo; i < min(lo+chunk, m.N); i++ {
					n, err := writeFile(*dir, m.Call(i))
					if err != nil {
						errs <- err
						return
					}
					bytes.Add(n)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		fail(err)
	}
	fmt.Printf("generated %d files (%d bytes) in %d day directories in %s\n",
		m.N, bytes.Load(), *days, time.Since(start).Round(time.Millisecond))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "genspool:", err)
	os.Exit(1)
}

// writeFile writes the call's recording and dates it at the call's end.
func writeFile(root string, c callgen.Call) (int64, error) {
	body := content(c)
	p := filepath.Join(root, c.Dir(), c.FileName())
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return 0, err
	}
	if _, err := f.Write(body); err != nil {
		f.Close()
		return 0, err
	}
	if err := f.Close(); err != nil {
		return 0, err
	}
	mt := c.Time.Add(time.Duration(c.Duration) * time.Second)
	return int64(len(body)), os.Chtimes(p, mt, mt)
}

// content is a valid file of the call's format holding a few milliseconds of audio.
func content(c callgen.Call) []byte {
	k := int(c.I%4) + 1
	switch {
	case c.Empty:
		return wavHeader(0)
	case c.Format == "wav":
		return append(wavHeader(160*k), make([]byte, 160*k)...)
	case c.Format == "WAV":
		return append(wav49Header(1), make([]byte, 65)...)
	case c.Format == "gsm":
		b := make([]byte, 33*(k+1))
		for f := 0; f <= k; f++ {
			b[33*f] = 0xD8 // every GSM 06.10 frame starts with the nibble 0xD
		}
		return b
	}
	b := make([]byte, 80*k)
	for i := range b {
		b[i] = 0xFF // µ-law silence
	}
	return b
}

// wavHeader is the 44-byte header of 8 kHz mono 16-bit PCM, sizes patched.
func wavHeader(dataBytes int) []byte {
	h := audio.WAVHeader(8000, 1, 16, uint32(dataBytes))
	return h[:]
}

// wav49Header is format_wav_gsm's 60-byte header.
func wav49Header(blocks int) []byte {
	h := audio.WAV49Header(uint32(blocks))
	return h[:]
}
