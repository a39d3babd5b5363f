package cdr_test

import (
	"context"
	"errors"
	"maps"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/cdr"
)

func TestReader_Indexes(t *testing.T) {
	tests := []struct {
		schema cdr.Schema
		want   map[string]bool // a column absent from the table is absent from the map
	}{
		{cdr.Schema29, map[string]bool{"calldate": false, "uniqueid": false}},
		{cdr.Schema13, map[string]bool{"calldate": true, "uniqueid": true, "recordingfile": false}},
		{cdr.Schema16, map[string]bool{"calldate": true, "uniqueid": true, "recordingfile": true, "linkedid": false}},
	}
	ctx := context.Background()
	eachDB(t, func(t *testing.T, tdb testDB) {
		for _, tt := range tests {
			t.Run(string(tt.schema), func(t *testing.T) {
				r := openTable(t, fresh(t, tdb.dialect), tt.schema, time.UTC, ringGroupCall)
				got, err := r.Indexes(ctx)
				if err != nil {
					t.Fatalf("Indexes: %v", err)
				}
				if !maps.Equal(got, tt.want) {
					t.Fatalf("Indexes() = %v, want %v", got, tt.want)
				}
				for _, col := range cdr.IndexColumns() {
					err := r.CreateIndex(ctx, col)
					if _, has := tt.want[col]; !has {
						if !errors.Is(err, recordings.ErrNotFound) {
							t.Errorf("CreateIndex(%s) on a table without it: error = %v, want ErrNotFound", col, err)
						}
						continue
					}
					if err != nil {
						t.Errorf("CreateIndex(%s): %v", col, err)
					}
					if err := r.CreateIndex(ctx, col); err != nil {
						t.Errorf("CreateIndex(%s) again: %v", col, err)
					}
				}
				got, err = r.Indexes(ctx)
				if err != nil {
					t.Fatalf("Indexes: %v", err)
				}
				for col := range tt.want {
					if !got[col] {
						t.Errorf("after CreateIndex, Indexes()[%s] = false", col)
					}
				}
				legs, err := r.Legs(ctx, "1709645400.100", "", ringGroupFile)
				if err != nil || len(legs) == 0 {
					t.Errorf("Legs after CreateIndex = %d rows, %v", len(legs), err)
				}
			})
		}
	})
}

func TestReader_Indexes_SecondColumnDoesNotCount(t *testing.T) {
	eachDB(t, func(t *testing.T, tdb testDB) {
		r := openTable(t, tdb, cdr.Schema29, time.UTC)
		if _, err := tdb.db.Exec("CREATE INDEX src_uniqueid ON cdr (src, uniqueid)"); err != nil {
			t.Fatal(err)
		}
		got, err := r.Indexes(context.Background())
		if err != nil {
			t.Fatalf("Indexes: %v", err)
		}
		if got["uniqueid"] {
			t.Errorf("Indexes()[uniqueid] = true with only (src, uniqueid) indexed")
		}
	})
}

func TestReader_CreateIndex_Refuses(t *testing.T) {
	eachDB(t, func(t *testing.T, tdb testDB) {
		r := openTable(t, tdb, cdr.Schema16, time.UTC)
		for _, col := range []string{"dst", "src`; DROP TABLE cdr; --", ""} {
			if err := r.CreateIndex(context.Background(), col); !errors.Is(err, recordings.ErrInvalid) {
				t.Errorf("CreateIndex(%q) error = %v, want ErrInvalid", col, err)
			}
		}
	})
}

// MyISAM cannot add an index online; CreateIndex must fall back to a plain ALTER.
func TestReader_CreateIndex_MyISAM(t *testing.T) {
	tdb := newMariaDB(t)
	r := openTable(t, tdb, cdr.Schema16, time.UTC, queueCall)
	if _, err := tdb.db.Exec("ALTER TABLE cdr ENGINE=MyISAM"); err != nil {
		t.Fatal(err)
	}
	_, err := tdb.db.Exec("ALTER TABLE cdr ADD INDEX probe (linkedid), ALGORITHM=INPLACE, LOCK=NONE")
	if err == nil {
		t.Fatal("server built an index online on MyISAM; the fallback is not exercised")
	}
	if err := r.CreateIndex(context.Background(), "linkedid"); err != nil {
		t.Fatalf("CreateIndex(linkedid) on MyISAM: %v", err)
	}
	got, err := r.Indexes(context.Background())
	if err != nil || !got["linkedid"] {
		t.Fatalf("Indexes() = %v, %v, want linkedid indexed", got, err)
	}
}

// fresh returns a new empty database of the dialect.
func fresh(t *testing.T, d cdr.Dialect) testDB {
	if d == cdr.SQLite {
		return newSQLite(t)
	}
	return newMariaDB(t)
}
