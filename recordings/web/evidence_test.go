package web

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	htmlpkg "html"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/evidence"
)

// sealAll seals the fixture's recordings at now and writes the manifest of
// now's UTC day into the fixture's evidence directory; it returns the key.
func (f *fixture) sealAll(t testing.TB) ed25519.PrivateKey {
	t.Helper()
	ctx := context.Background()
	if _, err := (&evidence.Hasher{Store: f.cat, Tree: f.tree}).Pass(ctx, now, true); err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(f.dir, "manifest.key")
	if _, err := evidence.GenerateKey(keyFile); err != nil {
		t.Fatal(err)
	}
	key, err := evidence.LoadKey(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := (&evidence.Sealer{Store: f.cat, Dir: filepath.Join(f.dir, "evidence"), Key: key}).SealDue(ctx, now.Add(7*time.Hour))
	if err != nil || len(ms) != 1 {
		t.Fatalf("seal: %v, %v", ms, err)
	}
	return key
}

// TestEvidence: administrators see the public key and the manifests, a
// recording's seal on its page, and download its bundle, audited; a recording
// whose file changed gets no bundle; other users see none of it.
func TestEvidence(t *testing.T) {
	f := newFixture(t, 2, 6, nil)
	// Before anything is sealed.
	if res, body := f.get(t, "/evidence"); res.StatusCode != http.StatusOK || !strings.Contains(string(body), `id="evidence-nokey"`) {
		t.Fatalf("evidence page before sealing: %d\n%s", res.StatusCode, body)
	}
	key := f.sealAll(t)
	fp := evidence.Fingerprint(key.Public().(ed25519.PublicKey))
	res, body := f.get(t, "/evidence")
	if res.StatusCode != http.StatusOK || !strings.Contains(htmlpkg.UnescapeString(string(body)), fp) || !strings.Contains(string(body), `data-day="2026-11-26"`) {
		t.Fatalf("evidence page: %d\n%s", res.StatusCode, body)
	}
	rec := f.find(t, recordings.Query{}, func(r recordings.Recording) bool { return r.State == recordings.StateOK })
	id := strconv.FormatInt(rec.ID, 10)
	_, page := f.get(t, "/recordings/"+id)
	if !strings.Contains(string(page), `id="seal-bundle"`) || !strings.Contains(string(page), "2026-11-26") {
		t.Errorf("the player shows no seal:\n%s", page)
	}
	res, zipBody := f.get(t, "/recordings/"+id+"/evidence.zip")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("bundle: %d %s\n%s", res.StatusCode, res.Header.Get("Content-Type"), zipBody)
	}
	zr, err := zip.NewReader(bytes.NewReader(zipBody), int64(len(zipBody)))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, zf := range zr.File {
		names[zf.Name] = true
	}
	if !names["VERIFY.txt"] || !names["manifest/2026-11-26.sum.sig"] || !names[filepath.Base(rec.Path)] {
		t.Errorf("bundle holds %v", names)
	}
	if a := f.auditOf(t, actEvidence); len(a) != 1 || a[0].RecordingID != rec.ID {
		t.Errorf("audit of the bundle: %+v", a)
	}

	// One byte changed: 409, no bundle, no audit.
	path := filepath.Join(f.spool, rec.Path)
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.WriteFile(path, orig, 0o644) })
	changed := bytes.Clone(orig)
	changed[len(changed)-1] ^= 1
	if err := os.WriteFile(path, changed, 0o644); err != nil {
		t.Fatal(err)
	}
	if res, body := f.get(t, "/recordings/"+id+"/evidence.zip"); res.StatusCode != http.StatusConflict || !strings.Contains(string(body), "does not verify") {
		t.Errorf("bundle of an altered recording: %d\n%.3000s", res.StatusCode, body)
	}
	if a := f.auditOf(t, actEvidence); len(a) != 1 {
		t.Errorf("a refused bundle was audited: %+v", a)
	}

	// Users: no page, no bundle, no seal on the player.
	u := f.as(t, "user1", recordings.RoleUser, "")
	for _, p := range []string{"/evidence", "/recordings/" + id + "/evidence.zip"} {
		if res, _ := u.get(t, p); res.StatusCode != http.StatusForbidden {
			t.Errorf("a user's GET %s: %d", p, res.StatusCode)
		}
	}
}
