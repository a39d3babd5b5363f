package freepbx

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Debian's Apache, which the FreePBX kit brings.
const (
	apacheBin     = "/usr/sbin/apache2"
	apacheModules = "/usr/lib/apache2/modules"
)

// TestInstall_ApacheProxyServes runs a real Apache with the conf install.sh
// writes, in front of a stand-in daemon: the UI's path reaches the daemon with
// the browser's host name, a client cannot claim https, Range requests pass, a
// stream arrives as it is written, and the bare path is sent to the UI.
func TestInstall_ApacheProxyServes(t *testing.T) {
	if _, err := os.Stat(apacheBin); err != nil {
		t.Skipf("no %s (apt-get install apache2): %v", apacheBin, err)
	}
	audio := bytes.Repeat([]byte("0123456789abcdef"), 4096)
	more := make(chan struct{})
	var mu sync.Mutex
	var paths []string
	daemon := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		switch r.URL.Path {
		case "/totalrec/echo":
			json.NewEncoder(w).Encode(map[string]string{"host": r.Host, "proto": r.Header.Get("X-Forwarded-Proto"),
				"for": r.Header.Get("X-Forwarded-For"), "uri": r.RequestURI})
		case "/totalrec/audio":
			http.ServeContent(w, r, "call.wav", time.Now(), bytes.NewReader(audio))
		case "/totalrec/stream":
			w.Header().Set("Content-Type", "text/csv")
			io.WriteString(w, "first line\n")
			w.(http.Flusher).Flush()
			select { // the rest only once the client has the first line
			case <-more:
			case <-time.After(10 * time.Second):
			}
			io.WriteString(w, "second line\n")
		default:
			http.NotFound(w, r)
		}
	}))
	defer daemon.Close()

	// install.sh on a FreePBX whose Totalrec listens where the stand-in does.
	dir := release(t)
	root, tools, _ := fakeFreePBX(t, "16")
	cfg := filepath.Join(root, "etc/totalrec/totalrec.conf")
	must(t, os.MkdirAll(filepath.Dir(cfg), 0o755))
	must(t, os.WriteFile(cfg, []byte("listen = "+strings.TrimPrefix(daemon.URL, "http://")+"\n"), 0o640))
	install(t, dir, root, tools)
	conf := filepath.Join(root, "etc/apache2/conf-available/totalrec.conf")

	front := startApache(t, conf)
	client := &http.Client{Timeout: 15 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string, header ...string) *http.Response {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, front+path, nil)
		must(t, err)
		req.Host = "pbx.example.com"
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		res, err := client.Do(req)
		must(t, err)
		return res
	}

	res := get("/totalrec/echo?x=1", "X-Forwarded-Proto", "https")
	var seen map[string]string
	must(t, json.NewDecoder(res.Body).Decode(&seen))
	res.Body.Close()
	if seen["host"] != "pbx.example.com" || seen["uri"] != "/totalrec/echo?x=1" || seen["for"] != "127.0.0.1" || seen["proto"] != "" {
		t.Errorf("the daemon saw %v: want the browser's host, the same path, the client's address and no https claimed over http", seen)
	}

	res = get("/totalrec/audio", "Range", "bytes=100-199")
	part, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusPartialContent || !bytes.Equal(part, audio[100:200]) {
		t.Errorf("Range through Apache: %d, %d bytes", res.StatusCode, len(part))
	}

	res = get("/totalrec/stream")
	line, err := bufio.NewReader(res.Body).ReadString('\n')
	close(more)
	rest, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil || line != "first line\n" || string(rest) != "second line\n" {
		t.Errorf("stream through Apache: %q %q %v (the first line must arrive before the daemon writes the second)", line, rest, err)
	}

	res = get("/totalrec")
	res.Body.Close()
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusFound || !strings.HasSuffix(loc, "/totalrec/") {
		t.Errorf("GET /totalrec: %d → %q, want the UI's path with its slash", res.StatusCode, loc)
	}
	res = get("/totalrecx/echo")
	res.Body.Close()
	mu.Lock()
	defer mu.Unlock()
	if res.StatusCode == http.StatusOK || strings.Contains(strings.Join(paths, " "), "/totalrecx") {
		t.Errorf("GET /totalrecx/echo: %d; the daemon saw %v: only /totalrec/ is proxied", res.StatusCode, paths)
	}
}

// startApache runs Apache in the foreground on a free port of 127.0.0.1 with a
// minimal configuration that includes conf, and returns its URL.
func startApache(t *testing.T, conf string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	addr := ln.Addr().String()
	ln.Close()
	dir := t.TempDir()
	must(t, os.Chmod(dir, 0o755))
	must(t, os.MkdirAll(filepath.Join(dir, "www"), 0o755))
	var b strings.Builder
	fmt.Fprintf(&b, "ServerRoot %s\nServerName 127.0.0.1\nListen %s\nPidFile %s/httpd.pid\nErrorLog %s/error.log\n", dir, addr, dir, dir)
	fmt.Fprintf(&b, "DefaultRuntimeDir %s\nMutex file:%s\nDocumentRoot %s/www\n", dir, dir, dir)
	for _, m := range []string{"mpm_event", "authz_core", "proxy", "proxy_http", "headers", "alias"} {
		fmt.Fprintf(&b, "LoadModule %s_module %s/mod_%s.so\n", m, apacheModules, m)
	}
	if u, err := user.Current(); err == nil && u.Uid == "0" {
		b.WriteString("User nobody\nGroup nogroup\n") // Apache will not serve as root
	}
	fmt.Fprintf(&b, "Include %s\n", conf)
	main := filepath.Join(dir, "httpd.conf")
	must(t, os.WriteFile(main, []byte(b.String()), 0o644))

	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, apacheBin, "-X", "-f", main)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	must(t, cmd.Start())
	t.Cleanup(func() {
		cancel()
		cmd.Wait()
	})
	for deadline := time.Now().Add(10 * time.Second); ; {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return "http://" + addr
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("Apache did not start on %s:\n%s\n%s", addr, out.String(), log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
