package spool

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/totalrec/totalrec/recordings"
)

// TestHardLinks: a file of the spool with a second name — a link to a file
// outside the spool, or two names inside it — is listed as an oddity with its
// reason, never as a file, and refused by Stat and OpenFile, which open the
// single-named file beside it.
func TestHardLinks(t *testing.T) {
	root := t.TempDir()
	spoolDir := filepath.Join(root, "monitor")
	day := filepath.Join(spoolDir, "2026", "11", "26")
	if err := os.MkdirAll(day, 0o755); err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(root, "shadow")
	write := func(p, body string) {
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(secret, "root:$6$secret")
	write(filepath.Join(day, "in-100-200-20261126-100000-1795680000.1.wav"), "RIFF")
	write(filepath.Join(day, "in-101-200-20261126-100000-1795680000.2.wav"), "RIFF")
	outside := "in-102-200-20261126-100000-1795680000.3.wav"
	if err := os.Link(secret, filepath.Join(day, outside)); err != nil {
		t.Fatal(err)
	}
	twice := "in-103-200-20261126-100000-1795680000.4.wav"
	if err := os.Link(filepath.Join(day, "in-101-200-20261126-100000-1795680000.2.wav"), filepath.Join(day, twice)); err != nil {
		t.Fatal(err)
	}

	tree, err := OpenTree(spoolDir)
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	d, err := tree.OpenDir("2026/11/26")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	l, err := d.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Files) != 1 || l.Files[0].Name != "in-100-200-20261126-100000-1795680000.1.wav" {
		t.Errorf("files %+v, want only the single-named one", l.Files)
	}
	odd := map[string]string{}
	for _, o := range l.Oddities {
		odd[o.Path] = o.What
	}
	for _, name := range []string{outside, twice, "in-101-200-20261126-100000-1795680000.2.wav"} {
		what, ok := odd["2026/11/26/"+name]
		if !ok || !strings.Contains(what, "hard link") || !strings.Contains(what, "2 names") {
			t.Errorf("oddity of %s: %q", name, what)
		}
		if _, err := d.Stat(name); !errors.Is(err, ErrHardLink) || !errors.Is(err, recordings.ErrOutsideRoot) {
			t.Errorf("Stat %s: %v", name, err)
		}
		if f, err := d.OpenFile(name); !errors.Is(err, ErrHardLink) || !errors.Is(err, recordings.ErrOutsideRoot) {
			if f != nil {
				f.Close()
			}
			t.Errorf("OpenFile %s: %v", name, err)
		}
	}
	f, err := d.OpenFile("in-100-200-20261126-100000-1795680000.1.wav")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := d.Stat("in-100-200-20261126-100000-1795680000.1.wav"); err != nil {
		t.Error(err)
	}
}
