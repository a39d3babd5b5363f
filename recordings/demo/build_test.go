package demo

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/totalrec/totalrec/recordings/cdr"
)

// TestBuildOutsideOfficeHours builds short demos at the hours a newcomer may run
// `totalrec demo` (a Sunday morning, a Monday before eight, a Tuesday noon) and
// checks that each holds calls, on working days only and none after its clock.
func TestBuildOutsideOfficeHours(t *testing.T) {
	moscow := time.FixedZone("MSK", 3*3600)
	for _, c := range []struct {
		now  time.Time
		days []string // the day directories the calls may fall in
	}{
		{time.Date(2026, 12, 6, 5, 0, 0, 0, moscow), []string{"2026/12/03", "2026/12/04"}},  // Sunday
		{time.Date(2026, 12, 7, 7, 59, 0, 0, moscow), []string{"2026/12/03", "2026/12/04"}}, // Monday
		{time.Date(2026, 12, 8, 12, 0, 0, 0, moscow), []string{"2026/12/07", "2026/12/08"}}, // Tuesday
	} {
		t.Run(c.now.Format("Mon 15:04"), func(t *testing.T) {
			dir := t.TempDir()
			db, err := sql.Open("sqlite", filepath.Join(dir, "cdr.sqlite"))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			spool := filepath.Join(dir, "monitor")
			sum, err := Build(context.Background(), Options{Spool: spool, CDR: db, CDRDialect: cdr.SQLite,
				Days: 2, CallsPerDay: 6, Seed: 1, Now: c.now, Loc: moscow})
			if err != nil {
				t.Fatal(err)
			}
			if sum.Calls == 0 || sum.Recordings == 0 {
				t.Fatalf("an empty demo: %+v", sum)
			}
			err = filepath.WalkDir(spool, func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				rel, _ := filepath.Rel(spool, p)
				if day := filepath.ToSlash(filepath.Dir(rel)); !strings.HasPrefix(day, c.days[0]) && !strings.HasPrefix(day, c.days[1]) {
					t.Errorf("%s: outside the working days %v", rel, c.days)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
