package pbx_test

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The module's own totalrec, as Module Admin installs it (lib/bundle.php).
const (
	bundleBin  = "/var/www/html/admin/modules/totalrec/bin/totalrec"
	bundleDir  = "/var/lib/asterisk/totalrec"
	bundleConf = bundleDir + "/totalrec.conf"
)

// TestFreePBXModuleAdmin installs the Module Admin tarball the way an
// administrator without a shell does (FreePBX's web user downloads and installs it
// from a URL), and checks that this alone records, catalogues and serves calls:
// the daemon runs as FreePBX's user, the UI and API answer under /totalrec/ on
// FreePBX's own Apache, the nightly retention job is in FreePBX's crontab, a UCP
// user finds and plays her own calls and not others', the admin pages work,
// Backup and Restore carry the configuration, `fwconsole start` brings a stopped
// daemon back, and uninstalling removes what the install set up.
func TestFreePBXModuleAdmin(t *testing.T) {
	fpbx(t)
	fpbxUp(t)
	if _, err := os.Stat("/usr/local/bin/totalrec"); err == nil {
		t.Fatal("/usr/local/bin/totalrec exists (a shell install): the module would use it, not its own")
	}
	_, tgz := buildDist(t, "1.2.0-test")
	if want := "totalrec-" + moduleVersion(t) + ".tgz"; filepath.Base(tgz) != want {
		t.Errorf("the module tarball is %s, want %s (module.xml's version)", filepath.Base(tgz), want)
	}
	served := "/var/www/html/totalrec-test-dist"
	fpbxModuleClean(t)
	t.Cleanup(func() { fpbxModuleClean(t); os.RemoveAll(served) })
	sh(t, fmt.Sprintf("mkdir -p %s && cp %s %s/", served, tgz, served))

	out := sh(t, "cd /tmp && runuser -u asterisk -- fwconsole ma downloadinstall http://127.0.0.1/totalrec-test-dist/"+filepath.Base(tgz)+" 2>&1")
	t.Logf("fwconsole ma downloadinstall:\n%s", out)
	for _, want := range []string{"Totalrec is running", "Nightly retention: 03:30", "The UI is at /totalrec/"} {
		if !strings.Contains(out, want) {
			t.Errorf("the module's install did not say %q", want)
		}
	}
	sh(t, "runuser -u asterisk -- fwconsole reload >/dev/null 2>&1")
	generated := sh(t, "cat /etc/asterisk/extensions_additional.conf")
	if want := bundleBin + "-hook --config " + bundleConf + " --file"; !strings.Contains(generated, want) {
		t.Errorf("the generated dialplan lacks %q", want)
	}
	cron := sh(t, "crontab -l -u asterisk")
	if !strings.Contains(cron, bundleBin+" --config "+bundleConf+" retention run") {
		t.Errorf("no nightly retention in asterisk's crontab:\n%s", cron)
	}
	if !strings.Contains(cron, "20 * * * * "+bundleBin+" --config "+bundleConf+" seal 2>&1") {
		t.Errorf("no hourly seal in asterisk's crontab:\n%s", cron)
	}
	if got := strings.TrimSpace(sh(t, "stat -c '%a %U' "+bundleConf)); got != "640 asterisk" {
		t.Errorf("%s: mode and owner %q, want 640 asterisk", bundleConf, got)
	}
	pid := bundlePid(t)
	if pid == "" {
		t.Fatal("the module's daemon does not run")
	}
	if uid := sh(t, "awk '/^Uid:/ {print $2}' /proc/"+pid+"/status"); strings.TrimSpace(uid) != strings.TrimSpace(sh(t, "id -u asterisk")) {
		t.Errorf("the daemon runs as uid %s, not asterisk", uid)
	}

	api := fpbxAPI(t, bundleBin+" --config "+bundleConf, "http://127.0.0.1/totalrec")
	alices := fpbxRecorded(t, api, "Local/100@totalrec-test-call", "internal-100-101-")
	bobs := fpbxRecorded(t, api, "Local/101@totalrec-test-call", "internal-101-101-")

	t.Run("UCP user", func(t *testing.T) { ucpUser(t, alices.ID, bobs.ID) })
	t.Run("admin pages", func(t *testing.T) { adminPages(t) })
	t.Run("backup and restore", func(t *testing.T) { moduleBackupRestore(t) })

	// A stopped daemon comes back with FreePBX (`fwconsole start` at boot).
	sh(t, "kill "+bundlePid(t))
	waitUp(t, func() bool { return bundlePid(t) == "" })
	sh(t, "cd /tmp && fwconsole start --post totalrec 2>&1")
	waitUp(t, func() bool { return api("/healthz", nil) == 200 })

	out = sh(t, "cd /tmp && runuser -u asterisk -- fwconsole ma uninstall totalrec 2>&1")
	t.Logf("fwconsole ma uninstall:\n%s", out)
	sh(t, "runuser -u asterisk -- fwconsole reload >/dev/null 2>&1")
	if pid := bundlePid(t); pid != "" {
		t.Errorf("the daemon (pid %s) still runs after uninstall", pid)
	}
	if _, err := os.Lstat("/var/www/html/totalrec"); err == nil {
		t.Error("/var/www/html/totalrec is still there after uninstall")
	}
	if cron := sh(t, "crontab -l -u asterisk 2>/dev/null || true"); strings.Contains(cron, "totalrec") {
		t.Errorf("asterisk's crontab still names totalrec:\n%s", cron)
	}
	generated = sh(t, "cat /etc/asterisk/extensions_additional.conf")
	for _, gone := range []string{"TOTALREC_FORCE", "hook --file", "totalrec-hook", bundleBin} {
		if strings.Contains(generated, gone) {
			t.Errorf("the generated dialplan still has %q after uninstall", gone)
		}
	}
	if _, err := os.Stat(bundleConf); err != nil {
		t.Errorf("uninstall removed the configuration: %v", err)
	}
}

// moduleVersion is module.xml's <version>.
func moduleVersion(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(pbx.project, "module.xml"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`<version>([^<]+)</version>`).FindSubmatch(b)
	if m == nil {
		t.Fatal("no <version> in module.xml")
	}
	return string(m[1])
}

// bundlePid is the pid of the module's daemon ("" when none runs).
func bundlePid(t *testing.T) string {
	t.Helper()
	return strings.TrimSpace(sh(t, "pgrep -f '^"+bundleBin+" --config "+bundleConf+" serve' || true"))
}

// fpbxModuleClean removes the module and everything its install set up, whatever
// state an earlier run left.
func fpbxModuleClean(t *testing.T) {
	t.Helper()
	sh(t, `cd /tmp
pkill -f '^`+bundleBin+` ' || true
runuser -u asterisk -- fwconsole ma uninstall totalrec >/dev/null 2>&1 || true
runuser -u asterisk -- fwconsole ma delete totalrec >/dev/null 2>&1 || true
rm -rf /var/www/html/admin/modules/totalrec `+bundleDir+`
rm -f /var/www/html/totalrec
crontab -l -u asterisk 2>/dev/null | grep -v totalrec | crontab -u asterisk - || true
runuser -u asterisk -- fwconsole reload >/dev/null 2>&1 || true`)
}

// ucpUser signs in to FreePBX's User Control Panel as alice (extension 100), opens
// her "My recordings" widget, follows its sign-on as her browser would, and finds
// and plays her call (mine) but gets 404 for a call of 101 only (other).
func ucpUser(t *testing.T, mine, other int64) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	base := "http://127.0.0.1/ucp/"
	read := func(res *http.Response, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d\n%s", res.Request.URL, res.StatusCode, tail(string(b), 2000))
		}
		return string(b)
	}
	ajax := func(form url.Values) string {
		t.Helper()
		req, _ := http.NewRequest("POST", base+"ajax.php", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Requested-With", "XMLHttpRequest")
		return read(c.Do(req))
	}
	m := regexp.MustCompile(`name="token" value="([^"]+)"`).FindStringSubmatch(read(c.Get(base)))
	if m == nil {
		t.Fatal("no sign-in token on UCP's page")
	}
	login := ajax(url.Values{"module": {"User"}, "command": {"login"}, "username": {"alice"}, "password": {"Secret-1"}, "token": {m[1]}})
	if !strings.Contains(login, `"status":true`) {
		t.Fatalf("UCP sign-in: %s", login)
	}
	var widget struct{ HTML string }
	raw := ajax(url.Values{"module": {"Dashboards"}, "command": {"getwidgetcontent"}, "rawname": {"totalrec"}, "id": {"recordings"}})
	if err := json.Unmarshal([]byte(raw), &widget); err != nil {
		t.Fatalf("the widget: %v: %s", err, tail(raw, 2000))
	}
	src := regexp.MustCompile(`<iframe[^>]* src="([^"]+)"`).FindStringSubmatch(widget.HTML)
	if src == nil {
		t.Fatalf("no iframe in the widget: %s", widget.HTML)
	}
	frame, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	if frame, err = frame.Parse(html.UnescapeString(src[1])); err != nil {
		t.Fatal(err)
	}
	read(c.Get(frame.String()))
	get := func(path string) int {
		t.Helper()
		res, err := c.Get("http://127.0.0.1/totalrec" + path)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode
	}
	var p pageJSON
	if err := json.Unmarshal([]byte(read(c.Get("http://127.0.0.1/totalrec/api/v1/recordings?since=1h&hide_empty=0"))), &p); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range p.Items {
		found = found || r.ID == mine
		if r.ID == other {
			t.Errorf("alice (100) lists recording %d of 101 only", other)
		}
	}
	if !found {
		t.Errorf("alice does not find her call %d: %+v", mine, p.Items)
	}
	if code := get(fmt.Sprintf("/api/v1/recordings/%d/audio", mine)); code != 200 {
		t.Errorf("alice plays her call: %d", code)
	}
	if code := get(fmt.Sprintf("/api/v1/recordings/%d/audio", other)); code != 404 {
		t.Errorf("alice plays 101's call: %d, want 404", code)
	}
}

// moduleBackupRestore backs up the module with FreePBX's Backup, changes the
// configuration, restores, and checks the file is back and the daemon, restarted,
// serves with it.
func moduleBackupRestore(t *testing.T) {
	// FreePBX's backup writes as its own user: a directory it can reach.
	dir, err := os.MkdirTemp("/tmp", "totalrec-backup-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sh(t, "chmod 0777 "+dir)
	out := sh(t, "cd /tmp && fwconsole backup --backupsingle=totalrec --singlesaveto="+dir+" 2>&1")
	files, _ := filepath.Glob(filepath.Join(dir, "*.tar.gz"))
	if len(files) != 1 {
		t.Fatalf("fwconsole backup left %v:\n%s", files, out)
	}
	before, err := os.ReadFile(bundleConf)
	if err != nil {
		t.Fatal(err)
	}
	pid := bundlePid(t)
	sh(t, "sed -i 's/^sso_secret = .*/sso_secret = changed-after-the-backup-0000000000/' "+bundleConf)
	out = sh(t, "cd /tmp && fwconsole backup --restoresingle="+files[0]+" 2>&1")
	t.Logf("fwconsole backup --restoresingle:\n%s", out)
	after, err := os.ReadFile(bundleConf)
	if err != nil || string(after) != string(before) {
		t.Errorf("%s after the restore differs from the backup's (%v)", bundleConf, err)
	}
	if !strings.Contains(out, "Totalrec is running") || bundlePid(t) == pid || bundlePid(t) == "" {
		t.Errorf("the restore did not restart the daemon (pid %s before, %s after)", pid, bundlePid(t))
	}
}
