package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings/hook"
)

// postToHookSocket announces a recording on the daemon's socket itself: `totalrec
// hook` would journal it when the socket fails, and hide the failure.
func postToHookSocket(t *testing.T, sock, rel string) int {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		},
	}}
	res, err := client.Post("http://totalrec/hook", "application/json", bytes.NewReader([]byte(fmt.Sprintf(`{"path":%q}`, rel))))
	if err != nil {
		t.Errorf("post to the hook socket %s: %v", sock, err)
		return 0
	}
	res.Body.Close()
	return res.StatusCode
}

// TestCLI_ServeOneDaemonPerDataDir: a second serve on the data directory of a
// running one is refused at once, naming the first one's pid, and leaves the first
// one's hook socket alone: hooks still reach the first daemon, which then stops
// cleanly and removes its socket.
func TestCLI_ServeOneDaemonPerDataDir(t *testing.T) {
	spoolDir, dataDir, file := hookFixture(t)
	env := []string{"TOTALREC_SPOOL=" + spoolDir, "TOTALREC_DATA_DIR=" + dataDir,
		"TOTALREC_DB=sqlite:" + filepath.Join(dataDir, "totalrec.db")}
	a := start(t, env, "serve", "--no-scan", "--listen", "127.0.0.1:0")
	a.url(t, "Totalrec is serving on ")
	sock := hook.Socket(dataDir)
	waitFor(t, sock)

	b := start(t, env, "serve", "--no-scan", "--listen", "127.0.0.1:0")
	lines, timeout := b.lines, time.After(60*time.Second)
wait:
	for {
		select {
		case err := <-b.done:
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != exitRefused {
				t.Errorf("the second serve ended with %v, want exit %d", err, exitRefused)
			}
			msg := b.stderr.String()
			if !strings.Contains(msg, fmt.Sprintf("(pid %d)", a.cmd.Process.Pid)) || !strings.Contains(msg, "one daemon per data directory") {
				t.Errorf("the second serve's message does not name the first:\n%s", msg)
			}
			break wait
		case line, ok := <-lines:
			if !ok {
				lines = nil // its stdout closed: it is ending
				continue
			}
			// It serves (the old behaviour): when it ends it takes the socket with it.
			b.stop(t, syscall.SIGTERM)
			t.Errorf("a second serve on the same data directory started: %q", line)
			break wait
		case <-timeout:
			b.stop(t, syscall.SIGTERM)
			t.Error("the second serve neither failed nor served")
			break wait
		}
	}

	rel, err := filepath.Rel(spoolDir, file)
	must(t, err)
	if code := postToHookSocket(t, sock, filepath.ToSlash(rel)); code != http.StatusAccepted {
		t.Errorf("hook to the first daemon after the second one's attempt: %d, want %d", code, http.StatusAccepted)
	}
	if code := a.stop(t, syscall.SIGTERM); code != exitOK {
		t.Errorf("the first serve: exit %d after SIGTERM\n%s", code, a.stderr.String())
	}
	if _, err := os.Stat(sock); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the hook socket outlived its daemon: %v", err)
	}
	// The lock went with the daemon: the next one starts.
	c := start(t, env, "serve", "--no-scan", "--listen", "127.0.0.1:0")
	c.url(t, "Totalrec is serving on ")
	if code := c.stop(t, syscall.SIGTERM); code != exitOK {
		t.Errorf("serve after the first stopped: exit %d\n%s", code, c.stderr.String())
	}
}

// TestCLI_ServeRemovesOnlyItsOwnSocket: a daemon that stops leaves alone a socket
// that is no longer the one it made (bound by someone else since).
func TestCLI_ServeRemovesOnlyItsOwnSocket(t *testing.T) {
	spoolDir, dataDir, _ := hookFixture(t)
	env := []string{"TOTALREC_SPOOL=" + spoolDir, "TOTALREC_DATA_DIR=" + dataDir,
		"TOTALREC_DB=sqlite:" + filepath.Join(dataDir, "totalrec.db")}
	a := start(t, env, "serve", "--no-scan", "--listen", "127.0.0.1:0")
	a.url(t, "Totalrec is serving on ")
	sock := hook.Socket(dataDir)
	waitFor(t, sock)
	must(t, os.Remove(sock))
	other, err := net.Listen("unix", sock)
	must(t, err)
	defer other.Close()
	if code := a.stop(t, syscall.SIGTERM); code != exitOK {
		t.Errorf("exit %d after SIGTERM\n%s", code, a.stderr.String())
	}
	if _, err := os.Stat(sock); err != nil {
		t.Errorf("the stopped daemon removed a socket it did not make: %v", err)
	}
}
