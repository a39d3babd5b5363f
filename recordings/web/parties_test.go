package web

import (
	"archive/zip"
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/totalrec/totalrec/internal/testsupport/mariadb"
	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/audio"
	"github.com/totalrec/totalrec/recordings/auth"
	"github.com/totalrec/totalrec/recordings/catalog"
	"github.com/totalrec/totalrec/recordings/cdr"
	"github.com/totalrec/totalrec/recordings/ingest"
	"github.com/totalrec/totalrec/recordings/spool"
)

// Two legs of one inbound call from a caller whose caller ID number is "150":
// spoofed is answered by extension 300, first went to extension 150 itself.
const (
	spoofedName = "in-300-150-20261126-120000-1795683600.701.wav"
	firstName   = "in-150-150-20261126-115900-1795683540.700.wav"
	callID      = "1795683540.700"
)

// callerIDFixture is a PBX with that call — spool, CDR table, a catalogue on
// dsn, enriched — and the web server on it.
func callerIDFixture(t *testing.T, dsn string) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{dir: t.TempDir()}
	f.spool = filepath.Join(f.dir, "monitor")
	day := filepath.Join(f.spool, "2026", "11", "26")
	if err := os.MkdirAll(day, 0o755); err != nil {
		t.Fatal(err)
	}
	pcm := make([]byte, 16000) // a second of silence
	for i, name := range []string{firstName, spoofedName} {
		h := audio.WAVHeader(8000, 1, 16, uint32(len(pcm)))
		p := filepath.Join(day, name)
		if err := os.WriteFile(p, append(h[:], pcm...), 0o644); err != nil {
			t.Fatal(err)
		}
		end := time.Date(2026, 11, 26, 11, 59+i, 5, 0, moscow)
		os.Chtimes(p, end, end)
	}
	cdrFile := filepath.Join(f.dir, "cdr.sqlite")
	raw, err := sql.Open("sqlite", cdrFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := cdr.CreateTable(ctx, raw, cdr.SQLite, "cdr", cdr.Schema16); err != nil {
		t.Fatal(err)
	}
	rows := []recordings.CDR{
		{CallDate: time.Date(2026, 11, 26, 11, 59, 0, 0, moscow), Src: "150", Dst: "150", CNum: "150", CNam: "SPOOF", DID: "74951234567",
			Channel: "PJSIP/trunk-00000010", DstChannel: "PJSIP/150-00000011", LastApp: "Dial", Disposition: "ANSWERED",
			Duration: 5, Billsec: 1, UniqueID: "1795683540.700", LinkedID: callID, RecordingFile: firstName},
		{CallDate: time.Date(2026, 11, 26, 12, 0, 0, 0, moscow), Src: "150", Dst: "300", CNum: "150", CNam: "SPOOF", DID: "74951234567",
			Channel: "PJSIP/trunk-00000010", DstChannel: "PJSIP/300-00000012", LastApp: "Dial", Disposition: "ANSWERED",
			Duration: 5, Billsec: 1, UniqueID: "1795683600.701", LinkedID: callID, RecordingFile: spoofedName},
	}
	if err := cdr.Insert(ctx, raw, cdr.SQLite, "cdr", rows); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	if f.cat, err = catalog.Open(ctx, dsn, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.cat.Close() })
	f.cat.SetClock(func() time.Time { return now })
	if f.cdr, err = cdr.Open(ctx, "sqlite:"+cdrFile, "cdr", cdr.WithLocation(moscow)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.cdr.Close() })
	if f.tree, err = spool.OpenTree(f.spool); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.tree.Close() })
	f.scan(t)
	e := &ingest.Enricher{Cat: f.cat, CDR: f.cdr, Window: time.Hour, Now: func() time.Time { return now },
		Log: slog.New(slog.DiscardHandler)}
	if _, err := e.RunAll(ctx); err != nil {
		t.Fatal(err)
	}
	f.cookie, f.csrf = f.signIn(t, "admin", recordings.RoleAdmin, "")
	f.serve(t, t.Cleanup, nil)
	return f
}

// TestScope_CallerIDIsNotAParty: a caller who sets caller ID "150" does not
// bring the call to extension 300 into the scope of extension 150's users:
// not by search (by number or not), lookup, audio, original, waveform, the
// legs of the call, CSV, ZIP or share links — through HTTP, with the
// catalogue on SQLite and on MariaDB. The leg extension 150 answered is theirs.
func TestScope_CallerIDIsNotAParty(t *testing.T) {
	for _, b := range []struct{ name, dsn string }{
		{"sqlite", "sqlite:" + filepath.Join(t.TempDir(), "totalrec.db")},
		{"mysql", mariadb.NewDatabase(t, "totalrec_web_scope")},
	} {
		t.Run(b.name, func(t *testing.T) {
			f := callerIDFixture(t, b.dsn)
			all := f.all(t, recordings.Query{})
			var spoofed, first recordings.Recording
			for _, r := range all {
				switch filepath.Base(r.Path) {
				case spoofedName:
					spoofed = r
				case firstName:
					first = r
				}
			}
			if spoofed.CDR.CNum != "150" || spoofed.CDR.DstChannel != "PJSIP/300-00000012" || spoofed.LinkedID != callID || first.LinkedID != callID {
				t.Fatalf("the fixture's call is not linked to its CDR rows: %+v / %+v", spoofed, first)
			}

			tok, hash := auth.NewAPIToken()
			sc, _ := recordings.ParseScope("100-199")
			if _, err := f.cat.AddToken(t.Context(), recordings.APIToken{Name: "scope-150", Hash: hash, Scope: sc}); err != nil {
				t.Fatal(err)
			}
			api := f.anonymous()
			bearer := []string{"Authorization", "Bearer " + tok}
			sup := f.as(t, "sup-150", recordings.RoleSupervisor, "100-199")

			for _, q := range []string{"", "?number=150", "?ext=150", "?deleted=1&hide_empty=0"} {
				for who, g := range map[string]*fixture{"token": api, "supervisor": sup} {
					h := bearer
					if who == "supervisor" {
						h = nil
					}
					res, body := g.get(t, "/api/v1/recordings"+q, h...)
					if res.StatusCode != http.StatusOK {
						t.Fatalf("%s search %q: %d %s", who, q, res.StatusCode, body)
					}
					ids := map[int64]bool{}
					for _, it := range decodeJSON[recordings.PageJSON](t, body).Items {
						ids[it.ID] = true
					}
					if ids[spoofed.ID] || (q != "?ext=150" && q != "?number=150" && !ids[first.ID]) {
						t.Errorf("%s search %q: %v; want %d and not %d", who, q, ids, first.ID, spoofed.ID)
					}
				}
			}
			for _, p := range []string{"", "/audio", "/original", "/waveform"} {
				res, body := api.get(t, fmt.Sprintf("/api/v1/recordings/%d%s", spoofed.ID, p), bearer...)
				wantError(t, res, body, http.StatusNotFound, "not_found")
				res, _ = api.get(t, fmt.Sprintf("/api/v1/recordings/%d%s", first.ID, p), bearer...)
				if res.StatusCode != http.StatusOK {
					t.Errorf("the in-scope leg%s: %d", p, res.StatusCode)
				}
			}
			if res, _ := sup.get(t, fmt.Sprintf("/recordings/%d", spoofed.ID)); res.StatusCode != http.StatusNotFound {
				t.Errorf("the player page of the spoofed leg: %d", res.StatusCode)
			}
			res, body := api.get(t, fmt.Sprintf("/api/v1/recordings/%d", first.ID), bearer...)
			for _, leg := range decodeJSON[DetailJSON](t, body).Legs {
				if leg.ID == spoofed.ID {
					t.Errorf("the in-scope leg lists the spoofed leg %d (%d)", leg.ID, res.StatusCode)
				}
			}
			res, body = api.get(t, "/api/v1/exports/recordings.csv?deleted=1&hide_empty=0", bearer...)
			rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff")))).ReadAll()
			if res.StatusCode != http.StatusOK || err != nil || len(rows) != 2 || rows[1][0] != strconv.FormatInt(first.ID, 10) {
				t.Errorf("CSV: %d %v %v", res.StatusCode, err, rows)
			}
			res, body = api.get(t, "/api/v1/exports/recordings.zip", bearer...)
			zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
			if res.StatusCode != http.StatusOK || err != nil || len(zr.File) != 1 {
				t.Errorf("ZIP: %d %v", res.StatusCode, err)
			}
			if res, _ := sup.post(t, fmt.Sprintf("/recordings/%d/shares", spoofed.ID), url.Values{"ttl": {"1d"}}); res.StatusCode != http.StatusNotFound {
				t.Errorf("share the spoofed leg: %d", res.StatusCode)
			}
			if res, _ := sup.post(t, fmt.Sprintf("/recordings/%d/shares", first.ID), url.Values{"ttl": {"1d"}}); res.StatusCode != http.StatusSeeOther {
				t.Errorf("share the in-scope leg: %d", res.StatusCode)
			}
			// Extension 300's scope has it.
			three := f.as(t, "user-300", recordings.RoleUser, "300")
			if res, _ := three.get(t, fmt.Sprintf("/api/v1/recordings/%d/original", spoofed.ID)); res.StatusCode != http.StatusOK {
				t.Errorf("extension 300's own recording: %d", res.StatusCode)
			}
		})
	}
}
