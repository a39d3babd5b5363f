package cdr_test

import (
	"context"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/cdr"
)

func TestReader_ClearRecordingFiles(t *testing.T) {
	loc := time.FixedZone("MSK", 3*3600)
	eachDB(t, func(t *testing.T, tdb testDB) {
		ctx := context.Background()
		// Rows naming the ring group's file by name and, a day later, by full path;
		// a row naming the same name a month later (another call: kept); the
		// transfer's rows (another file: kept).
		far := []cdrRow{
			{"2024-03-06 09:00:00", "1709704800.300", "1709704800.300", "5557654321", "600", "PJSIP/trunk-00000020", "", "Dial", "ANSWERED", 10, 5, "", "", "/var/spool/asterisk/monitor/2024/03/05/" + ringGroupFile},
			{"2024-04-05 14:30:00", "1712316600.400", "1712316600.400", "5557654321", "600", "PJSIP/trunk-00000030", "", "Dial", "ANSWERED", 10, 5, "", "", ringGroupFile},
		}
		r := openTable(t, tdb, cdr.Schema16, loc, ringGroupCall, transferCall, far)
		callTime := time.Date(2024, 3, 5, 14, 30, 0, 0, loc)
		recs := []recordings.Recording{
			{ID: 1, Path: "2024/03/05/" + ringGroupFile, CallTime: callTime},
			{ID: 2, Path: "2024/03/05/gone-before-cdr.wav", CallTime: callTime.Add(time.Hour)},
		}
		n, err := r.ClearRecordingFiles(ctx, "/var/spool/asterisk/monitor", recs)
		if err != nil {
			t.Fatal(err)
		}
		if n != 5 {
			t.Errorf("cleared %d rows, want 5 (four legs by name, one by full path)", n)
		}
		count := func(file string) int {
			var c int
			if err := tdb.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM cdr WHERE recordingfile = ?", file).Scan(&c); err != nil {
				t.Fatal(err)
			}
			return c
		}
		if c := count(ringGroupFile); c != 1 {
			t.Errorf("%d rows still name the file, want 1 (the call a month later)", c)
		}
		if c := count(transferFile); c == 0 {
			t.Error("the transfer's rows lost their recordingfile")
		}
		// Twice is harmless; nothing more changes.
		if n, err := r.ClearRecordingFiles(ctx, "/var/spool/asterisk/monitor", recs); err != nil || n != 0 {
			t.Errorf("second clear: %d %v", n, err)
		}
		// Without a call time the name alone decides.
		if n, err := r.ClearRecordingFiles(ctx, "/x", []recordings.Recording{{Path: ringGroupFile}}); err != nil || n != 1 {
			t.Errorf("clear by name alone: %d %v", n, err)
		}
	})
}

func TestReader_ClearRecordingFiles_NoColumn(t *testing.T) {
	eachDB(t, func(t *testing.T, tdb testDB) {
		r := openTable(t, tdb, cdr.Schema29, time.UTC)
		n, err := r.ClearRecordingFiles(context.Background(), "/s", []recordings.Recording{{Path: "a.wav"}})
		if err != nil || n != 0 {
			t.Errorf("a table without recordingfile: %d %v", n, err)
		}
	})
}
