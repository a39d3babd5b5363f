package main

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/daemon"
)

// TestCLI_ScanHostileSpool scans a spool built to trip a scanner up. It must finish,
// report each oddity, catalogue what it can, and touch nothing outside the root.
func TestCLI_ScanHostileSpool(t *testing.T) {
	base := t.TempDir()
	spool := filepath.Join(base, "monitor")
	outside := filepath.Join(base, "outside")
	day := filepath.Join(spool, "2026", "11", "26")
	flat := filepath.Join(spool, "flat")
	for _, d := range []string{day, flat, outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(path string, b []byte) {
		t.Helper()
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	secret := filepath.Join(outside, "in-100-200-20261126-101010-1795680000.1.wav")
	write(secret, pcmWAV(8000))
	must(t, os.Symlink("/etc", filepath.Join(spool, "etc")))
	must(t, os.Symlink(outside, filepath.Join(day, "elsewhere")))
	must(t, os.Symlink(secret, filepath.Join(day, "in-100-200-20261126-101010-1795680000.2.wav")))
	write(filepath.Join(day, "in-100-200-20261126-101011-1795680000.3.wav"), nil)
	write(filepath.Join(day, "in-100-200-20261126-101012-1795680000.4.wav"), pcmWAV(0))
	write(filepath.Join(day, "out-555-100-20261126-101013-1795680000.5.wav"), []byte(strings.Repeat("garbage!", 100)))
	write(filepath.Join(day, "out-555-100-20261126-101014-1795680000.6.wav"), pcmWAV(16000))
	write(filepath.Join(day, "\xff\xfe-not-utf8.wav"), pcmWAV(800))
	write(filepath.Join(day, "no idea what this is"), []byte("hello"))
	must(t, exec.Command("mkfifo", filepath.Join(day, "a-fifo.wav")).Run())
	const flatFiles = 100000
	for i := 0; i < flatFiles; i++ {
		write(filepath.Join(flat, fmt.Sprintf("OUT%d-20091126-%02d%02d%02d-1259230530.%d.WAV", 100+i%50, i/3600%24, i/60%60, i%60, i)), nil)
	}
	before := snapshot(t, outside)

	db := "sqlite:" + filepath.Join(base, "cat.db")
	r := cli(t, []string{"TOTALREC_SPOOL=" + spool, "TOTALREC_DB=" + db}, "scan", "--json")
	r.must(t, exitOK)
	s := decode[daemon.ScanResult](t, r.stdout)
	wantFiles := flatFiles + 5
	if s.Scan.Files != wantFiles || s.Scan.New != wantFiles {
		t.Errorf("files %d new %d, want %d", s.Scan.Files, s.Scan.New, wantFiles)
	}
	// Empty: the flat ones, the 0- and 44-byte files, and the 5-byte stray.
	if s.Scan.Empty != flatFiles+3 || s.Scan.Corrupt != 1 || s.Scan.Unnamed != 1 {
		t.Errorf("empty %d corrupt %d unnamed %d, want %d, 1, 1", s.Scan.Empty, s.Scan.Corrupt, s.Scan.Unnamed, flatFiles+3)
	}
	odd := map[string]string{}
	for _, o := range s.Oddities {
		odd[o.Path] = o.What
	}
	for _, p := range []string{"etc", "2026/11/26/elsewhere", "2026/11/26/in-100-200-20261126-101010-1795680000.2.wav", "2026/11/26/a-fifo.wav"} {
		if odd[p] == "" {
			t.Errorf("oddity %q not reported; got %v", p, odd)
		}
	}
	if len(s.Oddities) != 5 {
		t.Errorf("%d oddities, want 5 (3 links, a fifo, a non-UTF-8 name): %v", len(s.Oddities), s.Oddities)
	}
	if after := snapshot(t, outside); after != before {
		t.Errorf("the directory outside the spool changed:\n%s\n%s", before, after)
	}
	p := decode[recordings.PageJSON](t, cli(t, []string{"TOTALREC_DB=" + db}, "search", "--number", "200", "--json", "--limit", "1000").must(t, exitOK).stdout)
	for _, it := range p.Items {
		if strings.Contains(it.Path, "1795680000.1") || strings.Contains(it.Path, "1795680000.2") {
			t.Errorf("a file behind a symlink was catalogued: %+v", it)
		}
	}
	// The whole table's human summary names the oddities on stderr.
	r = cli(t, []string{"TOTALREC_SPOOL=" + spool, "TOTALREC_DB=" + db}, "scan", "--full")
	if r.must(t, exitOK); !strings.Contains(r.stderr, "symbolic link; not followed") || !strings.Contains(r.stdout, "scanned") {
		t.Errorf("scan --full output:\n%s\n%s", r.stdout, r.stderr)
	}
}

// TestCLI_ScanEveryFormat catalogues real recordings in every format Asterisk writes,
// made by sox, and checks each duration against the truth.
func TestCLI_ScanEveryFormat(t *testing.T) {
	if _, err := exec.LookPath("sox"); err != nil {
		t.Fatal("sox is needed (scripts/test installs it)")
	}
	spool := t.TempDir()
	day := filepath.Join(spool, "2026", "11", "26")
	must(t, os.MkdirAll(day, 0o755))
	type want struct {
		format string
		secs   float64
	}
	cases := map[string]want{}
	add := func(ext, format string, secs float64, soxArgs ...string) {
		name := fmt.Sprintf("in-74951234567-+79161234567-20261126-1015%02d-1795680930.%d.%s", len(cases), len(cases), ext)
		out := filepath.Join(day, name)
		args := append([]string{"-n", "-r", "8000", "-c", "1"}, soxArgs...)
		args = append(args, out, "synth", fmt.Sprint(secs), "sine", "300-3000")
		if b, err := exec.Command("sox", args...).CombinedOutput(); err != nil {
			t.Fatalf("sox %v: %v\n%s", args, err, b)
		}
		cases[name] = want{format, secs}
	}
	add("wav", "wav", 2.5, "-t", "wav", "-e", "signed", "-b", "16")
	add("WAV", "wav49", 7.3, "-t", "wav", "-e", "gsm-full-rate")
	add("gsm", "gsm", 3.14, "-t", "gsm")
	add("ulaw", "ulaw", 1.75, "-t", "ul")
	add("pcm", "ulaw", 1.25, "-t", "ul")
	add("alaw", "alaw", 4.2, "-t", "al")
	add("sln", "sln", 2.02, "-t", "raw", "-e", "signed", "-b", "16")
	add("sln16", "sln16", 1.5, "-r", "16000", "-t", "raw", "-e", "signed", "-b", "16")
	add("wav16", "wav16", 1.1, "-r", "16000", "-t", "wav", "-e", "signed", "-b", "16")
	// g722 and g729 cannot be made by sox: their durations follow from the size.
	for ext, bytesPerSec := range map[string]int{"g722": 8000, "g729": 1000} {
		name := fmt.Sprintf("out-100-200-20261126-1100%02d-1795680999.%d.%s", len(cases), len(cases), ext)
		must(t, os.WriteFile(filepath.Join(day, name), make([]byte, 3*bytesPerSec), 0o644))
		cases[name] = want{ext, 3}
	}

	db := "sqlite:" + filepath.Join(t.TempDir(), "cat.db")
	cli(t, []string{"TOTALREC_SPOOL=" + spool, "TOTALREC_DB=" + db}, "scan").must(t, exitOK)
	p := decode[recordings.PageJSON](t, cli(t, []string{"TOTALREC_DB=" + db}, "search", "--json").must(t, exitOK).stdout)
	if len(p.Items) != len(cases) {
		t.Fatalf("%d recordings catalogued, want %d", len(p.Items), len(cases))
	}
	for _, it := range p.Items {
		w := cases[filepath.Base(it.Path)]
		if it.Format != w.format || it.State != "ok" {
			t.Errorf("%s: format %s state %s, want %s ok", it.Path, it.Format, it.State, w.format)
		}
		// GSM frames are 20 ms and WAV49 blocks 40 ms: sox pads the last one.
		if d := math.Abs(it.Duration - w.secs); d > 0.020 {
			t.Errorf("%s: duration %.3f s, want %.3f s (±20 ms)", it.Path, it.Duration, w.secs)
		}
		if it.Type != "in" && it.Type != "out" {
			t.Errorf("%s: type %q", it.Path, it.Type)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// pcmWAV is a canonical 8 kHz PCM WAV file with n samples of silence.
func pcmWAV(n int) []byte {
	h := []byte("RIFF\x00\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x40\x1f\x00\x00\x80\x3e\x00\x00\x02\x00\x10\x00data\x00\x00\x00\x00")
	le := func(off int, v uint32) {
		h[off], h[off+1], h[off+2], h[off+3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
	}
	le(4, uint32(36+2*n))
	le(40, uint32(2*n))
	return append(h, make([]byte, 2*n)...)
}

// snapshot lists a directory's files with size, mode and times, to see that nothing
// read, wrote or deleted them.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %d %v %v\n", p, fi.Size(), fi.Mode(), fi.ModTime().Format(time.RFC3339Nano))
		return nil
	})
	return b.String()
}
