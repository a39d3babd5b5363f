package main

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/totalrec/totalrec/internal/testsupport/mariadb"
	"github.com/totalrec/totalrec/recordings/catalog"
)

// existingOnly are commands that must not create the catalogue, with the arguments
// they need to get as far as opening it.
var existingOnly = [][]string{
	{"search"}, {"doctor"}, {"migrate-layout"}, {"audit", "ls"},
	{"user", "ls"}, {"user", "passwd", "demo"}, {"user", "rm", "demo"},
	{"token", "ls"}, {"token", "rm", "crm"},
	{"hold", "ls"}, {"hold", "add", "1", "--reason", "court order"}, {"hold", "rm", "1"},
	{"retention", "plan"}, {"retention", "run"}, {"archive", "status"},
	{"webhook", "ls"}, {"webhook", "rm", "1"}, {"webhook", "dead"}, {"webhook", "retry", "--dead"},
}

// TestCatalogueUsesCoverEveryCommand: every command has decided whether it may
// create the catalogue, and the table names no command that is gone.
func TestCatalogueUsesCoverEveryCommand(t *testing.T) {
	seen := map[string]bool{}
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		if c.RunE != nil || c.Run != nil {
			name := commandName(c)
			seen[name] = true
			if _, ok := catalogueUses[name]; !ok {
				t.Errorf("command %q is not in catalogueUses: decide whether it may create the catalogue", name)
			}
		}
	}
	walk(newRootCommand(&globalOptions{}))
	for name := range catalogueUses {
		if !seen[name] {
			t.Errorf("catalogueUses names %q, which is not a command", name)
		}
	}
	for _, args := range existingOnly {
		name := strings.Join(args[:min(2, len(args))], " ")
		if !seen[name] {
			name = args[0]
		}
		if catalogueUseOf(name) != usesExisting {
			t.Errorf("%q is tested as a command that does not create the catalogue, but may", name)
		}
	}
}

// TestCLI_ReadCommandsCreateNoCatalogue: a command that does not set Totalrec up
// refuses a catalogue that does not exist (exit 2), says which catalogue it looked
// for and where that setting came from, and creates nothing: no SQLite file or
// directory, no table in a MySQL database (on FreePBX, the live asterisk database).
func TestCLI_ReadCommandsCreateNoCatalogue(t *testing.T) {
	base := t.TempDir()
	policy := filepath.Join(base, "retention.conf")
	must(t, os.WriteFile(policy, []byte("max_age = 30d\n"), 0o644))
	env := []string{"TOTALREC_RETENTION_POLICY=" + policy}

	t.Run("sqlite by flag", func(t *testing.T) {
		missing := filepath.Join(base, "nonexistent", "dir")
		db := "sqlite:" + filepath.Join(missing, "x.db")
		for _, args := range existingOnly {
			r := cli(t, env, append([]string{"--db", db}, args...)...)
			if r.code != exitUsage || !strings.Contains(r.stderr, "no catalogue") ||
				!strings.Contains(r.stderr, "db = "+db+", from flag --db") {
				t.Errorf("totalrec --db %s %v: exit %d, want %d naming the catalogue and --db\n%s", db, args, r.code, exitUsage, r.stderr)
			}
		}
		if _, err := os.Stat(filepath.Join(base, "nonexistent")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a read-only command created the catalogue's directory: %v", err)
		}
	})

	t.Run("sqlite by default", func(t *testing.T) {
		data := filepath.Join(base, "data")
		r := cli(t, []string{"TOTALREC_DATA_DIR=" + data}, "search").must(t, exitUsage)
		if !strings.Contains(r.stderr, "sqlite:"+data+"/totalrec.db") || !strings.Contains(r.stderr, "env TOTALREC_DATA_DIR") ||
			strings.Contains(r.stdout, "no recordings match") {
			t.Errorf("search with the default catalogue:\nstdout: %s\nstderr: %s", r.stdout, r.stderr)
		}
		if _, err := os.Stat(data); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("search created the data directory: %v", err)
		}
		// purge has nothing to drop, and says so.
		r = cli(t, []string{"TOTALREC_DATA_DIR=" + data}, "purge", "--yes").must(t, exitOK)
		if !strings.Contains(r.stdout, "nothing to drop") {
			t.Errorf("purge with no catalogue: %s", r.stdout)
		}
		// A setting-up command creates it; then the others work.
		cli(t, []string{"TOTALREC_DATA_DIR=" + data}, "user", "add", "demo", "--role", "admin").must(t, exitOK)
		cli(t, []string{"TOTALREC_DATA_DIR=" + data}, "user", "passwd", "demo").must(t, exitOK)
		cli(t, []string{"TOTALREC_DATA_DIR=" + data}, "search").must(t, exitOK)
	})

	t.Run("sqlite schema behind", func(t *testing.T) {
		spoolDir, dataDir, _ := hookFixture(t)
		db := "sqlite:" + filepath.Join(dataDir, "totalrec.db")
		// A catalogue one schema step behind, as the totalrec before the last
		// step left it: without the table that step adds, at the version before.
		c, err := catalog.Open(context.Background(), db, nil)
		must(t, err)
		v, err := c.SchemaVersion(context.Background())
		must(t, err)
		_, err = c.DB().Exec(`DROP TABLE totalrec_settings`)
		must(t, err)
		_, err = c.DB().Exec(`UPDATE totalrec_schema_version SET version = ?`, v-1)
		must(t, err)
		c.Close()
		e := []string{"TOTALREC_DB=" + db, "TOTALREC_SPOOL=" + spoolDir}
		r := cli(t, e, "search").must(t, exitError)
		if !strings.Contains(r.stderr, "older than this program") || !strings.Contains(r.stderr, "totalrec scan") {
			t.Errorf("search on an old catalogue: %s", r.stderr)
		}
		cli(t, e, "scan", "--no-cdr").must(t, exitOK) // migrates
		cli(t, e, "user", "ls").must(t, exitOK)
	})

	t.Run("sqlite unopenable", func(t *testing.T) {
		dir := t.TempDir() // a directory where the file should be
		r := cli(t, nil, "--db", "sqlite:"+dir, "search").must(t, exitError)
		if strings.Count(r.stderr, "open catalogue") != 1 || !strings.Contains(r.stderr, "open catalogue "+dir+": ") ||
			!strings.Contains(r.stderr, "a missing directory, or a permission problem") {
			t.Errorf("search on an unopenable catalogue: %s", r.stderr)
		}
	})

	t.Run("mysql", func(t *testing.T) {
		dsn := mariadb.NewDatabase(t, "totalrec_nocreate_test")
		e := append([]string{"TOTALREC_DB=" + dsn}, env...)
		for _, args := range existingOnly {
			r := cli(t, e, args...)
			if r.code != exitUsage || !strings.Contains(r.stderr, "holds no totalrec tables") || !strings.Contains(r.stderr, "from env TOTALREC_DB") {
				t.Errorf("totalrec %v on an empty database: exit %d, want %d\n%s", args, r.code, exitUsage, r.stderr)
			}
		}
		db, err := sql.Open("mysql", dsn)
		must(t, err)
		defer db.Close()
		tables := func() int {
			var n int
			must(t, db.QueryRow(`SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()`).Scan(&n))
			return n
		}
		if n := tables(); n != 0 {
			t.Fatalf("%d tables in the database after read-only commands", n)
		}
		cli(t, e, "purge", "--yes").must(t, exitOK)
		cli(t, e, "user", "add", "demo", "--role", "admin").must(t, exitOK)
		if tables() == 0 {
			t.Error("user add created no tables")
		}
		cli(t, e, "user", "passwd", "demo").must(t, exitOK)
	})
}
