package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// bgServe is totalrec running in the background, as systemd runs `serve`.
type bgServe struct {
	cmd    *exec.Cmd
	lines  chan string // stdout, line by line
	stderr *syncBuffer
	done   chan error
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// start runs totalrec with args in the same environment cli gives it.
func start(t *testing.T, env []string, args ...string) *bgServe {
	t.Helper()
	return startBin(t, bin, env, args...)
}

// startBin is start with another build of totalrec (faultBin).
func startBin(t *testing.T, bin string, env []string, args ...string) *bgServe {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command(bin, args...)
	cmd.Env = append([]string{"HOME=" + home, "PATH=/usr/bin:/bin", "TZ=Europe/Moscow",
		"TOTALREC_FS_ROOT=" + t.TempDir(), "TOTALREC_DATA_DIR=" + filepath.Join(home, "data"), "TOTALREC_COMPRESS=keep"}, env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	d := &bgServe{cmd: cmd, lines: make(chan string, 100), stderr: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = d.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			d.lines <- sc.Text()
		}
		close(d.lines)
	}()
	go func() { d.done <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-d.done
		}
	})
	return d
}

// url waits for the line that announces the address and returns the URL in it.
func (d *bgServe) url(t *testing.T, prefix string) string {
	t.Helper()
	timeout := time.After(60 * time.Second)
	for {
		select {
		case line, ok := <-d.lines:
			if !ok {
				t.Fatalf("totalrec ended before printing %q\nstderr:\n%s", prefix, d.stderr.String())
			}
			if _, rest, found := strings.Cut(line, prefix); found {
				return strings.Fields(rest)[0]
			}
		case <-timeout:
			t.Fatalf("no %q line\nstderr:\n%s", prefix, d.stderr.String())
		}
	}
}

// stop sends sig and returns the exit code.
func (d *bgServe) stop(t *testing.T, sig syscall.Signal) int {
	t.Helper()
	if err := d.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-d.done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(30 * time.Second):
		t.Fatalf("totalrec did not stop on %v\nstderr:\n%s", sig, d.stderr.String())
	}
	return -1
}

func httpGet(t *testing.T, url string, header ...string) (*http.Response, string) {
	t.Helper()
	return httpDo(t, http.DefaultClient, url, header...)
}

// httpDo GETs url with client and the given header pairs.
func httpDo(t *testing.T, client *http.Client, url string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// TestCLI_Serve runs `totalrec serve` on a demo PBX: it scans at startup, answers
// the API and the pages, logs each request, and stops cleanly on SIGTERM.
func TestCLI_Serve(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	cli(t, nil, "demo", "--dir", dir, "--days", "3", "--calls-per-day", "6", "--no-serve").must(t, exitOK)
	env := []string{"TOTALREC_SPOOL=" + filepath.Join(dir, "monitor"), "TOTALREC_DB=sqlite:" + filepath.Join(dir, "totalrec.db"),
		"TOTALREC_CDR_DB=sqlite:" + filepath.Join(dir, "asteriskcdrdb.sqlite"), "TOTALREC_LISTEN=127.0.0.1:1"}
	token := newToken(t, env, "serve-test", "all")
	d := start(t, env, "serve", "--listen", "127.0.0.1:0")
	base := d.url(t, "Totalrec is serving on ")
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("serving on %s, want 127.0.0.1", base)
	}
	res, body := httpGet(t, base+"healthz")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `"ok"`) {
		t.Errorf("healthz: %d %s", res.StatusCode, body)
	}
	res, body = httpGet(t, base+"api/v1/recordings?limit=3")
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("API search without a token: %d %s", res.StatusCode, body)
	}
	res, body = httpGet(t, base+"api/v1/recordings?limit=3", "Authorization", "Bearer "+token)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `"items":[{"id":`) {
		t.Errorf("API search: %d %s", res.StatusCode, body)
	}
	res, body = httpGet(t, base)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `id="login-form"`) || res.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("search page without a session: %d %v, want the sign-in form", res.StatusCode, res.Header)
	}
	if code := d.stop(t, syscall.SIGTERM); code != exitOK {
		t.Errorf("exit %d after SIGTERM\n%s", code, d.stderr.String())
	}
	logs := d.stderr.String()
	for _, want := range []string{"msg=\"scan done\"", "msg=request", "path=/healthz", "status=200"} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log lacks %s:\n%s", want, logs)
		}
	}

	// An address in use is an error, not a silent exit.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	r := cli(t, env, "serve", "--no-scan", "--listen", ln.Addr().String())
	if r.code != exitError || !strings.Contains(r.stderr, "listen on") {
		t.Errorf("serve on a busy address: exit %d\n%s", r.code, r.stderr)
	}
}

// TestCLI_DemoServes checks that `totalrec demo` serves the demo it catalogued
// and prints where.
func TestCLI_DemoServes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	d := start(t, nil, "demo", "--dir", dir, "--days", "2", "--calls-per-day", "5", "--listen", "127.0.0.1:0")
	link := d.url(t, "open ")
	// The printed link signs the browser in once, then leads to the search page.
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	res, body := httpDo(t, browser, link)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `id="results"`) || !strings.Contains(body, `id="user-name">demo<`) {
		t.Errorf("the demo's search page through the printed link: %d", res.StatusCode)
	}
	if res, _ := httpDo(t, &http.Client{}, link); res.StatusCode != http.StatusForbidden {
		t.Errorf("the one-time link works twice: %d", res.StatusCode)
	}
	// The password command it prints works as printed, while the demo serves.
	var passwd string
	for timeout := time.After(10 * time.Second); passwd == ""; {
		select {
		case line, ok := <-d.lines:
			if !ok {
				t.Fatalf("the demo printed no password command\n%s", d.stderr.String())
			}
			if cmds := followUps(line + "\n"); len(cmds) == 1 && strings.HasSuffix(cmds[0], " user passwd demo") {
				passwd = cmds[0]
			}
		case <-timeout:
			d.stop(t, syscall.SIGINT)
			t.Fatal("the demo printed no password command to run")
		}
	}
	if r := runPrinted(t, passwd); r.code != exitOK {
		t.Errorf("%s: exit %d\n%s", passwd, r.code, r.stderr)
	}
	if code := d.stop(t, syscall.SIGINT); code != exitOK {
		t.Errorf("exit %d after SIGINT\n%s", code, d.stderr.String())
	}
}
