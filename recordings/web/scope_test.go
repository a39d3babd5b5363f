package web

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/auth"
)

// scopeSets splits the shared fixture's recordings by scope: those a user
// scoped to sc sees, and the others.
func scopeSets(t *testing.T, f *fixture, sc string) (in, out []recordings.Recording) {
	t.Helper()
	scope, err := recordings.ParseScope(sc)
	if err != nil {
		t.Fatal(err)
	}
	inIDs := map[int64]bool{}
	for _, r := range f.all(t, recordings.Query{WithDeleted: true, Scope: &scope}) {
		inIDs[r.ID] = true
	}
	for _, r := range f.all(t, recordings.Query{WithDeleted: true}) {
		// The scope rule, checked here without the catalogue: some party of the
		// call (recordings.Parties) is an extension of the scope.
		want := scope.Admits(r)
		if want != inIDs[r.ID] {
			t.Fatalf("recording %d (%s): in scope %v by its parties %v, %v by the catalogue", r.ID, r.Path, want, recordings.Parties(r), inIDs[r.ID])
		}
		if want {
			in = append(in, r)
		} else {
			out = append(out, r)
		}
	}
	if len(in) == 0 || len(out) == 0 {
		t.Fatalf("the fixture has %d recordings in scope %s and %d out: the test proves nothing", len(in), sc, len(out))
	}
	return in, out
}

// TestScope_NoByteOutOfScope: a user scoped to 100-109 reaches, by every route
// and with guessed IDs, the recordings of those extensions and nothing else;
// out of scope answers exactly as a recording that does not exist.
func TestScope_NoByteOutOfScope(t *testing.T) {
	base := sharedFixture(t)
	in, out := scopeSets(t, base, "100-109")
	f := base.as(t, "scoped", recordings.RoleUser, "100-109")
	inIDs := map[int64]bool{}
	for _, r := range in {
		inIDs[r.ID] = true
	}

	// Search through every page, with deleted ones.
	got := map[int64]bool{}
	next := ""
	for {
		res, body := f.get(t, "/api/v1/recordings?limit=50&deleted=1&hide_empty=0&after="+url.QueryEscape(next))
		if res.StatusCode != http.StatusOK {
			t.Fatalf("search: %d %s", res.StatusCode, body)
		}
		p := decodeJSON[recordings.PageJSON](t, body)
		for _, it := range p.Items {
			if !inIDs[it.ID] {
				t.Errorf("search lists recording %d, out of scope", it.ID)
			}
			got[it.ID] = true
		}
		if next = p.Next; next == "" {
			break
		}
	}
	if len(got) != len(in) {
		t.Errorf("search found %d recordings, %d are in scope", len(got), len(in))
	}

	// Every route with an out-of-scope ID answers as for an ID that does not exist.
	missing := int64(1 << 40)
	routes := []struct{ method, path, rangeHdr string }{
		{"GET", "/api/v1/recordings/%d", ""},
		{"GET", "/api/v1/recordings/%d/audio", ""},
		{"GET", "/api/v1/recordings/%d/audio", "bytes=100-200"},
		{"HEAD", "/api/v1/recordings/%d/audio", ""},
		{"GET", "/api/v1/recordings/%d/audio?download=1", ""},
		{"GET", "/api/v1/recordings/%d/original", ""},
		{"GET", "/api/v1/recordings/%d/original", "bytes=0-10"},
		{"GET", "/api/v1/recordings/%d/waveform", ""},
		{"GET", "/recordings/%d", ""},
	}
	for _, rt := range routes {
		wantRes, wantBody := f.do(t, rt.method, fmt.Sprintf(rt.path, missing), "Range", rt.rangeHdr)
		for _, r := range out {
			res, body := f.do(t, rt.method, fmt.Sprintf(rt.path, r.ID), "Range", rt.rangeHdr)
			same := body
			for _, pre := range []string{"recording ", "/recordings/"} {
				same = bytes.ReplaceAll(same, []byte(pre+strconv.FormatInt(r.ID, 10)), []byte(pre+strconv.FormatInt(missing, 10)))
			}
			if res.StatusCode != http.StatusNotFound || res.StatusCode != wantRes.StatusCode || !bytes.Equal(same, wantBody) {
				t.Fatalf("%s %s of out-of-scope %d: %d %q, want the 404 of a missing ID %q", rt.method, rt.path, r.ID,
					res.StatusCode, clip(string(body), 200), clip(string(wantBody), 200))
			}
		}
	}
	// Sharing one is refused the same way.
	res, _ := f.as(t, "scoped-sup", recordings.RoleSupervisor, "100-109").post(t, fmt.Sprintf("/recordings/%d/shares", out[0].ID), url.Values{"ttl": {"1d"}})
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("share an out-of-scope recording: %d", res.StatusCode)
	}

	// In scope: the recording, its audio and the legs of its call, all in scope.
	for _, r := range in {
		res, body := f.get(t, fmt.Sprintf("/api/v1/recordings/%d", r.ID))
		if res.StatusCode != http.StatusOK {
			t.Fatalf("in-scope %d: %d", r.ID, res.StatusCode)
		}
		for _, leg := range decodeJSON[DetailJSON](t, body).Legs {
			if !inIDs[leg.ID] {
				t.Errorf("recording %d lists leg %d, out of scope", r.ID, leg.ID)
			}
		}
	}

	// CSV: the in-scope rows only.
	res, body := f.get(t, "/api/v1/exports/recordings.csv?deleted=1&hide_empty=0")
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff")))).ReadAll()
	if res.StatusCode != http.StatusOK || err != nil {
		t.Fatalf("CSV: %d %v", res.StatusCode, err)
	}
	if len(rows)-1 != len(in) {
		t.Errorf("CSV has %d rows, %d recordings are in scope", len(rows)-1, len(in))
	}
	for _, row := range rows[1:] {
		if id, _ := strconv.ParseInt(row[0], 10, 64); !inIDs[id] {
			t.Errorf("CSV lists %d, out of scope", id)
		}
	}

	// ZIP: every file is an in-scope recording's, none an out-of-scope one's. Files
	// are told apart by their bytes; two legs of one call can hold the same audio,
	// so bytes that an in-scope recording also has prove nothing.
	inFiles := map[string]bool{}
	for _, r := range in {
		if r.State == recordings.StateOK {
			inFiles[string(base.readFile(t, r))] = true
		}
	}
	outFiles := map[string]int64{}
	for _, r := range out {
		if r.State != recordings.StateOK {
			continue
		}
		if b := string(base.readFile(t, r)); !inFiles[b] {
			outFiles[b] = r.ID
		}
	}
	res, body = f.get(t, "/api/v1/exports/recordings.zip?hide_empty=1")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("ZIP: %d %s", res.StatusCode, clip(string(body), 200))
	}
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		b.ReadFrom(rc)
		rc.Close()
		if id, ok := outFiles[b.String()]; ok {
			t.Errorf("the ZIP holds %s, the file of out-of-scope recording %d", zf.Name, id)
		}
	}
	if len(zr.File) == 0 {
		t.Error("the ZIP is empty")
	}
}

// TestScope_TokenAndEmpty: an API token obeys its scope; a user with no
// extensions sees nothing; without credentials nothing is served.
func TestScope_TokenAndEmpty(t *testing.T) {
	base := sharedFixture(t)
	in, out := scopeSets(t, base, "110-129")
	tok, hash := auth.NewAPIToken()
	sc, _ := recordings.ParseScope("110-129")
	if _, err := base.cat.AddToken(t.Context(), recordings.APIToken{Name: "crm-scope-test", Hash: hash, Scope: sc}); err != nil {
		t.Fatal(err)
	}
	api := base.anonymous()
	bearer := []string{"Authorization", "Bearer " + tok}
	res, body := api.get(t, "/api/v1/recordings?limit=1000&deleted=1&hide_empty=0", bearer...)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("token search: %d %s", res.StatusCode, body)
	}
	if p := decodeJSON[recordings.PageJSON](t, body); len(p.Items) != len(in) {
		t.Errorf("token search: %d items, %d in scope", len(p.Items), len(in))
	}
	res, body = api.get(t, fmt.Sprintf("/api/v1/recordings/%d/audio", out[0].ID), bearer...)
	wantError(t, res, body, http.StatusNotFound, "not_found")
	res, _ = api.get(t, fmt.Sprintf("/api/v1/recordings/%d/original", in[0].ID), bearer...)
	if in[0].State == recordings.StateOK && res.StatusCode != http.StatusOK {
		t.Errorf("token, in-scope original: %d", res.StatusCode)
	}
	// A token is for the API only; a wrong one is 401.
	if res, _ := api.get(t, "/", bearer...); res.StatusCode != http.StatusSeeOther {
		t.Errorf("token on a page: %d, want the sign-in redirect", res.StatusCode)
	}
	res, body = api.get(t, "/api/v1/recordings", "Authorization", "Bearer trk_wrong")
	wantError(t, res, body, http.StatusUnauthorized, "unauthorized")
	res, body = api.get(t, "/api/v1/recordings")
	wantError(t, res, body, http.StatusUnauthorized, "unauthorized")
	for _, p := range []string{fmt.Sprintf("/api/v1/recordings/%d/audio", in[0].ID), "/api/v1/exports/recordings.csv"} {
		if res, _ := api.get(t, p); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s without credentials: %d", p, res.StatusCode)
		}
	}

	none := base.as(t, "nobody-scope", recordings.RoleUser, "")
	res, body = none.get(t, "/api/v1/recordings?deleted=1&hide_empty=0")
	if p := decodeJSON[recordings.PageJSON](t, body); res.StatusCode != http.StatusOK || len(p.Items) != 0 {
		t.Errorf("empty scope: %d, %d items", res.StatusCode, len(p.Items))
	}
}
