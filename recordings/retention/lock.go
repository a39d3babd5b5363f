package retention

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/totalrec/totalrec/recordings"
)

// LockFile is the name of the lock file in the data directory.
const LockFile = "retention.lock"

// Lock takes the retention lock: an exclusive flock on dataDir/retention.lock,
// created if missing. retention run (the nightly cron job) and migrate-layout both
// take it, so one of them runs at a time, whoever starts it; the kernel releases it when the process ends, even on
// SIGKILL. A lock held elsewhere is refused at once with recordings.ErrRefused.
// release unlocks and closes.
func Lock(dataDir string) (release func() error, err error) {
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, fmt.Errorf("take retention lock: %w", err)
	}
	name := filepath.Join(dataDir, LockFile)
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|unix.O_NOFOLLOW, 0o640)
	if err != nil {
		return nil, fmt.Errorf("take retention lock: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, fmt.Errorf("another retention run holds the lock %s: %w", name, recordings.ErrRefused)
		}
		return nil, fmt.Errorf("take retention lock: %w", err)
	}
	// The pid is for people looking at the file; the flock is the lock.
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return func() error {
		unix.Flock(int(f.Fd()), unix.LOCK_UN)
		return f.Close()
	}, nil
}

// DiskOf measures the file system holding dir; spool is the bytes of the live
// recordings, from the catalogue.
func DiskOf(dir string, spool int64) (Disk, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return Disk{}, fmt.Errorf("measure disk of %s: %w", dir, err)
	}
	bs := int64(st.Bsize)
	return Disk{Total: int64(st.Blocks) * bs, Free: int64(st.Bavail) * bs, Spool: spool}, nil
}
