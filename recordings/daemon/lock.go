package daemon

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/totalrec/totalrec/recordings"
)

// daemonLockFile, in the data directory, is locked by the daemon that serves it.
const daemonLockFile = "serve.lock"

// lockDaemon makes this process the data directory's only daemon. Two daemons on
// one data directory would share the hook socket, each removing the other's, and
// drain the hook journal twice; the second is refused (ErrRefused) and names the
// first's pid. The lock is an flock, which the kernel releases however the holder
// ends, even by SIGKILL: a stale lock file never blocks a restart.
func lockDaemon(dataDir string) (release func(), err error) {
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, fmt.Errorf("take the daemon lock: %w", err)
	}
	name := filepath.Join(dataDir, daemonLockFile)
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|unix.O_NOFOLLOW, 0o640)
	if err != nil {
		return nil, fmt.Errorf("take the daemon lock: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		defer f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			holder := "another totalrec serve"
			if b, _ := os.ReadFile(name); len(strings.TrimSpace(string(b))) > 0 {
				if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
					holder += fmt.Sprintf(" (pid %d)", pid)
				}
			}
			return nil, fmt.Errorf("%s holds %s: one daemon per data directory %s: %w", holder, name, dataDir, recordings.ErrRefused)
		}
		return nil, fmt.Errorf("take the daemon lock: %w", err)
	}
	// The pid is for the message above and for people; the flock is the lock.
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return func() {
		unix.Flock(int(f.Fd()), unix.LOCK_UN)
		f.Close()
	}, nil
}
