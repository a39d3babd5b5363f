package spool

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"github.com/totalrec/totalrec/recordings"
)

// openFlags open a spool file for reading: never through a symlink, never
// blocking on a FIFO, never inherited by a child.
const openFlags = unix.O_RDONLY | unix.O_NOFOLLOW | unix.O_CLOEXEC | unix.O_NONBLOCK

// beneath is how openat2 resolves a path below the root: nothing outside it
// (no "..", no absolute symlink), and no symlink at all, so that a path leads
// where the directory handles of OpenDir would.
const beneath = unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS

// rootHandle is the root directory's descriptor for openat2, and whether the
// kernel turned openat2 down (before Linux 5.6, or a seccomp filter that
// forbids it), after which OpenFile takes the directory handles.
type rootHandle struct {
	f        *os.File
	fd       int
	noOpenat atomic.Bool
}

// OpenFile opens the regular file at rel, a "/"-separated path below the root,
// for reading, with Dir.OpenFile's refusals: symlinks anywhere on the path and
// paths leaving the root (recordings.ErrOutsideRoot), anything that is not a
// regular file, and a file with more than one hard link (ErrHardLink). It is
// one openat2 call where the kernel has it, and OpenDir then Dir.OpenFile
// where it does not. A missing file or directory matches fs.ErrNotExist. The
// File has the size and modification time of the open descriptor, which
// callers need and would otherwise ask for again.
func (t *Tree) OpenFile(rel string) (*os.File, File, error) {
	if !fs.ValidPath(rel) || rel == "." {
		return nil, File{}, fmt.Errorf("open %q: %w", rel, recordings.ErrOutsideRoot)
	}
	if !t.rh.noOpenat.Load() {
		fd, err := unix.Openat2(t.rh.fd, rel, &unix.OpenHow{Flags: openFlags, Resolve: beneath})
		switch {
		case err == nil:
			return checkOpened(fd, rel)
		case errors.Is(err, unix.ENOSYS), errors.Is(err, unix.EPERM):
			t.rh.noOpenat.Store(true)
		case errors.Is(err, unix.ELOOP), errors.Is(err, unix.EXDEV), errors.Is(err, unix.ENOTDIR):
			return nil, File{}, fmt.Errorf("open %s: a symbolic link, or not a directory on the way: %w", rel, recordings.ErrOutsideRoot)
		default:
			return nil, File{}, fmt.Errorf("open %s: %w", rel, err)
		}
	}
	dir, name := path.Split(rel)
	d, err := t.OpenDir(path.Clean("/" + dir)[1:])
	if err != nil {
		return nil, File{}, err
	}
	defer d.Close()
	return d.openFile(name)
}

// checkOpened returns the descriptor fd, just opened for rel, as a file if it
// is a regular file with a single name, with its size and modification time,
// and closes it otherwise. The link count is read from the open descriptor: the
// bytes that would be read are the ones checked.
func checkOpened(fd int, rel string) (*os.File, File, error) {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, File{}, fmt.Errorf("stat %s: %w", rel, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		unix.Close(fd)
		return nil, File{}, fmt.Errorf("open %s: not a regular file: %w", rel, recordings.ErrInvalid)
	}
	if st.Nlink > 1 {
		unix.Close(fd)
		return nil, File{}, fmt.Errorf("open %s: %d links: %w", rel, st.Nlink, ErrHardLink)
	}
	fi := File{Name: path.Base(rel), Size: st.Size, ModTime: time.Unix(st.Mtim.Unix())}
	return os.NewFile(uintptr(fd), rel), fi, nil
}
