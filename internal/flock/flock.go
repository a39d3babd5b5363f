// Package flock takes the exclusive, non-blocking file locks that keep two runs of
// one job apart. The kernel releases a lock when its process ends, even on SIGKILL.
package flock

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// ErrHeld: another process holds the lock.
var ErrHeld = errors.New("lock held by another process")

// Take takes an exclusive flock on the file at path, creating it and its
// directory if missing, and writes the pid into it for people looking. A lock
// held elsewhere is refused at once with ErrHeld. release unlocks and closes.
func Take(path string) (release func() error, err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|unix.O_NOFOLLOW, 0o640)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, fmt.Errorf("%s: %w", path, ErrHeld)
		}
		return nil, err
	}
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return func() error {
		unix.Flock(int(f.Fd()), unix.LOCK_UN)
		return f.Close()
	}, nil
}
