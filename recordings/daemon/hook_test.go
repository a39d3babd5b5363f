package daemon

import (
	"net"
	"os"
	"path/filepath"
	"testing"
)

// TestListenUnix: the socket appears at its path already with its mode, the file
// it reports is the one at the path, and no temporary name is left behind.
func TestListenUnix(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "hook.sock")
	// A stale socket from a daemon that died is replaced.
	stale, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	stale.(*net.UnixListener).SetUnlinkOnClose(false)
	stale.Close()

	ln, mine, err := listenUnix(sock, 0o660)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	now, err := os.Stat(sock)
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(mine, now) {
		t.Error("the file reported is not the one at the path")
	}
	if perm := now.Mode().Perm(); perm != 0o660 {
		t.Errorf("mode %v, want 0660", perm)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("the directory holds %d entries, want only the socket: %v", len(entries), entries)
	}
	c, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatalf("connect through the renamed path: %v", err)
	}
	c.Close()
}
