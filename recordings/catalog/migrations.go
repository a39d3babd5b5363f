package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// ErrSchemaTooNew: the catalogue was migrated by a newer totalrec than this one.
var ErrSchemaTooNew = errors.New("catalogue schema is newer than this program")

// Migration is one numbered schema step, written once per dialect. Versions of a
// component start at 1 and have no gaps; a step never changes once released.
type Migration struct {
	Version int
	Name    string
	SQLite  []string
	MySQL   []string
}

// migrationsDDL creates the table that records applied steps. component lets other
// packages keep their own numbered steps ("catalog", "users", "outbox", …).
var migrationsDDL = map[string]string{
	DialectSQLite: `CREATE TABLE IF NOT EXISTS totalrec_schema_migrations (
		component  TEXT    NOT NULL,
		version    INTEGER NOT NULL,
		name       TEXT    NOT NULL,
		applied_at TEXT    NOT NULL,
		PRIMARY KEY (component, version))`,
	DialectMySQL: `CREATE TABLE IF NOT EXISTS totalrec_schema_migrations (
		component  VARCHAR(64)  NOT NULL,
		version    INT          NOT NULL,
		name       VARCHAR(255) NOT NULL,
		applied_at DATETIME(6)  NOT NULL,
		PRIMARY KEY (component, version)
	) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
}

// Migrate applies the steps of component that the database lacks, in order. On SQLite
// each step and its bookkeeping row commit together; MySQL commits DDL implicitly,
// so its steps are written to be re-runnable (IF NOT EXISTS). A database that already
// holds a step this program does not know is refused with ErrSchemaTooNew.
func (c *Catalog) Migrate(ctx context.Context, component string, steps []Migration) error {
	for i, s := range steps {
		if s.Version != i+1 {
			return fmt.Errorf("migrate %s: step %d has version %d, want %d", component, i, s.Version, i+1)
		}
	}
	conn, err := c.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", component, err)
	}
	defer conn.Close()
	if c.dialect == DialectMySQL {
		// Serialise concurrent Opens of one database; SQLite's write lock does that there.
		var got sql.NullInt64
		if err := conn.QueryRowContext(ctx, `SELECT GET_LOCK('totalrec_migrate', 60)`).Scan(&got); err != nil {
			return fmt.Errorf("migrate %s: lock: %w", component, err)
		}
		if got.Int64 != 1 {
			return fmt.Errorf("migrate %s: another process holds the migration lock", component)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT RELEASE_LOCK('totalrec_migrate')`)
	}
	if _, err := conn.ExecContext(ctx, migrationsDDL[c.dialect]); err != nil {
		return fmt.Errorf("migrate %s: create migrations table: %w", component, err)
	}
	var current int
	err = conn.QueryRowContext(ctx,
		`SELECT COALESCE(MAX(version), 0) FROM totalrec_schema_migrations WHERE component = ?`,
		component).Scan(&current)
	if err != nil {
		return fmt.Errorf("migrate %s: read version: %w", component, err)
	}
	if current > len(steps) {
		return fmt.Errorf("migrate %s: database is at version %d, this program knows %d: %w",
			component, current, len(steps), ErrSchemaTooNew)
	}
	for _, s := range steps[current:] {
		if err := c.applyStep(ctx, conn, component, s); err != nil {
			return fmt.Errorf("migrate %s: step %d (%s): %w", component, s.Version, s.Name, err)
		}
		c.log.Info("catalogue migrated", "component", component, "version", s.Version, "name", s.Name)
	}
	return nil
}

func (c *Catalog) applyStep(ctx context.Context, conn *sql.Conn, component string, s Migration) error {
	stmts := s.SQLite
	if c.dialect == DialectMySQL {
		stmts = s.MySQL
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx,
		`INSERT INTO totalrec_schema_migrations (component, version, name, applied_at) VALUES (?, ?, ?, ?)`,
		component, s.Version, s.Name, c.timeArg(c.now()))
	if err != nil {
		return err
	}
	return tx.Commit()
}

// catalogMigrations are the catalogue's own steps.
var catalogMigrations = []Migration{
	{Version: 1, Name: "recordings, numbers, dirs", SQLite: sqliteSchemaV1, MySQL: mysqlSchemaV1},
}

// SchemaVersion reports the highest applied step of component (0 if none).
func (c *Catalog) SchemaVersion(ctx context.Context, component string) (int, error) {
	var v int
	err := c.rdb.QueryRowContext(ctx,
		`SELECT COALESCE(MAX(version), 0) FROM totalrec_schema_migrations WHERE component = ?`,
		component).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}
