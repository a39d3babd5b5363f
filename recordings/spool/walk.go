package spool

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/sys/unix"

	"github.com/totalrec/totalrec/recordings"
)

// Tree is a spool root opened for reading. Every access goes through the directory
// handles it opens, relative to the root, with O_NOFOLLOW: a symlink anywhere in the
// spool is reported, never followed, and no path leaves the root.
type Tree struct {
	root *os.Root
	rh   rootHandle // the root's own descriptor, for OpenFile (open.go)
	dir  string
}

// OpenTree opens the spool root dir.
func OpenTree(dir string) (*Tree, error) {
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open spool: %w", err)
	}
	f, err := r.Open(".")
	if err != nil {
		r.Close()
		return nil, fmt.Errorf("open spool: %w", err)
	}
	t := &Tree{root: r, dir: dir}
	t.rh.f, t.rh.fd = f, int(f.Fd())
	return t, nil
}

// Dir returns the root's path as given to OpenTree.
func (t *Tree) Dir() string { return t.dir }

// Close releases the root.
func (t *Tree) Close() error {
	t.rh.f.Close()
	return t.root.Close()
}

// File is a regular file found in a directory listing.
type File struct {
	Name    string
	Size    int64
	ModTime time.Time
}

// ErrHardLink refuses a regular file with more than one hard link. Whoever can
// write into the spool can link into it any file of the same file system that
// he may link (with fs.protected_hardlinks=1, one he owns or may read and
// write): the name is in the spool, the bytes are not a recording's. Asterisk
// never links its recordings, so a second link is refused like a symlink.
var ErrHardLink = fmt.Errorf("more than one hard link: %w", recordings.ErrOutsideRoot)

// Oddity is something in the spool that is not a recording Totalrec can catalogue:
// a symlink, a hard link, a device, an unreadable entry. Scans report them and go on.
type Oddity struct {
	Path string
	What string
}

// Listing is one directory's contents.
type Listing struct {
	Path     string // relative to the root, "/"-separated; "" for the root itself
	ModTime  time.Time
	Files    []File
	Subdirs  []string // relative paths of the subdirectories
	Oddities []Oddity
}

// Dir is an open directory of the tree.
type Dir struct {
	f    *os.File
	path string
}

// OpenDir opens the directory rel ("" for the root). A symlink at rel, or on the way
// to it, is refused with recordings.ErrOutsideRoot.
func (t *Tree) OpenDir(rel string) (*Dir, error) {
	name := rel
	if name == "" {
		name = "."
	}
	if !fs.ValidPath(name) {
		return nil, fmt.Errorf("open %q: %w", rel, recordings.ErrOutsideRoot)
	}
	fi, err := t.root.Lstat(name)
	if err != nil {
		return nil, fmt.Errorf("open dir: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("open dir %q: not a directory: %w", rel, recordings.ErrOutsideRoot)
	}
	f, err := t.root.Open(name)
	if err != nil {
		return nil, fmt.Errorf("open dir: %w", err)
	}
	return &Dir{f: f, path: rel}, nil
}

// Close closes the directory.
func (d *Dir) Close() error { return d.f.Close() }

// Path is the directory's path relative to the root.
func (d *Dir) Path() string { return d.path }

// ModTime returns the directory's own modification time, which changes when an entry
// is added, removed or renamed.
func (d *Dir) ModTime() (time.Time, error) {
	fi, err := d.f.Stat()
	if err != nil {
		return time.Time{}, fmt.Errorf("stat dir: %w", err)
	}
	return fi.ModTime(), nil
}

// List reads the directory: regular files with size and mtime (one fstatat each,
// relative to this directory, never following a link), subdirectories, and oddities.
func (d *Dir) List() (Listing, error) {
	l := Listing{Path: d.path}
	var err error
	if l.ModTime, err = d.ModTime(); err != nil {
		return l, err
	}
	fd := int(d.f.Fd())
	for {
		// Names only: ReadDir on a directory opened through os.Root lstats every
		// entry, and the fstatat below is the one stat each entry needs.
		names, rerr := d.f.Readdirnames(4096)
		for _, name := range names {
			rel := d.join(name)
			if !utf8.ValidString(name) {
				l.Oddities = append(l.Oddities, Oddity{Path: strings.ToValidUTF8(rel, "\uFFFD"), What: "name is not valid UTF-8; skipped"})
				continue
			}
			var st unix.Stat_t
			if err := unix.Fstatat(fd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
				if errors.Is(err, unix.ENOENT) {
					continue // removed since the listing: not an oddity
				}
				l.Oddities = append(l.Oddities, Oddity{Path: rel, What: "stat: " + err.Error()})
				continue
			}
			switch st.Mode & unix.S_IFMT {
			case unix.S_IFREG:
				if st.Nlink > 1 {
					l.Oddities = append(l.Oddities, Oddity{Path: rel, What: hardLinkWhat(uint64(st.Nlink))})
					continue
				}
				l.Files = append(l.Files, File{Name: name, Size: st.Size, ModTime: time.Unix(st.Mtim.Unix())})
			case unix.S_IFDIR:
				l.Subdirs = append(l.Subdirs, rel)
			case unix.S_IFLNK:
				l.Oddities = append(l.Oddities, Oddity{Path: rel, What: "symbolic link; not followed"})
			default:
				l.Oddities = append(l.Oddities, Oddity{Path: rel, What: "not a regular file; skipped"})
			}
		}
		if rerr != nil {
			break // io.EOF, or an error after which nothing more can be read
		}
	}
	return l, nil
}

// hardLinkWhat is an oddity's reason for a file with n links.
func hardLinkWhat(n uint64) string {
	return fmt.Sprintf("hard link (%d names for one file): its bytes may come from outside the spool; not catalogued or served", n)
}

// OpenFile opens the regular file name in this directory for reading, refusing
// symlinks, anything that is not a regular file, and a file with more than one
// hard link (ErrHardLink), as checkOpened says.
func (d *Dir) OpenFile(name string) (*os.File, error) {
	f, _, err := d.openFile(name)
	return f, err
}

// openFile is OpenFile with the file's size and modification time.
func (d *Dir) openFile(name string) (*os.File, File, error) {
	if name == "" || strings.ContainsRune(name, '/') || name == "." || name == ".." {
		return nil, File{}, fmt.Errorf("open %q: %w", name, recordings.ErrOutsideRoot)
	}
	fd, err := unix.Openat(int(d.f.Fd()), name, openFlags, 0)
	if err != nil {
		if errors.Is(err, unix.ELOOP) {
			return nil, File{}, fmt.Errorf("open %s: symbolic link: %w", d.join(name), recordings.ErrOutsideRoot)
		}
		return nil, File{}, fmt.Errorf("open %s: %w", d.join(name), err)
	}
	return checkOpened(fd, d.join(name))
}

func (d *Dir) join(name string) string {
	if d.path == "" {
		return name
	}
	return path.Join(d.path, name)
}

// Stat describes the regular file name in this directory without following a
// symlink: recordings.ErrNotFound when it is absent, recordings.ErrOutsideRoot for
// a symlink, anything that is not a regular file, or a file with more than one
// hard link (ErrHardLink).
func (d *Dir) Stat(name string) (File, error) {
	if name == "" || strings.ContainsRune(name, '/') || name == "." || name == ".." {
		return File{}, fmt.Errorf("stat %q: %w", name, recordings.ErrOutsideRoot)
	}
	var st unix.Stat_t
	if err := unix.Fstatat(int(d.f.Fd()), name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		if errors.Is(err, unix.ENOENT) {
			return File{}, fmt.Errorf("stat %s: %w", d.join(name), recordings.ErrNotFound)
		}
		return File{}, fmt.Errorf("stat %s: %w", d.join(name), err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return File{}, fmt.Errorf("stat %s: not a regular file: %w", d.join(name), recordings.ErrOutsideRoot)
	}
	if st.Nlink > 1 {
		return File{}, fmt.Errorf("stat %s: %d links: %w", d.join(name), st.Nlink, ErrHardLink)
	}
	return File{Name: name, Size: st.Size, ModTime: time.Unix(st.Mtim.Unix())}, nil
}
