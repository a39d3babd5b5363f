package pbx_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// sh runs a shell command as root on the machine and returns its output.
func sh(t *testing.T, command string) string {
	t.Helper()
	out, err := exec.Command("bash", "-c", command).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", command, err, tail(string(out), 3000))
	}
	return string(out)
}

// fpbxAst runs a CLI command on FreePBX's Asterisk.
func fpbxAst(t *testing.T, command string) string {
	t.Helper()
	return sh(t, fmt.Sprintf("asterisk -rx %q", command))
}

// fpbxCall places a call through FreePBX's own contexts and waits for it to end;
// it returns the recordings it left under FreePBX's spool.
func fpbxCall(t *testing.T, local string, secs int) []string {
	t.Helper()
	spool := "/var/spool/asterisk/monitor"
	before := listFiles(t, spool)
	fpbxAst(t, fmt.Sprintf("channel originate %s application Wait %d", local, secs))
	deadline := time.Now().Add(time.Duration(secs+30) * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(fpbxAst(t, "core show channels count"), "0 active channels") {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	var out []string
	for f := range listFiles(t, spool) {
		if !before[f] {
			out = append(out, f)
		}
	}
	return out
}

func listFiles(t *testing.T, dir string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			rel, _ := filepath.Rel(dir, p)
			out[filepath.ToSlash(rel)] = true
		}
		return nil
	})
	return out
}

// fpbxUp starts FreePBX's Asterisk and Apache, which do not start by themselves
// (the kit has no init system), and marks FreePBX's first-sign-in pages (locales)
// done, as the administrator's first visit would.
func fpbxUp(t *testing.T) {
	t.Helper()
	sh(t, `asterisk -rx 'core show version' >/dev/null 2>&1 || asterisk -U asterisk -G asterisk
for i in $(seq 60); do asterisk -rx 'core waitfullybooted' >/dev/null 2>&1 && break; sleep 0.5; done
apache2ctl start >/dev/null 2>&1 || true`)
	sh(t, `php -r '$bootstrap_settings["freepbx_auth"] = false; include "/etc/freepbx.conf";
$o = FreePBX::OOBE(); $c = $o->getConfig("completed"); if (!is_array($c)) { $c = array(); }
foreach ($o->getOOBEModules() as $m => $x) { $c[$m] = $m; } $o->setConfig("completed", $c);'`)
}

// buildDist runs scripts/dist with VERSION=version and returns the shell
// install's directory (the tarball unpacked) and the Module Admin tarball.
func buildDist(t *testing.T, version string) (release, module string) {
	t.Helper()
	dist := t.TempDir()
	cmd := exec.Command(filepath.Join(pbx.project, "scripts", "dist"))
	cmd.Dir, cmd.Env = pbx.project, append(os.Environ(), "DIST_DIR="+dist, "VERSION="+version)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("scripts/dist: %v\n%s", err, out)
	}
	for _, line := range strings.Fields(string(out)) {
		if strings.HasSuffix(line, ".tgz") {
			module = line
		}
	}
	if module == "" {
		t.Fatalf("scripts/dist printed no module tarball:\n%s", out)
	}
	return filepath.Join(dist, "totalrec-"+version+"-linux-amd64"), module
}

// fpbxAPI makes an API token with totalrec (a command line, run as asterisk) and
// returns a client of the API at base with it, once /healthz answers there.
func fpbxAPI(t *testing.T, totalrec, base string) func(path string, v any) int {
	t.Helper()
	out := sh(t, "runuser -u asterisk -- "+totalrec+" token add pbx-kit-"+fmt.Sprint(time.Now().UnixNano())+" --scope all 2>/dev/null")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 2 {
		t.Fatalf("token add printed %q", out)
	}
	token := lines[1]
	api := func(path string, v any) int {
		t.Helper()
		code, err := apiAt(base, token, path, v)
		if err != nil {
			t.Fatal(err)
		}
		return code
	}
	waitUp(t, func() bool { return api("/healthz", nil) == 200 })
	return api
}

var recName = regexp.MustCompile(`^\d{4}/\d{2}/\d{2}/[a-z]+-[0-9A-Za-z+]*-[0-9A-Za-z+]*-\d{8}-\d{6}-\d+\.\d+\.(wav|opus)$`)

// fpbxRecorded places a call through FreePBX's contexts (local) and checks that
// it left a recording named prefix… in YYYY/MM/DD, named in its CDR row,
// catalogued and linked (through api), whose audio is not silent.
func fpbxRecorded(t *testing.T, api func(string, any) int, local, prefix string) recJSON {
	t.Helper()
	files := fpbxCall(t, local, 4)
	var stem string
	for _, f := range files {
		if recName.MatchString(f) && strings.HasPrefix(filepath.Base(f), prefix) {
			stem = strings.TrimSuffix(f, path.Ext(f))
		}
	}
	if stem == "" {
		t.Fatalf("no %s… recording; the call left %v", prefix, files)
	}
	// Installed, Totalrec compresses each recording to Opus moments after the call
	// (compress = opus, the default): the recording is final once it is Opus, named
	// by the catalogue and by FreePBX's CDR, and MixMonitor's WAV is gone.
	var got recJSON
	waitUp(t, func() bool {
		var p pageJSON
		api("/api/v1/recordings?since=1h&hide_empty=0&limit=1000", &p)
		for _, r := range p.Items {
			if strings.TrimSuffix(r.Path, path.Ext(r.Path)) == stem && r.CDRStatus == "linked" && r.Format == "opus" {
				got = r
				return true
			}
		}
		return false
	})
	if got.ID == 0 {
		t.Fatalf("%s: not catalogued, linked and compressed to Opus within 20 s", stem)
	}
	if _, err := os.Stat(filepath.Join("/var/spool/asterisk/monitor", stem+".wav")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s.wav is still there (%v)", stem, err)
	}
	if rows := pbx.cdrRows(t, "recordingfile = ?", filepath.Base(got.Path)); len(rows) == 0 {
		t.Errorf("%s: no CDR row names it", got.Path)
	}
	var audio []byte
	if code := api(fmt.Sprintf("/api/v1/recordings/%d/audio", got.ID), &audio); code != 200 {
		t.Fatalf("%s: /audio %d", got.Path, code)
	}
	if pcm, _ := wavPCM(t, opusPCM(t, audio)); rmsDB(pcm) < -50 {
		t.Errorf("%s: silent", got.Path)
	}
	return got
}

// opusPCM decodes an Ogg Opus file with opusdec to an 8 kHz WAV.
func opusPCM(t *testing.T, opus []byte) []byte {
	t.Helper()
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.opus"), filepath.Join(dir, "out.wav")
	if err := os.WriteFile(in, opus, 0o600); err != nil {
		t.Fatal(err)
	}
	if msg, err := exec.Command("opusdec", "--quiet", "--rate", "8000", "--force-wav", in, out).CombinedOutput(); err != nil {
		t.Fatalf("opusdec: %v %s", err, msg)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// waitUp polls ok for up to 20 s.
func waitUp(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if ok() {
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatal("not within 20 s")
}
