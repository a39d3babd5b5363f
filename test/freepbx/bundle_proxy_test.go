package freepbx

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestBundleProxy: the module's htdocs/index.php, which serves the bundled
// daemon under /totalrec/ on FreePBX's own web server, in PHP's own web server in
// front of a real `totalrec serve`. Single sign-on's redirect and cookie, the API,
// a Range request for audio, HEAD, and a form POST (sign out) pass through it as
// they do directly; a path outside /totalrec/ and a daemon that is down get
// clear answers.
func TestBundleProxy(t *testing.T) {
	const secret = "0123456789abcdef0123456789abcdef"
	spool := t.TempDir()
	day := filepath.Join(spool, "2026", "11", "26")
	must(t, os.MkdirAll(day, 0o755))
	wav := filepath.Join(day, "internal-100-101-20261126-101530-1795680930.42.wav")
	if out, err := exec.Command("sox", "-n", "-r", "8000", "-c", "1", "-b", "16", wav, "synth", "3", "sine", "440").CombinedOutput(); err != nil {
		t.Fatalf("sox: %v\n%s", err, out)
	}
	daemon := serve(t, "TOTALREC_SPOOL="+spool, "TOTALREC_BASE_PATH=/totalrec", "TOTALREC_SSO_SECRET="+secret)

	docroot := t.TempDir()
	index, err := os.ReadFile("../../module/htdocs/index.php")
	must(t, err)
	must(t, os.WriteFile(filepath.Join(docroot, "index.php"), index, 0o644))
	must(t, os.WriteFile(filepath.Join(docroot, "upstream.php"),
		[]byte(fmt.Sprintf("<?php\nreturn array('origin' => %q, 'base' => '/totalrec');\n", daemon)), 0o644))
	proxy := phpServer(t, docroot)

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 20 * time.Second}
	do := func(method, u string, header http.Header, body io.Reader) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest(method, u, body)
		must(t, err)
		for k, v := range header {
			req.Header[k] = v
		}
		res, err := client.Do(req)
		must(t, err)
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		must(t, err)
		return res, b
	}

	token, err := exec.Command(php(t), "-r", `require "../../module/lib/sso.php"; echo totalrec_sso_token($argv[1], "admin", 60);`, secret).Output()
	must(t, err)
	res, _ := do("GET", proxy+"/totalrec/sso?token="+string(token), nil, nil)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Request.URL.String(), proxy+"/totalrec/") {
		t.Fatalf("single sign-on through the proxy: %d at %s", res.StatusCode, res.Request.URL)
	}

	var page struct {
		Items []struct {
			ID   int64  `json:"id"`
			Path string `json:"path"`
		} `json:"items"`
	}
	for deadline := time.Now().Add(20 * time.Second); len(page.Items) == 0 && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		res, b := do("GET", proxy+"/totalrec/api/v1/recordings?since=2026-11-01&hide_empty=0", nil, nil)
		if res.StatusCode != 200 {
			t.Fatalf("the API through the proxy: %d %s", res.StatusCode, b)
		}
		must(t, json.Unmarshal(b, &page))
	}
	if len(page.Items) != 1 {
		t.Fatalf("the API through the proxy lists %+v", page.Items)
	}
	audio := fmt.Sprintf("/totalrec/api/v1/recordings/%d/audio", page.Items[0].ID)
	rng := http.Header{"Range": {"bytes=1000-1999"}}
	viaProxy, pb := do("GET", proxy+audio, rng, nil)
	direct, db := do("GET", daemon+audio, rng, nil)
	if viaProxy.StatusCode != 206 || direct.StatusCode != 206 || len(pb) != 1000 || !bytes.Equal(pb, db) ||
		viaProxy.Header.Get("Content-Range") != direct.Header.Get("Content-Range") ||
		viaProxy.Header.Get("Content-Type") != direct.Header.Get("Content-Type") {
		t.Errorf("a Range request: proxy %d %q %d bytes, direct %d %q %d bytes, same bytes %v",
			viaProxy.StatusCode, viaProxy.Header.Get("Content-Range"), len(pb),
			direct.StatusCode, direct.Header.Get("Content-Range"), len(db), bytes.Equal(pb, db))
	}
	head, hb := do("HEAD", proxy+audio, nil, nil)
	whole, _ := do("GET", daemon+audio, nil, nil)
	if head.StatusCode != 200 || len(hb) != 0 || head.ContentLength != whole.ContentLength {
		t.Errorf("HEAD through the proxy: %d, length %d (GET says %d), %d body bytes", head.StatusCode, head.ContentLength, whole.ContentLength, len(hb))
	}

	_, html := do("GET", proxy+"/totalrec/", nil, nil)
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(html)
	if m == nil {
		t.Fatalf("no sign-out form on the search page:\n%s", html)
	}
	res, _ = do("POST", proxy+"/totalrec/logout", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
		strings.NewReader("csrf="+string(m[1])))
	if res.StatusCode != 200 {
		t.Errorf("sign out (a form POST) through the proxy: %d", res.StatusCode)
	}
	if res, _ := do("GET", proxy+"/totalrec/api/v1/recordings", nil, nil); res.StatusCode != 401 {
		t.Errorf("after signing out through the proxy the API answers %d, want 401", res.StatusCode)
	}

	if res, _ := do("GET", proxy+"/elsewhere", nil, nil); res.StatusCode != 404 {
		t.Errorf("a path outside /totalrec/: %d, want 404", res.StatusCode)
	}
	must(t, os.WriteFile(filepath.Join(docroot, "upstream.php"), []byte("<?php\nreturn array('origin' => 'http://127.0.0.1:1', 'base' => '/totalrec');\n"), 0o644))
	if res, b := do("GET", proxy+"/totalrec/healthz", nil, nil); res.StatusCode != 502 || !strings.Contains(string(b), "does not answer") {
		t.Errorf("with the daemon down: %d %q, want 502", res.StatusCode, b)
	}
}

// phpServer runs PHP's built-in web server on docroot, every request through its
// index.php (as the module's .htaccess sends them), and returns its URL.
func phpServer(t *testing.T, docroot string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(php(t), "-S", addr, "-t", docroot, filepath.Join(docroot, "index.php"))
	cmd.Env = append(os.Environ(), "PHP_CLI_SERVER_WORKERS=4")
	must(t, cmd.Start())
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return "http://" + addr
		}
	}
	t.Fatal("php -S did not listen in 20 s")
	return ""
}
