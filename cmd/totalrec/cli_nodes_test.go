package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/totalrec/totalrec/internal/testsupport/s3server"
	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/hook"
)

// pbxNode is one PBX of TestCLI_ThreeNodes: its spool and data directory, and
// its daemon.
type pbxNode struct {
	name, spool, data string
	env               []string
	d                 *bgServe
	url               string
}

// TestCLI_ThreeNodes runs three PBXs (three spools, three data directories,
// three daemons) on one MariaDB catalogue and one S3 bucket, and a fourth serve
// that records nothing and searches them all. Old recordings move to the bucket,
// recent ones stay on their PBX; one PBX is killed in the middle of a move and
// started again; the catalogue's server is stopped for a minute while calls end
// on every PBX. Afterwards every recording is catalogued exactly once, with its
// node, and plays through the fourth serve: from the bucket, or from its PBX.
func TestCLI_ThreeNodes(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	db := newPrivateMariaDB(t)
	db.create(t, "totalrec")
	ctx := context.Background()
	srv := s3server.Start(t)
	const secret = "the nodes' shared secret"
	common := append(archiveEnv(srv, srv.SecretKey), "TOTALREC_DB="+db.dsn("totalrec"), "TOTALREC_NODE_SECRET="+secret,
		"TOTALREC_SCAN_INTERVAL=1s", "TZ=UTC")
	count := func(q string, args ...any) (n int) {
		t.Helper()
		c, err := sql.Open("mysql", db.dsn("totalrec"))
		must(t, err)
		defer c.Close()
		must(t, c.QueryRowContext(ctx, q, args...).Scan(&n))
		return n
	}
	waitUntil := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(2 * time.Minute)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("after two minutes, still not: %s", what)
			}
			time.Sleep(250 * time.Millisecond)
		}
	}

	// Three PBXs: two days of old calls (3 each) and one call just ended, each.
	var pbxs []*pbxNode
	for i := 1; i <= 3; i++ {
		n := &pbxNode{name: fmt.Sprintf("pbx%d", i), spool: filepath.Join(t.TempDir(), "monitor"), data: filepath.Join(t.TempDir(), "data")}
		n.env = append([]string{"TOTALREC_NODE=" + n.name, "TOTALREC_SPOOL=" + n.spool, "TOTALREC_DATA_DIR=" + n.data}, common...)
		writeRetFiles(t, n.spool, 2, 3)
		recent(t, n.spool, 0)
		cli(t, n.env, "scan", "--no-cdr").must(t, exitOK)
		cli(t, n.env, "seal", "--init").must(t, exitOK)
		cli(t, n.env, "seal").must(t, exitOK)
		pbxs = append(pbxs, n)
	}
	if got := count(`SELECT COUNT(*) FROM totalrec_recordings`); got != 21 {
		t.Fatalf("%d rows catalogued, want 21", got)
	}
	// pbx2's daemon is killed as it switches its second move; the others run.
	for _, n := range pbxs {
		if n.name == "pbx2" {
			n.d = startBin(t, faultBin(t), append(n.env, "TOTALREC_FAULT_KILL_AT=archive.switch.after:2"), "serve", "--listen", "127.0.0.1:0")
		} else {
			n.d = start(t, n.env, "serve", "--listen", "127.0.0.1:0")
		}
		n.url = n.d.url(t, "Totalrec is serving on ")
	}
	select {
	case <-pbxs[1].d.done:
	case <-time.After(2 * time.Minute):
		t.Fatalf("pbx2 was not killed in its archive pass\n%s", pbxs[1].d.stderr.String())
	}
	if !strings.Contains(pbxs[1].d.stderr.String(), "SIGKILL at archive.switch.after") {
		t.Fatalf("pbx2 ended, but not at the fault point:\n%s", pbxs[1].d.stderr.String())
	}
	pbxs[1].d = start(t, pbxs[1].env, "serve", "--listen", "127.0.0.1:0")
	pbxs[1].url = pbxs[1].d.url(t, "Totalrec is serving on ")
	waitUntil("18 old recordings in the bucket", func() bool {
		return count(`SELECT COUNT(*) FROM totalrec_recordings WHERE storage = 's3'`) == 18
	})
	for _, n := range pbxs {
		waitFor(t, hook.Socket(n.data))
		if left := walkFiles(t, n.spool); len(left) != 1 {
			t.Errorf("%s keeps %v on disk, want only its recent call", n.name, left)
		}
	}

	// The fourth serve: no spool of its own, every node's recordings.
	var urls []string
	for _, n := range pbxs {
		urls = append(urls, n.name+"="+strings.TrimSuffix(n.url, "/"))
	}
	centralEnv := append([]string{"TOTALREC_NODE=central", "TOTALREC_SPOOL=" + t.TempDir(), "TOTALREC_DATA_DIR=" + filepath.Join(t.TempDir(), "data"),
		"TOTALREC_NODES=" + strings.Join(urls, ",")}, common...)
	token := newToken(t, centralEnv, "three-nodes", "all")
	central := start(t, centralEnv, "serve", "--listen", "127.0.0.1:0", "--no-scan")
	base := central.url(t, "Totalrec is serving on ")
	playAll := func(want int) {
		t.Helper()
		res, body := httpGet(t, base+"api/v1/recordings?limit=100", "Authorization", "Bearer "+token)
		var page struct {
			Items []recordings.RecordingJSON `json:"items"`
		}
		if res.StatusCode != 200 || json.Unmarshal([]byte(body), &page) != nil {
			t.Fatalf("search through the fourth serve: %d %.300s", res.StatusCode, body)
		}
		if len(page.Items) != want {
			t.Errorf("the fourth serve finds %d recordings, want %d", len(page.Items), want)
		}
		byNode := map[string]int{}
		for _, r := range page.Items {
			byNode[r.Node]++
			res, body := httpGet(t, fmt.Sprintf("%sapi/v1/recordings/%d/audio", base, r.ID), "Authorization", "Bearer "+token, "Range", "bytes=0-99")
			if res.StatusCode != 206 || len(body) != 100 || !strings.HasPrefix(body, "RIFF") {
				t.Errorf("recording %d of %s (storage %q) through the fourth serve: %d %.200s", r.ID, r.Node, r.Storage, res.StatusCode, body)
			}
		}
		for _, n := range pbxs {
			if byNode[n.name] != want/3 {
				t.Errorf("%s has %d recordings in the search, want %d", n.name, byNode[n.name], want/3)
			}
		}
	}
	playAll(21)

	// The catalogue's server stops for a minute while calls end on every PBX.
	db.stop(t)
	for i, n := range pbxs {
		f := recent(t, n.spool, 1+i)
		runIn(t, n.env, "", hookBin, "--file", f).must(t, exitOK)
	}
	time.Sleep(time.Minute)
	for _, n := range append(pbxs, &pbxNode{name: "central", d: central}) {
		if n.d.cmd.ProcessState != nil {
			t.Fatalf("%s stopped while the catalogue was down:\n%s", n.name, lastBytes(n.d.stderr.String(), 3000))
		}
	}
	db.start(t)
	waitUntil("24 recordings catalogued", func() bool {
		return count(`SELECT COUNT(*) FROM totalrec_recordings`) == 24
	})
	if n := count(`SELECT COUNT(DISTINCT node, path) FROM totalrec_recordings`); n != 24 {
		t.Errorf("%d distinct recordings in 24 rows", n)
	}
	for _, n := range pbxs {
		if got := count(`SELECT COUNT(*) FROM totalrec_recordings WHERE node = ? AND state = 'ok'`, n.name); got != 8 {
			t.Errorf("%s: %d recordings, want 8", n.name, got)
		}
	}
	playAll(24)
	// One node's recordings, through the fourth serve and the command line.
	res, body := httpGet(t, base+"api/v1/recordings?limit=100&node=pbx2", "Authorization", "Bearer "+token)
	var page struct {
		Items []recordings.RecordingJSON `json:"items"`
	}
	if res.StatusCode != 200 || json.Unmarshal([]byte(body), &page) != nil || len(page.Items) != 8 {
		t.Errorf("search for node pbx2: %d, %d recordings", res.StatusCode, len(page.Items))
	}
	for _, r := range page.Items {
		if r.Node != "pbx2" {
			t.Errorf("search for node pbx2 found recording %d of %q", r.ID, r.Node)
		}
	}
	if out := cli(t, centralEnv, "search", "--node", "pbx3", "--json").must(t, exitOK).stdout; strings.Count(out, `"node": "pbx3"`) != 8 || strings.Contains(out, `"node": "pbx1"`) {
		t.Errorf("search --node pbx3:\n%.500s", out)
	}
	// A token scoped to one node sees that node's recordings, and no other's.
	scoped := newToken(t, centralEnv, "pbx2-only", "pbx2:*")
	res, body = httpGet(t, base+"api/v1/recordings?limit=100", "Authorization", "Bearer "+scoped)
	page.Items = nil
	if res.StatusCode != 200 || json.Unmarshal([]byte(body), &page) != nil || len(page.Items) != 8 {
		t.Errorf("search with a token of pbx2: %d, %d recordings", res.StatusCode, len(page.Items))
	}
	var other int64
	for _, r := range page.Items {
		if r.Node != "pbx2" {
			t.Errorf("a token of pbx2 sees recording %d of %q", r.ID, r.Node)
		}
	}
	c, err := sql.Open("mysql", db.dsn("totalrec"))
	must(t, err)
	must(t, c.QueryRowContext(ctx, `SELECT MIN(id) FROM totalrec_recordings WHERE node = 'pbx1'`).Scan(&other))
	c.Close()
	if res, _ := httpGet(t, fmt.Sprintf("%sapi/v1/recordings/%d/audio", base, other), "Authorization", "Bearer "+scoped); res.StatusCode != 404 {
		t.Errorf("a token of pbx2 plays a recording of pbx1: %d", res.StatusCode)
	}
	for _, n := range append(pbxs, &pbxNode{name: "central", d: central}) {
		if code := n.d.stop(t, syscall.SIGTERM); code != exitOK {
			t.Errorf("%s exited %d", n.name, code)
		}
	}
}

// recent writes a call that has just ended into spool (today's directory) and
// returns its path.
func recent(t *testing.T, spool string, i int) string {
	t.Helper()
	now := time.Now().UTC()
	dir := filepath.Join(spool, now.Format("2006/01/02"))
	must(t, os.MkdirAll(dir, 0o755))
	f := filepath.Join(dir, fmt.Sprintf("in-7495123450%d-102-%s-%d.%d.wav", i, now.Format("20060102-150405"), now.Unix(), 100+i))
	must(t, os.WriteFile(f, pcmWAV(800), 0o644))
	return f
}

// walkFiles lists the regular files below root.
func walkFiles(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	return out
}
