package spool

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/totalrec/totalrec/recordings"
)

// The writes in this file are the only ones the spool package makes. Each is one
// system call relative to an open directory handle (unlinkat, mkdirat, renameat2), so
// a name is always an entry of that directory: it cannot climb out of the root, and
// a symlink entry is itself removed or renamed, never followed.

// checkEntry refuses a name that is not a single directory entry.
func checkEntry(name string) error {
	if name == "" || name == "." || name == ".." || strings.ContainsRune(name, '/') || strings.ContainsRune(name, 0) {
		return fmt.Errorf("entry %q: %w", name, recordings.ErrOutsideRoot)
	}
	return nil
}

// Lstat returns the size and mtime of the regular file name in this directory without
// following a symlink. A symlink or any other non-regular entry is refused with
// recordings.ErrOutsideRoot; a missing one returns an error matching fs.ErrNotExist.
func (d *Dir) Lstat(name string) (File, error) {
	if err := checkEntry(name); err != nil {
		return File{}, err
	}
	var st unix.Stat_t
	if err := unix.Fstatat(int(d.f.Fd()), name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return File{}, fmt.Errorf("stat %s: %w", d.join(name), err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return File{}, fmt.Errorf("stat %s: not a regular file: %w", d.join(name), recordings.ErrOutsideRoot)
	}
	return File{Name: name, Size: st.Size, ModTime: time.Unix(st.Mtim.Unix())}, nil
}

// Remove unlinks the entry name of this directory. It never removes a directory and
// never follows a symlink (a symlink entry would be unlinked itself, but callers
// check with Lstat first when that matters). A missing entry returns an error
// matching fs.ErrNotExist.
func (d *Dir) Remove(name string) error {
	if err := checkEntry(name); err != nil {
		return err
	}
	if err := unix.Unlinkat(int(d.f.Fd()), name, 0); err != nil {
		return fmt.Errorf("remove %s: %w", d.join(name), err)
	}
	return nil
}

// RemoveEmptySubdir removes the subdirectory name of this directory if it is empty,
// and reports whether it did. A directory that is not empty, or is missing, is not an
// error: it is left alone and removed is false. A symlink named name is not removed.
func (d *Dir) RemoveEmptySubdir(name string) (removed bool, err error) {
	if err := checkEntry(name); err != nil {
		return false, err
	}
	err = unix.Unlinkat(int(d.f.Fd()), name, unix.AT_REMOVEDIR)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, unix.ENOTEMPTY), errors.Is(err, unix.EEXIST), errors.Is(err, unix.ENOENT), errors.Is(err, unix.ENOTDIR):
		return false, nil
	}
	return false, fmt.Errorf("remove directory %s: %w", d.join(name), err)
}

// Mkdir creates the subdirectory name (mode perm, subject to the umask) unless it
// exists; an existing entry that is not a directory is refused.
func (d *Dir) Mkdir(name string, perm uint32) error {
	if err := checkEntry(name); err != nil {
		return err
	}
	err := unix.Mkdirat(int(d.f.Fd()), name, perm)
	if err == nil || !errors.Is(err, unix.EEXIST) {
		if err != nil {
			return fmt.Errorf("create directory %s: %w", d.join(name), err)
		}
		return nil
	}
	var st unix.Stat_t
	if err := unix.Fstatat(int(d.f.Fd()), name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fmt.Errorf("create directory %s: %w", d.join(name), err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
		return fmt.Errorf("create directory %s: exists and is not a directory: %w", d.join(name), recordings.ErrOutsideRoot)
	}
	return nil
}

// WorkPrefix starts the name of every file Totalrec writes in the spool before
// it is a recording (the compressor's work files): a scan never catalogues one.
const WorkPrefix = ".totalrec-"

// IsWorkFile reports whether a spool entry's name is one of Totalrec's work files.
func IsWorkFile(name string) bool { return strings.HasPrefix(name, WorkPrefix) }

// CreateFile creates the regular file name in this directory for writing, with
// mode perm (subject to the umask); it never opens an existing entry or follows a
// symlink (O_EXCL|O_NOFOLLOW): an existing name matches fs.ErrExist. It is how
// the compressor writes its work file next to the recording it converts.
func (d *Dir) CreateFile(name string, perm uint32) (*os.File, error) {
	if err := checkEntry(name); err != nil {
		return nil, err
	}
	fd, err := unix.Openat(int(d.f.Fd()), name, unix.O_RDWR|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, perm)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", d.join(name), err)
	}
	return os.NewFile(uintptr(fd), d.join(name)), nil
}

// Sync makes this directory's entries durable: a rename or an unlink in it
// survives a crash once Sync returns.
func (d *Dir) Sync() error {
	if err := d.f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", d.path, err)
	}
	return nil
}

// ErrExists: a rename target already exists; nothing was moved.
var ErrExists = fs.ErrExist

// RenameTo moves the entry name of this directory to newName in dst, atomically and
// without ever replacing an existing entry (renameat2 with RENAME_NOREPLACE): when
// newName exists the error matches fs.ErrExist and nothing moves.
func (d *Dir) RenameTo(name string, dst *Dir, newName string) error {
	if err := checkEntry(name); err != nil {
		return err
	}
	if err := checkEntry(newName); err != nil {
		return err
	}
	err := unix.Renameat2(int(d.f.Fd()), name, int(dst.f.Fd()), newName, unix.RENAME_NOREPLACE)
	if err != nil {
		return fmt.Errorf("rename %s to %s: %w", d.join(name), dst.join(newName), err)
	}
	return nil
}

// MkdirAll creates the directory rel and its missing parents inside the root, one
// mkdirat at a time relative to the parent's handle; a symlink on the way is refused.
func (t *Tree) MkdirAll(rel string, perm uint32) error {
	if rel == "" {
		return nil
	}
	if !fs.ValidPath(rel) {
		return fmt.Errorf("create directory %q: %w", rel, recordings.ErrOutsideRoot)
	}
	parent := ""
	for _, part := range strings.Split(rel, "/") {
		d, err := t.OpenDir(parent)
		if err != nil {
			return err
		}
		err = d.Mkdir(part, perm)
		d.Close()
		if err != nil {
			return err
		}
		parent = d.join(part)
	}
	return nil
}

// Types lists this directory's entries with their types as the directory itself
// records them: getdents' d_type, with no stat per entry on file systems that fill
// it (ext4, xfs, btrfs, tmpfs), and an lstat relative to the directory for an entry
// whose type is unknown. (os.File.ReadDir cannot be used: on a directory opened
// through an os.Root it lstats every entry.) It reads from the directory's current
// offset: call it once per open Dir.
func (d *Dir) Types() (map[string]fs.FileMode, error) {
	fd := int(d.f.Fd())
	out := map[string]fs.FileMode{}
	buf := make([]byte, 64<<10)
	for {
		n, err := unix.ReadDirent(fd, buf)
		if err != nil {
			return out, fmt.Errorf("list %s: %w", d.join("."), err)
		}
		if n <= 0 {
			return out, nil
		}
		for off := 0; off+19 <= n; {
			// struct linux_dirent64: ino u64, off s64, reclen u16, type u8, name.
			reclen := int(binary.NativeEndian.Uint16(buf[off+16:]))
			if reclen < 19 || off+reclen > n {
				return out, fmt.Errorf("list %s: malformed directory entry", d.join("."))
			}
			typ, name := buf[off+18], buf[off+19:off+reclen]
			if i := bytes.IndexByte(name, 0); i >= 0 {
				name = name[:i]
			}
			off += reclen
			if string(name) == "." || string(name) == ".." {
				continue
			}
			mode, ok := direntMode(typ)
			if !ok {
				var st unix.Stat_t
				if err := unix.Fstatat(fd, string(name), &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
					continue // gone since the listing, or unreadable: not listed
				}
				mode, _ = direntMode(statType(st.Mode))
			}
			out[string(name)] = mode
		}
	}
}

// direntMode maps a d_type to the type bits of fs.FileMode; ok is false for
// DT_UNKNOWN.
func direntMode(t uint8) (mode fs.FileMode, ok bool) {
	switch t {
	case unix.DT_REG:
		return 0, true
	case unix.DT_DIR:
		return fs.ModeDir, true
	case unix.DT_LNK:
		return fs.ModeSymlink, true
	case unix.DT_FIFO:
		return fs.ModeNamedPipe, true
	case unix.DT_SOCK:
		return fs.ModeSocket, true
	case unix.DT_CHR:
		return fs.ModeDevice | fs.ModeCharDevice, true
	case unix.DT_BLK:
		return fs.ModeDevice, true
	}
	return fs.ModeIrregular, false
}

// statType is the d_type of a stat mode.
func statType(m uint32) uint8 {
	switch m & unix.S_IFMT {
	case unix.S_IFREG:
		return unix.DT_REG
	case unix.S_IFDIR:
		return unix.DT_DIR
	case unix.S_IFLNK:
		return unix.DT_LNK
	case unix.S_IFIFO:
		return unix.DT_FIFO
	case unix.S_IFSOCK:
		return unix.DT_SOCK
	case unix.S_IFCHR:
		return unix.DT_CHR
	case unix.S_IFBLK:
		return unix.DT_BLK
	}
	return unix.DT_UNKNOWN
}
