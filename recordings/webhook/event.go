package webhook

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

// Event types.
const (
	EventReady    = "recording.ready"    // catalogued and linked to its CDR row, or enrichment gave up
	EventDeleted  = "recording.deleted"  // retention deleted the file
	EventHeld     = "recording.held"     // a legal hold was placed
	EventReleased = "recording.released" // the recording's holds were removed
)

// EventTypes are every event type, in the order the documentation lists them.
var EventTypes = []string{EventReady, EventDeleted, EventHeld, EventReleased}

// ValidType reports whether t names an event type.
func ValidType(t string) bool {
	for _, e := range EventTypes {
		if e == t {
			return true
		}
	}
	return false
}

// MediaURLer makes a signed link to a recording's player that expires at expires,
// of the form <public_url>/share/<token>. Events with a nil MediaURLer carry no
// media_url.
type MediaURLer interface {
	MediaURL(ctx context.Context, rec recordings.Recording, expires time.Time) (string, error)
}

// Payload is the JSON body of every delivery. It is marshalled once, when the event
// is enqueued; every attempt sends the same bytes.
type Payload struct {
	ID         string    `json:"id"` // also X-Totalrec-Delivery: the idempotency key
	Type       string    `json:"type"`
	OccurredAt time.Time `json:"occurred_at"`
	// Recording is the recording as the API describes it (GET /api/v1/recordings/{id}).
	Recording recordings.RecordingJSON `json:"recording"`
	Hold      *HoldData                `json:"hold,omitempty"` // recording.held only
	// MediaURL is a signed player link that expires at MediaURLExpiresAt; empty when
	// share links are not configured.
	MediaURL          string     `json:"media_url,omitempty"`
	MediaURLExpiresAt *time.Time `json:"media_url_expires_at,omitempty"`
}

// HoldData describes the hold of a recording.held event.
type HoldData struct {
	ID     int64      `json:"id"`
	Reason string     `json:"reason"`
	By     string     `json:"by,omitempty"`
	Until  *time.Time `json:"until,omitempty"`
}

// eventID returns a UUID-shaped event ID: derived from key when key is not empty
// (the same change always gets the same ID), random otherwise.
func eventID(key string) string {
	var b [16]byte
	if key != "" {
		sum := sha256.Sum256([]byte(key))
		copy(b[:], sum[:16])
		b[6] = b[6]&0x0f | 0x80 // version 8: application-defined
	} else {
		rand.Read(b[:])
		b[6] = b[6]&0x0f | 0x40 // version 4: random
	}
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// readyKey and deletedKey name changes that happen once per recording.
func readyKey(id int64) string   { return fmt.Sprintf("%s:%d", EventReady, id) }
func deletedKey(id int64) string { return fmt.Sprintf("%s:%d", EventDeleted, id) }
