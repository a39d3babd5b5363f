package web

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/totalrec/totalrec/recordings"
)

func decodeJSON[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %s: %v", clip(string(b), 300), err)
	}
	return v
}

// wantError checks an API error response: its status, JSON body and code.
func wantError(t *testing.T, res *http.Response, body []byte, status int, code string) errorDetail {
	t.Helper()
	if res.StatusCode != status {
		t.Fatalf("%s: status %d, want %d: %q", res.Request.URL, res.StatusCode, status, clip(string(body), 200))
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("%s: error body is %s, not JSON", res.Request.URL, ct)
	}
	e := decodeJSON[errorBody](t, body).Error
	if e.Code != code || e.Message == "" {
		t.Fatalf("%s: error %+v, want code %q and a message", res.Request.URL, e, code)
	}
	return e
}

func TestAPI_Search(t *testing.T) {
	f := sharedFixture(t)
	all := f.all(t, recordings.Query{HideEmpty: true})

	// No filter: newest first, empty recordings hidden, a total.
	res, body := f.get(t, "/api/v1/recordings?limit=5")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", res.StatusCode, body)
	}
	p := decodeJSON[recordings.PageJSON](t, body)
	if len(p.Items) != 5 || p.Total != len(all) || p.TotalCapped || p.Next == "" {
		t.Fatalf("first page: %d items, total %d (want %d), next %q", len(p.Items), p.Total, len(all), p.Next)
	}
	if p.Items[0].ID != all[0].ID || !strings.HasSuffix(p.Items[0].CallTime, "+03:00") {
		t.Errorf("first item %+v, want recording %d in the PBX's zone", p.Items[0], all[0].ID)
	}

	// Every item has every key of the one recording shape, linked or not.
	var raw struct{ Items []map[string]json.RawMessage }
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatal(err)
	}
	want := recordingKeys(t)
	for _, it := range raw.Items {
		if got := slices.Sorted(maps.Keys(it)); !slices.Equal(got, want) {
			t.Errorf("an API item's keys\n got %v\nwant %v (recordings.RecordingJSON)", got, want)
		}
	}

	// Following next visits every match once.
	seen := map[int64]bool{}
	next := ""
	for pages := 0; ; pages++ {
		_, body := f.get(t, "/api/v1/recordings?limit=40&after="+url.QueryEscape(next))
		p := decodeJSON[recordings.PageJSON](t, body)
		for _, it := range p.Items {
			if seen[it.ID] {
				t.Fatalf("recording %d on two pages", it.ID)
			}
			seen[it.ID] = true
			if it.State == "empty" {
				t.Errorf("empty recording %d listed by default", it.ID)
			}
		}
		if next = p.Next; next == "" || pages > 100 {
			break
		}
	}
	if len(seen) != len(all) {
		t.Errorf("paging saw %d recordings, want %d", len(seen), len(all))
	}

	// Filters: a number's last digits, a type, a duration, a disposition.
	caller := f.find(t, recordings.Query{HideEmpty: true, Types: []string{"in"}}, func(r recordings.Recording) bool { return len(r.CDR.Src) > 6 })
	suffix := caller.CDR.Src[len(caller.CDR.Src)-5:]
	_, body = f.get(t, "/api/v1/recordings?type=in&min_duration=1&disposition=answered&number="+url.QueryEscape(suffix))
	p = decodeJSON[recordings.PageJSON](t, body)
	found := false
	for _, it := range p.Items {
		found = found || it.ID == caller.ID
		if it.Type != "in" || it.Duration < 1 || it.Disposition != "ANSWERED" {
			t.Errorf("filters matched %+v", it)
		}
	}
	if !found {
		t.Errorf("number %s did not find recording %d: %s", suffix, caller.ID, body)
	}

	// hide_empty=0 lists the empty recordings too.
	_, body = f.get(t, "/api/v1/recordings?hide_empty=0&limit=1000")
	if p := decodeJSON[recordings.PageJSON](t, body); p.Total <= len(all) {
		t.Errorf("hide_empty=0: total %d, want more than %d", p.Total, len(all))
	}

	// Sorted by duration, longest first.
	_, body = f.get(t, "/api/v1/recordings?sort=duration_desc&limit=20")
	p = decodeJSON[recordings.PageJSON](t, body)
	for i := 1; i < len(p.Items); i++ {
		if p.Items[i].Duration > p.Items[i-1].Duration {
			t.Fatalf("duration_desc out of order at %d", i)
		}
	}
}

func TestAPI_Recording(t *testing.T) {
	f := sharedFixture(t)
	// A transfer leaves two recordings under one linkedid.
	byLinked := map[string][]recordings.Recording{}
	for _, r := range f.all(t, recordings.Query{}) {
		if r.LinkedID != "" {
			byLinked[r.LinkedID] = append(byLinked[r.LinkedID], r)
		}
	}
	var call []recordings.Recording
	for _, rs := range byLinked {
		if len(rs) > 1 {
			call = rs
			break
		}
	}
	if call == nil {
		t.Fatal("no call with two recordings in the demo")
	}
	res, body := f.get(t, fmt.Sprintf("/api/v1/recordings/%d", call[0].ID))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", res.StatusCode, body)
	}
	d := decodeJSON[DetailJSON](t, body)
	if d.ID != call[0].ID || len(d.Legs) != len(call)-1 || len(d.CDRLegs) == 0 {
		t.Fatalf("detail of %d: %d legs (want %d), %d CDR rows", call[0].ID, len(d.Legs), len(call)-1, len(d.CDRLegs))
	}
	for _, l := range d.Legs {
		if l.LinkedID != call[0].LinkedID || l.ID == d.ID {
			t.Errorf("leg %+v", l)
		}
	}

	res, body = f.get(t, "/api/v1/recordings/999999")
	wantError(t, res, body, http.StatusNotFound, "not_found")
}

func TestAPI_Audio(t *testing.T) {
	f := sharedFixture(t)
	for _, format := range []recordings.Format{recordings.FormatWAV, recordings.FormatWAV49, recordings.FormatGSM,
		recordings.FormatULaw, recordings.FormatALaw, recordings.FormatSLN} {
		t.Run(string(format), func(t *testing.T) {
			r := f.find(t, recordings.Query{HideEmpty: true, Format: format}, func(r recordings.Recording) bool { return r.Duration > 4e9 })
			path := fmt.Sprintf("/api/v1/recordings/%d/audio", r.ID)
			res, whole := f.get(t, path)
			if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "audio/wav" ||
				res.Header.Get("Accept-Ranges") != "bytes" || res.Header.Get("ETag") == "" {
				t.Fatalf("GET: %d %v", res.StatusCode, res.Header)
			}
			if string(whole[:4]) != "RIFF" || string(whole[8:12]) != "WAVE" || len(whole) < 44+8000 {
				t.Fatalf("not a WAV: %d bytes", len(whole))
			}
			if !strings.Contains(res.Header.Get("Content-Disposition"), "inline") {
				t.Errorf("Content-Disposition %q", res.Header.Get("Content-Disposition"))
			}
			if format == recordings.FormatWAV && !bytes.Equal(whole, f.readFile(t, r)) {
				t.Error("PCM WAV is not served as the file itself")
			}
			n := len(whole)
			// A Range table after net/http's own; the middle range of a
			// stateful format is served from checkpoints.
			for _, tc := range []struct {
				rng        string
				code       int
				start, end int
			}{
				{"bytes=0-43", http.StatusPartialContent, 0, 44},
				{fmt.Sprintf("bytes=%d-%d", n/2, n/2+999), http.StatusPartialContent, n / 2, n/2 + 1000},
				{"bytes=-100", http.StatusPartialContent, n - 100, n},
				{fmt.Sprintf("bytes=%d-", n-7), http.StatusPartialContent, n - 7, n},
				{fmt.Sprintf("bytes=%d-", n), http.StatusRequestedRangeNotSatisfiable, 0, 0},
			} {
				res, part := f.get(t, path, "Range", tc.rng)
				if res.StatusCode != tc.code {
					t.Errorf("Range %s: status %d, want %d", tc.rng, res.StatusCode, tc.code)
					continue
				}
				if tc.code == http.StatusPartialContent && !bytes.Equal(part, whole[tc.start:tc.end]) {
					t.Errorf("Range %s: %d bytes differ from the whole response's", tc.rng, len(part))
				}
			}
			// If-Range with the current ETag gets the range; with another, the whole.
			etag := res.Header.Get("ETag")
			if res, _ := f.get(t, path, "Range", "bytes=10-19", "If-Range", etag); res.StatusCode != http.StatusPartialContent {
				t.Errorf("If-Range current: %d", res.StatusCode)
			}
			if res, b := f.get(t, path, "Range", "bytes=10-19", "If-Range", `"stale"`); res.StatusCode != http.StatusOK || len(b) != n {
				t.Errorf("If-Range stale: %d, %d bytes", res.StatusCode, len(b))
			}
			if res, _ := f.get(t, path, "If-None-Match", etag); res.StatusCode != http.StatusNotModified {
				t.Errorf("If-None-Match: %d", res.StatusCode)
			}
			res, b := f.do(t, http.MethodHead, path)
			if res.StatusCode != http.StatusOK || len(b) != 0 || res.Header.Get("Content-Length") != strconv.Itoa(n) {
				t.Errorf("HEAD: %d, %d body bytes, length %s", res.StatusCode, len(b), res.Header.Get("Content-Length"))
			}
			res, _ = f.get(t, path+"?download=1")
			if cd := res.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") || !strings.HasSuffix(cd, ".wav") {
				t.Errorf("download: Content-Disposition %q", cd)
			}
		})
	}
}

func TestAPI_UnplayableAndGone(t *testing.T) {
	f := sharedFixture(t)
	g := f.find(t, recordings.Query{Format: recordings.FormatG729}, func(recordings.Recording) bool { return true })
	res, body := f.get(t, fmt.Sprintf("/api/v1/recordings/%d/audio", g.ID))
	e := wantError(t, res, body, http.StatusUnsupportedMediaType, "unsupported_format")
	if !strings.Contains(e.Message, "/original") {
		t.Errorf("the G.729 error does not point to the original: %q", e.Message)
	}
	res, body = f.get(t, fmt.Sprintf("/api/v1/recordings/%d/waveform", g.ID))
	wantError(t, res, body, http.StatusUnsupportedMediaType, "unsupported_format")
	res, body = f.get(t, fmt.Sprintf("/api/v1/recordings/%d/original", g.ID))
	if res.StatusCode != http.StatusOK || !bytes.Equal(body, f.readFile(t, g)) {
		t.Errorf("G.729 original: %d, %d bytes", res.StatusCode, len(body))
	}
	if cd := res.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") || !strings.HasSuffix(cd, ".g729") {
		t.Errorf("G.729 original: Content-Disposition %q", cd)
	}
}

func TestAPI_OriginalAndWaveform(t *testing.T) {
	f := sharedFixture(t)
	r := f.find(t, recordings.Query{HideEmpty: true, Format: recordings.FormatWAV49}, func(r recordings.Recording) bool { return r.Duration > 5e9 })
	res, body := f.get(t, fmt.Sprintf("/api/v1/recordings/%d/original", r.ID))
	if res.StatusCode != http.StatusOK || !bytes.Equal(body, f.readFile(t, r)) {
		t.Fatalf("original: %d, %d bytes", res.StatusCode, len(body))
	}
	want := downloadName(r, moscow, "WAV")
	if cd := res.Header.Get("Content-Disposition"); cd != "attachment; filename="+want {
		t.Errorf("Content-Disposition %q, want the name %s", cd, want)
	}
	if res, part := f.get(t, fmt.Sprintf("/api/v1/recordings/%d/original", r.ID), "Range", "bytes=60-99"); res.StatusCode != http.StatusPartialContent || !bytes.Equal(part, body[60:100]) {
		t.Errorf("original Range: %d", res.StatusCode)
	}

	res, body = f.get(t, fmt.Sprintf("/api/v1/recordings/%d/waveform", r.ID))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("waveform: %d %s", res.StatusCode, body)
	}
	w := decodeJSON[waveformJSON](t, body)
	wantPeaks := int(r.Duration.Seconds()*10 + 0.999)
	if w.ID != r.ID || w.PeakMS != 100 || w.SampleRate != 8000 || len(w.Peaks) < wantPeaks-1 || len(w.Peaks) > wantPeaks+1 {
		t.Errorf("waveform: %d peaks of %d ms at %d Hz for %s", len(w.Peaks), w.PeakMS, w.SampleRate, r.Duration)
	}
	loud := 0
	for _, p := range w.Peaks {
		if p > 1000 {
			loud++
		}
	}
	if loud < len(w.Peaks)/4 {
		t.Errorf("waveform of speech is mostly silent: %d of %d peaks above 1000", loud, len(w.Peaks))
	}
	// The peaks are cached on disk under the recording's ID, size and mtime.
	res, again := f.get(t, fmt.Sprintf("/api/v1/recordings/%d/waveform", r.ID))
	if !bytes.Equal(again, body) {
		t.Error("the cached waveform differs")
	}
	if res, _ := f.get(t, fmt.Sprintf("/api/v1/recordings/%d/waveform", r.ID), "If-None-Match", res.Header.Get("ETag")); res.StatusCode != http.StatusNotModified {
		t.Errorf("waveform If-None-Match: %d", res.StatusCode)
	}
}

func TestAPI_ExportCSV(t *testing.T) {
	f := sharedFixture(t)
	all := f.all(t, recordings.Query{HideEmpty: true, Types: []string{"out"}})
	res, body := f.get(t, "/api/v1/exports/recordings.csv?type=out&limit=7")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("CSV: %d %v", res.StatusCode, res.Header)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(all)+1 || strings.Join(rows[0], ",") != strings.Join(csvHeader, ",") {
		t.Fatalf("CSV: %d rows for %d recordings (all pages, not one), header %v", len(rows), len(all), rows[0])
	}
	if rows[1][0] != strconv.FormatInt(all[0].ID, 10) {
		t.Errorf("first row %v, want recording %d", rows[1], all[0].ID)
	}
	if res.Trailer.Get("X-Totalrec-Truncated") != "" {
		t.Error("a small export says it was truncated")
	}
	res, body = f.get(t, "/api/v1/exports/recordings.csv?min_duration=-4")
	wantError(t, res, body, http.StatusBadRequest, "invalid")
}

func TestAPI_ExportZIP(t *testing.T) {
	f := sharedFixture(t)
	q := recordings.Query{HideEmpty: true, Types: []string{"in"}, Since: now.AddDate(0, 0, -3)}
	want := f.all(t, q)
	u := "/api/v1/exports/recordings.zip?type=in&since=" + url.QueryEscape(q.Since.In(moscow).Format("2006-01-02T15:04"))
	res, body := f.get(t, u)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/zip" ||
		!strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("ZIP: %d %v %s", res.StatusCode, res.Header, clip(string(body), 200))
	}
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != len(want) {
		t.Fatalf("ZIP holds %d files, want %d", len(zr.File), len(want))
	}
	names := map[string]bool{}
	for _, zf := range zr.File {
		if names[zf.Name] || strings.ContainsAny(zf.Name, "/\\ ") {
			t.Errorf("ZIP entry name %q (duplicate or unsafe)", zf.Name)
		}
		names[zf.Name] = true
	}
	first, _ := zr.File[0].Open()
	var buf bytes.Buffer
	buf.ReadFrom(first)
	if !bytes.Equal(buf.Bytes(), f.readFile(t, want[0])) {
		t.Error("the first ZIP entry is not the first recording's file")
	}

	// Above the limit: refused before anything is written.
	small := f.withOptions(t, func(o *Options) { o.ZipMaxFiles, o.CSVMaxRows = len(want)-1, 5 })
	res, body = small.get(t, u)
	if e := wantError(t, res, body, http.StatusConflict, "too_large"); !strings.Contains(e.Message, strconv.Itoa(len(want)-1)) {
		t.Errorf("the refusal does not state the limit: %q", e.Message)
	}
	// A CSV export above its limit is cut and says so in its trailer.
	res, body = small.get(t, "/api/v1/exports/recordings.csv")
	if n := bytes.Count(body, []byte("\n")); res.StatusCode != http.StatusOK || n != 6 || res.Trailer.Get("X-Totalrec-Truncated") == "" {
		t.Errorf("a cut CSV export: %d, %d lines, trailer %v", res.StatusCode, n, res.Trailer)
	}
}

func TestHealthzAndStatic(t *testing.T) {
	f := sharedFixture(t)
	res, body := f.get(t, "/healthz")
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `"ok"`) {
		t.Errorf("healthz: %d %s", res.StatusCode, body)
	}
	u := f.srv.assets.url("app.css")
	res, body = f.get(t, u)
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") ||
		!strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") || len(body) == 0 {
		t.Errorf("%s: %d %v", u, res.StatusCode, res.Header)
	}
	if res, _ := f.get(t, "/static/0000000000000000/app.css"); res.StatusCode != http.StatusNotFound {
		t.Errorf("a stale checksum: %d", res.StatusCode)
	}
	res, body = f.get(t, "/api/v1/nothing-here")
	wantError(t, res, body, http.StatusNotFound, "not_found")
	// Every response carries the security headers, errors included.
	for _, p := range []string{"/", "/healthz", "/api/v1/recordings/0", "/nope", u} {
		res, _ := f.get(t, p)
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") ||
			res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("Referrer-Policy") == "" {
			t.Errorf("%s: security headers %v", p, res.Header)
		}
	}
}
