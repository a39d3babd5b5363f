package demo

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/cdr"
)

// Options say how much to build and where.
type Options struct {
	Spool       string      // the spool root to fill; must not exist yet or be empty
	CDR         *sql.DB     // where to create the cdr table (FreePBX 16 shape)
	CDRDialect  cdr.Dialect // cdr.SQLite or cdr.MySQL
	Days        int         // days of history, ending with the last working day (see lastWorkday); default 60
	CallsPerDay int         // busiest weekday's calls; default 40 (weekends get a quarter, at least one)
	Seed        uint64
	Now         time.Time
	Loc         *time.Location
	// Progress, when set, is called after each day is written with the
	// recordings written so far and the days done of days.
	Progress func(recordings, done, days int)
}

// Summary counts what Build wrote.
type Summary struct {
	Calls      int   `json:"calls"`
	Recordings int   `json:"recordings"`
	Empty      int   `json:"empty"`
	Other      int   `json:"unrecognised"`
	Bytes      int64 `json:"bytes"`
	CDRRows    int   `json:"cdr_rows"`
}

// formats is the mix of MIXMON_FORMAT values the demo PBX has used, by weight:
// every format Totalrec plays, and G.729, which it cannot decode (the player
// says so and offers the original).
var formats = []struct {
	ext    string
	weight int
}{{"WAV", 50}, {"gsm", 28}, {"wav", 5}, {"ulaw", 5}, {"alaw", 3}, {"sln", 2}, {"g722", 3}, {"wav16", 2}, {"sln16", 1}, {"g729", 1}}

// Build writes the spool and the CDR table.
func Build(ctx context.Context, o Options) (Summary, error) {
	var sum Summary
	if o.Days <= 0 {
		o.Days = 60
	}
	if o.CallsPerDay <= 0 {
		o.CallsPerDay = 40
	}
	if o.Loc == nil {
		o.Loc = time.Local
	}
	if ents, err := os.ReadDir(o.Spool); err == nil && len(ents) > 0 {
		return sum, fmt.Errorf("build demo: %s is not empty: %w", o.Spool, recordings.ErrRefused)
	}
	if err := os.MkdirAll(o.Spool, 0o755); err != nil {
		return sum, fmt.Errorf("build demo: %w", err)
	}
	convs := map[string]*conversation{}
	for _, lang := range []string{"en", "ru"} {
		c, err := loadConversation(lang)
		if err != nil {
			return sum, err
		}
		convs[lang] = c
	}
	if err := cdr.CreateTable(ctx, o.CDR, o.CDRDialect, "cdr", cdr.Schema16); err != nil {
		return sum, fmt.Errorf("build demo: %w", err)
	}

	p := newPBX(o.Seed, o.Loc)
	now := lastWorkday(o.Now.In(o.Loc))
	first := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, o.Loc).AddDate(0, 0, -o.Days+1)
	var rows []recordings.CDR
	done := 0
	heard := map[string]bool{} // the formats of recordings with audio
	for day := first; !day.After(now); day = day.AddDate(0, 0, 1) {
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		// By the end, the demo has a recording with audio in every format: the
		// last two days take the ones not heard yet first.
		lastDays := day.AddDate(0, 0, 2).After(now)
		n := o.CallsPerDay
		n = n*3/4 + p.rng.IntN(n/2+1)
		if weekend(day) {
			n = max(1, n/4)
		}
		legacy := day.Before(first.AddDate(0, 0, o.Days/6))
		for i := 0; i < n; i++ {
			t := p.callTime(day)
			if t.After(now) {
				continue
			}
			if lastDays && len(p.formats) == 0 {
				for _, f := range formats {
					if !heard[f.ext] {
						p.formats = append(p.formats, f.ext)
					}
				}
			}
			c := p.call(t, legacy)
			lang := "ru"
			if p.rng.IntN(3) == 0 {
				lang = "en"
			}
			for _, f := range c.files {
				size, err := writeRecording(o.Spool, f, convs[lang])
				if err != nil {
					return sum, fmt.Errorf("build demo: %w", err)
				}
				sum.Recordings++
				sum.Bytes += size
				if f.secs == 0 {
					sum.Empty++
				} else {
					heard[f.ext] = true
				}
			}
			if p.rng.IntN(100) > 0 { // one call in a hundred lost its CDR row
				rows = append(rows, c.cdr...)
			}
			sum.Calls++
		}
		if n, err := p.strays(o.Spool, day, convs["en"]); err != nil {
			return sum, fmt.Errorf("build demo: %w", err)
		} else {
			sum.Other += n
			sum.Recordings += n
		}
		if done++; o.Progress != nil {
			o.Progress(sum.Recordings, done, o.Days)
		}
	}
	if err := cdr.Insert(ctx, o.CDR, o.CDRDialect, "cdr", rows); err != nil {
		return sum, fmt.Errorf("build demo: %w", err)
	}
	sum.CDRRows = len(rows)
	return sum, nil
}

// Office hours: callTime starts calls from officeOpens:00 to the hour before
// officeCloses, busiest late morning.
const (
	officeOpens  = 8
	officeCloses = officeOpens + 11
)

// lastWorkday is the demo's clock: now during a weekday's office hours or after
// them; before they open, or on a weekend, the close of the last weekday. A demo
// built on a Sunday morning, or with a day or two of history before 8 o'clock,
// then still shows that many working days of calls.
func lastWorkday(now time.Time) time.Time {
	for now.Hour() < officeOpens || weekend(now) {
		y, m, d := now.Date()
		now = time.Date(y, m, d-1, officeCloses, 0, 0, 0, now.Location())
	}
	return now
}

func weekend(t time.Time) bool { return t.Weekday() == time.Saturday || t.Weekday() == time.Sunday }

// callTime draws a start time in office hours, busiest late morning.
func (p *pbx) callTime(day time.Time) time.Time {
	h := officeOpens + p.rng.IntN(6) + p.rng.IntN(6) // up to officeCloses-1
	return day.Add(time.Duration(h)*time.Hour + time.Duration(p.rng.IntN(3600))*time.Second)
}

// call draws one call of a kind, recorded in one of the formats.
func (p *pbx) call(t time.Time, legacy bool) call {
	ext := p.format()
	if legacy {
		return p.legacy(t, "WAV")
	}
	switch n := p.rng.IntN(100); {
	case n < 50:
		return p.inbound(t, ext)
	case n < 82:
		return p.outbound(t, ext)
	case n < 99:
		return p.internal(t, ext)
	default:
		return p.conference(t, "WAV")
	}
}

func (p *pbx) format() string {
	if len(p.formats) > 0 {
		f := p.formats[0]
		p.formats = p.formats[1:]
		return f
	}
	n := p.rng.IntN(100)
	for _, f := range formats {
		if n < f.weight {
			return f.ext
		}
		n -= f.weight
	}
	return "WAV"
}

// strays leaves, now and then, a file no FreePBX dialplan names: a copy an admin
// made, a test recording. Totalrec must catalogue them as "other", not lose them.
func (p *pbx) strays(spool string, day time.Time, c *conversation) (int, error) {
	if p.rng.IntN(10) != 0 {
		return 0, nil
	}
	f := file{dir: dayDir(day), name: fmt.Sprintf("test-recording-%d", p.rng.IntN(1000)), ext: "wav", secs: 4, mtime: day.Add(17 * time.Hour)}
	_, err := writeRecording(spool, f, c)
	return 1, err
}

func writeRecording(spool string, f file, c *conversation) (int64, error) {
	dir := filepath.Join(spool, filepath.FromSlash(f.dir))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	name := filepath.Join(dir, f.name+"."+f.ext)
	size, err := c.writeFile(name, f.ext, f.secs)
	if err != nil {
		return 0, err
	}
	return size, os.Chtimes(name, f.mtime, f.mtime)
}
