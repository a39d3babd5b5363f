package main

import (
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/daemon"
)

type demoJSON struct {
	Dir    string `json:"dir"`
	Config string `json:"config"`
	Built  *struct {
		Calls, Recordings, Empty int
		CDRRows                  int `json:"cdr_rows"`
	} `json:"built"`
	Scan   daemon.ScanResult   `json:"scan"`
	Latest recordings.PageJSON `json:"latest"`
}

// TestCLI_Demo builds a small demo PBX, catalogues it, and searches it the way the
// README tells a newcomer to.
func TestCLI_Demo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	d := decode[demoJSON](t, cli(t, nil, "demo", "--dir", dir, "--days", "12", "--calls-per-day", "12", "--json", "--no-serve").must(t, exitOK).stdout)
	if d.Built == nil || d.Built.Recordings < 50 || d.Built.Empty == 0 || d.Built.CDRRows < d.Built.Calls {
		t.Fatalf("built %+v", d.Built)
	}
	if d.Scan.Scan.New != d.Built.Recordings || d.Scan.Scan.Oddities != 0 {
		t.Errorf("scan %+v, want %d new and no oddities", d.Scan.Scan, d.Built.Recordings)
	}
	if d.Scan.CDR == nil || d.Scan.CDR.Linked < d.Built.Recordings*9/10 {
		t.Errorf("CDR %+v: fewer than 90%% of %d recordings linked", d.Scan.CDR, d.Built.Recordings)
	}
	if len(d.Latest.Items) == 0 || d.Latest.Items[0].State != "ok" {
		t.Fatalf("latest %+v", d.Latest)
	}

	// The second run reuses the demo and finds nothing new.
	again := cli(t, nil, "demo", "--dir", dir, "--no-serve").must(t, exitOK).stdout
	if !strings.Contains(again, "using the demo PBX") || !strings.Contains(again, "0 new") {
		t.Errorf("second run:\n%s", again)
	}

	db := []string{"--db", "sqlite:" + filepath.Join(dir, "totalrec.db")}
	// A caller's last four digits find their calls.
	var caller recordings.RecordingJSON
	for _, it := range d.Latest.Items {
		if it.Type == "in" && len(it.Src) > 6 {
			caller = it
			break
		}
	}
	if caller.ID == 0 {
		t.Fatalf("no inbound call among the latest: %+v", d.Latest.Items)
	}
	suffix := caller.Src[len(caller.Src)-4:]
	p := decode[recordings.PageJSON](t, cli(t, nil, append(db, "search", "--number", suffix, "--json")...).must(t, exitOK).stdout)
	found := false
	for _, it := range p.Items {
		found = found || it.ID == caller.ID
		if !strings.HasSuffix(it.Src, suffix) && !strings.HasSuffix(it.Dst, suffix) && !strings.HasSuffix(it.From, suffix) &&
			!strings.HasSuffix(it.Dest, suffix) && !strings.HasSuffix(it.CNum, suffix) && !strings.HasSuffix(it.DID, suffix) {
			t.Errorf("--number %s matched %+v", suffix, it)
		}
	}
	if !found {
		t.Errorf("--number %s did not find recording %d", suffix, caller.ID)
	}

	// Filters combine; the human table ends with a count.
	out := cli(t, nil, append(db, "search", "--type", "out", "--min-duration", "0:20", "--hide-empty", "--limit", "5")...).must(t, exitOK).stdout
	if !strings.Contains(out, "shown of") || strings.Contains(out, " in ") {
		t.Errorf("search table:\n%s", out)
	}
	empty := decode[recordings.PageJSON](t, cli(t, nil, append(db, "search", "--disposition", "no answer", "--json", "--limit", "1000")...).must(t, exitOK).stdout)
	for _, it := range empty.Items {
		if it.Disposition != "NO ANSWER" {
			t.Errorf("--disposition 'no answer' matched %+v", it)
		}
	}
	if len(empty.Items) == 0 {
		t.Error("no unanswered calls in the demo")
	}

	// A rescan of an unchanged spool skips every directory; a vanished file is missing.
	victim := filepath.Join(dir, "monitor", filepath.FromSlash(caller.Path))
	if err := os.Remove(victim); err != nil {
		t.Fatal(err)
	}
	env := []string{"TOTALREC_SPOOL=" + filepath.Join(dir, "monitor"), "TOTALREC_CDR_DB=sqlite:" + filepath.Join(dir, "asteriskcdrdb.sqlite")}
	s := decode[daemon.ScanResult](t, cli(t, env, append(db, "scan", "--json")...).must(t, exitOK).stdout)
	if s.Scan.Missing != 1 || s.Scan.New != 0 || s.Scan.DirsSkipped != s.Scan.Dirs-1 {
		t.Errorf("rescan after one deletion: %+v", s.Scan)
	}
	p = decode[recordings.PageJSON](t, cli(t, nil, append(db, "search", "--number", suffix, "--json")...).must(t, exitOK).stdout)
	for _, it := range p.Items {
		if it.ID == caller.ID {
			t.Errorf("a missing recording is listed by default: %+v", it)
		}
	}
	p = decode[recordings.PageJSON](t, cli(t, nil, append(db, "search", "--number", suffix, "--deleted", "--json")...).must(t, exitOK).stdout)
	found = false
	for _, it := range p.Items {
		found = found || (it.ID == caller.ID && it.State == "missing")
	}
	if !found {
		t.Errorf("--deleted does not list the missing recording %d", caller.ID)
	}

	// doctor finds a missing CDR index (FreePBX's table lacks it; the demo made it,
	// as install.sh does) and --fix creates it.
	cdrDB, err := sql.Open("sqlite", filepath.Join(dir, "asteriskcdrdb.sqlite"))
	must(t, err)
	_, err = cdrDB.Exec(`DROP INDEX totalrec_linkedid`)
	cdrDB.Close()
	must(t, err)
	r := cli(t, env, append(db, "doctor")...)
	if r.code != exitError || !strings.Contains(r.stdout, "has no index") {
		t.Errorf("doctor on the demo: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	fixed := cli(t, env, append(db, "doctor", "--fix", "--days", "30")...).must(t, exitOK).stdout
	// The deleted recording is an orphan both ways: a catalogue row without a file,
	// and a CDR row naming a file the spool lacks.
	if !strings.Contains(fixed, "1 catalogued recordings whose file is gone") || !strings.Contains(fixed, filepath.Base(caller.Path)) {
		t.Errorf("doctor does not report the deleted recording as an orphan:\n%s", fixed)
	}
	cli(t, env, append(db, "doctor", "--json")...).must(t, exitOK)

	// --fresh refuses a directory the demo did not build.
	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "precious"), []byte("x"), 0o644)
	cli(t, nil, "demo", "--dir", other, "--fresh", "--no-serve").must(t, exitRefused)
	if _, err := os.Stat(filepath.Join(other, "precious")); err != nil {
		t.Errorf("--fresh removed a directory it did not build: %v", err)
	}
}

// runPrinted runs a command line the way a person pastes it into a shell: no
// TOTALREC_* variables, and nothing on PATH but the system's.
func runPrinted(t *testing.T, line string) result {
	t.Helper()
	cmd := exec.Command("sh", "-c", line)
	cmd.Env = []string{"HOME=" + t.TempDir(), "PATH=/usr/bin:/bin", "TZ=Europe/Moscow",
		"TOTALREC_FS_ROOT=" + t.TempDir()} // no FreePBX of the test machine's
	return runCmd(t, cmd)
}

// followUps are the commands the demo printed for the reader to run: the indented
// lines that run this program.
func followUps(out string) []string {
	var cmds []string
	for _, line := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(line, "  "); ok && strings.HasPrefix(rest, bin+" ") {
			cmds = append(cmds, rest)
		}
	}
	return cmds
}

// TestCLI_DemoFollowUps runs every command the demo prints, as printed: it
// works from a shell with nothing of the demo's in its environment, and doctor
// checks the demo's spool and passes.
func TestCLI_DemoFollowUps(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	out := cli(t, nil, "demo", "--dir", dir, "--days", "3", "--calls-per-day", "8", "--no-serve").must(t, exitOK).stdout
	cmds := followUps(out)
	if len(cmds) != 2 {
		t.Fatalf("the demo printed %d commands to run, want 2 (search, doctor):\n%s", len(cmds), out)
	}
	for _, c := range cmds {
		r := runPrinted(t, c)
		if r.code != exitOK {
			t.Errorf("%s: exit %d\n%s%s", c, r.code, r.stdout, r.stderr)
			continue
		}
		switch {
		case strings.Contains(c, " search "):
			if !strings.Contains(r.stdout, "shown of") {
				t.Errorf("%s found nothing:\n%s", c, r.stdout)
			}
		case strings.HasSuffix(c, " doctor"):
			if !strings.Contains(r.stdout, filepath.Join(dir, "monitor")+" readable") || strings.Contains(r.stdout, "fail") {
				t.Errorf("%s did not check the demo's spool, or failed:\n%s", c, r.stdout)
			}
		default:
			t.Errorf("unexpected command %s", c)
		}
	}
}
