package catalog

import (
	"context"
	"fmt"
	"strings"

	"github.com/totalrec/totalrec/internal/sqlrows"
)

// Purge drops every table of Totalrec's (the totalrec_ prefix) and nothing else,
// whatever the schema's version. It is for uninstalling; the
// recordings and the CDR are not touched. It returns the tables dropped.
func (c *Catalog) Purge(ctx context.Context) ([]string, error) {
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'totalrec\_%' ESCAPE '\'`
	if c.dialect == DialectMySQL {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE 'totalrec\_%'`
	}
	tables, err := sqlrows.All(ctx, c.db, scanString, q)
	if err != nil {
		return nil, fmt.Errorf("purge: %w", err)
	}
	conn, err := c.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("purge: %w", err)
	}
	defer conn.Close()
	off, on := "PRAGMA foreign_keys = OFF", "PRAGMA foreign_keys = ON"
	if c.dialect == DialectMySQL {
		off, on = "SET FOREIGN_KEY_CHECKS = 0", "SET FOREIGN_KEY_CHECKS = 1"
	}
	if _, err := conn.ExecContext(ctx, off); err != nil {
		return nil, fmt.Errorf("purge: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), on)
	for _, t := range tables {
		// t comes from the schema listing above and carries our prefix; it is quoted
		// as an identifier, never built from input.
		if !strings.HasPrefix(t, "totalrec_") || strings.ContainsAny(t, "`\"") {
			continue
		}
		if _, err := conn.ExecContext(ctx, "DROP TABLE IF EXISTS `"+t+"`"); err != nil {
			return nil, fmt.Errorf("purge: drop %s: %w", t, err)
		}
	}
	return tables, nil
}
