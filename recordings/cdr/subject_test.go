package cdr_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/cdr"
)

// TestReader_BlankNumber: a number is found by its end in every column that
// carries it and emptied from every row but a kept call's; other calls, and a
// longer number with the same digits inside it, are untouched.
func TestReader_BlankNumber(t *testing.T) {
	eachDB(t, func(t *testing.T, tdb testDB) {
		ctx := context.Background()
		// The ring group's caller 5557654321 also calls the next day (kept: on hold).
		again := []cdrRow{{"2024-03-06 09:00:00", "1709704800.300", "1709704800.300", "5557654321", "600", "PJSIP/trunk-00000020", "", "Dial", "ANSWERED", 10, 5, "", "5557654321", ""}}
		// Another number with the same digits inside it is another person.
		other := []cdrRow{{"2024-03-07 09:00:00", "1709791200.400", "1709791200.400", "55576543219", "600", "PJSIP/trunk-00000030", "", "Dial", "ANSWERED", 10, 5, "", "55576543219", "in-600-55576543219-20240307-090000-1709791200.400.wav"}}
		r := openTable(t, tdb, cdr.Schema16, time.UTC, ringGroupCall, transferCall, again, other)
		rows, err := r.RowsWithNumber(ctx, "557654321")
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != len(ringGroupCall)+len(again) {
			t.Fatalf("found %d rows, want %d", len(rows), len(ringGroupCall)+len(again))
		}
		n, err := r.BlankNumber(ctx, "557654321", []string{"1709704800.300"})
		if err != nil || n != int64(len(ringGroupCall)) {
			t.Fatalf("blanked %d rows, %v; want %d", n, err, len(ringGroupCall))
		}
		rows, err = r.RowsWithNumber(ctx, "557654321")
		if err != nil || len(rows) != 1 || rows[0].UniqueID != "1709704800.300" {
			t.Errorf("after: %+v, %v", rows, err)
		}
		var clid string
		if err := tdb.db.QueryRowContext(ctx, "SELECT clid FROM cdr WHERE uniqueid = '1709645400.101'").Scan(&clid); err != nil || clid != "" {
			t.Errorf("clid %q, %v", clid, err)
		}
		// Other calls keep their numbers; twice changes nothing.
		if rows, _ := r.RowsWithNumber(ctx, "5551112222"); len(rows) != len(transferCall) {
			t.Errorf("the transfer's rows: %d", len(rows))
		}
		if rows, _ := r.RowsWithNumber(ctx, "5576543219"); len(rows) != 1 || rows[0].RecordingFile == "" {
			t.Errorf("the other number's row: %+v", rows)
		}
		if n, err := r.BlankNumber(ctx, "557654321", []string{"1709704800.300"}); err != nil || n != 0 {
			t.Errorf("again: %d, %v", n, err)
		}
		if _, err := r.RowsWithNumber(ctx, "20240307"); !errors.Is(err, recordings.ErrInvalid) {
			t.Errorf("an extension: %v", err)
		}
	})
}
