package evidence_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/totalrec/totalrec/internal/testsupport/mariadb"
	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/catalog"
	"github.com/totalrec/totalrec/recordings/cdr"
	"github.com/totalrec/totalrec/recordings/demo"
	"github.com/totalrec/totalrec/recordings/evidence"
	"github.com/totalrec/totalrec/recordings/ingest"
	"github.com/totalrec/totalrec/recordings/spool"
)

var backends = []struct {
	name string
	dsn  func(t *testing.T) string
}{
	{"sqlite", func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "db.sqlite") }},
	{"mariadb", func(t *testing.T) string { return mariadb.NewDatabase(t, "totalrec_evidence_test") }},
}

// t0 is the fixture's present when it is built: every demo call ended before it.
var t0 = time.Date(2026, 11, 26, 18, 0, 0, 0, time.UTC)

// fixture is a demo spool, catalogued and sealed, with a manifest for the day of
// sealing (2026-11-26) and one for the next day, which lists one deletion.
type fixture struct {
	spool, dir string
	cat        *catalog.Catalog
	tree       *spool.Tree
	key        ed25519.PrivateKey
	live       []recordings.Recording // on disk and sealed
	deleted    recordings.Recording
}

func newFixture(t *testing.T, dsn string) *fixture {
	t.Helper()
	ctx := context.Background()
	root := t.TempDir()
	f := &fixture{spool: filepath.Join(root, "monitor"), dir: filepath.Join(root, "evidence")}
	raw, err := sql.Open("sqlite", filepath.Join(root, "cdr.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := demo.Build(ctx, demo.Options{Spool: f.spool, CDR: raw, CDRDialect: cdr.SQLite, Days: 2, CallsPerDay: 6, Seed: 3, Now: t0, Loc: time.UTC}); err != nil {
		t.Fatal(err)
	}
	if f.cat, err = catalog.Open(ctx, dsn, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.cat.Close() })
	f.cat.SetClock(func() time.Time { return t0 })
	if f.tree, err = spool.OpenTree(f.spool); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.tree.Close() })
	sc := &ingest.Scanner{Tree: f.tree, Cat: f.cat, Loc: time.UTC, Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return t0 }}
	if _, err := sc.Scan(ctx, true); err != nil {
		t.Fatal(err)
	}
	h := &evidence.Hasher{Store: f.cat, Tree: f.tree}
	rep, err := h.Pass(ctx, t0, true)
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.cat.Search(ctx, recordings.Query{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Items {
		if r.State != recordings.StateMissing {
			f.live = append(f.live, r)
		}
	}
	if rep.Sealed != len(f.live) || rep.Sealed < 5 {
		t.Fatalf("sealed %d of %d recordings: %+v", rep.Sealed, len(f.live), rep)
	}
	if _, err := evidence.GenerateKey(filepath.Join(root, "manifest.key")); err != nil {
		t.Fatal(err)
	}
	if f.key, err = evidence.LoadKey(filepath.Join(root, "manifest.key")); err != nil {
		t.Fatal(err)
	}
	s := &evidence.Sealer{Store: f.cat, Dir: f.dir, Key: f.key}
	// Retention deletes one recording the next day.
	f.deleted, f.live = f.live[0], f.live[1:]
	must(t, os.Remove(filepath.Join(f.spool, f.deleted.Path)))
	must(t, f.cat.MarkDeleted(ctx, []int64{f.deleted.ID}, t0.Add(20*time.Hour), "older than 30 days"))
	ms, err := s.SealDue(ctx, t0.Add(6*time.Hour+evidence.DefaultMargin))
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 || ms[0].Day != "2026-11-26" || ms[0].Sealed != len(f.live)+1 || ms[0].Deleted != 0 {
		t.Fatalf("first seal wrote %+v", ms)
	}
	ms, err = s.SealDue(ctx, t0.Add(30*time.Hour+evidence.DefaultMargin))
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 || ms[0].Day != "2026-11-27" || ms[0].Sealed != 0 || ms[0].Deleted != 1 {
		t.Fatalf("second seal wrote %+v", ms)
	}
	// The daemon, another user than the root job, reads the manifests.
	if fi, err := os.Stat(f.dir); err != nil || fi.Mode().Perm()&0o005 != 0o005 {
		t.Fatalf("the manifest directory: %v %v", fi, err)
	}
	return f
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) verify(t *testing.T, sel evidence.Selection) evidence.Report {
	t.Helper()
	v := &evidence.Verifier{Store: f.cat, Tree: f.tree, Dir: f.dir, Pub: f.key.Public().(ed25519.PublicKey)}
	rep, err := v.Verify(context.Background(), sel)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// tamper changes path with change and puts it back when the subtest ends.
func tamper(t *testing.T, path string, change func(b []byte) []byte) {
	t.Helper()
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		os.WriteFile(path, old, 0o644)
		os.Chtimes(path, fi.ModTime(), fi.ModTime())
	})
	if change == nil {
		must(t, os.Remove(path))
		return
	}
	must(t, os.WriteFile(path, change(bytes.Clone(old)), 0o644))
	os.Chtimes(path, fi.ModTime(), fi.ModTime()) // a careful forger keeps the time
}

// TestVerify: untouched, everything verifies; each kind of tampering is
// reported, once, and nothing else is.
func TestVerify(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			f := newFixture(t, b.dsn(t))
			day1 := filepath.Join(f.dir, "2026", "2026-11-26")
			day2 := filepath.Join(f.dir, "2026", "2026-11-27")
			victim := f.live[len(f.live)/2]

			rep := f.verify(t, evidence.Selection{})
			if len(rep.Problems) != 0 || rep.Days != 2 || rep.Recordings != len(f.live) || rep.Deleted != 1 {
				t.Fatalf("untouched: %+v", rep)
			}
			cases := []struct {
				name   string
				change func(t *testing.T)
				want   []evidence.Problem // Kind, Day, ID
			}{
				{"one byte of a recording", func(t *testing.T) {
					tamper(t, filepath.Join(f.spool, victim.Path), func(b []byte) []byte { b[len(b)-1] ^= 1; return b })
				}, []evidence.Problem{{Kind: evidence.ProblemAltered, Day: "2026-11-26", ID: victim.ID}}},
				{"a recording removed", func(t *testing.T) {
					tamper(t, filepath.Join(f.spool, victim.Path), nil)
				}, []evidence.Problem{{Kind: evidence.ProblemMissing, Day: "2026-11-26", ID: victim.ID}}},
				{"a manifest line", func(t *testing.T) {
					tamper(t, day1+".jsonl", func(b []byte) []byte {
						return bytes.Replace(b, []byte(`"size":`), []byte(`"size":1`), 1)
					})
				}, []evidence.Problem{{Kind: evidence.ProblemManifestAltered, Day: "2026-11-26"}}},
				{"a signature", func(t *testing.T) {
					tamper(t, day2+".sum.sig", func(b []byte) []byte { b[7] ^= 0x40; return b })
				}, []evidence.Problem{{Kind: evidence.ProblemSignature, Day: "2026-11-27"}}},
				{"a manifest deleted", func(t *testing.T) {
					tamper(t, day1+".jsonl", nil)
				}, []evidence.Problem{{Kind: evidence.ProblemManifestMissing, Day: "2026-11-26"}}},
				{"a checksum rewritten to match an edited manifest", func(t *testing.T) {
					tamper(t, day2+".jsonl", func(b []byte) []byte {
						return append(b, `{"event":"sealed","id":99,"sha256":"`+strings.Repeat("0", 64)+`","size":44,"at":"2026-11-27T10:00:00Z"}`+"\n"...)
					})
					tamper(t, day2+".sum", func(b []byte) []byte {
						sum, _ := exec.Command("sha256sum", day2+".jsonl").Output()
						return []byte(strings.Fields(string(sum))[0] + "  2026-11-27.jsonl\n")
					})
				}, []evidence.Problem{{Kind: evidence.ProblemManifestAltered, Day: "2026-11-27"}, {Kind: evidence.ProblemSignature, Day: "2026-11-27"}}},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					c.change(t)
					rep := f.verify(t, evidence.Selection{})
					var got []evidence.Problem
					for _, p := range rep.Problems {
						got = append(got, evidence.Problem{Kind: p.Kind, Day: p.Day, ID: p.ID})
					}
					if !slices.Equal(got, c.want) {
						t.Errorf("reported %+v, want only %+v", rep.Problems, c.want)
					}
				})
			}
			// One day, or one recording, checks just that.
			if rep := f.verify(t, evidence.Selection{Day: "2026-11-27"}); len(rep.Problems) != 0 || rep.Days != 1 || rep.Recordings != 0 {
				t.Errorf("day 2: %+v", rep)
			}
			if rep := f.verify(t, evidence.Selection{ID: victim.ID}); len(rep.Problems) != 0 || rep.Recordings != 1 {
				t.Errorf("recording %d: %+v", victim.ID, rep)
			}
			// A catalogue that names the wrong day's manifest is not taken at its word.
			if _, err := f.cat.DB().Exec(`UPDATE totalrec_seals SET manifest_day = '2026-11-27' WHERE recording_id = ?`, victim.ID); err != nil {
				t.Fatal(err)
			}
			if rep := f.verify(t, evidence.Selection{ID: victim.ID}); len(rep.Problems) != 1 || rep.Problems[0].Kind != evidence.ProblemUnlisted {
				t.Errorf("recording %d listed on the wrong day: %+v", victim.ID, rep)
			}
			if _, err := f.cat.DB().Exec(`UPDATE totalrec_seals SET manifest_day = '2026-11-26' WHERE recording_id = ?`, victim.ID); err != nil {
				t.Fatal(err)
			}
			// The deleted recording checks out as deleted: nothing read.
			if rep := f.verify(t, evidence.Selection{ID: f.deleted.ID}); len(rep.Problems) != 0 || rep.Recordings != 0 || rep.Deleted != 1 {
				t.Errorf("the deleted recording %d: %+v", f.deleted.ID, rep)
			}
		})
	}
}

// TestVerifyUnlisted: a recording catalogued before a manifest's cutoff that no
// manifest lists is reported; one catalogued since is not, until the next
// manifest should have listed it.
func TestVerifyUnlisted(t *testing.T) {
	f := newFixture(t, backends[0].dsn(t))
	ctx := context.Background()
	// A file appears in an old day's directory and is catalogued, but never sealed.
	dir := filepath.Dir(f.live[0].Path)
	rel := dir + "/in-201-5550001-20261125-101010-1795000000.1.wav"
	src, err := os.ReadFile(filepath.Join(f.spool, f.live[0].Path))
	must(t, err)
	must(t, os.WriteFile(filepath.Join(f.spool, rel), src, 0o644))
	old := t0.Add(-20 * time.Hour)
	must(t, os.Chtimes(filepath.Join(f.spool, rel), old, old))
	sc := &ingest.Scanner{Tree: f.tree, Cat: f.cat, Loc: time.UTC, Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return t0 }}
	if _, err := sc.Scan(ctx, true); err != nil {
		t.Fatal(err)
	}
	rep := f.verify(t, evidence.Selection{})
	if len(rep.Problems) != 1 || rep.Problems[0].Kind != evidence.ProblemUnlisted || rep.Problems[0].Path != rel {
		t.Fatalf("an unsealed recording catalogued before the last cutoff: %+v", rep.Problems)
	}
	// Sealed now, after the last cutoff: it waits for the next manifest.
	h := &evidence.Hasher{Store: f.cat, Tree: f.tree}
	if r, err := h.Pass(ctx, t0.Add(40*time.Hour), true); err != nil || r.Sealed != 1 {
		t.Fatalf("seal: %+v, %v", r, err)
	}
	if rep := f.verify(t, evidence.Selection{}); len(rep.Problems) != 0 {
		t.Fatalf("sealed after the last cutoff: %+v", rep.Problems)
	}
	s := &evidence.Sealer{Store: f.cat, Dir: f.dir, Key: f.key}
	ms, err := s.SealDue(ctx, t0.Add(54*time.Hour+evidence.DefaultMargin))
	if err != nil || len(ms) != 1 || ms[0].Sealed != 1 {
		t.Fatalf("third seal: %+v, %v", ms, err)
	}
	if rep := f.verify(t, evidence.Selection{}); len(rep.Problems) != 0 || rep.Days != 3 || rep.Recordings != len(f.live)+1 {
		t.Fatalf("after the third manifest: %+v", rep)
	}
	// Nothing more is due, and a second run at once writes nothing.
	if ms, err := s.SealDue(ctx, t0.Add(54*time.Hour+evidence.DefaultMargin)); err != nil || len(ms) != 0 {
		t.Fatalf("again: %+v, %v", ms, err)
	}
}

// TestBundle: a recording's bundle checks out with sha256sum, grep and openssl,
// following its own VERIFY.txt.
func TestBundle(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl is not installed")
	}
	f := newFixture(t, backends[0].dsn(t))
	rec := f.live[1]
	v := &evidence.Verifier{Store: f.cat, Tree: f.tree, Dir: f.dir, Pub: f.key.Public().(ed25519.PublicKey)}
	var buf bytes.Buffer
	must(t, v.Bundle(context.Background(), &buf, rec.ID, t0.Add(100*time.Hour)))
	out := t.TempDir()
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	must(t, err)
	for _, zf := range zr.File {
		r, err := zf.Open()
		must(t, err)
		b, err := io.ReadAll(r)
		must(t, err)
		must(t, os.MkdirAll(filepath.Join(out, filepath.Dir(zf.Name)), 0o755))
		must(t, os.WriteFile(filepath.Join(out, zf.Name), b, 0o644))
	}
	guide, err := os.ReadFile(filepath.Join(out, "VERIFY.txt"))
	must(t, err)
	day := "2026-11-26"
	audio := filepath.Base(rec.Path)
	steps := []struct{ cmd, want string }{
		{"openssl pkeyutl -verify -pubin -inkey manifest-key.pub.pem -rawin -in manifest/" + day + ".sum -sigfile manifest/" + day + ".sum.sig", "Signature Verified Successfully"},
		{"(cd manifest && sha256sum -c " + day + ".sum)", day + ".jsonl: OK"},
		{"grep -c -F -x -f manifest-entry.json manifest/" + day + ".jsonl", "1"},
		{"sha256sum '" + audio + "'", ""},
	}
	for _, s := range steps {
		// The guide shows each command (the openssl one over two lines).
		if first := strings.Fields(s.cmd)[0]; !strings.Contains(string(guide), first) {
			t.Errorf("VERIFY.txt does not show %q", first)
		}
		cmd := exec.Command("sh", "-c", s.cmd)
		cmd.Dir = out
		got, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", s.cmd, err, got)
		}
		if !strings.Contains(string(got), s.want) {
			t.Errorf("%s printed %q, want %q", s.cmd, got, s.want)
		}
		if s.want == "" {
			seal, err := f.cat.SealOf(context.Background(), rec.ID)
			must(t, err)
			if !strings.HasPrefix(string(got), seal.SHA256) || !strings.Contains(string(guide), seal.SHA256) {
				t.Errorf("the audio hashes to %s; sealed %s", got, seal.SHA256)
			}
		}
	}
	// A recording in no manifest yet has no bundle.
	if err := v.Bundle(context.Background(), io.Discard, 1<<40, t0); !errors.Is(err, recordings.ErrNotFound) {
		t.Errorf("bundle of an unknown recording: %v", err)
	}
}
