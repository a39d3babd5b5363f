package archive

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/totalrec/totalrec/internal/flock"
	"github.com/totalrec/totalrec/recordings"
)

// LockFile is the lock, in the data directory, that one archiver at a time holds
// for its pass or restore: each finishes the moves it finds open, which must not
// be another's in flight.
const LockFile = "archive.lock"

// Lock takes the archive lock of dataDir; another holder is refused with an error
// matching recordings.ErrRefused.
func Lock(dataDir string) (release func() error, err error) {
	name := filepath.Join(dataDir, LockFile)
	release, err = flock.Take(name)
	if errors.Is(err, flock.ErrHeld) {
		return nil, fmt.Errorf("another archiver (the daemon, or totalrec archive) holds %s: %w", name, recordings.ErrRefused)
	}
	if err != nil {
		return nil, fmt.Errorf("take the archive lock: %w", err)
	}
	return release, nil
}
