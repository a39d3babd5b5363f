package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/totalrec/totalrec/internal/testsupport/mariadb"
	"github.com/totalrec/totalrec/recordings/catalog"
	"github.com/totalrec/totalrec/recordings/retention"
)

// retNow is the clock of the retention CLI tests (--now).
var retNow = time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)

// retSpool is a spool on disk, scanned into its catalogue, and a policy file.
type retSpool struct {
	root, data, policy, db string
}

func (s retSpool) env() []string {
	return []string{"TOTALREC_SPOOL=" + s.root, "TOTALREC_DB=" + s.db, "TOTALREC_DATA_DIR=" + s.data,
		"TOTALREC_RETENTION_POLICY=" + s.policy, "TZ=UTC"}
}

// newRetSpool writes days day directories of perDay recordings each, the newest
// day one day before retNow, with mtimes a minute after their call, and scans them.
func newRetSpool(t *testing.T, db string, days, perDay int, policy string) retSpool {
	t.Helper()
	base := t.TempDir()
	s := retSpool{root: filepath.Join(base, "monitor"), data: filepath.Join(base, "data"), policy: filepath.Join(base, "retention.conf"), db: db}
	if s.db == "" {
		s.db = "sqlite:" + filepath.Join(s.data, "totalrec.db")
	}
	writeRetFiles(t, s.root, days, perDay)
	must(t, os.WriteFile(s.policy, []byte(policy), 0o644))
	cli(t, s.env(), "scan", "--no-cdr").must(t, exitOK)
	return s
}

// writeRetFiles writes the recordings of newRetSpool under root.
func writeRetFiles(t *testing.T, root string, days, perDay int) {
	t.Helper()
	wav := pcmWAV(800)
	for d := 1; d <= days; d++ {
		day := retNow.AddDate(0, 0, -d)
		dir := filepath.Join(root, day.Format("2006/01/02"))
		must(t, os.MkdirAll(dir, 0o755))
		for i := range perDay {
			ct := day.Add(time.Duration(i) * time.Second)
			name := filepath.Join(dir, fmt.Sprintf("out-74955550%03d-101-%s-%d.%d.wav", i, ct.Format("20060102-150405"), ct.Unix(), i))
			must(t, os.WriteFile(name, wav, 0o644))
			mt := ct.Add(time.Minute)
			must(t, os.Chtimes(name, mt, mt))
		}
	}
}

func (s retSpool) files(t *testing.T) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	filepath.WalkDir(s.root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(s.root, p)
			out[filepath.ToSlash(rel)] = true
		}
		return nil
	})
	return out
}

type planOut struct {
	Plan struct {
		Summary retention.Summary `json:"summary"`
	} `json:"plan"`
	Refused string `json:"refused"`
	Files   []struct {
		ID   int64  `json:"id"`
		Path string `json:"path"`
		Rule string `json:"rule"`
	} `json:"files"`
}

func TestCLI_RetentionPlanAndRun(t *testing.T) {
	for _, b := range []struct{ name, db string }{{"sqlite", ""}, {"mysql", "mysql"}} {
		t.Run(b.name, func(t *testing.T) {
			db := ""
			if b.db == "mysql" {
				db = mariadb.NewDatabase(t, "totalrec_ret_test")
			}
			testRetentionPlanAndRun(t, db)
		})
	}
}

func testRetentionPlanAndRun(t *testing.T, db string) {
	s := newRetSpool(t, db, 10, 20, "max_age = 6d\ngrace = 15m\n")
	now := "--now=" + retNow.Format(time.RFC3339)
	before := s.files(t)

	// Days 7..10 expire: 80 of 200, under max_share. Hold one of them first.
	p := decode[planOut](t, cli(t, s.env(), "retention", "plan", "--json", "--list", now).must(t, exitOK).stdout)
	if p.Plan.Summary.Delete.Files != 80 || len(p.Files) != 80 || p.Refused != "" {
		t.Fatalf("plan: delete %d, %d files listed, refused %q", p.Plan.Summary.Delete.Files, len(p.Files), p.Refused)
	}
	held := p.Files[0]
	cli(t, s.env(), "hold", "add", fmt.Sprint(held.ID), "--reason", "court order 17", "--by", "legal").must(t, exitOK)
	r := cli(t, s.env(), "retention", "plan", now).must(t, exitOK)
	for _, want := range []string{"retention policy from", "delete recordings whose call is older than 6d",
		"79 of 200 recordings would be deleted", "max_age  79", "legal holds protect 1 recordings", held.Path} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("plan output lacks %q:\n%s", want, r.stdout)
		}
	}
	if !strings.HasPrefix(r.stdout, "retention policy from") {
		t.Errorf("plan does not start with the policy:\n%s", r.stdout)
	}
	hl := decode[[]holdJSON](t, cli(t, s.env(), "hold", "ls", "--json").must(t, exitOK).stdout)
	if len(hl) != 1 || hl[0].RecordingID != held.ID || hl[0].Reason != "court order 17" || hl[0].By != "legal" {
		t.Errorf("hold ls: %+v", hl)
	}

	rep := decode[retention.Report](t, cli(t, s.env(), "retention", "run", "--json", now).must(t, exitOK).stdout)
	if rep.Deleted.Files != 79 || rep.Status != retention.StatusDone {
		t.Errorf("run: %+v", rep)
	}
	after := s.files(t)
	for _, f := range p.Files {
		if after[f.Path] != (f.ID == held.ID) {
			t.Errorf("%s: on disk %v after the run", f.Path, after[f.Path])
		}
	}
	if len(after) != len(before)-79 {
		t.Errorf("%d files left, want %d", len(after), len(before)-79)
	}
	c, err := catalog.Open(context.Background(), s.db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	runs, err := c.RetentionRuns(context.Background(), 10)
	if err != nil || len(runs) != 1 || runs[0].DeletedFiles != 79 || runs[0].Status != "done" || !strings.Contains(runs[0].Report, `"max_age"`) {
		t.Errorf("stored runs: %+v %v", runs, err)
	}
	if got, _ := c.Get(context.Background(), held.ID); got.State == "deleted" || !got.Held {
		t.Errorf("held recording: %+v", got)
	}
	// Released, the held one goes on the next run.
	cli(t, s.env(), "hold", "rm", fmt.Sprint(held.ID)).must(t, exitOK)
	// Both hold changes are on the audit trail, against the recording.
	var holdEntries []string
	for _, e := range decode[[]auditJSON](t, cli(t, s.env(), "audit", "ls", "--json").must(t, exitOK).stdout) {
		if e.RecordingID == held.ID {
			holdEntries = append(holdEntries, e.Action)
		}
	}
	if strings.Join(holdEntries, ",") != "hold.rm,hold.add" && strings.Join(holdEntries, ",") != "hold.add,hold.rm" {
		t.Errorf("audit entries of the held recording: %v", holdEntries)
	}
	auditedRuns := 0
	for _, e := range decode[[]auditJSON](t, cli(t, s.env(), "audit", "ls", "--json").must(t, exitOK).stdout) {
		if e.Action == "retention.run" {
			auditedRuns++
		}
	}
	if auditedRuns == 0 {
		t.Error("no retention run on the audit trail")
	}
	rep = decode[retention.Report](t, cli(t, s.env(), "retention", "run", "--json", now).must(t, exitOK).stdout)
	if rep.Deleted.Files != 1 || s.files(t)[held.Path] {
		t.Errorf("after release: %+v", rep)
	}
}

func TestCLI_RetentionRefusals(t *testing.T) {
	s := newRetSpool(t, "", 4, 5, "max_age = 1d\n")
	now := "--now=" + retNow.Format(time.RFC3339)
	n := len(s.files(t))

	// 15 of 20 would go: more than max_share.
	r := cli(t, s.env(), "retention", "run", now).must(t, exitRefused)
	if !strings.Contains(r.stderr, "more than max_share 50%") {
		t.Errorf("stderr: %s", r.stderr)
	}
	// A clock ten years ahead: everything is old; refused.
	cli(t, s.env(), "retention", "run", "--now="+retNow.AddDate(10, 0, 0).Format(time.RFC3339)).must(t, exitRefused)
	// An empty policy and a missing one delete nothing.
	must(t, os.WriteFile(s.policy, []byte("# to be decided\ngrace = 1h\n"), 0o644))
	// Nothing to do is not a failure: the nightly job with the installed policy
	// (every rule commented out) exits 0.
	r = cli(t, s.env(), "retention", "run", "--force", now).must(t, exitOK)
	if !strings.Contains(r.stdout, "no rule: nothing is deleted") || !strings.Contains(r.stdout, "nothing to do") {
		t.Errorf("empty policy:\n%s\n%s", r.stdout, r.stderr)
	}
	cli(t, s.env(), "retention", "plan", now).must(t, exitOK)
	r = cli(t, s.env(), "retention", "plan", "--policy", s.policy+".missing").must(t, exitError)
	if !strings.Contains(r.stderr, "no such file") || !strings.Contains(r.stderr, "nothing is deleted") {
		t.Errorf("missing policy: %s", r.stderr)
	}
	must(t, os.WriteFile(s.policy, []byte("max_age = 2d\nmax_age = 3x\n"), 0o644))
	r = cli(t, s.env(), "retention", "plan").must(t, exitError)
	if !strings.Contains(r.stderr, "retention.conf:2: max_age: already set on line 1") {
		t.Errorf("bad policy: %s", r.stderr)
	}
	// Another run holds the lock.
	must(t, os.WriteFile(s.policy, []byte("max_age = 1d\n"), 0o644))
	release, err := retention.Lock(s.data)
	if err != nil {
		t.Fatal(err)
	}
	r = cli(t, s.env(), "retention", "run", "--force", now).must(t, exitRefused)
	if !strings.Contains(r.stderr, "another retention run holds the lock") {
		t.Errorf("locked: %s", r.stderr)
	}
	release()
	if got := len(s.files(t)); got != n {
		t.Fatalf("refused runs deleted %d files", n-got)
	}
	cli(t, s.env(), "retention", "run", "--force", now).must(t, exitOK)
	if got := len(s.files(t)); got != 5 {
		t.Errorf("%d files after the forced run, want 5", got)
	}
}

// TestCLI_RetentionPolicyFromConfig: retention_policy in the config file names the
// policy (the FreePBX module's bundled install keeps it beside its own config),
// and --policy still wins over it.
func TestCLI_RetentionPolicyFromConfig(t *testing.T) {
	s := newRetSpool(t, "", 3, 2, "max_age = 2d\ngrace = 15m\n")
	now := "--now=" + retNow.Format(time.RFC3339)
	conf := filepath.Join(t.TempDir(), "totalrec.conf")
	must(t, os.WriteFile(conf, []byte("retention_policy = "+s.policy+"\n"), 0o644))
	env := []string{"TOTALREC_SPOOL=" + s.root, "TOTALREC_DB=" + s.db, "TOTALREC_DATA_DIR=" + s.data, "TZ=UTC"}
	r := cli(t, env, "--config", conf, "retention", "plan", now).must(t, exitOK)
	for _, want := range []string{"retention policy from " + s.policy, "2 of 6 recordings would be deleted"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("plan with retention_policy in the config: no %q in\n%s", want, r.stdout)
		}
	}
	other := filepath.Join(t.TempDir(), "keep.conf")
	must(t, os.WriteFile(other, []byte("# no rule\n"), 0o644))
	r = cli(t, env, "--config", conf, "retention", "plan", "--policy", other, now).must(t, exitOK)
	if !strings.Contains(r.stdout, "nothing to do: "+other) {
		t.Errorf("--policy did not win over the config's retention_policy:\n%s", r.stdout)
	}
	r = cli(t, env, "--config", conf, "config").must(t, exitOK)
	if !strings.Contains(r.stdout, s.policy) {
		t.Errorf("totalrec config does not show retention_policy:\n%s", r.stdout)
	}
}
