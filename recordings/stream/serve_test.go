package stream

import (
	"cmp"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

// wantRange is a half-open byte range of the whole output.
type wantRange struct{ start, end int64 }

// TestServeHTTP runs the stdlib's ServeFileRangeTests table, adapted to a
// transcoded recording, through a real HTTP server that opens the recording
// for each request with its checkpoints.
func TestServeHTTP(t *testing.T) {
	fx := makeFixture(t, "wav49", "10")
	_, whole := readAll(t, fx.path, fx.format, nil)
	cp := buildCheckpoints(t, fx.path, fx, 0)
	modtime := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	const etag = `"rec-42-1740823200-6543-wav"`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, err := os.Open(fx.path)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		c, err := Open(f, fi.Size(), fx.format, cp)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		ServeHTTP(w, r, c, "call.wav", modtime, etag)
	}))
	defer srv.Close()

	n := int64(len(whole))
	mid := n / 2
	for _, tc := range []struct {
		name    string
		method  string
		headers map[string]string
		code    int
		ranges  []wantRange // nil: the whole output
	}{
		{name: "whole", code: http.StatusOK},
		{name: "first bytes", headers: map[string]string{"Range": "bytes=0-4"}, code: 206, ranges: []wantRange{{0, 5}}},
		{name: "header and first samples", headers: map[string]string{"Range": "bytes=40-99"}, code: 206, ranges: []wantRange{{40, 100}}},
		{name: "middle", headers: map[string]string{"Range": fmt.Sprintf("bytes=%d-%d", mid, mid+9999)}, code: 206, ranges: []wantRange{{mid, mid + 10000}}},
		{name: "suffix", headers: map[string]string{"Range": "bytes=-1000"}, code: 206, ranges: []wantRange{{n - 1000, n}}},
		{name: "open-ended", headers: map[string]string{"Range": fmt.Sprintf("bytes=%d-", mid)}, code: 206, ranges: []wantRange{{mid, n}}},
		{name: "past the end", headers: map[string]string{"Range": fmt.Sprintf("bytes=%d-%d", n-10, n+1000)}, code: 206, ranges: []wantRange{{n - 10, n}}},
		{name: "multi", headers: map[string]string{"Range": "bytes=0-0,-2"}, code: 206, ranges: []wantRange{{0, 1}, {n - 2, n}}},
		{name: "multi three", headers: map[string]string{"Range": fmt.Sprintf("bytes=10-19,%d-%d,%d-", mid, mid+4999, n-300)},
			code: 206, ranges: []wantRange{{10, 20}, {mid, mid + 5000}, {n - 300, n}}},
		{name: "unsatisfiable", headers: map[string]string{"Range": fmt.Sprintf("bytes=%d-", n)}, code: 416},
		{name: "unsatisfiable far", headers: map[string]string{"Range": fmt.Sprintf("bytes=%d-%d", n+10, n+20)}, code: 416},
		{name: "if-range current", headers: map[string]string{"Range": "bytes=-1000", "If-Range": etag}, code: 206, ranges: []wantRange{{n - 1000, n}}},
		{name: "if-range stale", headers: map[string]string{"Range": "bytes=-1000", "If-Range": `"rec-42-old"`}, code: http.StatusOK},
		{name: "if-none-match", headers: map[string]string{"If-None-Match": etag}, code: http.StatusNotModified},
		{name: "head", method: http.MethodHead, code: http.StatusOK},
		{name: "head range", method: http.MethodHead, headers: map[string]string{"Range": "bytes=100-199"}, code: 206},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(cmp.Or(tc.method, http.MethodGet), srv.URL, nil)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tc.headers {
				req.Header.Set(k, v)
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
			if res.StatusCode != tc.code {
				t.Fatalf("status %d, want %d", res.StatusCode, tc.code)
			}
			h := res.Header
			// ServeContent drops the entity headers from its error responses.
			if h.Get("Accept-Ranges") != "bytes" ||
				tc.code != 416 && (h.Get("Cache-Control") != "private" || h.Get("ETag") != etag) {
				t.Errorf("headers %v", h)
			}
			switch {
			case tc.code == 416:
				if got, want := h.Get("Content-Range"), fmt.Sprintf("bytes */%d", n); got != want {
					t.Errorf("Content-Range %q, want %q", got, want)
				}
			case tc.code == http.StatusNotModified:
			case tc.method == http.MethodHead:
				if len(body) != 0 {
					t.Errorf("HEAD body of %d bytes", len(body))
				}
				if tc.code == http.StatusOK && res.ContentLength != n {
					t.Errorf("HEAD Content-Length %d, want %d", res.ContentLength, n)
				}
			case len(tc.ranges) == 0:
				if h.Get("Content-Type") != "audio/wav" {
					t.Errorf("Content-Type %q", h.Get("Content-Type"))
				}
				sameBytes(t, "body", body, whole)
			case len(tc.ranges) == 1:
				r := tc.ranges[0]
				if got, want := h.Get("Content-Range"), fmt.Sprintf("bytes %d-%d/%d", r.start, r.end-1, n); got != want {
					t.Errorf("Content-Range %q, want %q", got, want)
				}
				sameBytes(t, "body", body, whole[r.start:r.end])
			default:
				checkMultipart(t, h.Get("Content-Type"), body, tc.ranges, whole)
			}
		})
	}
}

// checkMultipart checks a multipart/byteranges body part by part.
func checkMultipart(t *testing.T, ctype string, body []byte, ranges []wantRange, whole []byte) {
	t.Helper()
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil || mt != "multipart/byteranges" {
		t.Fatalf("Content-Type %q: %v", ctype, err)
	}
	mr := multipart.NewReader(strings.NewReader(string(body)), params["boundary"])
	for i, r := range ranges {
		part, err := mr.NextPart()
		if err != nil {
			t.Fatalf("part %d: %v", i, err)
		}
		want := fmt.Sprintf("bytes %d-%d/%d", r.start, r.end-1, len(whole))
		if got := part.Header.Get("Content-Range"); got != want {
			t.Errorf("part %d Content-Range %q, want %q", i, got, want)
		}
		if got := part.Header.Get("Content-Type"); got != "audio/wav" {
			t.Errorf("part %d Content-Type %q", i, got)
		}
		b, err := io.ReadAll(part)
		if err != nil {
			t.Fatal(err)
		}
		sameBytes(t, fmt.Sprintf("part %d", i), b, whole[r.start:r.end])
	}
	if _, err := mr.NextPart(); err != io.EOF {
		t.Errorf("after %d parts: %v, want EOF", len(ranges), err)
	}
}

// TestServeHTTPQuotesETag sends a bare entity tag quoted, and none when empty.
func TestServeHTTPQuotesETag(t *testing.T) {
	fx := makeFixture(t, "ulaw", "1")
	f, size := openFile(t, fx.path)
	for etag, want := range map[string]string{"abc": `"abc"`, `"abc"`: `"abc"`, "": ""} {
		c, err := Open(f, size, fx.format, nil)
		if err != nil {
			t.Fatal(err)
		}
		w := httptest.NewRecorder()
		ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil), c, "x.wav", time.Time{}, etag)
		if got := w.Header().Get("ETag"); got != want {
			t.Errorf("etag %q sent as %q, want %q", etag, got, want)
		}
	}
}
