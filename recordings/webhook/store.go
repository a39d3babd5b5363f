package webhook

import (
	"context"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

// EventStore is what Events needs of the catalogue (catalog.Catalog satisfies it):
// the recordings an event describes, the endpoints subscribed, and the outbox.
type EventStore interface {
	GetMany(ctx context.Context, ids []int64) ([]recordings.Recording, error)
	EnabledWebhooks(ctx context.Context) ([]recordings.Webhook, error)
	Enqueue(ctx context.Context, evs ...recordings.OutboxEvent) (int, error)
}

// DeliveryStore is what a Deliverer needs of the catalogue (catalog.Catalog
// satisfies it): the endpoints, and the outbox's leases and outcomes.
type DeliveryStore interface {
	EnabledWebhooks(ctx context.Context) ([]recordings.Webhook, error)
	ClaimDeliveries(ctx context.Context, endpoint int64, owner string, now time.Time, lease time.Duration, limit int) ([]recordings.Delivery, error)
	FinishDelivery(ctx context.Context, d recordings.Delivery, r recordings.DeliveryResult) (bool, error)
	ReleaseLeases(ctx context.Context, owner string, now time.Time) (int, error)
	PruneDelivered(ctx context.Context, before time.Time) (int, error)
}
