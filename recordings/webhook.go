package recordings

import (
	"crypto/rand"
	"encoding/hex"
	"time"
)

// Outbox row states.
const (
	OutboxPending   = "pending"   // waiting for its next attempt, or in flight under a lease
	OutboxDelivered = "delivered" // the endpoint answered 2xx
	OutboxDead      = "dead"      // given up: a 4xx other than 408/429, or too many attempts
)

// OutboxEvent is one event to deliver to every enabled endpoint that subscribes to
// its type. Body is the exact bytes that are signed and sent on every attempt.
type OutboxEvent struct {
	EventID string // the delivery's idempotency key; at most 64 bytes
	Type    string
	Body    []byte
}

// Delivery is one outbox row: one event for one endpoint, with the endpoint's URL
// and secret.
type Delivery struct {
	ID          int64
	EndpointID  int64
	URL         string
	Secret      string // filled by the catalogue's ClaimDeliveries only
	EventID     string
	Type        string
	Body        []byte
	Attempts    int // attempts started, the one under lease included
	NextAt      time.Time
	State       string
	LastError   string
	Created     time.Time
	DeliveredAt time.Time
}

// DeliveryResult is the outcome of one attempt.
type DeliveryResult struct {
	State     string    // OutboxPending (try again at NextAt), OutboxDelivered or OutboxDead
	NextAt    time.Time // pending only
	LastError string
	At        time.Time // when the attempt ended
}

// Webhook is an endpoint that receives events.
type Webhook struct {
	ID      int64
	URL     string
	Secret  string   // HMAC key; the catalogue's Webhooks leaves it empty, EnabledWebhooks fills it
	Events  []string // the event types it receives
	Enabled bool
	Created time.Time
	Pending int // outbox rows not yet delivered, filled by the catalogue's Webhooks
	Dead    int // outbox rows given up on, filled by the catalogue's Webhooks
}

// NewWebhookSecret returns a fresh signing secret for a webhook endpoint: 32 random
// bytes, hex, after the whsec_ prefix endpoints recognise.
func NewWebhookSecret() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand)
	return "whsec_" + hex.EncodeToString(b)
}
