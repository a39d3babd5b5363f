package pbx_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The FreePBX kit (../shared/freepbx): a real FreePBX 16 installed by its own
// installer on the kit's Asterisk. The suite installs Totalrec on it as the README
// tells an administrator (install.sh from the release tarball), places calls whose
// recording policy says never, checks what they left, and uninstalls.
//
// This changes the machine's FreePBX, so it runs only on a FreePBX that
// scripts/test-pbx installed itself (freepbxKitMarker), never on another one.
const freepbxKitMarker = "/etc/totalrec-test-freepbx-kit"

// fpbx is the FreePBX kit, or skips t.
func fpbx(t *testing.T) {
	t.Helper()
	need(t)
	if _, err := os.Stat(freepbxKitMarker); err != nil {
		if _, err := os.Stat("/etc/freepbx.conf"); err == nil {
			t.Skip("/etc/freepbx.conf is a FreePBX the suite did not install: not touched")
		}
		t.Skip("no FreePBX kit on this machine (scripts/test-pbx installs it)")
	}
}

// TestFreePBXKit installs the release tarball on the real FreePBX 16 with
// install.sh, places calls whose policies all say never (101 -> 100, an inbound
// DID to 100, ring group 600), checks each is recorded into YYYY/MM/DD, named in
// its CDR row and catalogued by the hook, then uninstalls and checks that the same
// call is no longer recorded and nothing of Totalrec is left in the generated
// dialplan.
func TestFreePBXKit(t *testing.T) {
	fpbx(t)
	fpbxUp(t)
	rel, _ := buildDist(t, "1.0.0-test")
	// A leftover of an earlier run that stopped half way goes first.
	sh(t, rel+"/install.sh --uninstall --purge >/dev/null 2>&1 || true")
	t.Cleanup(func() {
		exec.Command("bash", "-c", rel+"/install.sh --uninstall --purge").Run()
	})

	out := sh(t, rel+"/install.sh 2>&1")
	t.Logf("install.sh:\n%s", out)
	for _, want := range []string{"no systemd: started now", "FreePBX 2.10 or later", "done"} {
		if !strings.Contains(out, want) {
			t.Errorf("install.sh did not say %q", want)
		}
	}
	generated := sh(t, "cat /etc/asterisk/extensions_additional.conf")
	for _, want := range []string{"TOTALREC_FORCE = yes", "/usr/local/bin/totalrec-hook --file", `Set(ARG1=force)`} {
		if !strings.Contains(generated, want) {
			t.Errorf("the generated dialplan lacks %q after install.sh", want)
		}
	}
	// FreePBX's own /etc/amportal.conf (RSSFEEDS over two lines) is read as FreePBX
	// reads it: the commands work on it.
	sh(t, "runuser -u asterisk -- /usr/local/bin/totalrec config >/dev/null")
	// The settings page saves the retention policy as the daemon's user, by a
	// rename in /etc/totalrec; that user cannot replace root's totalrec.conf.
	sh(t, "runuser -u asterisk -- sh -c 'cp /etc/totalrec/retention.conf /etc/totalrec/.policy.tmp && mv /etc/totalrec/.policy.tmp /etc/totalrec/retention.conf'")
	if err := exec.Command("runuser", "-u", "asterisk", "--", "sh", "-c",
		"echo x >/etc/totalrec/.conf.tmp && mv -f /etc/totalrec/.conf.tmp /etc/totalrec/totalrec.conf").Run(); err == nil {
		t.Error("the daemon's user replaced /etc/totalrec/totalrec.conf")
	}
	exec.Command("rm", "-f", "/etc/totalrec/.conf.tmp").Run()
	api := fpbxAPI(t, "/usr/local/bin/totalrec", "http://127.0.0.1:8080/totalrec")

	cases := []struct{ what, local, prefix string }{
		{"101 calls 100 (policy never)", "Local/100@totalrec-test-call", "internal-100-101-"},
		// The inbound route has no recording setting of its own: the extension's check
		// (policy never, forced) records it, as FreePBX names a trunk call to an extension.
		{"inbound DID to 100", "Local/74951234567@totalrec-test-pstn", "external-100-+79161234567-"},
		{"ring group 600 (never)", "Local/600@totalrec-test-call", "rg-600-101-"},
	}
	for _, c := range cases {
		t.Run(c.what, func(t *testing.T) { fpbxRecorded(t, api, c.local, c.prefix) })
	}

	t.Run("admin pages through Apache", func(t *testing.T) { adminPages(t) })

	// Uninstalled: FreePBX's dialplan is its own again, and a call whose policy says
	// never is not recorded.
	out = sh(t, rel+"/install.sh --uninstall 2>&1")
	t.Logf("install.sh --uninstall:\n%s", out)
	generated = sh(t, "cat /etc/asterisk/extensions_additional.conf")
	for _, gone := range []string{"TOTALREC_FORCE", "totalrec hook", "totalrec-hook", "Set(ARG1=force)", "/usr/local/bin/totalrec"} {
		if strings.Contains(generated, gone) {
			t.Errorf("the generated dialplan still has %q after --uninstall", gone)
		}
	}
	if files := fpbxCall(t, "Local/100@totalrec-test-call", 3); len(files) != 0 {
		t.Errorf("after --uninstall a call with policy never was recorded: %v", files)
	}
}

// adminPages signs in to FreePBX's admin GUI as a browser would, through Apache by
// the machine's host name, and checks the module's pages: the settings page's
// retention summary comes from the daemon, and the Reports page's iframe, followed
// as a browser on another machine follows it, signs in and serves the recordings
// through FreePBX's own Apache (the daemon itself listens on 127.0.0.1 only).
func adminPages(t *testing.T) {
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	admin := "http://" + host + "/admin/config.php"
	res, err := browser.PostForm(admin, url.Values{"username": {"admin"}, "password": {"Tr-admin-1"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	get := func(c *http.Client, u string) (int, string) {
		t.Helper()
		res, err := c.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	code, body := get(browser, admin+"?display=totalrec&view=settings")
	if code != 200 || !strings.Contains(body, "Last run: none yet") || !strings.Contains(body, "Policy: no rule, every recording is kept") ||
		!strings.Contains(body, "Next run: ") {
		t.Errorf("settings page: %d, no retention summary from the daemon:\n%s", code, tail(body, 3000))
	}
	code, body = get(browser, admin+"?display=totalrec")
	m := regexp.MustCompile(`<iframe id="totalrec-frame" src="([^"]+)"`).FindStringSubmatch(body)
	if code != 200 || m == nil {
		t.Fatalf("Reports page: %d, no iframe:\n%s", code, tail(body, 3000))
	}
	src := html.UnescapeString(m[1])
	base, _ := url.Parse(admin)
	frame, err := base.Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	if frame.Hostname() != host || (frame.Port() != "" && frame.Port() != "80") {
		t.Errorf("the iframe points at %s, not at FreePBX's own %s", frame, host)
	}
	// Another machine: a network namespace of its own, reaching this one over a
	// veth pair, as a browser on the LAN reaches the PBX.
	ns := otherMachine(t)
	curl := func(args ...string) (string, error) {
		out, err := exec.Command("ip", append([]string{"netns", "exec", ns.name, "curl", "-sS", "-m", "10"}, args...)...).CombinedOutput()
		return string(out), err
	}
	remote := *frame
	remote.Host = ns.pbx
	cookies := filepath.Join(t.TempDir(), "cookies")
	out, err := curl("-c", cookies, "-b", cookies, "-L", "-o", "/dev/null", "-w", "%{http_code} %{url_effective}", remote.String())
	if err != nil || !strings.HasPrefix(out, "200 ") {
		t.Fatalf("the iframe's sign-on from another machine: %q %v", out, err)
	}
	landed, _ := url.Parse(strings.Fields(out)[1])
	out, err = curl("-b", cookies, "http://"+ns.pbx+strings.TrimSuffix(landed.Path, "/")+"/api/v1/recordings?since=1h&limit=5")
	if err != nil || !strings.Contains(out, `"items"`) || !strings.Contains(out, "internal-100-101-") {
		t.Errorf("the recordings through Apache from another machine: %q %v", tail(out, 1000), err)
	}
	if out, err := curl("-o", "/dev/null", "-w", "%{http_code}", "http://"+ns.pbx+":8080/healthz"); err == nil && strings.TrimSpace(out) == "200" {
		t.Errorf("the daemon's own port answers another machine: it should listen on 127.0.0.1 only")
	}
	adminBrowser(t, host)
}

// adminBrowser is an administrator's browser: headless Chromium signs in to FreePBX
// by its host name (not 127.0.0.1), opens Reports › Call Recordings, and plays the
// newest call in the embedded UI, which FreePBX's Apache serves from /totalrec/.
func adminBrowser(t *testing.T, host string) {
	const chromium = "/usr/bin/chromium"
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("no %s: %v", chromium, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	actx, acancel := chromedp.NewExecAllocator(ctx, chromedp.ExecPath(chromium),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1400, 1000))
	defer acancel()
	bctx, bcancel := chromedp.NewContext(actx)
	defer bcancel()
	admin := "http://" + host + "/admin/config.php"
	frame := `document.getElementById("totalrec-frame")`
	inFrame := func(expr string) string {
		return "(() => { const f = " + frame + "; const d = f && f.contentDocument; return " + expr + "; })()"
	}
	steps := []struct {
		what string
		do   chromedp.Action[chromedp.Void]
	}{
		{"open the admin page", chromedp.Navigate(admin)},
		{"sign in", chromedp.Evaluate[chromedp.Void](`(() => { const f = document.getElementById("loginform");
			f.querySelector('input[name="username"]').value = "admin";
			f.querySelector('input[name="password"]').value = "Tr-admin-1"; f.submit(); return null; })()`)},
		{"the sign-in is sent", chromedp.Sleep(3 * time.Second)},
		{"open Reports › Call Recordings", chromedp.Navigate(admin + "?display=totalrec")},
		{"signed in", chromedp.Poll[chromedp.Void](`!document.getElementById("loginform")`, chromedp.WithPollingTimeout(10*time.Second))},
		{"the embedded search lists calls", chromedp.Poll[chromedp.Void](inFrame(`!!d && d.querySelectorAll("tr[data-id]").length > 0`), chromedp.WithPollingTimeout(30*time.Second))},
		{"open the newest call", chromedp.Evaluate[chromedp.Void](inFrame(`(f.src = d.querySelector("tr[data-id] a").href, null)`))},
		{"the player is there", chromedp.Poll[chromedp.Void](inFrame(`!!d && !!d.getElementById("audio") && !!d.getElementById("play")`), chromedp.WithPollingTimeout(30*time.Second))},
		{"play", chromedp.Evaluate[chromedp.Void](inFrame(`(d.getElementById("play").click(), null)`))},
		{"it plays", chromedp.Poll[chromedp.Void](inFrame(`d.getElementById("audio").currentTime > 0.5`), chromedp.WithPollingTimeout(30*time.Second))},
	}
	for _, st := range steps {
		if err := chromedp.Do(bctx, st.do); err != nil {
			if shot, serr := chromedp.Run(bctx, chromedp.FullScreenshot(80)); serr == nil {
				p := filepath.Join(os.TempDir(), "totalrec-pbx-admin-browser.png")
				os.WriteFile(p, shot, 0o644)
				t.Logf("screenshot: %s", p)
			}
			here, _ := chromedp.Run(bctx, chromedp.Evaluate[string](`location.href`))
			t.Fatalf("an administrator's browser: %s (at %s): %v", st.what, here, err)
		}
	}
	src, _ := chromedp.Run(bctx, chromedp.Evaluate[string](frame+".src"))
	if !strings.HasPrefix(src, "http://"+host+"/totalrec/") {
		t.Errorf("the embedded player is at %q, not under FreePBX's own /totalrec/", src)
	}
}

// netns is a network namespace standing for another machine: it reaches this
// one at pbx (an address of a veth pair made for the test).
type netns struct{ name, pbx string }

func otherMachine(t *testing.T) netns {
	t.Helper()
	name := fmt.Sprintf("totalrec-lan-%d", os.Getpid()%100000)
	host, peer := "trlan0", "trlan1"
	steps := [][]string{
		{"ip", "netns", "add", name},
		{"ip", "link", "add", host, "type", "veth", "peer", "name", peer},
		{"ip", "link", "set", peer, "netns", name},
		{"ip", "addr", "add", "10.231.7.1/30", "dev", host},
		{"ip", "link", "set", host, "up"},
		{"ip", "netns", "exec", name, "ip", "addr", "add", "10.231.7.2/30", "dev", peer},
		{"ip", "netns", "exec", name, "ip", "link", "set", peer, "up"},
		{"ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"},
	}
	t.Cleanup(func() {
		exec.Command("ip", "link", "del", host).Run()
		exec.Command("ip", "netns", "del", name).Run()
	})
	for _, s := range steps {
		if out, err := exec.Command(s[0], s[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", s, err, out)
		}
	}
	return netns{name: name, pbx: "10.231.7.1"}
}
