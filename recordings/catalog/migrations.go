package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// ErrSchemaTooNew: the catalogue was migrated by a newer totalrec than this one.
var ErrSchemaTooNew = errors.New("catalogue schema is newer than this program")

// migration is one schema step, written once per dialect.
type migration struct {
	name          string
	sqlite, mysql []string
}

// migrations is the whole store's schema as one ordered list: step i takes the
// database from version i to version i+1, and totalrec_schema_version holds the
// version. Open applies the steps a database lacks, all of them, whichever command
// opens it; no caller migrates a part. A released step never changes: a change of
// schema is a new step at the end.
//
// MySQL commits DDL as it runs, so a step cut short there is run again whole: every
// step must be re-runnable (IF NOT EXISTS). The five steps below are also what a
// catalogue made before the version table existed runs again when it is adopted
// (see migrate).
var migrations = []migration{
	{"recordings, numbers, dirs", sqliteSchemaV1, mysqlSchemaV1},                // schema.go
	{"users, sessions, tokens, shares, keys, audit", sqliteAuthV1, mysqlAuthV1}, // authschema.go
	{"used single sign-on nonces", sqliteAuthV2, mysqlAuthV2},                   // nonces.go
	{"retention runs, legal holds", sqliteRetentionV1, mysqlRetentionV1},        // retention.go
	{"webhook endpoints, outbox", sqliteWebhooksV1, mysqlWebhooksV1},            // webhooks.go
	{"recordings' CDR userfield", sqliteUserFieldV1, mysqlUserFieldV1},          // search.go
	{"number keys' presence", sqlitePresenceV1, mysqlPresenceV1},                // search_keys.go
	{"settings", sqliteSettingsV1, mysqlSettingsV1},                             // settings.go
	{"seals, manifests", sqliteSealsV1, mysqlSealsV1},                           // seals.go
	{"pauses of recording", sqlitePausesV1, mysqlPausesV1},                      // pauses.go
	{"recording policy and announcement", sqliteConsentV1, mysqlConsentV1},      // consent.go
	{"conversions after the call", sqliteConversionsV1, mysqlConversionsV1},     // conversions.go
	{"archive tier", sqliteArchiveV1, mysqlArchiveV1},                           // archive.go
	{"number keys' node", sqliteKeyNodeV1, mysqlKeyNodeV1},
	{"time index's node", sqliteTimeNodeV1, mysqlTimeNodeV1},    // search_keys.go
	{"number keys to sweep", sqliteKeySweepV1, mysqlKeySweepV1}, // key_sweep.go
}

// versionTable holds one row: the number of steps applied.
const versionTable = "totalrec_schema_version"

// legacyVersionTable is where totalrec kept applied steps per component before the
// one list: a catalogue that has it and no versionTable was made by that totalrec.
const legacyVersionTable = "totalrec_schema_migrations"

var versionDDL = map[string]string{
	DialectSQLite: `CREATE TABLE IF NOT EXISTS ` + versionTable + ` (version INTEGER NOT NULL)`,
	DialectMySQL:  `CREATE TABLE IF NOT EXISTS ` + versionTable + ` (version INT NOT NULL) ENGINE=InnoDB`,
}

// migrate applies the steps the database lacks, in order, each in a transaction
// with the version it reaches (on SQLite the two commit together; on MySQL the DDL
// commits on its own, and the step is re-runnable). Concurrent Opens of one database
// take turns: SQLite's write lock, taken at BEGIN, and a named lock on MySQL.
//
// A catalogue made before the version table (it has legacyVersionTable instead) is
// at version 0: every step runs again, creating the tables it lacks and leaving the
// ones it has as they are, and the legacy table is dropped.
func (c *Catalog) migrate(ctx context.Context) error {
	conn, err := c.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate catalogue: %w", err)
	}
	defer conn.Close()
	if c.dialect == DialectMySQL {
		var got sql.NullInt64
		if err := conn.QueryRowContext(ctx, `SELECT GET_LOCK('totalrec_migrate', 60)`).Scan(&got); err != nil {
			return fmt.Errorf("migrate catalogue: lock: %w", err)
		}
		if got.Int64 != 1 {
			return errors.New("migrate catalogue: another process holds the migration lock")
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT RELEASE_LOCK('totalrec_migrate')`)
	}
	if _, err := conn.ExecContext(ctx, versionDDL[c.dialect]); err != nil {
		return fmt.Errorf("migrate catalogue: create %s: %w", versionTable, err)
	}
	for {
		v, err := c.applyNext(ctx, conn)
		if errors.Is(err, errUpToDate) {
			break
		}
		if err != nil {
			return fmt.Errorf("migrate catalogue: %w", err)
		}
		c.log.Info("catalogue migrated", "version", v, "name", migrations[v-1].name)
	}
	if legacy, err := c.hasTable(ctx, legacyVersionTable); err != nil {
		return fmt.Errorf("migrate catalogue: %w", err)
	} else if legacy {
		if _, err := conn.ExecContext(ctx, `DROP TABLE IF EXISTS `+legacyVersionTable); err != nil {
			return fmt.Errorf("migrate catalogue: drop %s: %w", legacyVersionTable, err)
		}
	}
	return nil
}

// errUpToDate ends migrate's loop.
var errUpToDate = errors.New("up to date")

// applyNext applies the step after the database's version and returns the version
// reached, or errUpToDate.
func (c *Catalog) applyNext(ctx context.Context, conn *sql.Conn) (int, error) {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	v, err := readVersion(ctx, tx)
	if err != nil {
		return 0, err
	}
	switch {
	case v > len(migrations):
		return 0, fmt.Errorf("database is at version %d, this program knows %d: %w", v, len(migrations), ErrSchemaTooNew)
	case v == len(migrations):
		return 0, errUpToDate
	}
	step := migrations[v]
	stmts := step.sqlite
	if c.dialect == DialectMySQL {
		stmts = step.mysql
	}
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return 0, fmt.Errorf("step %d (%s): %w", v+1, step.name, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM `+versionTable); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO `+versionTable+` (version) VALUES (?)`, v+1); err != nil {
		return 0, err
	}
	return v + 1, tx.Commit()
}

// readVersion reads the version row; none is version 0.
func readVersion(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (int, error) {
	var v int
	err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM `+versionTable).Scan(&v)
	return v, err
}

// SchemaVersion reports how many of the migration steps the database has applied:
// 0 for a database without the version table.
func (c *Catalog) SchemaVersion(ctx context.Context) (int, error) {
	ok, err := c.hasTable(ctx, versionTable)
	if err != nil || !ok {
		return 0, err
	}
	v, err := readVersion(ctx, c.rdb)
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

// hasTable reports whether the database has the table.
func (c *Catalog) hasTable(ctx context.Context, name string) (bool, error) {
	q := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?`
	if c.dialect == DialectMySQL {
		q = `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?`
	}
	var n int
	if err := c.rdb.QueryRowContext(ctx, q, name).Scan(&n); err != nil {
		return false, err
	}
	return n > 0, nil
}
