package web

import (
	"encoding/base64"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/totalrec/totalrec/recordings"
)

// TestHostileQueries sends malformed and malicious search parameters to the API,
// the exports and the search page: each is a 400 with the JSON error (or the
// page with its message), and neither the catalogue nor the spool changes.
func TestHostileQueries(t *testing.T) {
	f := sharedFixture(t).own(t)
	before := f.snapshot(t)
	otherSort := base64.RawURLEncoding.EncodeToString([]byte(`{"s":"duration_asc","k":1,"i":1}`))
	for _, q := range []string{
		"limit=99999999999999999999", "limit=0", "limit=-1", "limit=abc", "limit=1001",
		"min_duration=-5", "max_duration=-1s", "min_duration=99999999999999999999", "min_duration=1e9",
		"max_duration=99999h", "min_duration=60&max_duration=30",
		"since=" + url.QueryEscape("';DROP TABLE totalrec_recordings;--"), "since=9999-99-99", "until=-7d",
		"since=today&until=yesterday",
		"number=" + url.QueryEscape("' OR 1=1 --"), "number=%FF%FE", "number=" + strings.Repeat("9", 300),
		"ext=" + url.QueryEscape("101' OR '1'='1"),
		"after=garbage!!", "after=" + otherSort, "after=" + strings.Repeat("A", 400),
		"sort=" + url.QueryEscape("id; DROP TABLE x"), "sort=size",
		"type=" + url.QueryEscape("in'--"), "type=" + manyTypes(40),
		"direction=sideways", "disposition=" + url.QueryEscape("ANSWERED' OR 1=1"), "format=" + url.QueryEscape("../../etc/passwd"),
		"hide_empty=maybe", "deleted=" + url.QueryEscape("1; rm -rf /"),
	} {
		for _, path := range []string{"/api/v1/recordings?", "/api/v1/exports/recordings.csv?", "/api/v1/exports/recordings.zip?"} {
			if strings.HasPrefix(q, "after=") && strings.Contains(path, "exports") {
				continue // an export is every match: it ignores the cursor
			}
			res, body := f.get(t, path+q)
			wantError(t, res, body, http.StatusBadRequest, "invalid")
		}
		res, body := f.get(t, "/?"+q)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), `class="notice error"`) ||
			!strings.Contains(string(body), `id="search-form"`) {
			t.Errorf("search page ?%s: %d, want 400 with the form and the message", clip(q, 60), res.StatusCode)
		}
	}
	if after := f.snapshot(t); !reflect.DeepEqual(before, after) {
		t.Error("hostile queries changed the catalogue or the spool")
	}
	f.noErrors(t, "on hostile queries (a 500 somewhere)")
}

// TestIDsOnly checks that a recording is reached by its catalogue ID alone:
// anything else in the place of an ID is refused, and parameters never name a
// file.
func TestIDsOnly(t *testing.T) {
	f := sharedFixture(t)
	for _, id := range []string{"abc", "-1", "0", "1.5", "99999999999999999999999", "1e3", "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
		"..%2F..%2F..%2Fetc%2Fpasswd", "2026%2F11%2F26%2Fx.wav", "%00", "1%20OR%201=1"} {
		for _, suffix := range []string{"", "/audio", "/original", "/waveform"} {
			res, body := f.get(t, "/api/v1/recordings/"+id+suffix)
			if res.StatusCode != http.StatusBadRequest && res.StatusCode != http.StatusNotFound {
				t.Errorf("id %q%s: status %d", id, suffix, res.StatusCode)
			}
			if strings.Contains(string(body), "root:") || res.Header.Get("Content-Type") == "audio/wav" {
				t.Errorf("id %q%s served a file", id, suffix)
			}
		}
	}
	r := f.find(t, recordings.Query{HideEmpty: true, Format: recordings.FormatWAV}, func(recordings.Recording) bool { return true })
	_, plain := f.get(t, fmt.Sprintf("/api/v1/recordings/%d/original", r.ID))
	_, withParams := f.get(t, fmt.Sprintf("/api/v1/recordings/%d/original?path=%s&file=/etc/passwd&name=..%%2F..%%2Fetc%%2Fshadow",
		r.ID, url.QueryEscape("../../../../etc/passwd")))
	if string(plain) != string(withParams) {
		t.Error("a path in the query string changed what was served")
	}
}

// TestFilesystemInvariants replaces a recording with a symlink to a file outside
// the spool and deletes another: the first is refused without reading the
// target, the second is reported missing, and the pages say so without a player.
func TestFilesystemInvariants(t *testing.T) {
	f := newFixture(t, 3, 8, nil)
	recs := f.all(t, recordings.Query{HideEmpty: true})
	if len(recs) < 2 {
		t.Fatalf("%d recordings", len(recs))
	}
	secret := filepath.Join(f.dir, "secret.wav")
	if err := os.WriteFile(secret, []byte("RIFF-the-secret-outside-the-spool"), 0o644); err != nil {
		t.Fatal(err)
	}
	linked, gone := recs[0], recs[1]
	p := filepath.Join(f.spool, filepath.FromSlash(linked.Path))
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, p); err != nil {
		t.Fatal(err)
	}
	for _, suffix := range []string{"/audio", "/original", "/waveform"} {
		res, body := f.get(t, fmt.Sprintf("/api/v1/recordings/%d%s", linked.ID, suffix))
		wantError(t, res, body, http.StatusForbidden, "forbidden")
		if strings.Contains(string(body), "secret") {
			t.Errorf("%s: the symlink's target leaked", suffix)
		}
	}
	if err := os.Remove(filepath.Join(f.spool, filepath.FromSlash(gone.Path))); err != nil {
		t.Fatal(err)
	}
	res, body := f.get(t, fmt.Sprintf("/api/v1/recordings/%d/audio", gone.ID))
	wantError(t, res, body, http.StatusNotFound, "file_missing")
	res, body = f.get(t, fmt.Sprintf("/recordings/%d", gone.ID))
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `id="no-player"`) || strings.Contains(string(body), "<audio") {
		t.Errorf("player page of a vanished file: %d, want a notice and no player", res.StatusCode)
	}
	// After a rescan the catalogue knows it is missing: 410, and listed as such.
	f.scan(t)
	res, body = f.get(t, fmt.Sprintf("/api/v1/recordings/%d/original", gone.ID))
	wantError(t, res, body, http.StatusGone, "missing")
	res, body = f.get(t, "/?deleted=1&hide_empty=0")
	if res.StatusCode != http.StatusOK {
		t.Errorf("the search page with deleted=1: %d", res.StatusCode)
	}
	if !strings.Contains(string(body), fmt.Sprintf(`data-id="%d"`, gone.ID)) || !strings.Contains(string(body), "state-missing") {
		t.Errorf("the search page with deleted=1 does not list the missing recording %d as missing", gone.ID)
	}
}

// snapshot is the state hostile requests must not change: every catalogue row and
// every spool file's size and modification time.
type fixtureState struct {
	Rows  []recordings.Recording
	Files map[string][2]int64
}

func (f *fixture) snapshot(t *testing.T) fixtureState {
	t.Helper()
	s := fixtureState{Rows: f.all(t, recordings.Query{WithDeleted: true}), Files: map[string][2]int64{}}
	err := filepath.WalkDir(f.spool, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		s.Files[p] = [2]int64{fi.Size(), fi.ModTime().UnixNano()}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// manyTypes is n distinct well-formed type names, comma-separated.
func manyTypes(n int) string {
	var ts []string
	for i := range n {
		ts = append(ts, "x"+string(rune('a'+i/26))+string(rune('a'+i%26)))
	}
	return strings.Join(ts, ",")
}
