package main

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/catalog"
	"github.com/totalrec/totalrec/recordings/cdr"
	"github.com/totalrec/totalrec/recordings/daemon"
)

// TestCLI_MigrateLayout moves a flat FreePBX 2.9 spool into day directories: a dry
// run changes nothing; --apply moves every file by the date in its name (mtime when
// none), renames around a name already taken, keeps the catalogue rows (ids, holds)
// and points cdr.recordingfile at the new name; a crash mid-batch is finished from
// the journal on the next run.
func TestCLI_MigrateLayout(t *testing.T) {
	base := t.TempDir()
	spoolDir, data := filepath.Join(base, "monitor"), filepath.Join(base, "data")
	cdrFile := filepath.Join(base, "asteriskcdrdb.sqlite")
	must(t, os.MkdirAll(filepath.Join(spoolDir, "2009/11/26"), 0o755))
	wav := pcmWAV(800)
	flat := map[string]string{ // file → where it belongs
		"OUT101-20091126-101010-1259230530.1.wav":  "2009/11/26/OUT101-20091126-101010-1259230530.1.wav",
		"q700-20091125-090000-1259130000.2.WAV":    "2009/11/25/q700-20091125-090000-1259130000.2.WAV",
		"20091124-235959-1259099999.3.wav":         "2009/11/24/20091124-235959-1259099999.3.wav",
		"g200-20091126-101011-1259230531.4.wav":    "2009/11/26/g200-20091126-101011-1259230531.4-1.wav",
		"OUT102-20091123-080000-1258960000.5":      "2009/11/23/OUT102-20091123-080000-1258960000.5",
		"no date in this name.wav":                 "2009/10/01/no date in this name.wav",
		"OUT103-20091122-070000-1258870000.6.wav":  "2009/11/22/OUT103-20091122-070000-1258870000.6.wav",
		"OUT103-20091122-070001-1258870001.7.gsm":  "2009/11/22/OUT103-20091122-070001-1258870001.7.gsm",
		"OUT104-20091121-060000-1258780000.8.wav":  "2009/11/21/OUT104-20091121-060000-1258780000.8.wav",
		"OUT104-20091121-060001-1258780001.9.ulaw": "2009/11/21/OUT104-20091121-060001-1258780001.9.ulaw",
	}
	for name := range flat {
		must(t, os.WriteFile(filepath.Join(spoolDir, name), wav, 0o644))
	}
	mt := time.Date(2009, 10, 1, 12, 0, 0, 0, time.UTC)
	must(t, os.Chtimes(filepath.Join(spoolDir, "no date in this name.wav"), mt, mt))
	// The day directory already holds a file of the same name: it is not overwritten.
	taken := filepath.Join(spoolDir, "2009/11/26/g200-20091126-101011-1259230531.4.wav")
	must(t, os.WriteFile(taken, []byte("older file"), 0o644))

	db, err := sql.Open("sqlite", cdrFile)
	must(t, err)
	ctx := context.Background()
	must(t, cdr.CreateTable(ctx, db, cdr.SQLite, "cdr", cdr.Schema13))
	must(t, cdr.Insert(ctx, db, cdr.SQLite, "cdr", []recordings.CDR{
		{CallDate: time.Date(2009, 11, 26, 10, 10, 10, 0, time.UTC), Src: "101", Dst: "555", UniqueID: "1259230530.1", Disposition: "ANSWERED", RecordingFile: "OUT101-20091126-101010-1259230530.1.wav"},
		{CallDate: time.Date(2009, 11, 26, 10, 10, 11, 0, time.UTC), Src: "200", Dst: "201", UniqueID: "1259230531.4", Disposition: "ANSWERED", RecordingFile: spoolDir + "/g200-20091126-101011-1259230531.4.wav"},
		{CallDate: time.Date(2009, 11, 25, 9, 0, 0, 0, time.UTC), Src: "300", Dst: "700", UniqueID: "1259130000.2", Disposition: "ANSWERED", RecordingFile: "something else.wav"},
	}))
	db.Close()

	env := []string{"TOTALREC_SPOOL=" + spoolDir, "TOTALREC_DATA_DIR=" + data, "TOTALREC_CDR_DB=sqlite:" + cdrFile, "TZ=UTC"}
	cli(t, env, "scan", "--no-cdr").must(t, exitOK)
	cat, err := catalog.Open(ctx, "sqlite:"+filepath.Join(data, "totalrec.db"), nil)
	must(t, err)
	defer cat.Close()
	first, err := cat.GetByPath(ctx, "", "OUT101-20091126-101010-1259230530.1.wav")
	must(t, err)
	_, err = cat.AddHold(ctx, recordings.Hold{RecordingID: first.ID, Reason: "audit", Since: time.Now()})
	must(t, err)

	before := snapshot(t, spoolDir)
	r := cli(t, env, "migrate-layout", "--list").must(t, exitOK)
	if !strings.Contains(r.stdout, "would move 10 of 10 flat files into 7 day directories (1 renamed") || snapshot(t, spoolDir) != before {
		t.Fatalf("dry run:\n%s", r.stdout)
	}

	// A crash after the journal was written and two files moved: the next run
	// finishes those two and does the rest.
	var journal strings.Builder
	for _, name := range []string{"OUT103-20091122-070000-1258870000.6.wav", "OUT104-20091121-060000-1258780000.8.wav"} {
		journal.WriteString(name + "\t" + flat[name] + "\n")
	}
	journal.WriteString("OUT103-20091122-070001-1258870001.7.gsm\t" + flat["OUT103-20091122-070001-1258870001.7.gsm"] + "\n")
	must(t, os.MkdirAll(data, 0o750))
	must(t, os.WriteFile(filepath.Join(data, journalFile), []byte(journal.String()+"OUT104-2009"), 0o640))
	for _, name := range []string{"OUT103-20091122-070000-1258870000.6.wav", "OUT104-20091121-060000-1258780000.8.wav"} {
		must(t, os.MkdirAll(filepath.Join(spoolDir, filepath.Dir(flat[name])), 0o755))
		must(t, os.Rename(filepath.Join(spoolDir, name), filepath.Join(spoolDir, flat[name])))
	}

	rep := decode[migrateReport](t, cli(t, env, "migrate-layout", "--apply", "--json").must(t, exitOK).stdout)
	if rep.Moved+rep.Recovered != 10 || rep.Recovered != 3 || rep.Renamed != 1 || rep.ByMtime != 1 || rep.Catalogued != 10 || rep.CDRRows != 1 || rep.Failed != 0 {
		t.Errorf("report: %+v", rep)
	}
	for name, want := range flat {
		if _, err := os.Stat(filepath.Join(spoolDir, want)); err != nil {
			t.Errorf("%s: not at %s: %v", name, want, err)
		}
		if _, err := os.Stat(filepath.Join(spoolDir, name)); err == nil {
			t.Errorf("%s: still in the root", name)
		}
		if _, err := cat.GetByPath(ctx, "", want); err != nil {
			t.Errorf("catalogue: %s: %v", want, err)
		}
	}
	if b, _ := os.ReadFile(taken); string(b) != "older file" {
		t.Error("the file already in the day directory was overwritten")
	}
	if _, err := os.Stat(filepath.Join(data, journalFile)); err == nil {
		t.Error("the journal is still there")
	}
	if got, err := cat.Get(ctx, first.ID); err != nil || got.Path != flat[first.Path] || !got.Held {
		t.Errorf("moved row keeps its id and hold: %+v %v", got, err)
	}
	db, err = sql.Open("sqlite", cdrFile)
	must(t, err)
	defer db.Close()
	for uid, want := range map[string]string{
		"1259230530.1": "OUT101-20091126-101010-1259230530.1.wav",
		"1259230531.4": spoolDir + "/2009/11/26/g200-20091126-101011-1259230531.4-1.wav",
		"1259130000.2": "something else.wav",
	} {
		var got string
		must(t, db.QueryRow(`SELECT recordingfile FROM cdr WHERE uniqueid = ?`, uid).Scan(&got))
		if got != want {
			t.Errorf("cdr %s: recordingfile %q, want %q", uid, got, want)
		}
	}
	// Idempotent: nothing is left to move; a scan finds every file where the
	// catalogue says it is.
	r = cli(t, env, "migrate-layout", "--apply").must(t, exitOK)
	if !strings.Contains(r.stdout, "moved 0 of 0") {
		t.Errorf("second run: %s", r.stdout)
	}
	s := decode[daemon.ScanResult](t, cli(t, env, "scan", "--no-cdr", "--json").must(t, exitOK).stdout)
	if s.Scan.Missing != 0 || s.Scan.New != 0 || s.Scan.Files != 11 {
		t.Errorf("scan after the move: %+v (want the 11 files, all known)", s.Scan)
	}
}
