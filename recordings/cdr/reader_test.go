package cdr_test

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/cdr"
)

func TestOpen_Schemas(t *testing.T) {
	v29 := []string{"calldate", "clid", "src", "dst", "dcontext", "channel", "dstchannel", "lastapp",
		"lastdata", "duration", "billsec", "disposition", "amaflags", "accountcode", "uniqueid", "userfield"}
	v13 := append(slices.Clone(v29), "did", "recordingfile", "cnum", "cnam", "outbound_cnum", "outbound_cnam", "dst_cnam")
	v16 := append(slices.Clone(v13), "linkedid", "peeraccount", "sequence")
	tests := []struct {
		schema cdr.Schema
		want   []string
	}{{cdr.Schema29, v29}, {cdr.Schema13, v13}, {cdr.Schema16, v16}}
	eachDB(t, func(t *testing.T, tdb testDB) {
		for _, tt := range tests {
			t.Run(string(tt.schema), func(t *testing.T) {
				table := "cdr_" + strings.ReplaceAll(string(tt.schema), ".", "")
				if err := cdr.CreateTable(context.Background(), tdb.db, tdb.dialect, table, tt.schema); err != nil {
					t.Fatalf("CreateTable: %v", err)
				}
				r, err := cdr.Open(context.Background(), tdb.dsn, table)
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				defer r.Close()
				if got := r.Columns(); !slices.Equal(got, tt.want) {
					t.Errorf("Columns() = %v, want %v", got, tt.want)
				}
				if got, want := r.Has("linkedid"), tt.schema == cdr.Schema16; got != want {
					t.Errorf("Has(linkedid) = %v, want %v", got, want)
				}
			})
		}
	})
}

func TestOpen_Errors(t *testing.T) {
	ctx := context.Background()
	t.Run("bad DSNs", func(t *testing.T) {
		for _, dsn := range []string{"sqlite:", "root@tcp(127.0.0.1:3306)/", "root@tcp(127.0.0.1:3306"} {
			if _, err := cdr.Open(ctx, dsn, ""); !errors.Is(err, recordings.ErrInvalid) {
				t.Errorf("Open(%q) error = %v, want ErrInvalid", dsn, err)
			}
		}
		missing := "sqlite:" + filepath.Join(t.TempDir(), "absent.db")
		if _, err := cdr.Open(ctx, missing, ""); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Open(%q) error = %v, want fs.ErrNotExist", missing, err)
		}
	})
	eachDB(t, func(t *testing.T, tdb testDB) {
		if _, err := cdr.Open(ctx, tdb.dsn, "cdr; DROP TABLE x"); !errors.Is(err, recordings.ErrInvalid) {
			t.Errorf("Open(bad table name) error = %v, want ErrInvalid", err)
		}
		if _, err := cdr.Open(ctx, tdb.dsn, "cdr"); !errors.Is(err, recordings.ErrNotFound) {
			t.Errorf("Open(no table) error = %v, want ErrNotFound", err)
		}
		_, err := tdb.db.Exec("CREATE TABLE `cdr` (calldate datetime, src varchar(80), dst varchar(80), " +
			"uniqueid varchar(32), duration int)")
		if err != nil {
			t.Fatal(err)
		}
		_, err = cdr.Open(ctx, tdb.dsn, "cdr")
		var mc *cdr.MissingColumnsError
		if !errors.As(err, &mc) || !slices.Equal(mc.Columns, []string{"disposition", "billsec"}) {
			t.Fatalf("Open(short table) error = %v, want MissingColumnsError naming disposition, billsec", err)
		}
		if !strings.Contains(err.Error(), "disposition, billsec") {
			t.Errorf("error %q does not name the columns", err)
		}
	})
}

// pbx is the zone the test PBX writes calldate in.
func pbx(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatalf("load zone: %v", err)
	}
	return loc
}

// legKey identifies a leg in expectations.
func legKey(c recordings.CDR) string {
	return c.UniqueID + " " + c.Dst + " " + c.DstChannel + " " + c.Disposition
}

func TestReader_Legs(t *testing.T) {
	type lookup struct{ uniqueid, linkedid, file string }
	tests := []struct {
		name   string
		schema cdr.Schema
		call   []cdrRow
		args   lookup
		want   int    // legs found
		pick   string // legKey of PickLeg's choice
		did    string
		file   string // the chosen row's recordingfile after merging
	}{
		{"ring group 16", cdr.Schema16, ringGroupCall, lookup{"1709645400.100", "", ringGroupFile}, 7,
			"1709645400.100 600 Local/101@from-queue-0000002a;1 ANSWERED", "4930123456", ringGroupFile},
		{"ring group 16 from a local leg", cdr.Schema16, ringGroupCall, lookup{"1709645400.101", "", ""}, 7,
			"1709645400.100 600 Local/101@from-queue-0000002a;1 ANSWERED", "4930123456", ringGroupFile},
		{"ring group 16 by file only", cdr.Schema16, ringGroupCall, lookup{"", "", ringGroupFile}, 7,
			"1709645400.100 600 Local/101@from-queue-0000002a;1 ANSWERED", "4930123456", ringGroupFile},
		{"ring group 13 without linkedid", cdr.Schema13, ringGroupCall, lookup{"1709645400.100", "", ringGroupFile}, 4,
			"1709645400.100 600 Local/101@from-queue-0000002a;1 ANSWERED", "4930123456", ringGroupFile},
		{"ring group 2.9", cdr.Schema29, ringGroupCall, lookup{"1709645400.100", "", ringGroupFile}, 4,
			"1709645400.100 600 Local/101@from-queue-0000002a;1 ANSWERED", "", ""},
		{"transfer from the transferred leg", cdr.Schema16, transferCall, lookup{"1709650000.201", "", ""}, 2,
			"1709650000.200 5551112222 PJSIP/trunk-00000021 ANSWERED", "", transferFile},
		{"transfer by linkedid", cdr.Schema16, transferCall, lookup{"", "1709650000.200", ""}, 2,
			"1709650000.200 5551112222 PJSIP/trunk-00000021 ANSWERED", "", transferFile},
		{"queue 16", cdr.Schema16, queueCall, lookup{"1709660000.300", "1709660000.300", queueFile}, 4,
			"1709660000.300 700 Local/202@from-queue-0000003b;1 ANSWERED", "4930999000", queueFile},
		{"queue 13", cdr.Schema13, queueCall, lookup{"1709660000.300", "", queueFile}, 2,
			"1709660000.300 700 Local/202@from-queue-0000003b;1 ANSWERED", "4930999000", queueFile},
	}
	loc := pbx(t)
	eachDB(t, func(t *testing.T, tdb testDB) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := openTable(t, fresh(t, tdb.dialect), tt.schema, loc, tt.call, otherCall)
				legs, err := r.Legs(context.Background(), tt.args.uniqueid, tt.args.linkedid, tt.args.file)
				if err != nil {
					t.Fatalf("Legs: %v", err)
				}
				if len(legs) != tt.want {
					t.Fatalf("Legs found %d rows, want %d: %v", len(legs), tt.want, legs)
				}
				for _, l := range legs {
					if l.UniqueID == otherCall[0].uid {
						t.Errorf("Legs returned a row of another call: %v", l)
					}
				}
				got, ok := cdr.PickLeg(legs, recordings.Name{UniqueID: tt.call[0].uid}, tt.file)
				if !ok || legKey(got) != tt.pick {
					t.Errorf("PickLeg = %q, %v, want %q", legKey(got), ok, tt.pick)
				}
				if got.DID != tt.did || got.RecordingFile != tt.file {
					t.Errorf("PickLeg did, file = %q, %q, want %q, %q", got.DID, got.RecordingFile, tt.did, tt.file)
				}
			})
		}
	})
}

func TestReader_Legs_CallDateInUTC(t *testing.T) {
	loc := pbx(t)
	eachDB(t, func(t *testing.T, tdb testDB) {
		r := openTable(t, tdb, cdr.Schema16, loc, transferCall)
		legs, err := r.Legs(context.Background(), "1709650000.200", "", "")
		if err != nil {
			t.Fatalf("Legs: %v", err)
		}
		want := time.Date(2024, 3, 5, 14, 50, 0, 0, time.UTC) // 15:50 in Berlin (CET)
		if len(legs) == 0 || !legs[0].CallDate.Equal(want) || legs[0].CallDate.Location() != time.UTC {
			t.Fatalf("first leg calldate = %v, want %v", legs, want)
		}
		if legs[1].Duration != 120 || legs[1].Billsec != 120 {
			t.Errorf("second leg duration, billsec = %d, %d, want 120, 120", legs[1].Duration, legs[1].Billsec)
		}
	})
}

func TestReader_Legs_NoKeys(t *testing.T) {
	eachDB(t, func(t *testing.T, tdb testDB) {
		r := openTable(t, tdb, cdr.Schema29, time.UTC)
		if _, err := r.Legs(context.Background(), "", "1.2", "x.wav"); !errors.Is(err, recordings.ErrInvalid) {
			t.Errorf("Legs on a 2.9 table with only linkedid and file: error = %v, want ErrInvalid", err)
		}
	})
}

func TestReader_RecordingFiles(t *testing.T) {
	eachDB(t, func(t *testing.T, tdb testDB) {
		ctx := context.Background()
		loc := time.FixedZone("MSK", 3*3600)
		if err := cdr.CreateTable(ctx, tdb.db, tdb.dialect, "", cdr.Schema16); err != nil {
			t.Fatal(err)
		}
		day := time.Date(2026, 11, 20, 10, 0, 0, 0, loc)
		rows := []recordings.CDR{
			{CallDate: day, UniqueID: "1.1", Src: "100", Dst: "200", Disposition: "ANSWERED", RecordingFile: "out-200-100-20261120-100000-1.1.wav"},
			{CallDate: day, UniqueID: "1.1", Src: "100", Dst: "h", Disposition: "ANSWERED", RecordingFile: "out-200-100-20261120-100000-1.1.wav"},
			{CallDate: day.AddDate(0, 0, -10), UniqueID: "2.2", Src: "100", Dst: "300", Disposition: "ANSWERED", RecordingFile: "old.wav"},
			{CallDate: day, UniqueID: "3.3", Src: "100", Dst: "400", Disposition: "NO ANSWER"},
		}
		if err := cdr.Insert(ctx, tdb.db, tdb.dialect, "cdr", rows); err != nil {
			t.Fatal(err)
		}
		r, err := cdr.Open(ctx, tdb.dsn, "cdr", cdr.WithLocation(loc))
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		got, err := r.RecordingFiles(ctx, day.Add(-time.Hour), 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0] != "out-200-100-20261120-100000-1.1.wav" {
			t.Errorf("RecordingFiles = %q", got)
		}
	})
}
