package retention

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

func TestParse(t *testing.T) {
	p, err := Parse(strings.NewReader(`
# the nightly policy
max_age = 365d
max_age.type.in = 90d       # inbound
max_age.direction.out = 26w
max_age.ext.101, 102 = 30d
max_age.queue.700 = 2y
max_age.did.74951234567 = never
empty_after = 1h
min_free = 10%
max_spool = 500G
grace = 20m
max_share = 25.5%
clear_cdr_recordingfile = yes
`), "retention.conf")
	if err != nil {
		t.Fatal(err)
	}
	day := 24 * time.Hour
	checks := []struct {
		name      string
		got, want any
	}{
		{"max_age", p.MaxAge, Age{D: 365 * day}},
		{"type.in", p.ByType["in"], Age{D: 90 * day}},
		{"direction.out", p.ByDirection["out"], Age{D: 26 * 7 * day}},
		{"ext.101", p.ByExt["101"], Age{D: 30 * day}},
		{"ext.102", p.ByExt["102"], Age{D: 30 * day}},
		{"queue.700", p.ByQueue["700"], Age{D: 2 * 365 * day}},
		{"did", p.ByDID["74951234567"], Age{Never: true}},
		{"empty_after", p.EmptyAfter, time.Hour},
		{"min_free", p.MinFree, 10.0},
		{"max_spool", p.MaxSpool, int64(500) << 30},
		{"grace", p.Grace, 20 * time.Minute},
		{"max_share", p.MaxShare, 25.5},
		{"clear_cdr_recordingfile", p.ClearCDR, true},
		{"scoped", p.Scoped(), true},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if p.Empty() {
		t.Error("Empty")
	}
	if d, ok := p.Longest(); ok {
		t.Errorf("Longest = %v, true; want false (a never rule)", d)
	}
}

func TestParseDefaults(t *testing.T) {
	p, err := Parse(strings.NewReader("max_age = 90d"), "x")
	if err != nil {
		t.Fatal(err)
	}
	if p.Grace != DefaultGrace || p.MaxShare != DefaultMaxShare || p.Watermark() || p.EmptyAfter != 0 || p.ClearCDR || p.Scoped() {
		t.Errorf("defaults: %+v", p)
	}
	if d, ok := p.Longest(); !ok || d != 90*24*time.Hour {
		t.Errorf("Longest = %v %v", d, ok)
	}
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"max_age 365d", "conf:1: want key = value"},
		{"\n\nmax_age = ", "conf:3: max_age: no value"},
		{"max_age = 365", "conf:1: max_age"},
		{"max_age = -5d", "conf:1: max_age"},
		{"max_age = 5x", "conf:1: max_age"},
		{"max_age = 1d\nmax_age = 2d", "conf:2: max_age: already set on line 1"},
		{"maxage = 1d", `unknown key "maxage"`},
		{"max_age.room.1 = 1d", `unknown scope "room"`},
		{"max_age.ext. = 1d", "want max_age.<ext"},
		{"max_age.ext.1,,2 = 1d", "empty name"},
		{"max_age.ext.1,1 = 1d", "given twice"},
		{"max_age.direction.sideways = 1d", "want in, out or internal"},
		{"min_free = 10", "want a percentage"},
		{"min_free = 100%", "below 100%"},
		{"max_share = 0%", "refuse every run"},
		{"max_spool = lots", "want a size"},
		{"max_spool = 0G", "want a size"},
		{"grace = 10s", "below the minimum"},
		{"empty_after = 99999999y", "empty_after"},
		{"clear_cdr_recordingfile = maybe", "want yes or no"},
	} {
		_, err := Parse(strings.NewReader(c.text), "retention.conf")
		if err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, recordings.ErrInvalid) {
			t.Errorf("Parse(%q) = %v, want an ErrInvalid containing %q", c.text, err, c.want)
		}
	}
}

func TestLoadFileMissing(t *testing.T) {
	_, err := LoadFile(filepath.Join(t.TempDir(), "retention.conf"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("LoadFile of a missing file: %v", err)
	}
}

func TestPolicyString(t *testing.T) {
	p, _ := Parse(strings.NewReader("max_age = 365d\nmax_age.ext.101 = 30d\nmax_spool = 1536M\nempty_after = 90m"), "/etc/totalrec/retention.conf")
	s := p.String()
	for _, want := range []string{
		"retention policy from /etc/totalrec/retention.conf:",
		"delete recordings whose call is older than 365d",
		"delete extension 101 recordings older than 30d",
		"delete empty recordings (44 bytes or less) 90m after",
		"spool holds more than 1536M",
		"written in the last 15m",
		"more than 50% of all recordings",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("String() lacks %q:\n%s", want, s)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add("max_age = 365d\nmax_age.ext.1,2 = never\nmin_free = 5%\nmax_spool = 2T")
	f.Add("grace = 1m # c\n\n=\n")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(strings.NewReader(s), "f")
		if err != nil {
			if !errors.Is(err, recordings.ErrInvalid) {
				t.Fatalf("error %v is not ErrInvalid", err)
			}
			return
		}
		if p.Grace < MinGrace || p.MaxShare <= 0 || p.MinFree >= 100 {
			t.Fatalf("accepted an unsafe policy: %+v", p)
		}
		_ = p.String()
	})
}
