package freepbx

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestModuleURLs: the module's browser URL is the daemon's base path on
// FreePBX's own origin whatever host name the browser used; daemon_url
// overrides it, and every URL the module uses ends with the base path, which
// every link the daemon makes carries.
func TestModuleURLs(t *testing.T) {
	tests := []struct {
		name, conf, settings, host string
		internal, browser          string
	}{
		{"no base path", "listen = 127.0.0.1:8080\n", `{}`, "pbx.example.com",
			"http://127.0.0.1:8080", "http://pbx.example.com:8080"},
		{"base path", "listen = 127.0.0.1:8080\nbase_path = /totalrec\n", `{}`, "10.0.0.7:443",
			"http://127.0.0.1:8080/totalrec", "/totalrec"},
		{"base path, listening everywhere", "listen = 0.0.0.0:8090\nbase_path = /totalrec\n", `{}`, "pbx",
			"http://127.0.0.1:8090/totalrec", "/totalrec"},
		{"daemon_url gets the base path", "base_path = /totalrec\n", `{"daemon_url": "https://rec.example.com/"}`, "pbx",
			"http://127.0.0.1:8080/totalrec", "https://rec.example.com/totalrec"},
		{"daemon_url that has it", "base_path = /totalrec\n", `{"daemon_url": "https://pbx.example.com/totalrec/"}`, "pbx",
			"http://127.0.0.1:8080/totalrec", "https://pbx.example.com/totalrec"},
		{"internal_url gets the base path", "base_path = /totalrec\n", `{"internal_url": "http://10.0.0.5:9000"}`, "pbx",
			"http://10.0.0.5:9000/totalrec", "/totalrec"},
		{"not a base path", "base_path = /a b\n", `{}`, "pbx.example.com",
			"http://127.0.0.1:8080", "http://pbx.example.com:8080"},
		{"no config file", "", `{}`, "pbx.example.com",
			"http://127.0.0.1:8080", "http://pbx.example.com:8080"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conf := filepath.Join(t.TempDir(), "totalrec.conf")
			if tt.conf != "" {
				must(t, os.WriteFile(conf, []byte(tt.conf), 0o644))
			}
			out, err := exec.Command(php(t), "testdata/module_urls.php", "../../module/lib/config.php", tt.settings, conf, tt.host).CombinedOutput()
			if err != nil {
				t.Fatalf("php module_urls.php: %v\n%s", err, out)
			}
			var got struct{ Internal, Browser string }
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			if got.Internal != tt.internal || got.Browser != tt.browser {
				t.Errorf("internal %q, browser %q; want %q, %q", got.Internal, got.Browser, tt.internal, tt.browser)
			}
		})
	}
}

// TestModuleReachWarning loads the module's warning and script in Chromium on a
// FreePBX-like origin: hidden while the UI answers, shown with the reason when
// the proxy is missing (404), something else answers, or nothing does.
func TestModuleReachWarning(t *testing.T) {
	const chromium = "/usr/bin/chromium"
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("no %s: %v", chromium, err)
	}
	script, err := os.ReadFile("../../module/assets/js/totalrec.js")
	must(t, err)
	phpBin := php(t)
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"status":"ok"}`))
	}))
	defer elsewhere.Close()
	freepbx := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/admin/config.php":
			out, err := exec.Command(phpBin, "testdata/reach_page.php", "../../module", r.URL.Query().Get("ui")).Output()
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(out)
		case "/admin/assets/totalrec/js/totalrec.js":
			w.Header().Set("Content-Type", "text/javascript")
			w.Write(script)
		case "/totalrec/healthz": // the daemon through the proxy
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"status":"ok","version":"test"}`))
		case "/elsewhere/healthz": // a catch-all page of the web server
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte("<html>FreePBX</html>"))
		default: // Apache without the proxy
			http.NotFound(w, r)
		}
	}))
	defer freepbx.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	actx, acancel := chromedp.NewExecAllocator(ctx, chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.UserDataDir(t.TempDir()))
	defer acancel()
	bctx, bcancel := chromedp.NewContext(actx)
	defer bcancel()

	for _, tt := range []struct {
		ui, why string // why: "" when the warning stays hidden
	}{
		{"/totalrec", ""},
		{elsewhere.URL, ""},
		{"/missing", "HTTP 404"},
		{"/elsewhere", "not Totalrec's"},
		{"http://127.0.0.1:1", "no connection"},
	} {
		t.Run(tt.ui, func(t *testing.T) {
			if err := chromedp.Do(bctx, chromedp.Navigate(freepbx.URL+"/admin/config.php?display=totalrec&ui="+url.QueryEscape(tt.ui))); err != nil {
				t.Fatal(err)
			}
			// The check has run when the warning shows or, for a UI that
			// answers, once the page has fetched it and a moment has passed.
			deadline := time.Now().Add(15 * time.Second)
			var shown bool
			var why string
			for {
				st, err := chromedp.Run(bctx, chromedp.Evaluate[map[string]any](`(() => { const b = document.getElementById("totalrec-reach");
					return {shown: !b.hidden && b.offsetHeight > 0, why: b.querySelector(".totalrec-reach-why").textContent,
						done: performance.getEntriesByType("resource").some(e => e.name.indexOf("/healthz") >= 0)}; })()`))
				if err == nil {
					shown, why = st["shown"] == true, st["why"].(string)
					if shown || (tt.why == "" && st["done"] == true) {
						break
					}
				}
				if time.Now().After(deadline) {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			if tt.why == "" {
				time.Sleep(300 * time.Millisecond)
				if st, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`!document.getElementById("totalrec-reach").hidden`)); err != nil || st {
					t.Errorf("the warning shows for a reachable UI at %s", tt.ui)
				}
				return
			}
			if !shown || !strings.Contains(why, tt.why) {
				t.Errorf("warning shown %v, reason %q; want it shown with %q", shown, why, tt.why)
			}
		})
	}
}
