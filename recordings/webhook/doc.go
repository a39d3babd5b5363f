// Package webhook tells other systems (a CRM, billing) about recordings: signed
// HTTP POSTs of recording.ready, recording.deleted, recording.held and
// recording.released, sent from a durable outbox in the catalogue.
//
// # Producing
//
// Events (events.go) builds each event's Payload, marshals it once and writes one
// outbox row per enabled endpoint subscribed to its type (the catalogue's Enqueue, through EventStore). The
// outbox's unique key (endpoint, event ID) makes enqueueing the same event twice a
// no-op. Producers enqueue before they report success, and:
//
//   - Steps that repeat themselves after a crash — enrichment, the hook and its
//     journal, retention batches — enqueue just before the change they announce
//     is committed, under an event ID derived from the change (recording.ready and
//     recording.deleted: the recording ID). A crash after the enqueue and before
//     the change makes the step run again, which enqueues the same event ID again:
//     nothing is lost and nothing is doubled. The price: an event can be sent a
//     moment before its change is visible in the catalogue, and, if the change then
//     fails for good, announce one that did not happen.
//   - Commands a person runs — hold add, hold rm — enqueue after the change (held)
//     or before it (released, keyed by the hold IDs it removes). A crash in between
//     leaves the command failed (no confirmation, exit status not 0); running it
//     again sends the event.
//
// The outbox lives in the same database as the catalogue, but in a transaction of
// its own: the catalogue's writes are not extended to carry it.
//
// # Delivering
//
// The daemon's Deliverer claims due rows per endpoint under a lease (attempts + 1,
// next attempt = now + lease, owner = node), sends them with go-retryablehttp and
// records the outcome. A process killed mid-delivery leaves its rows leased: they are
// due again as soon as the same node starts, or when the lease ends. So each event
// is delivered at least once, and a repeat carries the same X-Totalrec-Delivery
// (the event ID, also the body's "id"); receivers deduplicate on it. Up to
// PerEndpoint deliveries per endpoint are in flight; order is not guaranteed.
//
// Retry policy (decide, Backoff): 2xx is delivered; 4xx other than 408 and 429 is
// dead at once; network errors, 408, 429 and 5xx are tried again after 10 s
// doubling to 1 h with jitter, or after Retry-After on 429 and 503; after
// DefaultMaxAttempts attempts the row is dead. `totalrec webhook dead` lists dead
// rows and `totalrec webhook retry --dead` sends them again.
//
// # Signature
//
// X-Totalrec-Signature is "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>",
// computed at each attempt. Verify is the receiver's side, and short enough to copy.
package webhook
