package compress

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/totalrec/totalrec/internal/flock"
	"github.com/totalrec/totalrec/recordings"
)

// LockFile is the lock, in the data directory, that one compressor at a time
// holds for its pass: each recovers the conversions it finds open, which must not
// be another's in flight.
const LockFile = "compress.lock"

// Lock takes the compression lock of dataDir; another holder is refused with an
// error matching recordings.ErrRefused.
func Lock(dataDir string) (release func() error, err error) {
	name := filepath.Join(dataDir, LockFile)
	release, err = flock.Take(name)
	if errors.Is(err, flock.ErrHeld) {
		return nil, fmt.Errorf("another compressor (the daemon, or totalrec compress) holds %s: %w", name, recordings.ErrRefused)
	}
	if err != nil {
		return nil, fmt.Errorf("take the compression lock: %w", err)
	}
	return release, nil
}
