package catalog

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tableCount counts the tables of Totalrec's in the catalogue's database.
func tableCount(t *testing.T, c *Catalog) int {
	t.Helper()
	q := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name LIKE 'totalrec%'`
	if c.Dialect() == DialectMySQL {
		q = `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE 'totalrec%'`
	}
	var n int
	if err := c.DB().QueryRow(q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestOpenExisting: with Existing, Open refuses a catalogue that is not there and
// creates nothing, not even the directory; once a catalogue exists it opens it, and
// CheckSchema finds it current.
func TestOpenExisting(t *testing.T) {
	ctx := context.Background()
	eachDSN(t, func(t *testing.T, dsn string) {
		if _, err := Open(ctx, dsn, nil, Existing()); !errors.Is(err, ErrNoCatalogue) {
			t.Fatalf("Existing on no catalogue: %v, want ErrNoCatalogue", err)
		}
		if file, ok := strings.CutPrefix(dsn, sqlitePrefix); ok {
			if _, err := os.Stat(filepath.Dir(file)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("Existing created the catalogue's directory: %v", err)
			}
			// An empty file is not a catalogue either.
			if err := os.MkdirAll(filepath.Dir(file), 0o750); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, nil, 0o640); err != nil {
				t.Fatal(err)
			}
			if _, err := Open(ctx, dsn, nil, Existing()); !errors.Is(err, ErrNoCatalogue) || !strings.Contains(err.Error(), file) {
				t.Fatalf("Existing on an empty file: %v, want ErrNoCatalogue naming %s", err, file)
			}
		}
		c := openTest(t, dsn) // creates every table
		if err := c.CheckSchema(ctx); err != nil {
			t.Errorf("CheckSchema of a catalogue Open made: %v", err)
		}
		before := tableCount(t, c)
		e, err := Open(ctx, dsn, nil, Existing())
		if err != nil {
			t.Fatalf("Existing on a catalogue: %v", err)
		}
		defer e.Close()
		if err := e.CheckSchema(ctx); err != nil {
			t.Errorf("CheckSchema of a current catalogue: %v", err)
		}
		if n := tableCount(t, e); n != before {
			t.Errorf("%d tables after Existing, %d before", n, before)
		}
	})
}

// TestOpenUnopenableFile: SQLite's "unable to open database file" names the file
// and says what it usually means. A directory in the file's place makes it happen
// even for root.
func TestOpenUnopenableFile(t *testing.T) {
	file := t.TempDir()
	_, err := Open(context.Background(), "sqlite:"+file, nil)
	if err == nil || !strings.Contains(err.Error(), "open catalogue "+file+": ") ||
		!strings.Contains(err.Error(), "a missing directory, or a permission problem") {
		t.Errorf("Open of a directory: %v, want the path and what it means", err)
	}
	if err != nil && strings.Count(err.Error(), "open catalogue") != 1 {
		t.Errorf("the prefix is repeated: %v", err)
	}
}
