package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/totalrec/totalrec/internal/sqlrows"
	"github.com/totalrec/totalrec/recordings"
)

// The webhook tables (migrations step 5): the endpoints, and the outbox with one row per
// (endpoint, event). The outbox's unique key (endpoint_id, event_id) makes enqueueing
// the same event twice a no-op, which is what lets producers enqueue again after a
// crash without sending a second copy.
var (
	sqliteWebhooksV1 = []string{
		`CREATE TABLE IF NOT EXISTS totalrec_webhooks (
			id         INTEGER PRIMARY KEY AUTOINCREMENT,
			url        TEXT    NOT NULL,
			secret     TEXT    NOT NULL,
			events     TEXT    NOT NULL,
			enabled    INTEGER NOT NULL DEFAULT 1,
			created_at TEXT    NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS totalrec_webhook_outbox (
			id           INTEGER PRIMARY KEY AUTOINCREMENT,
			endpoint_id  INTEGER NOT NULL REFERENCES totalrec_webhooks (id) ON DELETE CASCADE,
			event_id     TEXT    NOT NULL,
			event_type   TEXT    NOT NULL,
			body         BLOB    NOT NULL,
			attempts     INTEGER NOT NULL DEFAULT 0,
			next_at      TEXT    NOT NULL,
			state        TEXT    NOT NULL,
			last_error   TEXT    NOT NULL DEFAULT '',
			lease_owner  TEXT    NOT NULL DEFAULT '',
			created_at   TEXT    NOT NULL,
			delivered_at TEXT,
			UNIQUE (endpoint_id, event_id))`,
		`CREATE INDEX IF NOT EXISTS totalrec_webhook_outbox_due ON totalrec_webhook_outbox (endpoint_id, state, next_at)`,
		`CREATE INDEX IF NOT EXISTS totalrec_webhook_outbox_state ON totalrec_webhook_outbox (state, id)`,
	}
	mysqlWebhooksV1 = []string{
		`CREATE TABLE IF NOT EXISTS totalrec_webhooks (
			id         BIGINT        NOT NULL AUTO_INCREMENT,
			url        VARCHAR(2048) NOT NULL,
			secret     VARCHAR(255)  NOT NULL,
			events     VARCHAR(255)  NOT NULL,
			enabled    TINYINT       NOT NULL DEFAULT 1,
			created_at DATETIME(6)   NOT NULL,
			PRIMARY KEY (id)
		) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
		`CREATE TABLE IF NOT EXISTS totalrec_webhook_outbox (
			id           BIGINT        NOT NULL AUTO_INCREMENT,
			endpoint_id  BIGINT        NOT NULL,
			event_id     VARCHAR(64)   NOT NULL,
			event_type   VARCHAR(64)   NOT NULL,
			body         MEDIUMBLOB    NOT NULL,
			attempts     INT           NOT NULL DEFAULT 0,
			next_at      DATETIME(6)   NOT NULL,
			state        VARCHAR(16)   NOT NULL,
			last_error   VARCHAR(1024) NOT NULL DEFAULT '',
			lease_owner  VARBINARY(64) NOT NULL DEFAULT '',
			created_at   DATETIME(6)   NOT NULL,
			delivered_at DATETIME(6)   NULL,
			PRIMARY KEY (id),
			UNIQUE KEY uq_event (endpoint_id, event_id),
			KEY idx_due (endpoint_id, state, next_at),
			KEY idx_state (state, id),
			CONSTRAINT fk_totalrec_outbox_webhook FOREIGN KEY (endpoint_id)
				REFERENCES totalrec_webhooks (id) ON DELETE CASCADE
		) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
	}
)

// Lengths of the webhook columns.
const (
	maxWebhookURL = 2048
	lenLastError  = 1024
)

// eventsColumn stores event types as ",a,b," so that one LIKE finds a subscriber.
func eventsColumn(events []string) string { return "," + strings.Join(events, ",") + "," }

func eventsOf(col string) []string {
	var out []string
	for e := range strings.SplitSeq(strings.Trim(col, ","), ",") {
		if e != "" {
			out = append(out, e)
		}
	}
	return out
}

// AddWebhook stores an enabled endpoint and returns its id. The URL, the secret and
// at least one event type are required; an event type may not hold a comma.
func (c *Catalog) AddWebhook(ctx context.Context, w recordings.Webhook) (int64, error) {
	switch {
	case w.URL == "" || len(w.URL) > maxWebhookURL:
		return 0, fmt.Errorf("add webhook: url: empty or longer than %d bytes: %w", maxWebhookURL, recordings.ErrInvalid)
	case w.Secret == "" || len(w.Secret) > lenText:
		return 0, fmt.Errorf("add webhook: secret: empty or longer than %d bytes: %w", lenText, recordings.ErrInvalid)
	case len(w.Events) == 0 || len(eventsColumn(w.Events)) > lenText:
		return 0, fmt.Errorf("add webhook: events: none, or too many: %w", recordings.ErrInvalid)
	}
	for _, e := range w.Events {
		if e == "" || strings.ContainsAny(e, ",%_") {
			return 0, fmt.Errorf("add webhook: event type %q: %w", clip(e, 40), recordings.ErrInvalid)
		}
	}
	res, err := c.db.ExecContext(ctx, `INSERT INTO totalrec_webhooks (url, secret, events, enabled, created_at)
		VALUES (?, ?, ?, 1, ?)`, w.URL, w.Secret, eventsColumn(w.Events), c.timeArg(c.now()))
	if err != nil {
		return 0, fmt.Errorf("add webhook: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("add webhook: %w", err)
	}
	return id, nil
}

// RemoveWebhook deletes an endpoint and its outbox rows, delivered or not.
func (c *Catalog) RemoveWebhook(ctx context.Context, id int64) error {
	var found bool
	err := c.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM totalrec_webhook_outbox WHERE endpoint_id = ?`, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM totalrec_webhooks WHERE id = ?`, id)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		found = n > 0
		return err
	})
	if err != nil {
		return fmt.Errorf("remove webhook %d: %w", id, err)
	}
	if !found {
		return fmt.Errorf("remove webhook %d: %w", id, recordings.ErrNotFound)
	}
	return nil
}

// Webhooks lists every endpoint, oldest first, with its pending and dead counts and
// without its secret.
func (c *Catalog) Webhooks(ctx context.Context) ([]recordings.Webhook, error) {
	out, err := sqlrows.All(ctx, c.rdb, func(s scanner) (recordings.Webhook, error) {
		var (
			w       recordings.Webhook
			events  string
			enabled int
			created nullTime
		)
		err := s.Scan(&w.ID, &w.URL, &events, &enabled, &created, &w.Pending, &w.Dead)
		w.Events, w.Enabled, w.Created = eventsOf(events), enabled != 0, created.T
		return w, err
	}, `SELECT w.id, w.url, w.events, w.enabled, w.created_at,
		(SELECT COUNT(*) FROM totalrec_webhook_outbox o WHERE o.endpoint_id = w.id AND o.state = 'pending'),
		(SELECT COUNT(*) FROM totalrec_webhook_outbox o WHERE o.endpoint_id = w.id AND o.state = 'dead')
		FROM totalrec_webhooks w ORDER BY w.id`)
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	return out, nil
}

// EnabledWebhooks lists the enabled endpoints with their secrets, for delivery.
func (c *Catalog) EnabledWebhooks(ctx context.Context) ([]recordings.Webhook, error) {
	out, err := sqlrows.All(ctx, c.rdb, func(s scanner) (recordings.Webhook, error) {
		var (
			w       recordings.Webhook
			events  string
			created nullTime
		)
		err := s.Scan(&w.ID, &w.URL, &w.Secret, &events, &created)
		w.Events, w.Enabled, w.Created = eventsOf(events), true, created.T
		return w, err
	}, `SELECT id, url, secret, events, created_at FROM totalrec_webhooks WHERE enabled = 1 ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list enabled webhooks: %w", err)
	}
	return out, nil
}
