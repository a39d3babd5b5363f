package evidence

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

// The manifest formats this package reads: version 2, which it writes, adds the
// converted event to version 1's sealed and deleted.
const (
	FormatV1 = "totalrec-manifest/1"
	FormatV2 = "totalrec-manifest/2"
)

// Header is a manifest's first line.
type Header struct {
	Format   string `json:"manifest"`
	Node     string `json:"node"`
	Day      string `json:"day"`      // YYYY-MM-DD, UTC
	Previous string `json:"previous"` // SHA-256 of the previous day's manifest file; "" for the first
	Cutoff   string `json:"cutoff"`   // RFC 3339: the manifest lists what happened before it
}

// The events a manifest lists.
const (
	EventSealed    = "sealed"
	EventDeleted   = "deleted"
	EventConverted = "converted"
)

// Entry is one line after the header: a recording sealed, a sealed recording
// deleted, or a sealed recording converted to the compressed file kept from then
// on (its From is the sealed hash, its SHA256 and Size the new file's). Times are RFC 3339 in UTC. An entry names the recording by its
// catalogue id and holds no personal data — no path, no number — so that erasing a
// person's data (GDPR article 17) never has to touch a signed manifest: the
// catalogue maps an id to its file, and a chain-of-custody bundle carries it.
type Entry struct {
	Event  string `json:"event"`
	ID     int64  `json:"id"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	At     string `json:"at"` // when it was sealed, or deleted

	// A sealed recording's call.
	CallTime   string `json:"call_time,omitempty"`
	Format     string `json:"format,omitempty"`
	DurationMS int64  `json:"duration_ms,omitempty"`

	// A deletion's rule and who applied it.
	Rule  string `json:"rule,omitempty"`
	Actor string `json:"actor,omitempty"`

	// A conversion's original: the SHA-256 that was sealed.
	From string `json:"from_sha256,omitempty"`
}

// stamp is how a manifest writes a time.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// sealedEntry is the line that lists sr as sealed.
func sealedEntry(sr recordings.SealedRecording) Entry {
	return Entry{Event: EventSealed, ID: sr.ID, SHA256: sr.SHA256, Size: sr.Size, At: stamp(sr.SealedAt),
		CallTime: stamp(sr.Rec.CallTime), Format: string(sr.Rec.Format), DurationMS: sr.Rec.Duration.Milliseconds()}
}

// deletedEntry is the line that lists sr's deletion, with the reason the
// catalogue recorded and who deleted it: retention, or an erasure on request.
func deletedEntry(sr recordings.SealedRecording) Entry {
	actor := "retention"
	if recordings.IsErasure(sr.Rec.DeletedReason) {
		actor = "erasure"
	}
	return Entry{Event: EventDeleted, ID: sr.ID, SHA256: sr.SHA256, Size: sr.Size,
		At: stamp(sr.Rec.DeletedAt), Rule: sr.Rec.DeletedReason, Actor: actor}
}

// convertedEntry is the line that lists cv: the sealed original's hash carried on
// to the compressed file's.
func convertedEntry(cv recordings.Conversion) Entry {
	return Entry{Event: EventConverted, ID: cv.ID, SHA256: cv.ToSHA256, Size: cv.ToSize, At: stamp(cv.SwitchedAt),
		Format: string(cv.ToFormat), DurationMS: cv.Duration.Milliseconds(), From: cv.FromSHA256}
}

// writeLine writes v as one JSON line.
func writeLine(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// ErrMalformed: a manifest or checksum file that is not what this package writes.
var ErrMalformed = errors.New("malformed manifest")

// maxLine bounds a manifest line: a path is at most 1 KiB, the rest is small.
const maxLine = 64 << 10

// Read parses a manifest, calling fn with each entry in order, and returns its
// header.
func Read(r io.Reader, fn func(Entry) error) (Header, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxLine)
	var h Header
	if !sc.Scan() {
		if err := sc.Err(); err != nil {
			return h, fmt.Errorf("read manifest: %w", err)
		}
		return h, fmt.Errorf("read manifest: empty: %w", ErrMalformed)
	}
	if err := strict(sc.Bytes(), &h); err != nil || (h.Format != FormatV1 && h.Format != FormatV2) {
		return h, fmt.Errorf("read manifest: header is not %s or %s: %w", FormatV1, FormatV2, ErrMalformed)
	}
	for n := 2; sc.Scan(); n++ {
		var e Entry
		err := strict(sc.Bytes(), &e)
		known := e.Event == EventSealed || e.Event == EventDeleted || (e.Event == EventConverted && h.Format == FormatV2)
		if err != nil || !known {
			return h, fmt.Errorf("read manifest %s: line %d: %w", h.Day, n, ErrMalformed)
		}
		if err := fn(e); err != nil {
			return h, err
		}
	}
	if err := sc.Err(); err != nil {
		return h, fmt.Errorf("read manifest %s: %w", h.Day, err)
	}
	return h, nil
}

// strict decodes one JSON object, refusing fields this format does not have.
func strict(line []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(line))
	d.DisallowUnknownFields()
	return d.Decode(v)
}
