package subject

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

// CertificateFormat names the erasure certificate's format.
const CertificateFormat = "totalrec-erasure/1"

// Certificate says what an erasure removed, and what it kept and why. It names
// the subject by the SHA-256 of the digits matched, so that it can be kept and
// shown without keeping the number: whoever knows the number checks it with
// `printf %s DIGITS | sha256sum`.
type Certificate struct {
	Format   string     `json:"certificate"`
	Subject  string     `json:"subject_sha256"`
	Issued   string     `json:"issued_at"`
	By       string     `json:"by"`
	Node     string     `json:"node"`
	Erased   []Erased   `json:"erased"`
	Retained []Retained `json:"retained"`
	Failed   []Failed   `json:"failed,omitempty"`
	// CDRRows is how many CDR rows had the number emptied; CDRKept says the CDR
	// table was not asked to change.
	CDRRows int64 `json:"cdr_rows_blanked"`
	CDRKept bool  `json:"cdr_kept,omitempty"`
}

// Erased is one recording an erasure removed: its audio is gone (now, or before
// by retention) and its row says nothing of the call's parties.
type Erased struct {
	ID       int64  `json:"id"`
	SHA256   string `json:"sha256,omitempty"` // the audio's seal; "" when it was never sealed
	Size     int64  `json:"size"`
	CallTime string `json:"call_time"`
	// Audio says what happened to the file: "deleted" now, "deleted before" by
	// retention, or "missing" (gone from disk before, not by Totalrec).
	Audio string `json:"audio"`
}

// Failed is a recording whose file could not be deleted; it keeps its data, and
// a second erasure tries again.
type Failed struct {
	ID    int64  `json:"id"`
	Error string `json:"error"`
}

// DigitsHash is how a certificate and the audit trail name a subject: the
// SHA-256, in hex, of the digits matched.
func DigitsHash(digits string) string {
	sum := sha256.Sum256([]byte(digits))
	return hex.EncodeToString(sum[:])
}

// claimGroup is how many rows an erasure claims in one transaction.
const claimGroup = 32

// Erase removes what f found, but the recordings it retains: each file on disk
// is claimed (a hold placed before the claim wins, and the recording is then
// retained), unlinked and marked deleted with the erasure as its reason; then
// every found row whose file is gone is emptied of the parties' data; with cdr,
// the number is emptied from the CDR table too. It returns the certificate, to
// be signed. A claim left by a crash is settled by the next retention run, like
// retention's own; erasing again finishes the rest.
func (s *Subject) Erase(ctx context.Context, f Found, by, node string, cdr bool, now time.Time) (Certificate, error) {
	c := Certificate{Format: CertificateFormat, Subject: DigitsHash(f.Digits), Issued: now.UTC().Format(time.RFC3339),
		By: by, Node: node, Retained: append([]Retained(nil), f.Retained...), CDRKept: !cdr}
	reason := recordings.ErasureReason + " by " + by
	var (
		onDisk []recordings.Recording
		audio  = map[int64]string{}
	)
	for _, r := range f.Recordings {
		switch {
		case f.retained(r.ID):
		case r.State == recordings.StateDeleted:
			audio[r.ID] = "deleted before"
		case r.State == recordings.StateMissing:
			audio[r.ID] = "missing"
		default:
			onDisk = append(onDisk, r)
		}
	}
	var deleted []int64
	for start := 0; start < len(onDisk); start += claimGroup {
		group := onDisk[start:min(start+claimGroup, len(onDisk))]
		rows := make([]recordings.Recording, len(group))
		for i, r := range group {
			rows[i] = r
			rows[i].DeletedReason = reason
		}
		claimed, held, err := s.Store.ClaimDeletions(ctx, rows, now)
		if err != nil {
			return c, fmt.Errorf("erase: %w", err)
		}
		var release []int64
		for i, r := range group {
			switch {
			case held[i]:
				c.Retained = append(c.Retained, Retained{ID: r.ID, Reason: "legal hold placed during the erasure"})
				continue
			case !claimed[i]:
				c.Failed = append(c.Failed, Failed{ID: r.ID, Error: "the recording changed while it was being erased: erase again"})
				continue
			}
			if err := s.remove(ctx, r); err != nil {
				release = append(release, r.ID)
				c.Failed = append(c.Failed, Failed{ID: r.ID, Error: err.Error()})
				continue
			}
			deleted = append(deleted, r.ID)
			audio[r.ID] = "deleted"
		}
		if err := s.Store.ReleaseClaims(ctx, release); err != nil {
			return c, fmt.Errorf("erase: %w", err)
		}
	}
	if err := s.Store.MarkDeleted(ctx, deleted, now, reason); err != nil {
		return c, fmt.Errorf("erase: %w", err)
	}
	var gone []int64
	for _, r := range f.Recordings {
		a, ok := audio[r.ID]
		if !ok {
			continue
		}
		gone = append(gone, r.ID)
		e := Erased{ID: r.ID, Size: r.Size, CallTime: r.CallTime.UTC().Format(time.RFC3339), Audio: a}
		if seal, err := s.Store.SealOf(ctx, r.ID); err == nil {
			e.SHA256 = seal.SHA256
		} else if !errors.Is(err, recordings.ErrNotFound) {
			return c, fmt.Errorf("erase: %w", err)
		}
		c.Erased = append(c.Erased, e)
	}
	if err := s.Store.EraseParties(ctx, gone, now); err != nil {
		return c, fmt.Errorf("erase: %w", err)
	}
	if s.Events != nil {
		if err := s.Events.RecordingsDeleted(ctx, deleted, now, reason); err != nil {
			return c, fmt.Errorf("erase: announce the deletions: %w", err)
		}
	}
	if cdr && s.CDR != nil {
		var keep []string // the calls of retained recordings keep their CDR rows
		for _, r := range f.Recordings {
			if c.retains(r.ID) {
				for _, id := range []string{r.LinkedID, r.Name.UniqueID} {
					if id != "" {
						keep = append(keep, id)
					}
				}
			}
		}
		n, err := s.CDR.BlankNumber(ctx, f.Digits, keep)
		if err != nil {
			return c, fmt.Errorf("erase: %w", err)
		}
		c.CDRRows = n
	}
	return c, nil
}

// retains reports whether the certificate lists recording id as retained.
func (c Certificate) retains(id int64) bool {
	for _, r := range c.Retained {
		if r.ID == id {
			return true
		}
	}
	return false
}

// remove deletes r's audio: its object when it is archived, else its file.
func (s *Subject) remove(ctx context.Context, r recordings.Recording) error {
	if r.Storage != recordings.StorageS3 {
		if r.Node != s.Node {
			return fmt.Errorf("recording %d is on node %s's disk: erase the number on that node too", r.ID, r.Node)
		}
		return s.unlink(r.Path)
	}
	if s.Objects == nil {
		return fmt.Errorf("recording %d is in the archive bucket, and no archive is configured here: %w", r.ID, recordings.ErrRefused)
	}
	return s.Objects.Remove(ctx, recordings.ObjectKey(r.Node, r.Path))
}

// unlink deletes the file at rel through the spool's directory handles; a file
// already gone is fine.
func (s *Subject) unlink(rel string) error {
	d, err := s.Tree.OpenDir(path.Dir(rel))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Remove(path.Base(rel)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
