package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/totalrec/totalrec/recordings/hook"
)

// TestCLI_HookAcrossDaemonRestarts: recordings announced while the daemon runs are
// catalogued at once; the daemon is killed (SIGKILL), more recordings are announced,
// and when it starts again every one of them is catalogued, without a spool scan.
func TestCLI_HookAcrossDaemonRestarts(t *testing.T) {
	base := t.TempDir()
	spoolDir, dataDir := filepath.Join(base, "monitor"), filepath.Join(base, "data")
	day := filepath.Join(spoolDir, "2026", "11", "26")
	must(t, os.MkdirAll(day, 0o755))
	env := []string{"TOTALREC_SPOOL=" + spoolDir, "TOTALREC_DATA_DIR=" + dataDir, "TOTALREC_DB=sqlite:" + filepath.Join(dataDir, "totalrec.db")}
	record := func(i int) string {
		f := filepath.Join(day, fmt.Sprintf("out-5551%03d-101-20261126-1015%02d-1795680900.%d.wav", i, i%60, i))
		must(t, os.WriteFile(f, pcmWAV(800*(i+1)), 0o644))
		return f
	}
	token := newToken(t, env, "hook-test", "all")
	catalogued := func(url string) int {
		res, body := httpGet(t, url+"api/v1/recordings?limit=1000&hide_empty=0", "Authorization", "Bearer "+token)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("search: %d %s", res.StatusCode, body)
		}
		return strings.Count(body, `"id":`)
	}

	// --no-scan: only the hook (and the journal) can catalogue anything.
	d := start(t, env, "serve", "--no-scan", "--listen", "127.0.0.1:0")
	url := d.url(t, "Totalrec is serving on ")
	waitFor(t, hook.Socket(dataDir))
	for i := 0; i < 5; i++ {
		cli(t, env, "hook", "--file", record(i), "--recorded-by", "forced", "--announced", []string{"", "yes"}[i%2]).must(t, exitOK)
	}
	if n := catalogued(url); n != 5 {
		t.Fatalf("%d recordings catalogued while the daemon ran, want 5", n)
	}
	// The dialplan's word on the policy is kept with each.
	res, body := httpGet(t, url+"api/v1/recordings?limit=1000&hide_empty=0&recorded_by=forced", "Authorization", "Bearer "+token)
	if res.StatusCode != http.StatusOK || strings.Count(body, `"id":`) != 5 {
		t.Errorf("recorded by forced: %d %s", res.StatusCode, body)
	}
	announced := 0
	for _, id := range idsIn(t, body) {
		_, detail := httpGet(t, fmt.Sprintf("%sapi/v1/recordings/%d", url, id), "Authorization", "Bearer "+token)
		announced += strings.Count(detail, `"announced":true`)
	}
	if announced != 2 {
		t.Errorf("%d recordings announced, want 2", announced)
	}
	if res, body := httpGet(t, url+"api/v1/recordings?recorded_by=whim", "Authorization", "Bearer "+token); res.StatusCode != http.StatusBadRequest {
		t.Errorf("an unknown policy: %d %s", res.StatusCode, body)
	}
	d.stop(t, syscall.SIGKILL)

	for i := 5; i < 15; i++ {
		cli(t, env, "hook", "--file", record(i)).must(t, exitOK)
	}
	record(99) // a file no hook announced: a scan would find it, the journal must not
	d = start(t, env, "serve", "--no-scan", "--listen", "127.0.0.1:0")
	url = d.url(t, "Totalrec is serving on ")
	if n := catalogued(url); n != 15 {
		t.Errorf("%d recordings catalogued after the restart, want 15\n%s", n, d.stderr.String())
	}
	if left, _ := filepath.Glob(filepath.Join(dataDir, "journal", "*")); len(left) != 0 {
		t.Errorf("journal files left after the drain: %v", left)
	}
	if code := d.stop(t, syscall.SIGTERM); code != exitOK {
		t.Errorf("exit %d after SIGTERM", code)
	}
}

// idsIn are the recording IDs of a search's JSON.
func idsIn(t *testing.T, body string) []int64 {
	t.Helper()
	var p struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatalf("search JSON: %v", err)
	}
	var ids []int64
	for _, it := range p.Items {
		ids = append(ids, it.ID)
	}
	return ids
}
