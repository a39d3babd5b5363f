package web

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/ingest"
	"github.com/totalrec/totalrec/recordings/spool"
)

// damagedName is a WAV recording whose file is not a WAV at all.
const damagedName = "in-101-79161234567-20261126-120000-1795683600.950.wav"

// TestDamagedRecording: a WAV whose header cannot be read is reported as
// damaged (422 damaged_recording), not as a format Totalrec cannot decode; the
// player page says so and still offers the original, which is served.
func TestDamagedRecording(t *testing.T) {
	f := newFixture(t, 1, 3, func(spoolDir string) {
		dir := filepath.Join(spoolDir, "2026", "11", "26")
		os.MkdirAll(dir, 0o755)
		os.WriteFile(filepath.Join(dir, damagedName), bytes.Repeat([]byte("not a wav "), 400), 0o644)
	})
	r := f.find(t, recordings.Query{}, func(r recordings.Recording) bool { return strings.HasSuffix(r.Path, damagedName) })
	for _, p := range []string{"/audio", "/audio?download=1", "/waveform"} {
		res, body := f.get(t, fmt.Sprintf("/api/v1/recordings/%d%s", r.ID, p))
		e := wantError(t, res, body, http.StatusUnprocessableEntity, "damaged_recording")
		if !strings.Contains(e.Message, "damaged") {
			t.Errorf("%s: message %q does not say damaged", p, e.Message)
		}
	}
	res, body := f.get(t, fmt.Sprintf("/api/v1/recordings/%d/audio", r.ID))
	if e := wantError(t, res, body, http.StatusUnprocessableEntity, "damaged_recording"); !strings.Contains(e.Message, fmt.Sprintf("/api/v1/recordings/%d/original", r.ID)) {
		t.Errorf("the damaged error does not point to the original: %q", e.Message)
	}
	res, body = f.get(t, fmt.Sprintf("/api/v1/recordings/%d/original", r.ID))
	if res.StatusCode != http.StatusOK || !bytes.Equal(body, f.readFile(t, r)) {
		t.Errorf("original of a damaged recording: %d, %d bytes", res.StatusCode, len(body))
	}
	res, body = f.get(t, fmt.Sprintf("/recordings/%d", r.ID))
	page := string(body)
	if res.StatusCode != http.StatusOK || !strings.Contains(page, "This recording is damaged") || strings.Contains(page, "<audio") ||
		!strings.Contains(page, fmt.Sprintf(`href="/api/v1/recordings/%d/original"`, r.ID)) {
		t.Errorf("player page of a damaged recording: %d; damaged notice, no player and the original link wanted", res.StatusCode)
	}
	_, body = f.get(t, fmt.Sprintf("/recordings/%d?lang=ru", r.ID))
	if !strings.Contains(string(body), "Запись повреждена") {
		t.Error("the Russian player page does not say the recording is damaged")
	}
}

// TestHardLink_NotServed: a catalogued file replaced by a hard link to a file
// outside the spool (ln /etc/shadow <spool>/…/x.wav) is refused by every route
// that reads files — 409 hard_link, never its bytes — and the next scan reports
// it as an oddity and marks the recording missing.
func TestHardLink_NotServed(t *testing.T) {
	f := newFixture(t, 1, 4, nil)
	r := f.find(t, recordings.Query{HideEmpty: true}, func(r recordings.Recording) bool { return r.State == recordings.StateOK })
	secret := []byte("root:$6$not-for-the-web:19000:0:99999:7:::\n")
	outside := filepath.Join(f.dir, "shadow")
	if err := os.WriteFile(outside, secret, 0o600); err != nil {
		t.Fatal(err)
	}
	inSpool := filepath.Join(f.spool, filepath.FromSlash(r.Path))
	if err := os.Remove(inSpool); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(outside, inSpool); err != nil {
		t.Fatal(err)
	}

	for _, rt := range []struct{ method, path string }{
		{"GET", "/api/v1/recordings/%d/original"},
		{"GET", "/api/v1/recordings/%d/audio"},
		{"GET", "/api/v1/recordings/%d/audio?download=1"},
		{"GET", "/api/v1/recordings/%d/waveform"},
	} {
		res, body := f.do(t, rt.method, fmt.Sprintf(rt.path, r.ID))
		if bytes.Contains(body, []byte("not-for-the-web")) {
			t.Fatalf("%s served the linked file", rt.path)
		}
		wantError(t, res, body, http.StatusConflict, "hard_link")
	}
	if res, _ := f.do(t, http.MethodHead, fmt.Sprintf("/api/v1/recordings/%d/original", r.ID)); res.StatusCode != http.StatusConflict {
		t.Errorf("HEAD original: %d, want 409", res.StatusCode)
	}
	res, body := f.get(t, fmt.Sprintf("/recordings/%d", r.ID))
	page := string(body)
	if res.StatusCode != http.StatusOK || !strings.Contains(page, "other hard links") || strings.Contains(page, "<audio") ||
		strings.Contains(page, fmt.Sprintf(`href="/api/v1/recordings/%d/original"`, r.ID)) {
		t.Errorf("player page of a hard-linked file: %d; a notice and no download wanted", res.StatusCode)
	}

	// The ZIP export leaves it out and says why.
	res, body = f.get(t, "/api/v1/exports/recordings.zip?hide_empty=0")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("ZIP export: %d %s", res.StatusCode, clip(string(body), 200))
	}
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	var missingTxt string
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if bytes.Contains(b, []byte("not-for-the-web")) {
			t.Fatalf("the ZIP holds the linked file as %s", zf.Name)
		}
		if zf.Name == "MISSING.txt" {
			missingTxt = string(b)
		}
	}
	if !strings.Contains(missingTxt, r.Path) || !strings.Contains(missingTxt, "hard links") {
		t.Errorf("MISSING.txt does not name the refused file: %q", missingTxt)
	}

	// The scan reports it with its reason and the recording goes missing.
	var odd []spool.Oddity
	s := &ingest.Scanner{Tree: f.tree, Cat: f.cat, Loc: moscow, CDR: true, Now: func() time.Time { return now },
		Log: slog.New(slog.DiscardHandler), OnOddity: func(o spool.Oddity) { odd = append(odd, o) }}
	rep, err := s.Scan(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, o := range odd {
		found = found || (o.Path == r.Path && strings.Contains(o.What, "hard link"))
	}
	if !found || rep.Oddities == 0 || rep.Missing == 0 {
		t.Errorf("scan: oddities %+v, report %+v; the hard link wanted as an oddity and its recording missing", odd, rep)
	}
	res, body = f.get(t, fmt.Sprintf("/api/v1/recordings/%d/original", r.ID))
	wantError(t, res, body, http.StatusGone, "missing")
}
