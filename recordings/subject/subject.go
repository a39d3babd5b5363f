package subject

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/archive"
	"github.com/totalrec/totalrec/recordings/spool"
)

// Store is what a subject's requests need of the catalogue.
type Store interface {
	Search(ctx context.Context, q recordings.Query) (recordings.Page, error)
	Holds(ctx context.Context) ([]recordings.Hold, error)
	SealOf(ctx context.Context, id int64) (recordings.Seal, error)
	ClaimDeletions(ctx context.Context, recs []recordings.Recording, now time.Time) (claimed, held []bool, err error)
	ReleaseClaims(ctx context.Context, ids []int64) error
	MarkDeleted(ctx context.Context, ids []int64, now time.Time, reason string) error
	EraseParties(ctx context.Context, ids []int64, now time.Time) error
	ConsentOf(ctx context.Context, id int64) (recordings.Consent, error)
}

// CDR is what they need of the CDR table (cdr.Reader satisfies it).
type CDR interface {
	RowsWithNumber(ctx context.Context, digits string) ([]recordings.CDR, error)
	BlankNumber(ctx context.Context, digits string, keep []string) (int64, error)
}

// Events announces erased recordings to webhook endpoints (webhook.Events
// satisfies it), after their rows are emptied: no event carries the number.
type Events interface {
	RecordingsDeleted(ctx context.Context, ids []int64, at time.Time, reason string) error
}

// MinDigits is the fewest digits a subject's number may have: a number is
// matched on its end, and fewer digits would match other people's numbers (and,
// in a file name, a date or a time).
const MinDigits = 9

// Subject serves the requests about numbers.
type Subject struct {
	Store  Store
	CDR    CDR    // nil: no CDR database
	Events Events // nil: none
	Tree   *spool.Tree
	// Node is the node whose spool Tree is. Another node's recordings on disk
	// are erased on that node.
	Node string
	// Objects holds archived recordings (*s3.Bucket satisfies it); nil: no archive
	// tier, and an archived recording cannot be erased (it is reported failed).
	Objects Objects
	// Suffix reduces a number to the digits the catalogue matches on
	// (catalog.NumberSuffix).
	Suffix func(number string) (string, error)
}

// Objects is the archive bucket, as an export reads it and an erasure deletes
// from it.
type Objects interface {
	archive.Objects
	Remove(ctx context.Context, key string) error
}

// Found is what Find found of a number.
type Found struct {
	Digits     string                 `json:"digits"` // what was matched: the number's last digits
	Recordings []recordings.Recording `json:"-"`
	Retained   []Retained             `json:"retained"` // held, or still being written: an erasure keeps them
	CDR        []recordings.CDR       `json:"-"`
	NoCDR      bool                   `json:"no_cdr,omitempty"` // no CDR database was searched
}

// Retained is a recording an erasure keeps, and why.
type Retained struct {
	ID     int64  `json:"id"`
	Reason string `json:"reason"`
}

// ErrTooShort: the number has too few digits to name one person.
var ErrTooShort = errors.New("too few digits for a person's number")

// Find lists every recording a party of which had number (any of the catalogue's
// number fields, any state, deleted rows too: their metadata still names it),
// which of them an erasure would keep and why, and the CDR rows that carry it.
func (s *Subject) Find(ctx context.Context, number string) (Found, error) {
	digits, err := s.Suffix(number)
	if err != nil {
		return Found{}, err
	}
	if len(digits) < MinDigits {
		return Found{}, fmt.Errorf("%q has %d digits, fewer than %d: %w", number, len(digits), MinDigits, ErrTooShort)
	}
	f := Found{Digits: digits, NoCDR: s.CDR == nil}
	q := recordings.Query{Number: digits, WithDeleted: true, Limit: recordings.MaxLimit}
	for {
		p, err := s.Store.Search(ctx, q)
		if err != nil {
			return f, fmt.Errorf("find %s: %w", digits, err)
		}
		f.Recordings = append(f.Recordings, p.Items...)
		if p.Next == "" {
			break
		}
		q.After = p.Next
	}
	holds, err := s.Store.Holds(ctx)
	if err != nil {
		return f, fmt.Errorf("find %s: %w", digits, err)
	}
	reasons := map[int64]string{}
	for _, h := range holds {
		if reasons[h.RecordingID] == "" {
			reasons[h.RecordingID] = "legal hold: " + h.Reason
		}
	}
	for _, r := range f.Recordings {
		switch {
		case r.Held:
			why := reasons[r.ID]
			if why == "" {
				why = "legal hold"
			}
			f.Retained = append(f.Retained, Retained{ID: r.ID, Reason: why})
		case r.State == recordings.StateWriting:
			f.Retained = append(f.Retained, Retained{ID: r.ID, Reason: "still being recorded: ask again after the call"})
		}
	}
	if s.CDR != nil {
		if f.CDR, err = s.CDR.RowsWithNumber(ctx, digits); err != nil {
			return f, fmt.Errorf("find %s: %w", digits, err)
		}
	}
	return f, nil
}

// retained reports whether an erasure keeps recording id.
func (f Found) retained(id int64) bool {
	for _, r := range f.Retained {
		if r.ID == id {
			return true
		}
	}
	return false
}
