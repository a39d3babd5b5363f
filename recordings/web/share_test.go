package web

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/totalrec/totalrec/recordings"
)

func TestShareLinks(t *testing.T) {
	base := sharedFixture(t)
	in, out := scopeSets(t, base, "100-109")
	var r recordings.Recording
	for _, x := range in {
		if x.State == recordings.StateOK && x.Format == recordings.FormatWAV {
			r = x
			break
		}
	}
	if r.ID == 0 {
		t.Fatal("no playable WAV in scope")
	}
	sup := base.as(t, "sup", recordings.RoleSupervisor, "100-109")
	user := base.as(t, "usr", recordings.RoleUser, "100-109")
	if res, _ := user.post(t, fmt.Sprintf("/recordings/%d/shares", r.ID), url.Values{"ttl": {"1d"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("a user shares: %d", res.StatusCode)
	}
	if res, _ := sup.post(t, fmt.Sprintf("/recordings/%d/shares", out[0].ID), url.Values{"ttl": {"1d"}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("a supervisor shares out of scope: %d", res.StatusCode)
	}
	if res, _ := sup.post(t, fmt.Sprintf("/recordings/%d/shares", r.ID), url.Values{"ttl": {"1d"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("share: %d", res.StatusCode)
	}
	_, page := sup.get(t, fmt.Sprintf("/recordings/%d", r.ID))
	m := regexp.MustCompile(`value="(https?://[^"]+/share/([^"]+))"`).FindSubmatch(page)
	if m == nil {
		t.Fatal("the player page lists no share link")
	}
	token := string(m[2])
	anon := base.anonymous()
	res, body := anon.get(t, "/share/"+token)
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "/share/"+token+"/audio") {
		t.Fatalf("share page: %d", res.StatusCode)
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.HasSuffix(csp, "frame-ancestors *") || res.Header.Get("X-Frame-Options") != "" {
		t.Errorf("the share page cannot be framed: %q", csp)
	}
	res, audio := anon.get(t, "/share/"+token+"/audio")
	if res.StatusCode != http.StatusOK || !bytes.Equal(audio, base.readFile(t, r)) {
		t.Errorf("shared audio: %d, %d bytes", res.StatusCode, len(audio))
	}
	anon.get(t, "/share/"+token+"/audio", "Range", "bytes=100-")
	if n := len(auditOf(t, base, fmt.Sprintf("share:%s", strings.SplitN(token, ".", 2)[0]), actSharePlay)); n != 1 {
		t.Errorf("%d share.play entries for two requests, want 1", n)
	}
	// Tampered: another share ID or expiry with the same MAC.
	parts := strings.Split(token, ".")
	for _, bad := range []string{parts[0] + "1." + parts[1] + "." + parts[2], parts[0] + "." + parts[1] + "9." + parts[2], "x", ""} {
		if res, _ := anon.get(t, "/share/"+bad+"/audio"); res.StatusCode != http.StatusNotFound {
			t.Errorf("tampered link %q: %d", bad, res.StatusCode)
		}
	}
	// Revoked: gone at once.
	sid := regexp.MustCompile(`action="/shares/(\d+)/revoke"`).FindSubmatch(page)[1]
	if res, _ := user.post(t, "/shares/"+string(sid)+"/revoke", nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("a user revokes: %d", res.StatusCode)
	}
	if res, _ := sup.post(t, "/shares/"+string(sid)+"/revoke", nil); res.StatusCode != http.StatusSeeOther {
		t.Errorf("revoke: %d", res.StatusCode)
	}
	if res, _ := anon.get(t, "/share/"+token+"/audio"); res.StatusCode != http.StatusNotFound {
		t.Errorf("a revoked link plays: %d", res.StatusCode)
	}
	if len(auditOf(t, base, "sup", actShareAdd)) != 1 || len(auditOf(t, base, "sup", actShareRevoke)) != 1 {
		t.Error("share changes are not audited")
	}
	// The link is a credential: the access log names the route, not the token.
	waitLog(t, base, "path=/share/:token/audio")
	if strings.Contains(base.logs.String(), parts[2]) {
		t.Error("a share link's token is in the access log")
	}
}

// TestAuditTrail: one entry per access — a play once however many Range
// requests, each download, each export with its count — and the admin pages.
func TestAuditTrail(t *testing.T) {
	base := sharedFixture(t)
	in, _ := scopeSets(t, base, "100-109")
	var r recordings.Recording
	for _, x := range in {
		if x.State == recordings.StateOK {
			r = x
			break
		}
	}
	f := base.as(t, "auditee", recordings.RoleUser, "100-109")
	audioURL := fmt.Sprintf("/api/v1/recordings/%d/audio", r.ID)
	f.get(t, audioURL)
	f.get(t, audioURL, "Range", "bytes=1000-")
	f.do(t, http.MethodHead, audioURL)
	f.get(t, audioURL+"?download=1")
	f.get(t, fmt.Sprintf("/api/v1/recordings/%d/original", r.ID))
	f.get(t, fmt.Sprintf("/api/v1/recordings/%d/original", r.ID), "Range", "bytes=10-")
	f.get(t, "/api/v1/exports/recordings.csv?ext=101")
	want := map[string]int{actPlay: 1, actDownload: 2, actExportCSV: 1}
	for a, n := range want {
		if got := auditOf(t, base, "auditee", a); len(got) != n {
			t.Errorf("%s: %d entries, want %d: %+v", a, len(got), n, got)
		}
	}
	if e := auditOf(t, base, "auditee", actExportCSV); len(e) == 1 && !strings.Contains(e[0].Detail, "count=") {
		t.Errorf("CSV export entry without a count: %q", e[0].Detail)
	}
	if e := auditOf(t, base, "auditee", actPlay); len(e) == 1 && (e[0].RecordingID != r.ID || e[0].Addr == "") {
		t.Errorf("play entry %+v", e[0])
	}
	// The admin browses and exports it; a user may not.
	res, body := base.get(t, "/audit?who=auditee&action=play")
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), fmt.Sprintf(`href="/recordings/%d"`, r.ID)) {
		t.Errorf("audit page: %d", res.StatusCode)
	}
	res, body = base.get(t, "/audit.csv?who=auditee")
	if res.StatusCode != http.StatusOK || strings.Count(string(body), "\n") != 5 {
		t.Errorf("audit CSV: %d\n%s", res.StatusCode, body)
	}
	if res, _ := f.get(t, "/audit"); res.StatusCode != http.StatusForbidden {
		t.Errorf("a user on /audit: %d", res.StatusCode)
	}
}
