package evidence

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/totalrec/totalrec/internal/flock"
	"github.com/totalrec/totalrec/recordings"
)

// DefaultMargin is how long after a UTC day ends its manifest is written: a seal
// or a deletion timed before midnight has committed by then. One that commits
// later still is listed by the next day's manifest, never lost.
const DefaultMargin = 15 * time.Minute

// lockFile keeps two runs of SealDue on one directory apart.
const lockFile = ".seal.lock"

// dayLayout is how a manifest names its day.
const dayLayout = "2006-01-02"

// ManifestStore is what writing manifests needs of the catalogue.
type ManifestStore interface {
	// Manifests returns node's manifests by day.
	Manifests(ctx context.Context, node string) ([]recordings.Manifest, error)
	// FirstUnlistedSeal is the sealing time of the earliest seal no manifest lists.
	FirstUnlistedSeal(ctx context.Context, node string) (time.Time, error)
	// EachUnlisted calls fn with each seal before cutoff no manifest lists, by time.
	EachUnlisted(ctx context.Context, node string, cutoff time.Time, fn func(recordings.SealedRecording) error) error
	// EachUnlistedDeletion calls fn with each sealed recording deleted before
	// cutoff whose deletion no manifest lists.
	EachUnlistedDeletion(ctx context.Context, node string, cutoff time.Time, fn func(recordings.SealedRecording) error) error
	// EachUnlistedConversion calls fn with each conversion switched before cutoff
	// that no manifest lists (package compress).
	EachUnlistedConversion(ctx context.Context, node string, cutoff time.Time, fn func(recordings.Conversion) error) error
	// RecordManifest remembers m and marks what it lists, in one transaction.
	RecordManifest(ctx context.Context, m recordings.Manifest, sealed, deleted, converted []int64) error
}

// Sealer writes a node's daily manifests into Dir and signs them with Key.
type Sealer struct {
	Store  ManifestStore
	Dir    string
	Node   string
	Key    ed25519.PrivateKey
	Margin time.Duration // 0 = DefaultMargin
}

// Dir is the manifest directory of node under dataDir.
func Dir(dataDir, node string) string {
	if node == "" {
		return filepath.Join(dataDir, "evidence")
	}
	return filepath.Join(dataDir, "evidence", node)
}

// Paths of one day's files in dir.
func manifestPath(dir, day string) string { return filepath.Join(dir, day[:4], day+".jsonl") }
func sumPath(dir, day string) string      { return filepath.Join(dir, day[:4], day+".sum") }
func sigPath(dir, day string) string      { return filepath.Join(dir, day[:4], day+".sum.sig") }

// SealDue writes the manifest of every day that has ended (Margin ago) since the
// last one written, and returns them. The chain starts on the day of the first
// seal. Each day gets a manifest, an empty one too: a missing day is then always
// a gap in the chain.
func (s *Sealer) SealDue(ctx context.Context, now time.Time) ([]recordings.Manifest, error) {
	margin := s.Margin
	if margin <= 0 {
		margin = DefaultMargin
	}
	// The manifests are public: the daemon (FreePBX's user) reads what root writes.
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	// Two runs at once would write one day's files twice, and record only one.
	release, err := flock.Take(filepath.Join(s.Dir, lockFile))
	if errors.Is(err, flock.ErrHeld) {
		return nil, fmt.Errorf("seal: another seal is running: %w", recordings.ErrRefused)
	}
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	defer release()
	done, err := s.Store.Manifests(ctx, s.Node)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	var (
		day      time.Time
		previous string
	)
	if len(done) > 0 {
		last := done[len(done)-1]
		t, err := time.Parse(dayLayout, last.Day)
		if err != nil {
			return nil, fmt.Errorf("seal: the catalogue's last manifest day %q: %w", last.Day, recordings.ErrInvalid)
		}
		day, previous = t.AddDate(0, 0, 1), last.SHA256
	} else {
		first, err := s.Store.FirstUnlistedSeal(ctx, s.Node)
		if err != nil {
			return nil, fmt.Errorf("seal: %w", err)
		}
		if first.IsZero() {
			return nil, nil
		}
		y, m, d := first.UTC().Date()
		day = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	if err := s.writePublicKey(); err != nil {
		return nil, err
	}
	var out []recordings.Manifest
	for cutoff := day.AddDate(0, 0, 1); !now.Before(cutoff.Add(margin)); day, cutoff = cutoff, cutoff.AddDate(0, 0, 1) {
		m, err := s.writeDay(ctx, day.Format(dayLayout), cutoff, previous, now)
		if err != nil {
			return out, err
		}
		out = append(out, m)
		previous = m.SHA256
	}
	return out, nil
}

// writeDay writes, signs and records the manifest of day. A file left by a run
// that died before recording it is written again: nothing names it yet.
func (s *Sealer) writeDay(ctx context.Context, day string, cutoff time.Time, previous string, now time.Time) (recordings.Manifest, error) {
	m := recordings.Manifest{Node: s.Node, Day: day, Written: now}
	var sealed, deleted, converted []int64
	err := writeAtomic(manifestPath(s.Dir, day), func(w io.Writer) error {
		sum := sha256.New()
		bw := bufio.NewWriter(io.MultiWriter(w, sum))
		h := Header{Format: FormatV2, Node: s.Node, Day: day, Previous: previous, Cutoff: stamp(cutoff)}
		if err := writeLine(bw, h); err != nil {
			return err
		}
		err := s.Store.EachUnlisted(ctx, s.Node, cutoff, func(sr recordings.SealedRecording) error {
			sealed = append(sealed, sr.ID)
			return writeLine(bw, sealedEntry(sr))
		})
		if err != nil {
			return err
		}
		err = s.Store.EachUnlistedDeletion(ctx, s.Node, cutoff, func(sr recordings.SealedRecording) error {
			deleted = append(deleted, sr.ID)
			return writeLine(bw, deletedEntry(sr))
		})
		if err != nil {
			return err
		}
		err = s.Store.EachUnlistedConversion(ctx, s.Node, cutoff, func(cv recordings.Conversion) error {
			converted = append(converted, cv.ID)
			return writeLine(bw, convertedEntry(cv))
		})
		if err != nil {
			return err
		}
		if err := bw.Flush(); err != nil {
			return err
		}
		m.SHA256 = hex.EncodeToString(sum.Sum(nil))
		return nil
	})
	if err != nil {
		return m, fmt.Errorf("seal %s: %w", day, err)
	}
	line := []byte(sumLine(m.SHA256, day))
	if err := writeAtomic(sumPath(s.Dir, day), bytesWriter(line)); err != nil {
		return m, fmt.Errorf("seal %s: %w", day, err)
	}
	if err := writeAtomic(sigPath(s.Dir, day), bytesWriter(ed25519.Sign(s.Key, line))); err != nil {
		return m, fmt.Errorf("seal %s: %w", day, err)
	}
	m.Sealed, m.Deleted = len(sealed), len(deleted)
	if err := s.Store.RecordManifest(ctx, m, sealed, deleted, converted); err != nil {
		return m, fmt.Errorf("seal %s: %w", day, err)
	}
	return m, nil
}

// sumLine is the checksum file's one line, in sha256sum's format.
func sumLine(sha, day string) string { return sha + "  " + day + ".jsonl\n" }

// writePublicKey puts the public key beside the manifests, for whoever checks them.
func (s *Sealer) writePublicKey() error {
	pub := PublicPEM(s.Key.Public().(ed25519.PublicKey))
	path := filepath.Join(s.Dir, PublicKeyFile)
	if b, err := os.ReadFile(path); err == nil && string(b) == string(pub) {
		return nil
	}
	if err := writeAtomic(path, bytesWriter(pub)); err != nil {
		return fmt.Errorf("seal: write the public key: %w", err)
	}
	return nil
}

func bytesWriter(b []byte) func(io.Writer) error {
	return func(w io.Writer) error { _, err := w.Write(b); return err }
}

// writeAtomic writes path through a temporary file in its directory, synced and
// renamed over it: a reader sees the old file or the whole new one.
func writeAtomic(path string, write func(io.Writer) error) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := write(f); err != nil {
		return fail(err)
	}
	if err := f.Chmod(0o644); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}
