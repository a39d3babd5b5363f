package spool

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/totalrec/totalrec/recordings"
)

// TestTreeOpenFile: Tree.OpenFile opens a recording below the root and
// refuses what Dir.OpenFile refuses — symlinks (of the file or of a directory
// on the way), paths out of the root, hard links, what is not a regular file —
// through openat2 and through the directory handles alike.
func TestTreeOpenFile(t *testing.T) {
	root := t.TempDir()
	spoolDir := filepath.Join(root, "monitor")
	day := filepath.Join(spoolDir, "2026", "11", "26")
	if err := os.MkdirAll(day, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(p, body string) {
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	secret := filepath.Join(root, "shadow")
	write(secret, "root:$6$secret")
	write(filepath.Join(day, "ok.wav"), "RIFF ok")
	must(t, os.Link(secret, filepath.Join(day, "linked.wav")))
	must(t, os.Symlink(secret, filepath.Join(day, "symlink.wav")))
	must(t, os.Symlink(day, filepath.Join(spoolDir, "2026", "12")))
	must(t, os.Symlink(root, filepath.Join(spoolDir, "up")))

	for _, mode := range []string{"openat2", "directory handles"} {
		t.Run(mode, func(t *testing.T) {
			tree, err := OpenTree(spoolDir)
			if err != nil {
				t.Fatal(err)
			}
			defer tree.Close()
			tree.rh.noOpenat.Store(mode != "openat2")
			f, fi, err := tree.OpenFile("2026/11/26/ok.wav")
			if err != nil {
				t.Fatal(err)
			}
			if st, err := os.Stat(filepath.Join(day, "ok.wav")); err != nil || fi.Name != "ok.wav" || fi.Size != 7 || !fi.ModTime.Equal(st.ModTime()) {
				t.Errorf("ok.wav described as %+v, want its size 7 and mtime (%v)", fi, err)
			}
			b, err := io.ReadAll(f)
			f.Close()
			if err != nil || string(b) != "RIFF ok" {
				t.Errorf("ok.wav: %q, %v", b, err)
			}
			for rel, want := range map[string]error{
				"2026/11/26/missing.wav":        fs.ErrNotExist,
				"2026/11/27/x.wav":              fs.ErrNotExist,
				"2026/11/26/linked.wav":         ErrHardLink,
				"2026/11/26/symlink.wav":        recordings.ErrOutsideRoot,
				"2026/12/ok.wav":                recordings.ErrOutsideRoot,
				"up/shadow":                     recordings.ErrOutsideRoot,
				"../shadow":                     recordings.ErrOutsideRoot,
				"2026/11/26/../../../../shadow": recordings.ErrOutsideRoot,
				"/etc/passwd":                   recordings.ErrOutsideRoot,
				"2026/11/26/ok.wav/x":           recordings.ErrOutsideRoot,
				"2026/11/26":                    recordings.ErrInvalid,
				"":                              recordings.ErrOutsideRoot,
			} {
				f, _, err := tree.OpenFile(rel)
				if f != nil {
					f.Close()
				}
				if !errors.Is(err, want) {
					t.Errorf("OpenFile(%q): %v, want %v", rel, err, want)
				}
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
