package retention

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// now is the clock of every golden case unless the case moves it.
var now = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// fixture returns a catalogue of varied recordings: ages from an hour to three
// years, every direction, queue and DID recordings, empty files, a file still being
// written, one touched a minute ago, held ones and one already gone.
func fixture() []recordings.Recording {
	day := 24 * time.Hour
	mk := func(id int64, typ, dest, from string, age time.Duration, size int64) recordings.Recording {
		t := now.Add(-age)
		r := recordings.Recording{
			ID: id, Size: size, ModTime: t.Add(5 * time.Minute), CallTime: t, State: recordings.StateOK,
			Name: recordings.Name{Type: typ, Dest: dest, From: from, Time: t},
			Path: t.Format("2006/01/02/") + typ + "-" + dest + "-" + from + t.Format("-20060102-150405-") + "1.wav",
		}
		r.Direction = r.Name.Direction()
		return r
	}
	recs := []recordings.Recording{
		mk(1, "in", "74951234567", "79161112233", 3*365*day, 900_000),
		mk(2, "out", "79161112233", "101", 400*day, 800_000),
		mk(3, "internal", "102", "101", 200*day, 700_000),
		mk(4, "q", "700", "79160000001", 100*day, 600_000),
		mk(5, "in", "74950000000", "79160000002", 95*day, 500_000),
		mk(6, "out", "84951112233", "103", 45*day, 400_000),
		mk(7, "exten", "101", "104", 31*day, 300_000),
		mk(8, "rg", "600", "79160000003", 10*day, 200_000),
		mk(9, "out", "84950000000", "105", 2*day, 100_000),
		mk(10, "in", "74951234567", "79160000004", time.Hour, 90_000),
	}
	empty := mk(11, "in", "74950000000", "79160000005", 3*time.Hour, 44)
	empty.State = recordings.StateEmpty
	freshEmpty := mk(12, "in", "74950000000", "79160000006", 30*time.Minute, 0)
	freshEmpty.ModTime = now.Add(-20 * time.Minute)
	freshEmpty.State = recordings.StateEmpty
	writing := mk(13, "out", "84950000001", "101", 500*day, 2_000_000)
	writing.State = recordings.StateWriting
	touched := mk(14, "out", "84950000002", "102", 500*day, 1_000_000)
	touched.ModTime = now.Add(-time.Minute)
	held := mk(15, "in", "74950000009", "79160000007", 2*365*day, 650_000)
	held.Held = true
	heldYoung := mk(16, "in", "74950000009", "79160000008", 5*day, 150_000)
	heldYoung.Held = true
	gone := mk(17, "out", "84950000003", "101", 900*day, 100)
	gone.State = recordings.StateDeleted
	linked := mk(18, "other", "", "", 60*day, 330_000)
	linked.CDR = recordings.CDR{DID: "74957770000", Src: "79165550000", Dst: "201"}
	linked.Direction = recordings.DirIn
	return append(recs, empty, freshEmpty, writing, touched, held, heldYoung, gone, linked)
}

type goldenCase struct {
	name   string
	policy string
	now    time.Time
	disk   Disk
	force  bool
}

var goldenCases = []goldenCase{
	{name: "default_age", policy: "max_age = 365d"},
	{name: "scoped_ages", policy: `
max_age = 2y
max_age.type.in = 90d
max_age.direction.out = 1y
max_age.ext.101,104 = 30d
max_age.queue.700 = 60d
max_age.did.74951234567 = never
max_age.did.74957770000 = 30d
grace = 10m`},
	{name: "empty_cleanup", policy: "empty_after = 1h"},
	{name: "watermark_min_free", policy: "min_free = 10%\nmax_share = 100%",
		disk: Disk{Total: 100_000_000, Free: 7_000_000, Spool: 10_000_000}},
	{name: "watermark_with_age", policy: "max_age = 365d\nmax_spool = 2M\nempty_after = 1h",
		disk: Disk{Total: 1 << 40, Free: 1 << 39, Spool: 9_000_000}},
	{name: "watermark_unreachable", policy: "max_spool = 1K\nmax_share = 100%",
		disk: Disk{Total: 1 << 40, Free: 1 << 39, Spool: 9_000_000}},
	{name: "clock_ten_years_ahead", policy: "max_age = 365d\nempty_after = 1h", now: now.AddDate(10, 0, 0)},
	{name: "clock_ten_years_ahead_forced", policy: "max_age = 365d", now: now.AddDate(10, 0, 0), force: true},
	{name: "clock_behind", policy: "max_age = 30d\nempty_after = 1h", now: now.AddDate(0, 0, -3)},
}

type goldenDecision struct {
	ID     int64  `json:"id"`
	Path   string `json:"path"`
	Delete bool   `json:"delete"`
	Rule   string `json:"rule"`
	Reason string `json:"reason"`
	Held   string `json:"held_against,omitempty"`
}

type golden struct {
	Policy    []string         `json:"policy"`
	Keep      []goldenDecision `json:"keep"`
	Remove    []goldenDecision `json:"remove"`
	Summary   Summary          `json:"summary"`
	Refused   string           `json:"refused,omitempty"`
	Watermark int64            `json:"watermark_need,omitempty"`
}

func TestPolicyGolden(t *testing.T) {
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			p, err := Parse(strings.NewReader(c.policy), "retention.conf")
			if err != nil {
				t.Fatal(err)
			}
			at := now
			if !c.now.IsZero() {
				at = c.now
			}
			recs := fixture()
			ds := Apply(recs, p, at, c.disk)
			checkInvariants(t, recs, ds, p, at)
			g := golden{Policy: strings.Split(strings.TrimSpace(p.String()), "\n"), Summary: NewSummary(), Watermark: p.Need(c.disk, 0)}
			for _, d := range ds {
				gd := goldenDecision{ID: d.Recording.ID, Path: d.Recording.Path, Delete: d.Delete, Rule: d.Rule, Reason: d.Reason, Held: d.Held}
				if d.Delete {
					g.Remove = append(g.Remove, gd)
				} else {
					g.Keep = append(g.Keep, gd)
				}
				g.Summary.Add(d, time.UTC)
			}
			if err := p.CheckShare(g.Summary, c.force); err != nil {
				if !errors.Is(err, recordings.ErrRefused) {
					t.Fatalf("CheckShare: %v, want ErrRefused", err)
				}
				g.Refused = err.Error()
			}
			got, err := json.MarshalIndent(g, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join("testdata", "policy_"+c.name+".golden.json")
			if *update {
				if err := os.WriteFile(file, append(got, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(bytes.TrimSpace(want), bytes.TrimSpace(got)) {
				t.Errorf("%s differs from the decisions (go test -update rewrites it):\n%s", file, got)
			}
		})
	}
}

// checkInvariants holds for every policy: one decision per recording and in order,
// counts add up, nothing held, being written, within grace or gone is deleted, and
// every decision names a rule.
func checkInvariants(t *testing.T, recs []recordings.Recording, ds []Decision, p Policy, at time.Time) {
	t.Helper()
	if len(ds) != len(recs) {
		t.Fatalf("%d decisions for %d recordings", len(ds), len(recs))
	}
	var keep, remove int
	for i, d := range ds {
		r := d.Recording
		if r.ID != recs[i].ID {
			t.Errorf("decision %d is for recording %d, want %d", i, r.ID, recs[i].ID)
		}
		if d.Rule == "" || d.Reason == "" {
			t.Errorf("recording %d: decision without rule or reason: %+v", r.ID, d)
		}
		if d.Delete {
			remove++
		} else {
			keep++
		}
		if !d.Delete {
			continue
		}
		switch {
		case r.Held:
			t.Errorf("recording %d is held and deleted by %s", r.ID, d.Rule)
		case r.State == recordings.StateWriting:
			t.Errorf("recording %d is being written and deleted by %s", r.ID, d.Rule)
		case at.Sub(r.ModTime) < p.Grace:
			t.Errorf("recording %d is within grace and deleted by %s", r.ID, d.Rule)
		case !live(r.State):
			t.Errorf("recording %d is not on disk and deleted by %s", r.ID, d.Rule)
		}
	}
	if keep+remove != len(recs) {
		t.Errorf("keep %d + remove %d != %d", keep, remove, len(recs))
	}
}

func TestApplyEmptyPolicyDeletesNothing(t *testing.T) {
	p, err := Parse(strings.NewReader("# nothing here\n\n"), "retention.conf")
	if err != nil {
		t.Fatal(err)
	}
	if !p.Empty() {
		t.Fatal("a policy without rules is not Empty")
	}
	for _, d := range Apply(fixture(), p, now.AddDate(50, 0, 0), Disk{Total: 100, Free: 1, Spool: 99}) {
		if d.Delete {
			t.Errorf("empty policy deletes %d (%s)", d.Recording.ID, d.Rule)
		}
	}
	if !strings.Contains(p.String(), "nothing is deleted") {
		t.Errorf("String of an empty policy: %q", p.String())
	}
	never, _ := Parse(strings.NewReader("max_age = never\nmax_age.ext.101 = never"), "x")
	if !never.Empty() {
		t.Error("a policy of only never rules is not Empty")
	}
}

// TestApplyMatchesEvaluator: the streaming form (a pass without cutoff, the
// watermark fed in call-time order, a pass with the cutoff) equals Apply.
func TestApplyMatchesEvaluator(t *testing.T) {
	p, _ := Parse(strings.NewReader("max_age = 365d\nmin_free = 20%"), "x")
	disk := Disk{Total: 50_000_000, Free: 7_000_000}
	recs := fixture()
	want := Apply(recs, p, now, disk)
	e := Evaluator{Policy: p, Now: now}
	var freed int64
	for _, r := range recs {
		if d := e.Decide(r); d.Delete {
			freed += r.Size
		}
	}
	w := NewWatermark(p.Need(disk, freed))
	byTime := append([]recordings.Recording(nil), recs...)
	sortByTime(byTime)
	for _, r := range byTime {
		if !w.Add(e.Decide(r)) {
			break
		}
	}
	e.Cutoff = w.Cutoff()
	for i, r := range recs {
		if d := e.Decide(r); d.Delete != want[i].Delete || d.Rule != want[i].Rule {
			t.Errorf("recording %d: streaming %v %s, Apply %v %s", r.ID, d.Delete, d.Rule, want[i].Delete, want[i].Rule)
		}
	}
}

func sortByTime(recs []recordings.Recording) {
	for i := 1; i < len(recs); i++ {
		for j := i; j > 0 && (recs[j].CallTime.Before(recs[j-1].CallTime) ||
			recs[j].CallTime.Equal(recs[j-1].CallTime) && recs[j].ID < recs[j-1].ID); j-- {
			recs[j], recs[j-1] = recs[j-1], recs[j]
		}
	}
}
