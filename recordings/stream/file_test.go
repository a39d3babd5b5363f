package stream

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/audio"
)

// TestServeHTTP_PCMFile serves a PCM WAV from its *os.File through a real HTTP
// server (net/http copies it with sendfile) and checks every kind of range
// against the file's bytes, after the file has grown past the size it had when
// opened: the bytes appended later are never served.
func TestServeHTTP_PCMFile(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, 300_000)
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	hdr := audio.WAVHeader(8000, 1, 16, uint32(len(data)))
	whole := append(hdr[:], data...)
	path := filepath.Join(t.TempDir(), "call.wav")
	if err := os.WriteFile(path, whole, 0o644); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, err := os.Open(path)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer f.Close()
		c, err := Open(f, int64(len(whole)), recordings.FormatWAV, nil)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if _, ok := c.R.(syscall.Conn); !ok || c.Transcoded {
			http.Error(w, fmt.Sprintf("content %T cannot go out with sendfile", c.R), http.StatusInternalServerError)
			return
		}
		ServeHTTP(w, r, c, "call.wav", time.Time{}, "")
	}))
	defer srv.Close()
	appendTo(t, path, make([]byte, 4096))

	n := int64(len(whole))
	for _, tc := range []struct {
		rangeHeader string
		ranges      []wantRange
	}{
		{"", []wantRange{{0, n}}},
		{"bytes=0-511", []wantRange{{0, 512}}},
		{"bytes=100-70099", []wantRange{{100, 70100}}},
		{"bytes=-1000", []wantRange{{n - 1000, n}}},
		{fmt.Sprintf("bytes=%d-", n-200_000), []wantRange{{n - 200_000, n}}},
		{fmt.Sprintf("bytes=%d-%d", n-10, n+5000), []wantRange{{n - 10, n}}},
		{"bytes=0-0,1000-99999,-2", []wantRange{{0, 1}, {1000, 100_000}, {n - 2, n}}},
	} {
		t.Run(tc.rangeHeader, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, srv.URL, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tc.rangeHeader != "" {
				req.Header.Set("Range", tc.rangeHeader)
			}
			res, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, err := io.ReadAll(res.Body)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case len(tc.ranges) > 1:
				checkMultipart(t, res.Header.Get("Content-Type"), body, tc.ranges, whole)
			case res.StatusCode != http.StatusOK && res.StatusCode != http.StatusPartialContent:
				t.Fatalf("status %d: %s", res.StatusCode, body)
			default:
				sameBytes(t, "body", body, whole[tc.ranges[0].start:tc.ranges[0].end])
			}
		})
	}
}

// appendTo appends b to the file at path.
func appendTo(t *testing.T, path string, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(b); err != nil {
		t.Fatal(err)
	}
}

// TestFileSection_Offsets: a fileSection ends at its size, not the file's;
// reads after SyscallConn (what sendfile uses) continue from the file's own
// offset, where sendfile would have left it.
func TestFileSection_Offsets(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	whole := []byte("0123456789abcdefghij")
	if err := os.WriteFile(path, whole, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := wholeFile(f, 16).(*fileSection)
	if end, err := s.Seek(0, io.SeekEnd); end != 16 || err != nil {
		t.Fatalf("Seek end: %d, %v; want 16", end, err)
	}
	if _, err := s.Seek(4, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SyscallConn(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Read(make([]byte, 3)); err != nil { // as sendfile would: the file's offset moves to 7
		t.Fatal(err)
	}
	if cur, err := s.Seek(0, io.SeekCurrent); cur != 7 || err != nil {
		t.Fatalf("Seek current after sendfile: %d, %v; want 7", cur, err)
	}
	rest, err := io.ReadAll(s)
	if err != nil || string(rest) != "789abcdef" {
		t.Errorf("rest of the section: %q, %v; want %q", rest, err, "789abcdef")
	}
	if _, err := s.Seek(-1, io.SeekStart); err == nil {
		t.Error("Seek to -1 succeeded")
	}
}
