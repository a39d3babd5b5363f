package main

import (
	"context"
	"database/sql"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/totalrec/totalrec/recordings/catalog"
)

// compressFaultPoints are the steps of one conversion (package compress) where a
// crash matters.
var compressFaultPoints = []string{
	"compress.start.after", "compress.encoded", "compress.verified.after", "compress.rename.after",
	"compress.switch.after", "compress.cdr.after", "compress.original.removed",
}

// compressDemo builds a small demo (a day of calls, its CDR table in SQLite),
// catalogued, and returns its directory and the environment that runs totalrec
// on it with compression to Opus.
func compressDemo(t *testing.T) (dir string, env []string) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "demo")
	env = []string{"TOTALREC_COMPRESS=opus", "TZ=UTC"}
	cli(t, env, "demo", "--dir", dir, "--days", "1", "--calls-per-day", "5", "--no-serve").must(t, exitOK)
	return dir, append(env, "TOTALREC_CONFIG="+filepath.Join(dir, "totalrec.conf"))
}

// checkCompressed checks a compressed demo: the catalogue and the spool agree
// row for row (no work file, no original left, nothing catalogued twice), every
// convertible recording is Opus, and the CDR names only files that exist.
func checkCompressed(t *testing.T, dir string, wantRows int) {
	t.Helper()
	root, db := filepath.Join(dir, "monitor"), "sqlite:"+filepath.Join(dir, "totalrec.db")
	checkAgreement(t, "after compress", root, db, nil, wantRows)
	ctx := context.Background()
	c, err := catalog.Open(ctx, db, nil, catalog.Existing())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var open, failed int
	if err := c.DB().QueryRowContext(ctx, `SELECT
		COALESCE(SUM(state NOT IN ('done', 'failed', 'skipped')), 0), COALESCE(SUM(state IN ('failed', 'skipped')), 0)
		FROM totalrec_conversions`).Scan(&open, &failed); err != nil {
		t.Fatal(err)
	}
	if open != 0 {
		t.Errorf("%d conversions left open", open)
	}
	var left int
	if err := c.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM totalrec_recordings
		WHERE state = 'ok' AND format IN ('wav', 'wav16', 'wav49', 'gsm', 'ulaw', 'alaw', 'sln', 'sln16', 'g722')`).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != failed {
		t.Errorf("%d recordings left uncompressed, %d of them failed or skipped", left, failed)
	}
	disk := diskFiles(t, root)
	names := map[string]bool{}
	for p := range disk {
		names[path.Base(p)] = true
	}
	cdrDB, err := sql.Open("sqlite", filepath.Join(dir, "asteriskcdrdb.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer cdrDB.Close()
	rows, err := cdrDB.Query(`SELECT DISTINCT recordingfile FROM cdr WHERE recordingfile <> ''`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var f string
		if err := rows.Scan(&f); err != nil {
			t.Fatal(err)
		}
		if !names[path.Base(f)] {
			t.Errorf("the CDR names %s, which is not in the spool", f)
		}
	}
}

func liveRows(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	for _, r := range catalogueRows(t, "sqlite:"+filepath.Join(dir, "totalrec.db")) {
		if r.live() {
			n++
		}
	}
	return n
}

func TestCLI_Compress(t *testing.T) {
	dir, env := compressDemo(t)
	rows := liveRows(t, dir)
	// The demo's scan sealed nothing yet: the dry run counts sealed recordings
	// only, and changes nothing.
	cli(t, env, "seal", "--init").must(t, exitOK)
	cli(t, env, "seal").must(t, exitOK)
	before := diskFiles(t, filepath.Join(dir, "monitor"))
	r := cli(t, env, "compress", "--dry-run").must(t, exitOK)
	if !strings.Contains(r.stdout, "dry run:") || !strings.Contains(r.stdout, "would be converted to opus") || strings.Contains(r.stdout, "dry run: 0 recordings") {
		t.Errorf("compress --dry-run printed:\n%s", r.stdout)
	}
	if after := diskFiles(t, filepath.Join(dir, "monitor")); len(after) != len(before) {
		t.Errorf("the dry run changed the spool: %d files, %d before", len(after), len(before))
	}
	for p := range before {
		if strings.HasSuffix(p, ".opus") {
			t.Errorf("%s before any compression", p)
		}
	}
	r = cli(t, env, "compress", "--limit", "2").must(t, exitOK)
	if !strings.Contains(r.stdout, "compressed 2 recordings to opus") {
		t.Errorf("compress --limit 2 printed:\n%s", r.stdout)
	}
	r = cli(t, env, "compress", "--json")
	if r.code != exitOK && r.code != exitPartial {
		t.Fatalf("compress: exit %d\n%s", r.code, r.stderr)
	}
	rep := decode[compressReport](t, r.stdout)
	if rep.Format != "opus" || rep.Report.Converted == 0 || rep.Report.BytesAfter >= rep.Report.BytesBefore {
		t.Errorf("compress --json: %+v", rep)
	}
	checkCompressed(t, dir, 0)
	cli(t, env, "scan", "--full").must(t, exitOK)
	if got := liveRows(t, dir); got != rows {
		t.Errorf("%d live recordings after compress and a scan, %d before", got, rows)
	}
	r = cli(t, env, "compress").must(t, exitOK)
	if !strings.Contains(r.stdout, "compressed 0 recordings") {
		t.Errorf("a second compress printed:\n%s", r.stdout)
	}
	// Off, or without its programs, it says so and changes nothing.
	r = cli(t, append(env, "TOTALREC_COMPRESS=keep"), "compress")
	if r.code == exitOK || !strings.Contains(r.stderr, "compress = keep") {
		t.Errorf("compress with compress = keep: exit %d\n%s", r.code, r.stderr)
	}
	r = cli(t, append(env, "TOTALREC_COMPRESS=mp3", "PATH=/nonexistent"), "compress")
	if r.code == exitOK || !strings.Contains(r.stderr, "install the lame package") {
		t.Errorf("compress without lame: exit %d\n%s", r.code, r.stderr)
	}
}

// TestCLI_CompressKills kills `compress` at each step of its second conversion,
// runs it again to the end and scans: every recording is then catalogued once,
// as the one file on disk, Opus where it could be, and named by the CDR.
func TestCLI_CompressKills(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	for _, point := range compressFaultPoints {
		t.Run(point, func(t *testing.T) {
			dir, env := compressDemo(t)
			rows := liveRows(t, dir)
			r := runFault(t, env, point+":2", "", "compress")
			if !r.killed {
				t.Fatalf("compress was not killed at %s:2 (exit %d)\n%s", point, r.code, r.stderr)
			}
			r2 := runFault(t, env, "", "", "compress", "--json")
			if r2.code != exitOK && r2.code != exitPartial {
				t.Fatalf("compress after the kill: exit %d\n%s", r2.code, r2.stderr)
			}
			if rep := decode[compressReport](t, r2.stdout); point != "compress.start.after" && point != "compress.encoded" && rep.Report.Recovered != 1 {
				t.Errorf("recovered %d conversions, want 1", rep.Report.Recovered)
			}
			runFault(t, env, "", "", "scan", "--full")
			checkCompressed(t, dir, 0)
			if got := liveRows(t, dir); got != rows {
				t.Errorf("%d live recordings, %d before", got, rows)
			}
		})
	}
}
