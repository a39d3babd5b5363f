package catalog

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

func TestUpsertInsertAndRoundTrip(t *testing.T) {
	each(t, func(t *testing.T, c *Catalog) {
		ctx := context.Background()
		full := rec("2026/11/26/out-89123456789-201-20261126-093000-1788970278.1657.WAV", 0)
		full.Node, full.Format, full.Duration = "pbx1", recordings.FormatWAV49, 1234567*time.Millisecond
		full.Name.Time = time.Date(2026, 11, 26, 12, 30, 0, 123456789, time.FixedZone("MSK", 3*3600))
		full.CallTime = full.Name.Time
		full.Name.Ext = "WAV"
		full.LinkedID = "1788970278.1650"
		full.CDRStatus, full.CDRAttempts = recordings.CDRLinked, 2
		full.CDR = recordings.CDR{CallDate: t0, Src: "201", Dst: "89123456789", CNum: "201", CNam: "Анна",
			DID: "74950000000", Channel: "PJSIP/201-0001", DstChannel: "PJSIP/trunk-0002", LastApp: "Dial",
			Disposition: "ANSWERED", Duration: 70, Billsec: 65, UniqueID: "1788970278.1657",
			LinkedID: "1788970278.1650", AccountCode: "acc", RecordingFile: "out-….WAV"}
		full.Held = true
		ins, upd, err := c.Upsert(ctx, []recordings.Recording{full, rec("a.wav", 1)})
		if err != nil || ins != 2 || upd != 0 {
			t.Fatalf("Upsert = %d, %d, %v; want 2, 0", ins, upd, err)
		}
		got, err := c.GetByPath(ctx, "pbx1", full.Path)
		if err != nil {
			t.Fatal(err)
		}
		want := full
		want.ID = got.ID
		want.Name.Time = dbTimeOf(full.Name.Time)
		want.CallTime = want.Name.Time
		want.ModTime, want.CDR.CallDate = dbTimeOf(full.ModTime), dbTimeOf(full.CDR.CallDate)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", got, want)
		}
		if got.CallTime.Location() != time.UTC {
			t.Errorf("CallTime location = %v, want UTC", got.CallTime.Location())
		}
		byID, err := c.Get(ctx, got.ID)
		if err != nil || !reflect.DeepEqual(byID, got) {
			t.Fatalf("Get = %+v, %v", byID, err)
		}
		if _, err := c.Get(ctx, got.ID+1000); !errors.Is(err, recordings.ErrNotFound) {
			t.Errorf("Get(missing) = %v, want ErrNotFound", err)
		}
		if _, err := c.GetByPath(ctx, "", full.Path); !errors.Is(err, recordings.ErrNotFound) {
			t.Errorf("GetByPath(other node) = %v, want ErrNotFound", err)
		}
		// A plain new record starts pending and due.
		if a := mustGet(t, c, "a.wav"); a.CDRStatus != recordings.CDRPending || a.Storage != "local" {
			t.Errorf("new record: cdr %q storage %q", a.CDRStatus, a.Storage)
		}
	})
}

func TestUpsertUpdateKeepsCDR(t *testing.T) {
	each(t, func(t *testing.T, c *Catalog) {
		ctx := context.Background()
		p := "2026/11/26/q-500-201-1788970278.9.wav"
		r := rec(p, 0)
		r.Name.Time = time.Time{} // no time in the name: call time comes from the CDR once linked
		r.CallTime = r.ModTime
		mustUpsert(t, c, r)
		id := mustGet(t, c, p).ID
		cdr := recordings.CDR{CallDate: t0.Add(-time.Hour), Src: "74951112233", Dst: "500",
			Disposition: "ANSWERED", Billsec: 61, LinkedID: "1788970278.1"}
		if err := c.SetCDR(ctx, id, recordings.CDRLinked, cdr, 1, time.Time{}); err != nil {
			t.Fatal(err)
		}
		if err := c.SetHeld(ctx, id, true); err != nil {
			t.Fatal(err)
		}

		// The scanner sees the file again: bigger, now ok, held flag not carried.
		r.Size, r.Duration, r.State = 99999, 9*time.Second, recordings.StateOK
		r.Format = recordings.FormatWAV
		r.ModTime = r.ModTime.Add(time.Hour)
		r.CallTime = r.ModTime
		ins, upd, err := c.Upsert(ctx, []recordings.Recording{r})
		if err != nil || ins != 0 || upd != 1 {
			t.Fatalf("Upsert = %d, %d, %v; want 0, 1", ins, upd, err)
		}
		got := mustGet(t, c, p)
		if got.ID != id || got.Size != 99999 || got.Duration != 9*time.Second || !got.ModTime.Equal(r.ModTime) {
			t.Errorf("file fields not refreshed: %+v", got)
		}
		if got.CDRStatus != recordings.CDRLinked || got.CDR.Src != "74951112233" || got.CDR.Billsec != 61 ||
			got.LinkedID != "1788970278.1" || !got.Held {
			t.Errorf("cdr or hold not kept: %+v", got)
		}
		if !got.CallTime.Equal(cdr.CallDate) {
			t.Errorf("CallTime = %v, want the CDR's %v", got.CallTime, cdr.CallDate)
		}
		// The kept CDR numbers still find it.
		page, err := c.Search(ctx, recordings.Query{Number: "4951112233"})
		if err != nil || len(page.Items) != 1 {
			t.Errorf("search by kept CDR number: %d items, %v", len(page.Items), err)
		}

		// A record that carries CDR data replaces it.
		r.CDRStatus, r.CDR = recordings.CDRGaveUp, recordings.CDR{}
		mustUpsert(t, c, r)
		got = mustGet(t, c, p)
		if got.CDRStatus != recordings.CDRGaveUp || got.CDR.Src != "" || !got.CallTime.Equal(r.CallTime) {
			t.Errorf("carried CDR not applied: %+v", got)
		}
		if page, _ := c.Search(ctx, recordings.Query{Number: "4951112233"}); len(page.Items) != 0 {
			t.Errorf("old CDR number still matches after replacement")
		}
	})
}

func TestUpsertStateTransitions(t *testing.T) {
	each(t, func(t *testing.T, c *Catalog) {
		ctx := context.Background()
		mustUpsert(t, c, rec("a.wav", 0), rec("b.wav", 1))
		a, b := mustGet(t, c, "a.wav"), mustGet(t, c, "b.wav")
		if err := c.MarkMissing(ctx, []int64{a.ID}, t0); err != nil {
			t.Fatal(err)
		}
		if err := c.MarkDeleted(ctx, []int64{b.ID}, t0, "retention: older than 90 days"); err != nil {
			t.Fatal(err)
		}
		if got := mustGet(t, c, "a.wav"); got.State != recordings.StateMissing {
			t.Fatalf("after MarkMissing: %q", got.State)
		}
		if got := mustGet(t, c, "b.wav"); got.State != recordings.StateDeleted || !got.DeletedAt.Equal(t0) || got.DeletedReason == "" {
			t.Fatalf("after MarkDeleted: %+v", got)
		}
		// MarkMissing leaves deleted rows deleted.
		if err := c.MarkMissing(ctx, []int64{b.ID}, t0); err != nil {
			t.Fatal(err)
		}
		if got := mustGet(t, c, "b.wav"); got.State != recordings.StateDeleted {
			t.Fatalf("deleted row became %q", got.State)
		}

		// Both files reappear: they take their probed state; deletion marks go.
		ra, rb := rec("a.wav", 0), rec("b.wav", 1)
		rb.State = recordings.StateEmpty
		mustUpsert(t, c, ra, rb)
		if got := mustGet(t, c, "a.wav"); got.State != recordings.StateOK {
			t.Errorf("reappeared a: %q", got.State)
		}
		if got := mustGet(t, c, "b.wav"); got.State != recordings.StateEmpty || !got.DeletedAt.IsZero() || got.DeletedReason != "" {
			t.Errorf("reappeared b: %+v", got)
		}

		// An incoming deletion is applied.
		rb.State, rb.DeletedAt, rb.DeletedReason = recordings.StateDeleted, t0.Add(time.Hour), "manual"
		mustUpsert(t, c, rb)
		if got := mustGet(t, c, "b.wav"); got.State != recordings.StateDeleted || !got.DeletedAt.Equal(rb.DeletedAt) || got.DeletedReason != "manual" {
			t.Errorf("incoming deletion: %+v", got)
		}
		if err := c.SetHeld(ctx, a.ID+b.ID+100, true); !errors.Is(err, recordings.ErrNotFound) {
			t.Errorf("SetHeld(missing) = %v", err)
		}
	})
}

func TestUpsertBatch(t *testing.T) {
	each(t, func(t *testing.T, c *Catalog) {
		ctx := context.Background()
		var recs []recordings.Recording
		for i := range 450 { // more than one multi-row statement
			recs = append(recs, rec(fmt.Sprintf("2026/11/%02d/f%d.wav", i%30+1, i), i))
		}
		dup := rec("2026/11/01/f0.wav", 0)
		dup.Size = 7
		recs = append(recs, dup) // the last record for a key wins
		ins, upd, err := c.Upsert(ctx, recs)
		if err != nil || ins != 450 || upd != 0 {
			t.Fatalf("Upsert = %d, %d, %v", ins, upd, err)
		}
		if got := mustGet(t, c, "2026/11/01/f0.wav"); got.Size != 7 {
			t.Errorf("duplicate in batch: size %d, want the last one's 7", got.Size)
		}
		ins, upd, err = c.Upsert(ctx, recs[:300])
		if err != nil || ins != 0 || upd != 300 {
			t.Fatalf("second Upsert = %d, %d, %v", ins, upd, err)
		}
		// The later Upserts run the full-chunk statements prepared after the first:
		// each recording's number keys are replaced, never added twice.
		for range 2 {
			if ins, upd, err = c.Upsert(ctx, recs[:400]); err != nil || ins != 0 || upd != 400 {
				t.Fatalf("repeated Upsert = %d, %d, %v", ins, upd, err)
			}
		}
		var keys int
		if err := c.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM totalrec_numbers`).Scan(&keys); err != nil {
			t.Fatal(err)
		}
		if want := 450 * len(NumberKeys("201", "+79123456789")); keys != want {
			t.Errorf("%d number keys, want %d", keys, want)
		}
		if ins, upd, err := c.Upsert(ctx, nil); err != nil || ins+upd != 0 {
			t.Errorf("empty Upsert = %d, %d, %v", ins, upd, err)
		}
	})
}

func TestUpsertRefusesBadRecords(t *testing.T) {
	each(t, func(t *testing.T, c *Catalog) {
		ctx := context.Background()
		noTime := rec("x.wav", 0)
		noTime.CallTime, noTime.ModTime, noTime.Name.Time = time.Time{}, time.Time{}, time.Time{}
		noState := rec("y.wav", 0)
		noState.State = ""
		farFuture := rec("z.wav", 0)
		farFuture.CallTime = time.Date(12000, 1, 1, 0, 0, 0, 0, time.UTC)
		longNode := rec("n.wav", 0)
		longNode.Node = strings.Repeat("n", 65)
		for _, p := range []string{"", ".", "/etc/passwd", "../x.wav", "a/../../x.wav", "a//b.wav", "a/./b.wav",
			"a\x00b.wav", "2026/" + strings.Repeat("x", 1100) + ".wav"} {
			bad := rec(p, 0)
			if _, _, err := c.Upsert(ctx, []recordings.Recording{rec("ok.wav", 0), bad}); !errors.Is(err, recordings.ErrInvalid) {
				t.Errorf("Upsert path %q = %v, want ErrInvalid", p, err)
			}
		}
		for _, bad := range []recordings.Recording{noTime, noState, farFuture, longNode} {
			if _, _, err := c.Upsert(ctx, []recordings.Recording{bad}); !errors.Is(err, recordings.ErrInvalid) {
				t.Errorf("Upsert %+v = %v, want ErrInvalid", bad, err)
			}
		}
		if page, err := c.Search(ctx, recordings.Query{WithDeleted: true}); err != nil || page.Total != 0 {
			t.Errorf("refused batches wrote %d rows (%v)", page.Total, err)
		}
	})
}

func TestUpsertHostileText(t *testing.T) {
	each(t, func(t *testing.T, c *Catalog) {
		weird := []string{
			`'; DROP TABLE totalrec_recordings; --`, `%_\`, "Ünïcödé 📞 名前", "bad\xffutf8",
			strings.Repeat("я", 300),
		}
		for i, s := range weird {
			r := rec(fmt.Sprintf("dir %d/it's 100%%_%s.wav", i, strings.ReplaceAll(s, "/", "")), i)
			r.Name.Dest, r.Name.From, r.Name.Type, r.LinkedID, r.CDR.CNam = s, s, s, s, s
			r.CDRStatus = recordings.CDRLinked
			mustUpsert(t, c, r)
			got := mustGet(t, c, r.Path)
			if got.Path != r.Path {
				t.Errorf("path %q came back as %q", r.Path, got.Path)
			}
			want := clip(s, lenText)
			if got.Name.Dest != want || got.CDR.CNam != want || got.Name.Type != clip(s, lenType) {
				t.Errorf("text %q came back as %q / %q / %q", s, got.Name.Dest, got.CDR.CNam, got.Name.Type)
			}
		}
		// Paths differing only in case are two files.
		mustUpsert(t, c, rec("case.WAV", 0), rec("case.wav", 1))
		if mustGet(t, c, "case.WAV").ID == mustGet(t, c, "case.wav").ID {
			t.Error("case.WAV and case.wav share a row")
		}
	})
}

// TestUpsertConcurrentShapes: a scan's full chunks and the hook's single recordings
// upserted at once, from fresh statements to cached ones, neither waiting on the
// other for good (the writer's one SQLite connection and the statement cache are
// both shared) and every recording catalogued once.
func TestUpsertConcurrentShapes(t *testing.T) {
	each(t, func(t *testing.T, c *Catalog) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		const workers, rounds = 4, 5
		errs := make(chan error, workers)
		for w := range workers {
			go func() {
				var err error
				for i := 0; i < rounds && err == nil; i++ {
					if w%2 == 0 { // a scan: one full chunk per round
						var recs []recordings.Recording
						for j := range upsertRows {
							recs = append(recs, rec(fmt.Sprintf("2026/11/%02d/w%d-%d-%d.wav", j%28+1, w, i, j), j))
						}
						_, _, err = c.Upsert(ctx, recs)
					} else { // the hook: one recording at a time
						for j := 0; j < 20 && err == nil; j++ {
							_, _, err = c.Upsert(ctx, []recordings.Recording{rec(fmt.Sprintf("2026/11/02/h%d-%d-%d.wav", w, i, j), j)})
						}
					}
				}
				errs <- err
			}()
		}
		for range workers {
			if err := <-errs; err != nil {
				t.Fatalf("concurrent Upsert: %v", err)
			}
		}
		var n int
		if err := c.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM totalrec_recordings`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if want := 2*rounds*upsertRows + 2*rounds*20; n != want {
			t.Errorf("%d recordings, want %d", n, want)
		}
	})
}
