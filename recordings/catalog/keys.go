package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Signing keys (totalrec_keys, authschema.go), shared by every process on the
// catalogue.

// Key returns the signing key called name, creating it with gen on first use.
// Every process sharing the catalogue gets the same key.
func (c *Catalog) Key(ctx context.Context, name string, gen func() []byte) ([]byte, error) {
	var k []byte
	err := c.db.QueryRowContext(ctx, `SELECT secret FROM totalrec_keys WHERE name = ?`, name).Scan(&k)
	if err == nil {
		return k, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("read key %s: %w", name, err)
	}
	// INSERT … SELECT … WHERE NOT EXISTS keeps the first key when two processes race.
	if _, err := c.db.ExecContext(ctx, `INSERT INTO totalrec_keys (name, secret, created_at)
		SELECT ?, ?, ? FROM (SELECT 1 AS one) x WHERE NOT EXISTS (SELECT 1 FROM totalrec_keys WHERE name = ?)`,
		name, gen(), c.timeArg(c.now()), name); err != nil {
		return nil, fmt.Errorf("create key %s: %w", name, err)
	}
	if err := c.db.QueryRowContext(ctx, `SELECT secret FROM totalrec_keys WHERE name = ?`, name).Scan(&k); err != nil {
		return nil, fmt.Errorf("read key %s: %w", name, err)
	}
	return k, nil
}
