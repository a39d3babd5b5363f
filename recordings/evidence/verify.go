package evidence

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/archive"
	"github.com/totalrec/totalrec/recordings/spool"
)

// The kinds of problem Verify reports.
const (
	ProblemAltered         = "altered"          // a listed file's size or SHA-256 is not what was sealed
	ProblemMissing         = "missing"          // a listed file is gone, and no deletion of it is recorded
	ProblemUnlisted        = "unlisted"         // a recording no manifest lists, though one should
	ProblemManifestMissing = "manifest-missing" // a day's manifest, checksum or signature file is gone
	ProblemManifestAltered = "manifest-altered" // a manifest is not the one its checksum, or the catalogue, names
	ProblemSignature       = "signature"        // a checksum file's signature does not verify
	ProblemChain           = "chain"            // a manifest does not name its previous day's manifest
)

// Problem is one thing Verify found wrong.
type Problem struct {
	Kind   string `json:"kind"`
	Day    string `json:"day,omitempty"`
	ID     int64  `json:"id,omitempty"`
	Path   string `json:"path,omitempty"`
	Detail string `json:"detail"`
}

// Report is what Verify checked and found.
type Report struct {
	Days       int       `json:"days"`       // manifests checked
	Recordings int       `json:"recordings"` // listed files read and compared
	Deleted    int       `json:"deleted"`    // listed recordings whose deletion is recorded
	Problems   []Problem `json:"problems"`
}

// Selection says what Verify checks: one day's manifest (Day), every day from
// Since on, one recording (ID), or, all zero, everything.
type Selection struct {
	Day, Since string
	ID         int64
}

// VerifyStore is what checking needs of the catalogue.
type VerifyStore interface {
	Manifests(ctx context.Context, node string) ([]recordings.Manifest, error)
	Get(ctx context.Context, id int64) (recordings.Recording, error)
	SealOf(ctx context.Context, id int64) (recordings.Seal, error)
	// ConversionOf is the recording's conversion (package compress); an error
	// matching recordings.ErrNotFound when it has none.
	ConversionOf(ctx context.Context, id int64) (recordings.Conversion, error)
	EachUnlistedRecording(ctx context.Context, node string, from, to, knownBefore, sealedBefore time.Time, fn func(recordings.Recording) error) error
}

// Verifier checks a node's manifests against the public key, the chain, the
// catalogue and the files in the spool.
type Verifier struct {
	Store VerifyStore
	Tree  *spool.Tree
	// Objects holds archived recordings, which are checked as read back from the
	// bucket; nil: no archive tier.
	Objects archive.Objects
	Dir     string
	Node    string
	Pub     ed25519.PublicKey
	Settle  time.Duration // 0 = DefaultSettle
	// Progress, when set, is called after each file read with the running report.
	Progress func(Report)
}

// ErrNotListed: the recording asked for is in no manifest yet.
var ErrNotListed = errors.New("not in a manifest yet")

// Verify checks sel and reports every problem found. An error means the check
// itself could not run; problems found are in the report.
func (v *Verifier) Verify(ctx context.Context, sel Selection) (Report, error) {
	var rep Report
	days, known, err := v.days(ctx)
	if err != nil {
		return rep, err
	}
	first, last := "", ""
	if len(days) > 0 {
		first, last = days[0], days[len(days)-1]
	}
	from, only := sel.Since, sel.Day
	if sel.ID != 0 {
		s, err := v.Store.SealOf(ctx, sel.ID)
		if err != nil || s.Listed == "" {
			return rep, fmt.Errorf("verify recording %d: %w", sel.ID, ErrNotListed)
		}
		only = s.Listed
	}
	if only != "" {
		from = only
	}
	inRange := func(day string) bool { return day >= from && (only == "" || day == only) }

	// The chain: every day from the first to the last, each file present,
	// matching its checksum, signed, and naming the one before.
	previous := ""
	untrusted := map[string]bool{} // days whose manifest is not the one signed
	for _, day := range days {
		sum, problems := v.checkDay(day, previous, day == first, known[day])
		for _, p := range problems {
			if p.Kind != ProblemChain {
				untrusted[day] = true
			}
		}
		if inRange(day) {
			rep.Days++
			rep.Problems = append(rep.Problems, problems...)
		}
		previous = sum
	}
	if only != "" && !slices.Contains(days, only) {
		return rep, fmt.Errorf("verify %s: no manifest of that day: %w", only, recordings.ErrNotFound)
	}

	// Deletions and conversions are listed on the day they happened, after the
	// day a recording was sealed: read them from every manifest from the first
	// checked on.
	deleted, converted := map[int64]bool{}, map[int64]Entry{}
	for _, day := range days {
		if day < from || untrusted[day] {
			continue
		}
		v.readEntries(day, func(e Entry) error {
			switch e.Event {
			case EventDeleted:
				deleted[e.ID] = true
			case EventConverted:
				converted[e.ID] = e
			}
			return nil
		})
	}
	listed := false // sel.ID's line was found
	for _, day := range days {
		// An untrusted manifest's lines prove nothing: its recordings are not
		// checked against them (its own problem says so).
		if !inRange(day) || untrusted[day] {
			continue
		}
		err := v.readEntries(day, func(e Entry) error {
			if e.Event != EventSealed || (sel.ID != 0 && e.ID != sel.ID) {
				return nil
			}
			listed = true
			if p, ok := v.checkEntry(ctx, day, e, deleted, converted, &rep); !ok {
				rep.Problems = append(rep.Problems, p)
			}
			if v.Progress != nil {
				v.Progress(rep)
			}
			return ctx.Err()
		})
		if err != nil && ctx.Err() != nil {
			return rep, err
		}
	}
	if sel.ID != 0 && !listed && !untrusted[only] {
		rep.Problems = append(rep.Problems, Problem{Kind: ProblemUnlisted, Day: only, ID: sel.ID,
			Detail: "the catalogue says the manifest of " + only + " lists it; that manifest does not"})
	}
	if sel.ID == 0 && last != "" {
		if err := v.unlisted(ctx, from, only, known[last], &rep); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// days lists the days with a manifest, in the catalogue or on disk, and fills
// in the days between: each day has one, so a day in neither is a gap.
func (v *Verifier) days(ctx context.Context) ([]string, map[string]recordings.Manifest, error) {
	ms, err := v.Store.Manifests(ctx, v.Node)
	if err != nil {
		return nil, nil, fmt.Errorf("verify: %w", err)
	}
	known := map[string]recordings.Manifest{}
	set := map[string]bool{}
	for _, m := range ms {
		known[m.Day], set[m.Day] = m, true
	}
	files, err := filepath.Glob(filepath.Join(v.Dir, "[0-9][0-9][0-9][0-9]", "*.jsonl"))
	if err != nil {
		return nil, nil, fmt.Errorf("verify: %w", err)
	}
	for _, f := range files {
		day := strings.TrimSuffix(filepath.Base(f), ".jsonl")
		if _, err := time.Parse(dayLayout, day); err == nil {
			set[day] = true
		}
	}
	if len(set) == 0 {
		return nil, known, nil
	}
	var days []string
	for d := range set {
		days = append(days, d)
	}
	slices.Sort(days)
	t, _ := time.Parse(dayLayout, days[0])
	end, _ := time.Parse(dayLayout, days[len(days)-1])
	days = days[:0]
	for ; !t.After(end); t = t.AddDate(0, 0, 1) {
		days = append(days, t.Format(dayLayout))
	}
	return days, known, nil
}

// checkDay checks day's three files and its link to the day before (whose
// manifest hashes to previous), and returns the SHA-256 that the next day should
// name: the catalogue's record of this day's manifest, or the file's own when the
// catalogue has none. An altered manifest is then reported once, on its own day,
// and not again as a break of the next day's link.
func (v *Verifier) checkDay(day, previous string, genesis bool, rec recordings.Manifest) (string, []Problem) {
	var (
		out     []Problem
		altered []string
	)
	bad := func(kind, format string, args ...any) {
		out = append(out, Problem{Kind: kind, Day: day, Detail: fmt.Sprintf(format, args...)})
	}
	next := func(sum string) string {
		if rec.Day != "" {
			return rec.SHA256
		}
		return sum
	}
	f, err := os.Open(manifestPath(v.Dir, day))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			bad(ProblemManifestMissing, "the manifest %s is gone", manifestPath(v.Dir, day))
		} else {
			bad(ProblemManifestMissing, "the manifest cannot be read: %v", err)
		}
		return next(""), out
	}
	defer f.Close()
	h := sha256.New()
	hdr, err := Read(io.TeeReader(f, h), func(Entry) error { return nil })
	if err == nil {
		_, err = io.Copy(h, f)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	switch {
	case err != nil:
		altered = append(altered, fmt.Sprintf("it does not parse (%v)", err))
	case hdr.Day != day || hdr.Node != v.Node:
		altered = append(altered, fmt.Sprintf("it says it is node %q's day %s", hdr.Node, hdr.Day))
	case genesis && hdr.Previous != "":
		bad(ProblemChain, "the first manifest names a previous one (%s) that is not here", hdr.Previous)
	case !genesis && hdr.Previous != previous:
		bad(ProblemChain, "the manifest names %q as the previous day's; that manifest's SHA-256 is %q", hdr.Previous, previous)
	}
	if rec.Day != "" && rec.SHA256 != sum {
		altered = append(altered, fmt.Sprintf("its SHA-256 is %s, the catalogue recorded %s", sum, rec.SHA256))
	}
	line, err := os.ReadFile(sumPath(v.Dir, day))
	switch {
	case err != nil:
		bad(ProblemManifestMissing, "the checksum file cannot be read: %v", err)
	case !bytes.Equal(line, []byte(sumLine(sum, day))):
		altered = append(altered, "the checksum file names another SHA-256")
	}
	if len(altered) > 0 {
		bad(ProblemManifestAltered, "the manifest is not the one sealed (%s); the recordings it lists were not checked", strings.Join(altered, "; "))
	}
	if err == nil {
		sig, err := os.ReadFile(sigPath(v.Dir, day))
		switch {
		case err != nil:
			bad(ProblemManifestMissing, "the signature cannot be read: %v", err)
		case !ed25519.Verify(v.Pub, line, sig):
			bad(ProblemSignature, "the checksum file's signature does not verify with key %s", Fingerprint(v.Pub))
		}
	}
	return next(sum), out
}

// readEntries calls fn with each entry of day's manifest; a manifest that cannot
// be read has been reported by checkDay.
func (v *Verifier) readEntries(day string, fn func(Entry) error) error {
	f, err := os.Open(manifestPath(v.Dir, day))
	if err != nil {
		return nil
	}
	defer f.Close()
	_, err = Read(f, fn)
	if errors.Is(err, ErrMalformed) {
		return nil
	}
	return err
}

// checkEntry compares a sealed recording's file, found through the catalogue
// by its id, with its seal, or, once it was converted, with the converted file's
// hash that the conversion carried the seal on to (from a manifest, or from the
// catalogue ahead of the next one). A file that is gone is fine when its
// deletion is recorded (likewise).
func (v *Verifier) checkEntry(ctx context.Context, day string, e Entry, deleted map[int64]bool, converted map[int64]Entry, rep *Report) (Problem, bool) {
	p := Problem{Day: day, ID: e.ID}
	if deleted[e.ID] {
		rep.Deleted++
		return p, true
	}
	r, err := v.Store.Get(ctx, e.ID)
	if err != nil {
		p.Kind, p.Detail = ProblemMissing, fmt.Sprintf("the catalogue has no recording %d", e.ID)
		return p, false
	}
	p.Path = r.Path
	if r.State == recordings.StateDeleted {
		rep.Deleted++
		return p, true
	}
	rep.Recordings++
	want, what := e, "sealed"
	if ce, ok := converted[e.ID]; ok {
		want, what = ce, "listed for its converted file"
	} else if cv, err := v.Store.ConversionOf(ctx, e.ID); err == nil && cv.ToSHA256 != "" && cv.ToPath == r.Path {
		want, what = Entry{SHA256: cv.ToSHA256, Size: cv.ToSize, From: cv.FromSHA256}, "recorded for its converted file (in no manifest yet)"
	}
	if want.From != "" && want.From != e.SHA256 {
		p.Kind, p.Detail = ProblemAltered, fmt.Sprintf("it was converted from a file of SHA-256 %s; %s was sealed", want.From, e.SHA256)
		return p, false
	}
	size, sum, err := v.hashFile(ctx, r)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		p.Kind, p.Detail = ProblemMissing, "the file is gone and no deletion of it is recorded"
	case err != nil:
		p.Kind, p.Detail = ProblemMissing, fmt.Sprintf("the file cannot be read: %v", err)
	case size != want.Size:
		p.Kind, p.Detail = ProblemAltered, fmt.Sprintf("%d bytes; %d %s", size, want.Size, what)
	case sum != want.SHA256:
		p.Kind, p.Detail = ProblemAltered, fmt.Sprintf("SHA-256 %s; %s %s", sum, want.SHA256, what)
	default:
		return p, true
	}
	return p, false
}

// hashFile hashes r's file, or its object when it is archived.
func (v *Verifier) hashFile(ctx context.Context, r recordings.Recording) (int64, string, error) {
	f, size, err := v.source().Open(ctx, r)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, io.NewSectionReader(f, 0, size))
	return n, hex.EncodeToString(h.Sum(nil)), err
}

func (v *Verifier) source() archive.Source {
	return archive.Source{Tree: v.Tree, Objects: v.Objects, Node: v.Node}
}

// unlisted reports the recordings on disk that the manifests should list and do
// not, among those modified on the days checked: catalogued long enough before the
// last manifest's cutoff to have been sealed by it, or sealed before it.
func (v *Verifier) unlisted(ctx context.Context, from, only string, last recordings.Manifest, rep *Report) error {
	settle := v.Settle
	if settle <= 0 {
		settle = DefaultSettle
	}
	t, err := time.Parse(dayLayout, last.Day)
	if err != nil {
		return nil // the last day's manifest is not in the catalogue: reported by checkDay
	}
	cutoff := t.AddDate(0, 0, 1)
	var lo, hi time.Time
	if from != "" {
		lo, _ = time.Parse(dayLayout, from)
	}
	if only != "" {
		hi = lo.AddDate(0, 0, 1)
	} else {
		hi = cutoff
	}
	err = v.Store.EachUnlistedRecording(ctx, v.Node, lo, hi, cutoff.Add(-settle), cutoff, func(r recordings.Recording) error {
		rep.Problems = append(rep.Problems, Problem{Kind: ProblemUnlisted, ID: r.ID, Path: r.Path,
			Detail: fmt.Sprintf("catalogued, modified %s, and in no manifest up to %s", stamp(r.ModTime), last.Day)})
		return nil
	})
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	return nil
}
