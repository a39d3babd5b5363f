// Command playbench is the helper of the playback benchmark (bench/playback/run):
// it builds long speech recordings from the demo clips, a spool of PCM WAV files,
// and measures the on-the-fly decoder in process.
//
//	playbench fixtures -clips DIR -out DIR -minutes 10
//	playbench wavspool -src PCM -dir SPOOL -n 200 -min 60 -max 300 -seed 1
//	playbench decode -format gsm -repeat 5 FILE
//	playbench fileserver -listen 127.0.0.1:PORT -root SPOOL
//	playbench freeport
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/audio"
	"github.com/totalrec/totalrec/recordings/stream"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: playbench fixtures|wavspool|decode|fileserver|freeport [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "fixtures":
		err = fixtures(os.Args[2:])
	case "wavspool":
		err = wavSpool(os.Args[2:])
	case "decode":
		err = decode(os.Args[2:])
	case "fileserver":
		err = fileServer(os.Args[2:])
	case "freeport":
		err = freePort()
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "playbench:", err)
		os.Exit(1)
	}
}

// clipNames are the demo utterances, looped in this order.
var clipNames = []string{"agent-en", "caller-en", "agent2-en", "agent-ru", "caller-ru", "agent2-ru"}

// fixtures writes minutes of looped speech as raw GSM (x.gsm), WAV49 with the
// 60-byte header Asterisk writes (x.WAV), PCM WAV (x.wav) and raw 8 kHz 16-bit
// little-endian PCM (x.pcm, decoded from the GSM clips).
func fixtures(args []string) error {
	fs := flag.NewFlagSet("fixtures", flag.ExitOnError)
	clips := fs.String("clips", "recordings/demo/clips", "directory of the demo clips")
	out := fs.String("out", ".", "output directory")
	minutes := fs.Float64("minutes", 10, "length of each recording")
	fs.Parse(args)

	var gsm, wav49 [][]byte
	for _, n := range clipNames {
		g, err := os.ReadFile(filepath.Join(*clips, n+".gsm"))
		if err != nil {
			return err
		}
		w, err := os.ReadFile(filepath.Join(*clips, n+".WAV"))
		if err != nil {
			return err
		}
		info, err := audio.ParseWAV(bytesReaderAt(w), int64(len(w)))
		if err != nil {
			return fmt.Errorf("clip %s: %w", n, err)
		}
		gsm = append(gsm, g[:len(g)/audio.GSMFrameBytes*audio.GSMFrameBytes])
		d := w[info.DataOffset : info.DataOffset+info.DataLength]
		wav49 = append(wav49, d[:len(d)/audio.WAV49BlockBytes*audio.WAV49BlockBytes])
	}
	samples := int(*minutes * 60 * 8000)

	gsmBody := loop(gsm, samples/audio.GSMFrameSamples, audio.GSMFrameBytes)
	blocks := samples / audio.WAV49BlockSamples
	h49 := audio.WAV49Header(uint32(blocks))
	wav49Body := append(h49[:], loop(wav49, blocks, audio.WAV49BlockBytes)...)

	var d audio.GSMDecoder
	pcm := make([]byte, 0, len(gsmBody)/audio.GSMFrameBytes*audio.GSMFrameSamples*2)
	var frame [audio.GSMFrameSamples]int16
	for i := 0; i+audio.GSMFrameBytes <= len(gsmBody); i += audio.GSMFrameBytes {
		if err := d.DecodeFrame(&frame, (*[audio.GSMFrameBytes]byte)(gsmBody[i:])); err != nil {
			return fmt.Errorf("decode gsm: %w", err)
		}
		for _, s := range frame {
			pcm = append(pcm, byte(s), byte(uint16(s)>>8))
		}
	}
	hw := audio.WAVHeader(8000, 1, 16, uint32(len(pcm)))
	for name, b := range map[string][]byte{
		"x.gsm": gsmBody, "x.WAV": wav49Body, "x.pcm": pcm, "x.wav": append(hw[:], pcm...),
	} {
		if err := os.WriteFile(filepath.Join(*out, name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// loop returns n units of size unit taken from the clips in turn.
func loop(clips [][]byte, n, unit int) []byte {
	out := make([]byte, 0, n*unit)
	for len(out) < n*unit {
		for _, c := range clips {
			k := min(len(c), n*unit-len(out))
			out = append(out, c[:k]...)
		}
	}
	return out
}

type bytesReaderAt []byte

func (b bytesReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off >= int64(len(b)) {
		return 0, io.EOF
	}
	n := copy(p, b[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// wavSpool writes n PCM WAV recordings of min to max seconds, each the source
// PCM from a random offset (looped when it runs out), in a FreePBX date-sharded spool with
// FreePBX 2.10+ names, and prints each one's path relative to the spool.
func wavSpool(args []string) error {
	fs := flag.NewFlagSet("wavspool", flag.ExitOnError)
	src := fs.String("src", "x.pcm", "raw 8 kHz 16-bit PCM to slice")
	dir := fs.String("dir", "spool", "spool root")
	n := fs.Int("n", 200, "recordings")
	lo := fs.Int("min", 60, "shortest recording, seconds")
	hi := fs.Int("max", 300, "longest recording, seconds")
	seed := fs.Uint64("seed", 1, "random seed")
	fs.Parse(args)

	pcm, err := os.ReadFile(*src)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(*seed, 0))
	day := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	for i := range *n {
		secs := *lo + rng.IntN(*hi-*lo+1)
		size := secs * 16000
		off := rng.IntN(len(pcm)/2) * 2
		t := day.Add(time.Duration(i%20)*24*time.Hour + time.Duration(i*97)*time.Second)
		rel := filepath.Join(t.Format("2006/01/02"), fmt.Sprintf("in-%d-0155501%04d-%s-%d.%d.wav",
			200+i%40, i, t.Format("20060102-150405"), t.Unix(), i))
		p := filepath.Join(*dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		h := audio.WAVHeader(8000, 1, 16, uint32(size))
		if err := os.WriteFile(p, append(h[:], cyclic(pcm, off, size)...), 0o644); err != nil {
			return err
		}
		old := t.Add(time.Minute * time.Duration(secs/60+1))
		if err := os.Chtimes(p, old, old); err != nil {
			return err
		}
		fmt.Println(rel)
	}
	return nil
}

// cyclic returns n bytes of src from off, starting again at its beginning when
// it runs out.
func cyclic(src []byte, off, n int) []byte {
	out := make([]byte, 0, n)
	for len(out) < n {
		k := min(len(src)-off, n-len(out))
		out = append(out, src[off:off+k]...)
		off = 0
	}
	return out
}

// decode reads the whole browser-playable output of a recording repeat times
// (stream.Open without checkpoints, io.Copy to io.Discard) and prints the
// median seconds of one pass and the audio seconds decoded per second.
func decode(args []string) error {
	fs := flag.NewFlagSet("decode", flag.ExitOnError)
	format := fs.String("format", "gsm", "recording format (gsm, wav49, ulaw, alaw, g722, ...)")
	repeat := fs.Int("repeat", 5, "passes")
	fs.Parse(args)
	if fs.NArg() != 1 {
		return errors.New("decode: one file")
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	var times []float64
	var c stream.Content
	for range *repeat {
		start := time.Now()
		if c, err = stream.Open(f, fi.Size(), recordings.Format(*format), nil); err != nil {
			return err
		}
		if _, err := io.Copy(io.Discard, c.R); err != nil {
			return err
		}
		times = append(times, time.Since(start).Seconds())
	}
	slices.Sort(times)
	med := times[len(times)/2]
	fmt.Printf("%.6f %.1f %.3f\n", med, c.Duration.Seconds()/med, c.Duration.Seconds())
	return nil
}

// fileServer serves the files under root with http.FileServer: ServeContent on
// an *os.File, which the standard library sends with sendfile. It is the plain
// Go reference of the load benchmark: no catalogue, no logging, no middleware.
func fileServer(args []string) error {
	fs := flag.NewFlagSet("fileserver", flag.ExitOnError)
	listen := fs.String("listen", "127.0.0.1:0", "address")
	root := fs.String("root", ".", "directory served")
	copyOnly := fs.Bool("copy", false, "hide the *os.File behind an io.SectionReader, as stream.Open does, so no sendfile")
	fs.Parse(args)
	if !*copyOnly {
		return http.ListenAndServe(*listen, http.FileServer(http.Dir(*root)))
	}
	dir := http.Dir(*root)
	return http.ListenAndServe(*listen, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, err := dir.Open(r.URL.Path)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil || fi.IsDir() {
			http.NotFound(w, r)
			return
		}
		http.ServeContent(w, r, fi.Name(), fi.ModTime(), io.NewSectionReader(f.(io.ReaderAt), 0, fi.Size()))
	}))
}

// freePort prints a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer ln.Close()
	fmt.Println(ln.Addr().(*net.TCPAddr).Port)
	return nil
}
