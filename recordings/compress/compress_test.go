package compress_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/totalrec/totalrec/internal/testsupport/mariadb"
	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/catalog"
	"github.com/totalrec/totalrec/recordings/cdr"
	"github.com/totalrec/totalrec/recordings/compress"
	"github.com/totalrec/totalrec/recordings/demo"
	"github.com/totalrec/totalrec/recordings/evidence"
	"github.com/totalrec/totalrec/recordings/ingest"
	"github.com/totalrec/totalrec/recordings/spool"
	"github.com/totalrec/totalrec/recordings/stream"
)

// now is the demo's clock; the spool's files are dated before it.
var now = time.Date(2026, 11, 26, 18, 0, 0, 0, time.UTC)

// fixture is a demo spool with its CDR table, scanned, linked and sealed: what
// the daemon has when the compressor starts.
type fixture struct {
	spool string
	cat   *catalog.Catalog
	cdr   *cdr.Reader
	tree  *spool.Tree
	// before is each recording as it was before compression, by id.
	before map[int64]recordings.Recording
}

func newFixture(t *testing.T, dsn string, days, calls int) *fixture {
	t.Helper()
	needPrograms(t)
	ctx := context.Background()
	root := t.TempDir()
	f := &fixture{spool: filepath.Join(root, "monitor"), before: map[int64]recordings.Recording{}}
	cdrFile := filepath.Join(root, "cdr.sqlite")
	raw, err := sql.Open("sqlite", cdrFile)
	must(t, err)
	_, err = demo.Build(ctx, demo.Options{Spool: f.spool, CDR: raw, CDRDialect: cdr.SQLite, Days: days, CallsPerDay: calls, Seed: 7, Now: now, Loc: time.UTC})
	raw.Close()
	must(t, err)
	f.cat, err = catalog.Open(ctx, dsn, nil)
	must(t, err)
	t.Cleanup(func() { f.cat.Close() })
	f.cdr, err = cdr.Open(ctx, "sqlite:"+cdrFile, "cdr", cdr.WithLocation(time.UTC))
	must(t, err)
	t.Cleanup(func() { f.cdr.Close() })
	f.tree, err = spool.OpenTree(f.spool)
	must(t, err)
	t.Cleanup(func() { f.tree.Close() })
	f.scan(t)
	e := &ingest.Enricher{Cat: f.cat, CDR: f.cdr, Window: time.Hour, Now: func() time.Time { return now }, Log: slog.New(slog.DiscardHandler)}
	_, err = e.RunAll(ctx)
	must(t, err)
	h := &evidence.Hasher{Store: f.cat, Tree: f.tree}
	_, err = h.Pass(ctx, time.Now(), true)
	must(t, err)
	for _, r := range f.all(t) {
		f.before[r.ID] = r
	}
	return f
}

func (f *fixture) scan(t *testing.T) ingest.Report {
	t.Helper()
	sc := &ingest.Scanner{Tree: f.tree, Cat: f.cat, Loc: time.UTC, CDR: true, Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }}
	rep, err := sc.Scan(context.Background(), true)
	must(t, err)
	return rep
}

func (f *fixture) all(t *testing.T) []recordings.Recording {
	t.Helper()
	p, err := f.cat.Search(context.Background(), recordings.Query{Limit: 1000})
	must(t, err)
	return p.Items
}

func (f *fixture) compressor(codec compress.Codec) *compress.Compressor {
	return &compress.Compressor{Store: f.cat, Tree: f.tree, Codec: codec, Spool: "/var/spool/asterisk/monitor",
		CDR: f.cdr, KeepHeldOriginal: true}
}

func needPrograms(t *testing.T) {
	t.Helper()
	for _, c := range compress.Codecs {
		if err := c.Available(); err != nil {
			t.Fatalf("%v: scripts/test installs it", err)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func backends(t *testing.T) map[string]string {
	return map[string]string{
		"sqlite": "sqlite:" + filepath.Join(t.TempDir(), "totalrec.db"),
		"mysql":  mariadb.NewDatabase(t, "compress"),
	}
}

func sha(t *testing.T, p string) (string, int64) {
	t.Helper()
	b, err := os.ReadFile(p)
	must(t, err)
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:]), int64(len(b))
}

// checkConverted checks what every conversion must leave, however it got there:
// each catalogued recording's file is on disk with the row's size; each converted
// one is in the codec's form, no longer than its original by more than 20 ms,
// with its original gone (or kept, listed in keep), and its conversion carrying
// the seal on to the new file's hash; no work file is left; the CDR names only
// files that exist; and a scan finds nothing new and nothing missing.
func (f *fixture) checkConverted(t *testing.T, codec compress.Codec, keep map[int64]bool) {
	t.Helper()
	ctx := context.Background()
	converted := 0
	for _, r := range f.all(t) {
		full := filepath.Join(f.spool, filepath.FromSlash(r.Path))
		fi, err := os.Stat(full)
		if err != nil {
			t.Errorf("recording %d: %v", r.ID, err)
			continue
		}
		if fi.Size() != r.Size {
			t.Errorf("recording %d: %d bytes on disk, the catalogue says %d", r.ID, fi.Size(), r.Size)
		}
		orig := f.before[r.ID]
		if !compress.Candidate(orig) {
			if r.Path != orig.Path {
				t.Errorf("recording %d (%s, %s) was converted", r.ID, orig.Format, orig.State)
			}
			continue
		}
		v, err := f.cat.ConversionOf(ctx, r.ID)
		if err != nil {
			t.Errorf("recording %d (%s): %v", r.ID, orig.Format, err)
			continue
		}
		if v.State == recordings.ConversionFailed || v.State == recordings.ConversionSkipped {
			if v.State == recordings.ConversionFailed || r.Path != orig.Path || !strings.Contains(v.Detail, "not smaller") {
				t.Errorf("recording %d %s: %s (%s)", r.ID, v.State, v.Detail, r.Path)
			}
			continue
		}
		converted++
		if r.Format != codec.Format || path.Ext(r.Path) != "."+codec.Ext || !strings.HasPrefix(r.Path, strings.TrimSuffix(orig.Path, path.Ext(orig.Path))) {
			t.Errorf("recording %d: %s %s, want %s next to %s", r.ID, r.Format, r.Path, codec.Format, orig.Path)
		}
		if d := r.Duration - orig.Duration; d > 20*time.Millisecond || d < -20*time.Millisecond {
			t.Errorf("recording %d: %s long, the original %s", r.ID, r.Duration, orig.Duration)
		}
		if !r.ModTime.Equal(orig.ModTime) {
			t.Errorf("recording %d: modified %s, the original %s", r.ID, r.ModTime, orig.ModTime)
		}
		seal, err := f.cat.SealOf(ctx, r.ID)
		must(t, err)
		sum, size := sha(t, full)
		if v.FromSHA256 != seal.SHA256 || v.ToSHA256 != sum || v.ToSize != size {
			t.Errorf("recording %d: conversion %s→%s (%d bytes), seal %s, file %s (%d bytes)", r.ID, v.FromSHA256, v.ToSHA256, v.ToSize, seal.SHA256, sum, size)
		}
		_, err = os.Stat(filepath.Join(f.spool, filepath.FromSlash(orig.Path)))
		switch {
		case keep[r.ID] && err != nil:
			t.Errorf("recording %d is held: its original should be kept: %v", r.ID, err)
		case !keep[r.ID] && !errors.Is(err, fs.ErrNotExist):
			t.Errorf("recording %d: the original %s is still there (%v)", r.ID, orig.Path, err)
		}
		want := recordings.ConversionDone
		if keep[r.ID] {
			want = recordings.ConversionKept
		}
		if v.State != want {
			t.Errorf("recording %d: conversion %s, want %s", r.ID, v.State, want)
		}
		if ff, _, err := f.tree.OpenFile(r.Path); err == nil {
			c, err := stream.Open(ff, r.Size, r.Format, nil)
			if err != nil || c.Transcoded || c.Duration != r.Duration {
				t.Errorf("recording %d does not play as it is: %v (%+v)", r.ID, err, c)
			}
			ff.Close()
		}
	}
	if converted == 0 {
		t.Error("nothing was converted")
	}
	err := filepath.WalkDir(f.spool, func(p string, d fs.DirEntry, err error) error {
		if err == nil && spool.IsWorkFile(d.Name()) {
			t.Errorf("work file left: %s", p)
		}
		return err
	})
	must(t, err)
	files, err := f.cdr.RecordingFiles(ctx, time.Time{}, 10000)
	must(t, err)
	names := map[string]bool{}
	filepath.WalkDir(f.spool, func(p string, d fs.DirEntry, err error) error {
		names[d.Name()] = true
		return nil
	})
	for _, name := range files {
		if !names[path.Base(name)] {
			t.Errorf("the CDR names %s, which is not in the spool", name)
		}
	}
	if rep := f.scan(t); rep.New != 0 || rep.Missing != 0 || rep.Changed != 0 {
		t.Errorf("a scan after compression: %+v", rep)
	}
}

func TestCompress(t *testing.T) {
	for name, dsn := range backends(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, dsn, 1, 8)
			// One held recording keeps its original until it is released.
			var held int64
			for _, r := range f.all(t) {
				if compress.Candidate(r) {
					held = r.ID
					_, err := f.cat.AddHold(ctx, recordings.Hold{RecordingID: r.ID, Reason: "complaint", Who: "test", Since: now})
					must(t, err)
					break
				}
			}
			if held == 0 {
				t.Fatal("the demo has no recording to compress")
			}
			codec := compress.Codecs[recordings.FormatOpus]
			c := f.compressor(codec)
			rep, err := c.Pass(ctx, 0, nil)
			must(t, err)
			t.Logf("%+v", rep)
			if rep.Converted == 0 || rep.BytesAfter*2 > rep.BytesBefore {
				t.Errorf("report %+v: want recordings converted to under half their size", rep)
			}
			f.checkConverted(t, codec, map[int64]bool{held: true})
			again, err := c.Pass(ctx, 0, nil)
			must(t, err)
			if again.Converted+again.Failed+again.Recovered != 0 {
				t.Errorf("a second pass did something: %+v", again)
			}

			// Released, the original goes at the next pass.
			_, err = f.cat.RemoveHolds(ctx, held)
			must(t, err)
			_, err = c.Pass(ctx, 0, nil)
			must(t, err)
			f.checkConverted(t, codec, nil)
		})
	}
}

func TestCompressMP3(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "sqlite:"+filepath.Join(t.TempDir(), "totalrec.db"), 1, 4)
	codec := compress.Codecs[recordings.FormatMP3]
	_, err := f.compressor(codec).Pass(ctx, 0, nil)
	must(t, err)
	f.checkConverted(t, codec, nil)

	// An erasure (GDPR) leaves no number in the conversion's journal either.
	erased := false
	for _, r := range f.all(t) {
		if r.Format != recordings.FormatMP3 {
			continue
		}
		must(t, os.Remove(filepath.Join(f.spool, r.Path)))
		must(t, f.cat.MarkDeleted(ctx, []int64{r.ID}, now, "erased on request"))
		must(t, f.cat.EraseParties(ctx, []int64{r.ID}, now))
		v, err := f.cat.ConversionOf(ctx, r.ID)
		must(t, err)
		if v.FromPath != catalog.Erased(r.ID) || v.ToPath != catalog.Erased(r.ID) || v.ToSHA256 == "" {
			t.Errorf("erased recording %d: conversion %s → %s (%s)", r.ID, v.FromPath, v.ToPath, v.ToSHA256)
		}
		erased = true
		break
	}
	if !erased {
		t.Error("no MP3 recording to erase")
	}
}

// TestCompressRefusesBadOutput runs encoders that misbehave: one whose output
// is cut short, one that writes silence, one that fails. Each recording is kept
// as it was, its conversion failed with the reason, and no work file is left.
func TestCompressRefusesBadOutput(t *testing.T) {
	for name, script := range map[string]string{
		"cut short": `opusenc "$@" && truncate -s 60% /dev/fd/1`,
		"silent":    `cat >/dev/null; sox -n -r 8000 -c 1 -b 16 -t wav - trim 0 600 | opusenc --quiet - -`,
		"fails":     `cat >/dev/null; echo "opusenc: out of cheese" >&2; exit 3`,
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, "sqlite:"+filepath.Join(t.TempDir(), "totalrec.db"), 1, 3)
			bin := filepath.Join(t.TempDir(), "bad-opusenc")
			must(t, os.WriteFile(bin, []byte("#!/bin/sh\n"+script+"\n"), 0o755))
			codec := compress.Codecs[recordings.FormatOpus]
			codec.Encoder = bin
			rep, err := f.compressor(codec).Pass(ctx, 0, nil)
			must(t, err)
			if rep.Converted != 0 || rep.Failed == 0 {
				t.Fatalf("report %+v: want every conversion failed", rep)
			}
			for _, r := range f.all(t) {
				orig := f.before[r.ID]
				if r.Path != orig.Path || r.Size != orig.Size {
					t.Errorf("recording %d changed: %s (%d bytes), was %s (%d bytes)", r.ID, r.Path, r.Size, orig.Path, orig.Size)
				}
				if sum, _ := sha(t, filepath.Join(f.spool, r.Path)); compress.Candidate(orig) {
					seal, err := f.cat.SealOf(ctx, r.ID)
					must(t, err)
					if sum != seal.SHA256 {
						t.Errorf("recording %d's file changed", r.ID)
					}
					v, err := f.cat.ConversionOf(ctx, r.ID)
					must(t, err)
					if v.State != recordings.ConversionFailed || v.Detail == "" {
						t.Errorf("recording %d: conversion %s %q", r.ID, v.State, v.Detail)
					}
				}
			}
			filepath.WalkDir(f.spool, func(p string, d fs.DirEntry, err error) error {
				if err == nil && spool.IsWorkFile(d.Name()) {
					t.Errorf("work file left: %s", p)
				}
				if err == nil && strings.HasSuffix(d.Name(), ".opus") {
					t.Errorf("new file left: %s", p)
				}
				return err
			})
		})
	}
}

// TestCompressYieldsToRetention claims a recording for deletion the moment its
// work file is written: the switch is refused, the new file removed, and the
// original left for retention, named by the catalogue.
func TestCompressYieldsToRetention(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "sqlite:"+filepath.Join(t.TempDir(), "totalrec.db"), 1, 3)
	var rec recordings.Recording
	for _, r := range f.all(t) {
		if compress.Candidate(r) {
			rec = r
			break
		}
	}
	codec := compress.Codecs[recordings.FormatOpus]
	rec.DeletedReason = "max_age"
	claimed, _, err := f.cat.ClaimDeletions(ctx, []recordings.Recording{rec}, now)
	must(t, err)
	if !claimed[0] {
		t.Fatal("not claimed")
	}
	// Claimed rows are not candidates: a pass leaves it alone...
	rep, err := f.compressor(codec).Pass(ctx, 0, nil)
	must(t, err)
	if _, err := f.cat.ConversionOf(ctx, rec.ID); !errors.Is(err, recordings.ErrNotFound) {
		t.Errorf("claimed recording %d: conversion %v", rec.ID, err)
	}
	// ...and one that read the row before the claim is refused at the switch.
	_, err = f.compressor(codec).Convert(ctx, rec)
	if !errors.Is(err, recordings.ErrConflict) {
		t.Fatalf("convert a claimed recording: %v (report %+v)", err, rep)
	}
	if _, err := os.Stat(filepath.Join(f.spool, rec.Path)); err != nil {
		t.Errorf("the original: %v", err)
	}
	stem := strings.TrimSuffix(rec.Path, path.Ext(rec.Path))
	if _, err := os.Stat(filepath.Join(f.spool, stem+".opus")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the new file is left: %v", err)
	}
	if _, err := f.cat.ConversionOf(ctx, rec.ID); !errors.Is(err, recordings.ErrNotFound) {
		t.Errorf("the conversion is left: %v", err)
	}
	got, err := f.cat.Get(ctx, rec.ID)
	must(t, err)
	if got.Path != rec.Path {
		t.Errorf("the catalogue names %s", got.Path)
	}
}

// TestReadyGate: recording.ready waits for the compressed form, and passes a
// recording that will not be compressed, or whose conversion failed, at once.
func TestReadyGate(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "sqlite:"+filepath.Join(t.TempDir(), "totalrec.db"), 1, 4)
	var got []recordings.Recording
	sink := eventsFunc(func(_ context.Context, r recordings.Recording) error { got = append(got, r); return nil })
	var cand, other recordings.Recording
	for _, r := range f.all(t) {
		switch {
		case compress.Candidate(r) && cand.ID == 0:
			cand = r
		case !compress.Candidate(r) && other.ID == 0:
			other = r
		}
	}
	// A minute after the call; an hour later nothing is held back.
	at := cand.ModTime.Add(time.Minute)
	g := compress.ReadyGate{Next: sink, Store: f.cat, Now: func() time.Time { return at }}
	must(t, g.RecordingReady(ctx, cand))
	must(t, g.RecordingReady(ctx, other))
	if len(got) != 1 || got[0].ID != other.ID {
		t.Fatalf("before compression passed %v, want only %d", ids(got), other.ID)
	}
	codec := compress.Codecs[recordings.FormatOpus]
	_, err := f.compressor(codec).Convert(ctx, cand)
	must(t, err)
	got = nil
	must(t, g.RecordingReady(ctx, cand)) // the row as it was read before the switch
	if len(got) != 1 || got[0].Format != recordings.FormatOpus || path.Ext(got[0].Path) != ".opus" {
		t.Fatalf("after compression passed %+v, want the opus form", got)
	}
	// Another candidate is held back for an hour at most.
	var late recordings.Recording
	for _, r := range f.all(t) {
		if compress.Candidate(r) {
			late = r
		}
	}
	got, at = nil, late.ModTime.Add(compress.DefaultWait+time.Second)
	must(t, g.RecordingReady(ctx, late))
	if len(got) != 1 || got[0].ID != late.ID {
		t.Errorf("an hour after the call passed %v, want %d", ids(got), late.ID)
	}
}

type eventsFunc func(context.Context, recordings.Recording) error

func (f eventsFunc) RecordingReady(ctx context.Context, r recordings.Recording) error {
	return f(ctx, r)
}

func ids(rs []recordings.Recording) []int64 {
	var out []int64
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

// TestCompressEvidence: a converted recording stays verifiable. Before the next
// manifest, verify follows the catalogue's conversion from the sealed hash to the
// new file; after it, the manifest's converted line. A byte changed in a
// converted file is reported, once; the chain-of-custody bundle of a converted
// recording carries the line that links the two hashes.
func TestCompressEvidence(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "sqlite:"+filepath.Join(t.TempDir(), "totalrec.db"), 1, 4)
	dir := filepath.Join(t.TempDir(), "evidence")
	keyFile := filepath.Join(t.TempDir(), "manifest.key")
	_, err := evidence.GenerateKey(keyFile)
	must(t, err)
	key, err := evidence.LoadKey(keyFile)
	must(t, err)
	today := time.Now().UTC().Truncate(24 * time.Hour)
	sealer := &evidence.Sealer{Store: f.cat, Dir: dir, Key: key}
	_, err = sealer.SealDue(ctx, today.Add(24*time.Hour+evidence.DefaultMargin))
	must(t, err)
	verify := func(want int64) {
		t.Helper()
		v := &evidence.Verifier{Store: f.cat, Tree: f.tree, Dir: dir, Pub: key.Public().(ed25519.PublicKey)}
		rep, err := v.Verify(ctx, evidence.Selection{})
		must(t, err)
		switch {
		case want == 0 && len(rep.Problems) > 0:
			t.Errorf("verify: %+v", rep.Problems)
		case want != 0 && (len(rep.Problems) != 1 || rep.Problems[0].ID != want || rep.Problems[0].Kind != evidence.ProblemAltered):
			t.Errorf("verify: %+v, want recording %d altered", rep.Problems, want)
		}
		if rep.Recordings == 0 {
			t.Error("verify read no recording")
		}
	}
	codec := compress.Codecs[recordings.FormatOpus]
	rep, err := f.compressor(codec).Pass(ctx, 0, nil)
	must(t, err)
	if rep.Converted == 0 {
		t.Fatal("nothing converted")
	}
	verify(0) // through the catalogue
	ms, err := sealer.SealDue(ctx, today.Add(48*time.Hour+evidence.DefaultMargin))
	must(t, err)
	if len(ms) != 1 {
		t.Fatalf("manifests %+v, want tomorrow's", ms)
	}
	verify(0) // through tomorrow's manifest

	var conv recordings.Recording
	for _, r := range f.all(t) {
		if r.Format == recordings.FormatOpus {
			conv = r
			break
		}
	}
	v := &evidence.Verifier{Store: f.cat, Tree: f.tree, Dir: dir, Pub: key.Public().(ed25519.PublicKey)}
	var zbuf bytes.Buffer
	must(t, v.Bundle(ctx, &zbuf, conv.ID, time.Now()))
	zr, err := zip.NewReader(bytes.NewReader(zbuf.Bytes()), int64(zbuf.Len()))
	must(t, err)
	files := map[string][]byte{}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		must(t, err)
		b, err := io.ReadAll(rc)
		must(t, err)
		files[zf.Name] = b
	}
	var sealedE, convE evidence.Entry
	must(t, json.Unmarshal(files["manifest-entry.json"], &sealedE))
	must(t, json.Unmarshal(files["manifest-conversion.json"], &convE))
	audio := sha256.Sum256(files[path.Base(conv.Path)])
	if convE.Event != evidence.EventConverted || convE.From != sealedE.SHA256 || convE.SHA256 != hex.EncodeToString(audio[:]) {
		t.Errorf("bundle: sealed %+v, conversion %+v, audio %x", sealedE, convE, audio)
	}
	day := ms[0].Day
	if !bytes.Contains(files["manifest/"+day+".jsonl"], files["manifest-conversion.json"]) ||
		!ed25519.Verify(key.Public().(ed25519.PublicKey), files["manifest/"+day+".sum"], files["manifest/"+day+".sum.sig"]) {
		t.Error("bundle: the conversion line is not in the signed manifest it names")
	}
	if !strings.Contains(string(files["VERIFY.txt"]), "manifest-conversion.json") {
		t.Errorf("VERIFY.txt does not explain the conversion:\n%s", files["VERIFY.txt"])
	}

	// One byte of the converted file changed.
	full := filepath.Join(f.spool, conv.Path)
	b, err := os.ReadFile(full)
	must(t, err)
	b[len(b)/2] ^= 0x40
	fi, err := os.Stat(full)
	must(t, err)
	must(t, os.WriteFile(full, b, 0o644))
	must(t, os.Chtimes(full, fi.ModTime(), fi.ModTime()))
	verify(conv.ID)
}

// TestCompressStereo: a two-channel PCM WAV (one leg of the call in each
// channel) stays two channels in Opus, at twice the mono rate, and both legs
// are still there after decoding.
func TestCompressStereo(t *testing.T) {
	needPrograms(t)
	ctx := context.Background()
	root := t.TempDir()
	dir := filepath.Join(root, "monitor", "2026", "11", "26")
	must(t, os.MkdirAll(dir, 0o755))
	name := "internal-100-101-20261126-101530-1795680930.42.wav"
	wav := filepath.Join(dir, name)
	// Speech-like noise in each channel, different in each.
	cmd := exec.Command("sox", "-n", "-r", "8000", "-c", "2", "-b", "16", "-e", "signed-integer", wav,
		"synth", "20", "pinknoise", "brownnoise", "tremolo", "3", "80", "vol", "0.4")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sox: %v %s", err, out)
	}
	must(t, os.Chtimes(wav, now, now))
	cat, err := catalog.Open(ctx, "sqlite:"+filepath.Join(root, "totalrec.db"), nil)
	must(t, err)
	defer cat.Close()
	tree, err := spool.OpenTree(filepath.Join(root, "monitor"))
	must(t, err)
	defer tree.Close()
	sc := &ingest.Scanner{Tree: tree, Cat: cat, Loc: time.UTC, Log: slog.New(slog.DiscardHandler)}
	_, err = sc.Scan(ctx, true)
	must(t, err)
	_, err = (&evidence.Hasher{Store: cat, Tree: tree}).Pass(ctx, time.Now(), true)
	must(t, err)
	rep, err := (&compress.Compressor{Store: cat, Tree: tree, Codec: compress.Codecs[recordings.FormatOpus]}).Pass(ctx, 0, nil)
	must(t, err)
	if rep.Converted != 1 {
		t.Fatalf("report %+v", rep)
	}
	opus := filepath.Join(dir, strings.TrimSuffix(name, ".wav")+".opus")
	b, err := os.ReadFile(opus)
	must(t, err)
	if i := bytes.Index(b, []byte("OpusHead")); i < 0 || b[i+9] != 2 {
		t.Fatalf("the Opus file is not two channels")
	}
	// Asked for 32 kbit/s (VBR: noise takes more than speech), not a mono 16.
	if kbps := float64(len(b)) * 8 / 20 / 1000; kbps < 24 || kbps > 64 {
		t.Errorf("%.1f kbit/s, want about 32", kbps)
	}
	out := filepath.Join(t.TempDir(), "dec.wav")
	if msg, err := exec.Command("opusdec", "--quiet", "--rate", "8000", "--force-wav", opus, out).CombinedOutput(); err != nil {
		t.Fatalf("opusdec: %v %s", err, msg)
	}
	for _, ch := range []string{"1", "2"} {
		stat, _ := exec.Command("sox", out, "-n", "remix", ch, "stat").CombinedOutput()
		if !strings.Contains(string(stat), "RMS     amplitude") || strings.Contains(string(stat), "RMS     amplitude:     0.000000") {
			t.Errorf("channel %s is silent after decoding:\n%s", ch, stat)
		}
	}
}
