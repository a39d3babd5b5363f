package ingest

import (
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/cdr"
)

// unpatched is a WAV file as MixMonitor leaves it while recording: a 44-byte header
// whose sizes are still zero, then audio.
func unpatched(samples int) []byte {
	b := make([]byte, 44+2*samples)
	copy(b, "RIFF\x00\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x40\x1f\x00\x00\x80\x3e\x00\x00\x02\x00\x10\x00data\x00\x00\x00\x00")
	return b
}

func patch(b []byte) []byte {
	binary.LittleEndian.PutUint32(b[4:], uint32(len(b)-8))
	binary.LittleEndian.PutUint32(b[40:], uint32(len(b)-44))
	return b
}

// TestScan_Incremental follows a day directory through a call's life: a recording
// being written, then closed, a new one, one deleted, a whole day removed.
func TestScan_Incremental(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			f := newFixture(t, b, 0, 0)
			day := filepath.Join(f.spool, "2026", "11", "26")
			old := filepath.Join(f.spool, "2026", "11", "25")
			must(t, os.MkdirAll(day, 0o755))
			must(t, os.MkdirAll(old, 0o755))
			live := filepath.Join(day, "in-100-+79161234567-20261126-101500-1795680900.1.wav")
			must(t, os.WriteFile(live, unpatched(8000), 0o644))
			must(t, os.WriteFile(filepath.Join(old, "out-555-100-20261125-090000-1795590000.7.gsm"), gsmFrames(50), 0o644))

			r := f.scan(t, false)
			if r.New != 2 || r.Writing != 1 {
				t.Fatalf("first scan: %+v", r)
			}
			// MixMonitor goes on writing, then patches the header at hangup. The
			// directory's mtime does not change, but it held a file being written.
			b := unpatched(16000)
			must(t, os.WriteFile(live, patch(b), 0o644))
			r = f.scan(t, false)
			if r.Changed != 1 || r.Writing != 0 || r.DirsSkipped != r.Dirs-1 {
				t.Errorf("scan after hangup: %+v", r)
			}
			rec, err := f.cat.GetByPath(context.Background(), "", "2026/11/26/in-100-+79161234567-20261126-101500-1795680900.1.wav")
			if err != nil {
				t.Fatal(err)
			}
			if rec.State != recordings.StateOK || rec.Duration != 2*time.Second {
				t.Errorf("closed recording: state %s duration %v", rec.State, rec.Duration)
			}
			// Unchanged now: skipped.
			if r := f.scan(t, false); r.DirsSkipped != r.Dirs {
				t.Errorf("scan of a settled spool: %+v", r)
			}
			// A new file changes the directory's mtime; a removed day marks its rows.
			future := time.Now().Add(2 * time.Second)
			must(t, os.WriteFile(filepath.Join(day, "out-555-101-20261126-111500-1795684500.2.wav"), patch(unpatched(800)), 0o644))
			must(t, os.Chtimes(day, future, future))
			must(t, os.RemoveAll(old))
			r = f.scan(t, false)
			if r.New != 1 || r.Missing != 1 {
				t.Errorf("scan after a new file and a removed day: %+v", r)
			}
			gone, err := f.cat.GetByPath(context.Background(), "", "2026/11/25/out-555-100-20261125-090000-1795590000.7.gsm")
			if err != nil || gone.State != recordings.StateMissing {
				t.Errorf("removed day's recording: %+v, %v", gone.State, err)
			}
			if r := f.scan(t, false); r.Missing != 0 || r.New != 0 || r.Dirs != 4 {
				t.Errorf("scan after forgetting the removed day: %+v", r)
			}
		})
	}
}

// TestEnrich_LateCDR: the CDR row lands after the recording is catalogued; the
// recording waits, is retried with backoff and then linked; another whose row never
// comes is given up after the window.
func TestEnrich_LateCDR(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			f := newFixture(t, b, 0, 0)
			day := filepath.Join(f.spool, "2026", "11", "26")
			must(t, os.MkdirAll(day, 0o755))
			late := "in-74951234567-+79161234567-20261126-101500-1795680900.11.gsm"
			never := "in-74951234567-+79160000000-20261126-101600-1795680960.12.gsm"
			for _, n := range []string{late, never} {
				must(t, os.WriteFile(filepath.Join(day, n), gsmFrames(100), 0o644))
				must(t, os.Chtimes(filepath.Join(day, n), now.Add(-time.Minute), now.Add(-time.Minute)))
			}
			f.scan(t, false)
			if r := f.enrich(t, now); r.Retry != 2 || r.Linked != 0 {
				t.Fatalf("before the CDR row: %+v", r)
			}
			// Searchable by the name meanwhile.
			p, err := f.cat.Search(context.Background(), recordings.Query{Number: "9161234567"})
			if err != nil || len(p.Items) != 1 || p.Items[0].CDRStatus != recordings.CDRPending {
				t.Fatalf("pending recording not found by its name's number: %+v, %v", p.Items, err)
			}
			row := recordings.CDR{CallDate: time.Date(2026, 11, 26, 10, 15, 0, 0, time.UTC), UniqueID: "1795680900.11", LinkedID: "1795680900.11",
				Src: "+79161234567", Dst: "101", Disposition: "ANSWERED", Duration: 5, Billsec: 2, DID: "74951234567", RecordingFile: late}
			must(t, cdr.Insert(context.Background(), f.raw, f.dial, "cdr", []recordings.CDR{row}))
			// Not due yet: nothing is looked up again.
			if r := f.enrich(t, now.Add(time.Second)); r.Linked+r.Retry+r.GaveUp != 0 {
				t.Errorf("enrich before the backoff passed: %+v", r)
			}
			if r := f.enrich(t, now.Add(Backoff(1)+time.Second)); r.Linked != 1 || r.Retry != 1 {
				t.Errorf("enrich after the backoff: %+v", r)
			}
			// Past the window, the one without a row is given up.
			if r := f.enrich(t, now.Add(3*time.Hour)); r.GaveUp != 1 {
				t.Errorf("enrich past the window: %+v", r)
			}
			p, err = f.cat.Search(context.Background(), recordings.Query{Disposition: "ANSWERED"})
			if err != nil || len(p.Items) != 1 || p.Items[0].CDR.Dst != "101" || p.Items[0].LinkedID != "1795680900.11" {
				t.Errorf("linked recording: %+v, %v", p.Items, err)
			}
		})
	}
}

// gsmFrames is n raw GSM frames of silence-like content: each starts with the
// format's 0xD signature nibble.
func gsmFrames(n int) []byte {
	b := make([]byte, 33*n)
	for i := 0; i < len(b); i += 33 {
		b[i] = 0xD0
	}
	return b
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestBackoff(t *testing.T) {
	want := []time.Duration{15 * time.Second, 30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 10 * time.Minute, 10 * time.Minute}
	for i, w := range want {
		if got := Backoff(i + 1); got != w {
			t.Errorf("Backoff(%d) = %v, want %v", i+1, got, w)
		}
	}
}
