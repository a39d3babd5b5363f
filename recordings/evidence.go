package recordings

import (
	"strconv"
	"strings"
	"time"
)

// Seal is a recording's fingerprint as it was when its file was final: the SHA-256
// of every byte, computed once (the daemon's sealing loop or `totalrec seal`) and
// never recomputed over it. A later change of the file is what `totalrec verify`
// reports.
type Seal struct {
	ID       int64  // the recording's
	Node     string // the recording's node
	Path     string // the recording's path when it was sealed
	SHA256   string // lower-case hex
	Size     int64  // the bytes hashed
	SealedAt time.Time
	Listed   string // the day of the manifest that lists the seal; "" until one does
}

// SealedRecording is a seal with the recording it fingerprints, as a manifest
// lists it: the call's metadata and, for a deletion, when and why.
type SealedRecording struct {
	Seal
	Rec Recording
}

// Manifest is a node's manifest of one day as the catalogue remembers it: the
// SHA-256 of its file, which the next day's manifest names as its previous one.
type Manifest struct {
	Node    string
	Day     string // YYYY-MM-DD, a UTC day
	SHA256  string
	Sealed  int // recordings sealed that day
	Deleted int // sealed recordings deleted that day
	Written time.Time
}

// ErasureReason is the deletion reason of a recording erased on a data subject's
// request; IsErasure recognises it.
const ErasureReason = "erased on request"

// IsErasure reports whether a deletion reason is an erasure's.
func IsErasure(reason string) bool {
	return strings.HasPrefix(reason, ErasureReason)
}

// ErasedPath is the path an erased recording's row keeps: unique, and free of
// the numbers FreePBX's file names carry.
func ErasedPath(id int64) string { return "erased/" + strconv.FormatInt(id, 10) }

// Pause is an interval during which a call's recording was muted (MixMonitorMute,
// both directions) so that a card number or other sensitive data was not
// recorded. Ended is zero while the pause lasts.
type Pause struct {
	ID       int64
	Node     string
	Channel  string // the channel whose MixMonitor was muted
	UniqueID string // that channel's uniqueid
	LinkedID string // its call's linkedid
	Started  time.Time
	Ended    time.Time
	By       string // who paused: "dialplan:<channel>", "web:<user>", "cli:<login>"
	EndedBy  string
}

// Consent is how a recording came to be made, as the dialplan told the hook.
type Consent struct {
	// RecordedBy is the policy that recorded it: RecordedForced, RecordedPolicy,
	// RecordedOnDemand, or "" (unknown: the hook was not told).
	RecordedBy string `json:"recorded_by"`
	// Announced: the dialplan played the caller an announcement that the call is
	// recorded (it sets TOTALREC_ANNOUNCED where it does).
	Announced bool `json:"announced"`
}

// The policies that record a call.
const (
	RecordedForced   = "forced"   // Totalrec's total recording
	RecordedPolicy   = "policy"   // FreePBX's per-extension or per-route recording policy
	RecordedOnDemand = "ondemand" // someone pressed the on-demand recording code
)

// ValidRecordedBy reports whether s is a policy Consent may name ("" included).
func ValidRecordedBy(s string) bool {
	switch s {
	case "", RecordedForced, RecordedPolicy, RecordedOnDemand:
		return true
	}
	return false
}
