package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"time"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/spool"
)

// DefaultSettle is how long a file must have been left alone before it is
// sealed: MixMonitor has closed it, and the scanner has seen its final size.
const DefaultSettle = 2 * time.Minute

// hashPage is how many recordings a pass reads from the catalogue at a time, and
// seals in one transaction.
const hashPage = 200

// HashStore is what sealing needs of the catalogue.
type HashStore interface {
	// Unsealed returns up to limit of node's recordings after afterID, by id,
	// that have no seal and may get one, with ID, Node, Path, Size, ModTime and State.
	Unsealed(ctx context.Context, node string, afterID int64, limit int) ([]recordings.Recording, error)
	// AddSeals stores seals; a recording sealed already keeps its first seal.
	AddSeals(ctx context.Context, seals []recordings.Seal) error
}

// Hasher seals recordings: the SHA-256 of each final file, once. A Hasher is
// used by one goroutine at a time.
type Hasher struct {
	Store  HashStore
	Tree   *spool.Tree
	Node   string
	Settle time.Duration // 0 = DefaultSettle
	Log    *slog.Logger
	// Progress, when set, is called after each page with the running totals.
	Progress func(HashReport)
	// Clock, when set, stamps each page's seals as they are stored (a pass over
	// a large spool outlasts its start); nil stamps them with the pass's now.
	Clock func() time.Time

	from int64 // the id a pass starts after: below it, nothing was left waiting
}

// HashReport counts what a pass did.
type HashReport struct {
	Sealed     int   // recordings sealed
	Bytes      int64 // bytes hashed
	Waiting    int   // not final yet: still written, changed since catalogued, or too recent
	Unreadable int   // could not be read; logged, tried again next pass
}

// Pass seals every final recording without a seal, from where the last pass
// left off, or from the first recording with full. A recording still being
// written holds the next pass's start at itself.
func (h *Hasher) Pass(ctx context.Context, now time.Time, full bool) (HashReport, error) {
	settle := h.Settle
	if settle <= 0 {
		settle = DefaultSettle
	}
	if full {
		h.from = 0
	}
	var (
		rep       HashReport
		after           = h.from
		firstWait int64 = -1
	)
	for {
		page, err := h.Store.Unsealed(ctx, h.Node, after, hashPage)
		if err != nil {
			return rep, fmt.Errorf("seal: %w", err)
		}
		var seals []recordings.Seal
		for _, r := range page {
			after = r.ID
			s, err := h.seal(r, now, settle)
			switch {
			case errors.Is(err, errNotFinal):
				rep.Waiting++
				if firstWait < 0 {
					firstWait = r.ID - 1
				}
			case errors.Is(err, fs.ErrNotExist):
				// Gone: the scanner marks it missing.
			case err != nil:
				rep.Unreadable++
				h.logger().Warn("seal: cannot read a recording", slog.Int64("id", r.ID), slog.String("path", r.Path), slog.Any("error", err))
				if firstWait < 0 {
					firstWait = r.ID - 1
				}
			default:
				seals = append(seals, s)
				rep.Bytes += s.Size
			}
		}
		if len(seals) > 0 {
			if h.Clock != nil {
				at := h.Clock()
				for i := range seals {
					seals[i].SealedAt = at
				}
			}
			if err := h.Store.AddSeals(ctx, seals); err != nil {
				return rep, fmt.Errorf("seal: %w", err)
			}
			rep.Sealed += len(seals)
		}
		if h.Progress != nil {
			h.Progress(rep)
		}
		if len(page) < hashPage {
			break
		}
		if err := ctx.Err(); err != nil {
			return rep, err
		}
	}
	h.from = after
	if firstWait >= 0 {
		h.from = firstWait
	}
	return rep, nil
}

// errNotFinal: the file may still change.
var errNotFinal = errors.New("not final yet")

// seal hashes r's file if it is final: not being written, untouched for settle,
// and the size and time the catalogue knows (else the scanner has news to bring
// first).
func (h *Hasher) seal(r recordings.Recording, now time.Time, settle time.Duration) (recordings.Seal, error) {
	if r.State == recordings.StateWriting || now.Sub(r.ModTime) < settle {
		return recordings.Seal{}, errNotFinal
	}
	f, fi, err := h.Tree.OpenFile(r.Path)
	if err != nil {
		return recordings.Seal{}, err
	}
	defer f.Close()
	if fi.Size != r.Size || !fi.ModTime.UTC().Truncate(time.Microsecond).Equal(r.ModTime) {
		return recordings.Seal{}, errNotFinal
	}
	sum := sha256.New()
	n, err := io.Copy(sum, f)
	if err != nil {
		return recordings.Seal{}, err
	}
	if n != r.Size {
		return recordings.Seal{}, errNotFinal
	}
	return recordings.Seal{ID: r.ID, Node: r.Node, Path: r.Path, SHA256: hex.EncodeToString(sum.Sum(nil)),
		Size: n, SealedAt: now}, nil
}

func (h *Hasher) logger() *slog.Logger {
	if h.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return h.Log
}
