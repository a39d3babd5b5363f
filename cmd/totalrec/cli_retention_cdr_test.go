package main

import (
	"context"
	"database/sql"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/totalrec/totalrec/internal/testsupport/mariadb"
	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/cdr"
	"github.com/totalrec/totalrec/recordings/retention"
)

// TestCLI_RetentionClearsCDR: with clear_cdr_recordingfile the run empties
// cdr.recordingfile in the rows naming the files it deleted, and only those; without
// it the CDR is untouched.
func TestCLI_RetentionClearsCDR(t *testing.T) {
	for _, b := range []string{"sqlite", "mariadb"} {
		t.Run(b, func(t *testing.T) {
			for _, clear := range []bool{false, true} {
				testRetentionClearsCDR(t, b, clear)
			}
		})
	}
}

func testRetentionClearsCDR(t *testing.T, backend string, clear bool) {
	ctx := context.Background()
	policy := "max_age = 6d\nmax_share = 100%\n"
	if clear {
		policy += "clear_cdr_recordingfile = yes\n"
	}
	s := newRetSpool(t, "", 8, 3, policy)
	var (
		dialect = cdr.SQLite
		driver  = "sqlite"
		dsn     string
	)
	if backend == "mariadb" {
		dialect, driver, dsn = cdr.MySQL, "mysql", mariadb.NewDatabase(t, "totalrec_ret_cdr_test")
	} else {
		dsn = "sqlite:" + filepath.Join(t.TempDir(), "cdr.db")
	}
	db, err := sql.Open(driver, strings.TrimPrefix(dsn, "sqlite:"))
	must(t, err)
	defer db.Close()
	must(t, cdr.CreateTable(ctx, db, dialect, "cdr", cdr.Schema16))
	// One CDR row per file, naming it as FreePBX does (its base name), plus one row
	// naming a file that is not in the spool.
	var rows []recordings.CDR
	for f := range s.files(t) {
		rows = append(rows, recordings.CDR{CallDate: dayOf(f), UniqueID: strings.TrimSuffix(strings.Split(path.Base(f), "-")[5], ".wav"), RecordingFile: path.Base(f), Disposition: "ANSWERED"})
	}
	rows = append(rows, recordings.CDR{CallDate: retNow.AddDate(0, 0, -8), UniqueID: "x.1", RecordingFile: "elsewhere.wav"})
	must(t, cdr.Insert(ctx, db, dialect, "cdr", rows))

	env := append(s.env(), "TOTALREC_CDR_DB="+dsn)
	rep := decode[retention.Report](t, cli(t, env, "retention", "run", "--json", "--now="+retNow.Format(time.RFC3339)).must(t, exitOK).stdout)
	if rep.Deleted.Files != 6 {
		t.Fatalf("deleted %d files, want 6 (days 7 and 8)", rep.Deleted.Files)
	}
	left := s.files(t)
	var named, emptied int
	q, err := db.QueryContext(ctx, "SELECT uniqueid, recordingfile FROM cdr")
	must(t, err)
	defer q.Close()
	for q.Next() {
		var uid, file string
		must(t, q.Scan(&uid, &file))
		switch {
		case file == "":
			emptied++
		case uid != "x.1":
			named++
			if clear && !leftHas(left, file) {
				t.Errorf("row %s still names the deleted %s", uid, file)
			}
		}
	}
	must(t, q.Err())
	wantEmptied := 0
	if clear {
		wantEmptied = 6
	}
	if emptied != wantEmptied || named != 24-wantEmptied || rep.CDRCleared != int64(wantEmptied) {
		t.Errorf("clear=%v: %d rows emptied, %d still named, report %d; want %d emptied", clear, emptied, named, rep.CDRCleared, wantEmptied)
	}
}

// dayOf is the call time in a spool-relative path's file name.
func dayOf(rel string) time.Time {
	n := path.Base(rel)
	parts := strings.Split(n, "-")
	t, _ := time.Parse("20060102-150405", parts[3]+"-"+parts[4])
	return t
}

func leftHas(left map[string]bool, base string) bool {
	for f := range left {
		if path.Base(f) == base {
			return true
		}
	}
	return false
}
