package web

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/evidence"
	"github.com/totalrec/totalrec/recordings/retention"
	"github.com/totalrec/totalrec/recordings/subject"
)

// TestSubjectPage: an administrator finds a number's recordings, exports them
// and erases them, typing the number again; a held recording is kept, every
// step is audited without the number, the certificate waits for the key's
// owner to sign it; users and forms without their CSRF token get nothing.
func TestSubjectPage(t *testing.T) {
	f := newFixture(t, 5, 30, nil)
	count, number := map[string]int{}, ""
	for _, r := range f.all(t, recordings.Query{}) {
		for _, n := range []string{r.Caller(), r.Callee()} {
			if len(n) >= 10 {
				if count[n]++; count[n] > count[number] {
					number = n
				}
			}
		}
	}
	if count[number] < 2 {
		t.Fatalf("no number in two recordings: %v", count)
	}
	tail := number[len(number)-7:]
	if res, body := f.post(t, "/subject", url.Values{"number": {"101"}}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(body), `id="subject-error"`) {
		t.Errorf("an extension: %d", res.StatusCode)
	}
	res, body := f.post(t, "/subject", url.Values{"number": {number}})
	if res.StatusCode != http.StatusOK || strings.Count(string(body), `<tr data-id=`) != count[number] {
		t.Fatalf("find: %d, %d rows, want %d\n%s", res.StatusCode, strings.Count(string(body), `<tr data-id=`), count[number], body)
	}
	res, zipBody := f.post(t, "/subject/export", url.Values{"number": {number}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("export: %d", res.StatusCode)
	}
	if _, err := zip.NewReader(bytes.NewReader(zipBody), int64(len(zipBody))); err != nil {
		t.Errorf("export: %v", err)
	}

	recs := f.all(t, recordings.Query{Number: number})
	held := recs[0]
	if _, err := f.cat.AddHold(t.Context(), recordings.Hold{RecordingID: held.ID, Reason: "case 9", Who: "legal", Since: now}); err != nil {
		t.Fatal(err)
	}
	if res, _ := f.post(t, "/subject/erase", url.Values{"number": {number}, "confirm": {"5550000"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("erase with a wrong confirmation: %d", res.StatusCode)
	}
	if res, _ := f.post(t, "/subject/erase", url.Values{"number": {number}, "confirm": {number}, "csrf": {"wrong"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("erase without the CSRF token: %d", res.StatusCode)
	}
	u := f.as(t, "user1", recordings.RoleUser, "")
	if res, _ := u.post(t, "/subject/erase", url.Values{"number": {number}, "confirm": {number}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("a user's erase: %d", res.StatusCode)
	}
	if got := f.all(t, recordings.Query{Number: number}); len(got) != len(recs) {
		t.Fatalf("refused erasures erased %d recordings", len(recs)-len(got))
	}

	// While a retention run holds the lock, the erasure waits its turn.
	release, err := retention.Lock(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	if res, _ := f.post(t, "/subject/erase", url.Values{"number": {number}, "confirm": {number}}); res.StatusCode != http.StatusConflict {
		t.Errorf("erase during a retention run: %d", res.StatusCode)
	}
	release()
	res, body = f.post(t, "/subject/erase", url.Values{"number": {number}, "confirm": {"+7 " + number}, "cdr": {"1"}})
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `id="subject-erased"`) {
		t.Fatalf("erase: %d\n%s", res.StatusCode, body)
	}
	for _, r := range recs {
		_, err := os.Stat(filepath.Join(f.spool, r.Path))
		if (r.ID == held.ID) != (err == nil) {
			t.Errorf("recording %d (held %v): %v", r.ID, r.ID == held.ID, err)
		}
	}
	if got := f.all(t, recordings.Query{Number: number}); len(got) != 1 || got[0].ID != held.ID {
		t.Errorf("after the erasure the number finds %d recordings", len(got))
	}
	for _, a := range []string{actSubjectFind, actSubjectExport, actSubjectErase} {
		es := f.auditOf(t, a)
		if len(es) == 0 || strings.Contains(es[0].Detail, tail) {
			t.Errorf("audit of %s: %+v", a, es)
		}
	}
	// No key here: the certificate waits; the key's owner signs it.
	certs := subject.CertificatesIn(f.dir, filepath.Join(f.dir, "evidence"))
	pending, _ := filepath.Glob(filepath.Join(certs.Pending, "*.json"))
	if len(pending) != 1 {
		t.Fatalf("pending certificates: %v", pending)
	}
	keyFile := filepath.Join(f.dir, "manifest.key")
	if _, err := evidence.GenerateKey(keyFile); err != nil {
		t.Fatal(err)
	}
	key, err := evidence.LoadKey(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	// FreePBX's user can write the pending directory: root's key signs only what
	// the catalogue and the audit trail bear out. A copy under a name no audited
	// erasure wrote is refused, and so is the real one with a live recording
	// added to what it says was erased.
	genuine, err := os.ReadFile(pending[0])
	if err != nil {
		t.Fatal(err)
	}
	var c subject.Certificate
	if err := json.Unmarshal(genuine, &c); err != nil {
		t.Fatal(err)
	}
	c.Erased = append(c.Erased, subject.Erased{ID: held.ID, Audio: "deleted"})
	tampered, _ := json.Marshal(c)
	if err := os.WriteFile(filepath.Join(certs.Pending, "2026-11-26T180000Z-forged.json"), genuine, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pending[0], tampered, 0o640); err != nil {
		t.Fatal(err)
	}
	check := func(name string, c subject.Certificate) error {
		return subject.CheckPending(context.Background(), f.cat, "", name, c)
	}
	signed, refused, err := certs.SignPending(key, check)
	if err != nil || len(signed) != 0 || len(refused) != 2 {
		t.Fatalf("sign forged certificates: signed %v, refused %v, %v", signed, refused, err)
	}
	t.Logf("refused: %v", refused)
	if err := os.WriteFile(pending[0], genuine, 0o640); err != nil {
		t.Fatal(err)
	}
	signed, refused, err = certs.SignPending(key, check)
	if err != nil || len(signed) != 1 || len(refused) != 0 {
		t.Fatalf("sign pending: %v, refused %v, %v", signed, refused, err)
	}
	if left, _ := filepath.Glob(filepath.Join(certs.Pending, "*.json")); len(left) != 0 {
		t.Errorf("still pending: %v", left)
	}
}
