package retention

import (
	"errors"
	"fmt"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/totalrec/totalrec/internal/flock"
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
	name := filepath.Join(dataDir, LockFile)
	release, err = flock.Take(name)
	if errors.Is(err, flock.ErrHeld) {
		return nil, fmt.Errorf("another retention run holds the lock %s: %w", name, recordings.ErrRefused)
	}
	if err != nil {
		return nil, fmt.Errorf("take retention lock: %w", err)
	}
	return release, nil
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
