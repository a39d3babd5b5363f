package catalog

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

// TestMigrations: Open applies every step once, in order, and records the version;
// opening again applies nothing and keeps the data; a catalogue written by a newer
// program is refused.
func TestMigrations(t *testing.T) {
	eachDSN(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		c, err := Open(ctx, dsn, nil)
		if err != nil {
			t.Fatal(err)
		}
		if v, err := c.SchemaVersion(ctx); err != nil || v != len(migrations) {
			t.Fatalf("fresh: version %d, %v; want %d", v, err, len(migrations))
		}
		for _, table := range storeTables {
			if ok, err := c.hasTable(ctx, table); err != nil || !ok {
				t.Errorf("fresh: no table %s (%v)", table, err)
			}
		}
		mustUpsert(t, c, rec("2026/11/26/a.wav", 0))
		c.Close()

		// Re-opening applies nothing and keeps the data.
		c = openTest(t, dsn)
		mustGet(t, c, "2026/11/26/a.wav")
		var n int
		if err := c.DB().QueryRow(`SELECT COUNT(*) FROM totalrec_schema_version`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("version rows = %d, %v; want 1", n, err)
		}

		// A catalogue written by a newer program is refused, by Open and CheckSchema.
		if _, err := c.DB().Exec(`UPDATE totalrec_schema_version SET version = ?`, len(migrations)+1); err != nil {
			t.Fatal(err)
		}
		if err := c.CheckSchema(ctx); !errors.Is(err, ErrSchemaTooNew) {
			t.Errorf("CheckSchema of a newer catalogue = %v, want ErrSchemaTooNew", err)
		}
		c.Close()
		if c2, err := Open(ctx, dsn, nil); !errors.Is(err, ErrSchemaTooNew) {
			if c2 != nil {
				c2.Close()
			}
			t.Fatalf("Open newer catalogue = %v, want ErrSchemaTooNew", err)
		}
	})
}

// storeTables are the tables the migrations make.
var storeTables = []string{"totalrec_recordings", "totalrec_numbers", "totalrec_dirs", "totalrec_users",
	"totalrec_sessions", "totalrec_tokens", "totalrec_shares", "totalrec_keys", "totalrec_audit",
	"totalrec_sso_nonces", "totalrec_retention_runs", "totalrec_holds", "totalrec_webhooks",
	"totalrec_webhook_outbox", "totalrec_settings", "totalrec_schema_version"}

// The bookkeeping of the totalrec that kept applied steps per component, before
// the one migration list: its table, and the components and steps it recorded
// (catalog 1; auth 1 and 2; retention 1; webhook 1). Its steps' DDL is the DDL of
// migrations 1-5, which never changes once released.
var legacyMigrationsDDL = map[string]string{
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

// legacyStep is one step as the per-component bookkeeping recorded it, with the
// index of its DDL in migrations.
type legacyStep struct {
	component string
	version   int
	step      int
}

var legacySteps = []legacyStep{{"catalog", 1, 0}, {"auth", 1, 1}, {"auth", 2, 2}, {"retention", 1, 3}, {"webhook", 1, 4}}

// makeLegacy builds, on an empty database, a catalogue as that totalrec left it
// with the steps given: the tables and the bookkeeping, no totalrec_schema_version.
func makeLegacy(t *testing.T, c *Catalog, steps []legacyStep) {
	t.Helper()
	db := c.DB()
	if _, err := db.Exec(legacyMigrationsDDL[c.Dialect()]); err != nil {
		t.Fatal(err)
	}
	for _, s := range steps {
		stmts := migrations[s.step].sqlite
		if c.Dialect() == DialectMySQL {
			stmts = migrations[s.step].mysql
		}
		for _, q := range stmts {
			if _, err := db.Exec(q); err != nil {
				t.Fatalf("%s step %d: %v", s.component, s.version, err)
			}
		}
		_, err := db.Exec(`INSERT INTO totalrec_schema_migrations (component, version, name, applied_at) VALUES (?, ?, ?, ?)`,
			s.component, s.version, migrations[s.step].name, c.timeArg(time.Now()))
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestAdoptLegacyCatalogue: a catalogue made by the totalrec that migrated per
// component — with every component, or with the catalogue's own tables only (it was
// never served) — is behind for the commands that only read, and Open adopts it:
// every table exists, the data stays, the version is current and the old
// bookkeeping is gone.
func TestAdoptLegacyCatalogue(t *testing.T) {
	for name, steps := range map[string][]legacyStep{"every component": legacySteps, "catalogue only": legacySteps[:1]} {
		t.Run(name, func(t *testing.T) {
			eachDSN(t, func(t *testing.T, dsn string) {
				ctx := context.Background()
				// An empty database: a catalogue opened and its tables dropped.
				blank := openTest(t, dsn)
				if _, err := blank.Purge(ctx); err != nil {
					t.Fatal(err)
				}
				makeLegacy(t, blank, steps)
				blank.Close()

				old, err := Open(ctx, dsn, testLogger(t), Existing())
				if err != nil {
					t.Fatalf("Existing on a legacy catalogue: %v", err)
				}
				if err := old.CheckSchema(ctx); !errors.Is(err, ErrSchemaTooOld) {
					t.Errorf("CheckSchema of a legacy catalogue = %v, want ErrSchemaTooOld", err)
				}
				// The legacy program's row, in the columns its schema has.
				if _, err := old.DB().Exec(`INSERT INTO totalrec_recordings (path, dir, mtime, state, call_time, created_at, updated_at)
					VALUES (?, ?, ?, 'ok', ?, ?, ?)`, "2026/11/26/kept.wav", "2026/11/26", old.timeArg(t0), old.timeArg(t0), old.timeArg(t0), old.timeArg(t0)); err != nil {
					t.Fatal(err)
				}
				old.Close()

				c := openTest(t, dsn)
				if v, err := c.SchemaVersion(ctx); err != nil || v != len(migrations) {
					t.Fatalf("adopted: version %d, %v; want %d", v, err, len(migrations))
				}
				if err := c.CheckSchema(ctx); err != nil {
					t.Errorf("CheckSchema after adoption: %v", err)
				}
				for _, table := range storeTables {
					if ok, err := c.hasTable(ctx, table); err != nil || !ok {
						t.Errorf("adopted: no table %s (%v)", table, err)
					}
				}
				if ok, err := c.hasTable(ctx, legacyVersionTable); err != nil || ok {
					t.Errorf("adopted: %s is still there (%v)", legacyVersionTable, err)
				}
				mustGet(t, c, "2026/11/26/kept.wav")
				if _, err := c.AddHold(ctx, recordings.Hold{RecordingID: mustGet(t, c, "2026/11/26/kept.wav").ID, Reason: "audit", Since: t0}); err != nil {
					t.Errorf("a hold on the adopted catalogue: %v", err)
				}
			})
		})
	}
}

// TestConcurrentOpensMigrateOnce: processes that open a new catalogue at the same
// moment (the daemon and a cron job) take turns: every Open succeeds, each step is
// applied once, and the version is current.
func TestConcurrentOpensMigrateOnce(t *testing.T) {
	eachDSN(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		const n = 4
		errs := make(chan error, n)
		for range n {
			go func() {
				c, err := Open(ctx, dsn, testLogger(t))
				if err == nil {
					c.Close()
				}
				errs <- err
			}()
		}
		for range n {
			if err := <-errs; err != nil {
				t.Errorf("a concurrent Open: %v", err)
			}
		}
		c := openTest(t, dsn)
		if v, err := c.SchemaVersion(ctx); err != nil || v != len(migrations) {
			t.Fatalf("version %d, %v; want %d", v, err, len(migrations))
		}
		var rows int
		if err := c.DB().QueryRow(`SELECT COUNT(*) FROM totalrec_schema_version`).Scan(&rows); err != nil || rows != 1 {
			t.Errorf("%d version rows, %v; want 1", rows, err)
		}
	})
}
