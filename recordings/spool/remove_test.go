package spool

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/totalrec/totalrec/recordings"
)

func TestDirWrites(t *testing.T) {
	base := t.TempDir()
	root, outside := filepath.Join(base, "monitor"), filepath.Join(base, "outside")
	for _, d := range []string{filepath.Join(root, "2026/11/26"), filepath.Join(root, "2026/11/25"), outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	secret := filepath.Join(outside, "secret.wav")
	os.WriteFile(secret, []byte("keep"), 0o644)
	os.WriteFile(filepath.Join(root, "2026/11/26/a.wav"), []byte("a"), 0o644)
	os.WriteFile(filepath.Join(root, "2026/11/26/b.wav"), []byte("b"), 0o644)
	if err := os.Symlink(secret, filepath.Join(root, "2026/11/26/link.wav")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "2026/11/out")); err != nil {
		t.Fatal(err)
	}
	tree, err := OpenTree(root)
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	d, err := tree.OpenDir("2026/11/26")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()

	if f, err := d.Lstat("a.wav"); err != nil || f.Size != 1 {
		t.Errorf("Lstat a.wav: %+v %v", f, err)
	}
	if _, err := d.Lstat("link.wav"); !errors.Is(err, recordings.ErrOutsideRoot) {
		t.Errorf("Lstat of a symlink: %v", err)
	}
	if _, err := d.Lstat("gone.wav"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Lstat of a missing file: %v", err)
	}
	for _, bad := range []string{"", ".", "..", "../25", "x/y"} {
		if err := d.Remove(bad); !errors.Is(err, recordings.ErrOutsideRoot) {
			t.Errorf("Remove(%q): %v", bad, err)
		}
	}
	types, err := d.Types()
	if err != nil || len(types) != 3 || !types["a.wav"].IsRegular() || !types["b.wav"].IsRegular() || types["link.wav"]&fs.ModeSymlink == 0 {
		t.Errorf("Types: %v %v", types, err)
	}
	// A directory of many entries takes several reads; a symlink and a directory
	// keep their types.
	month, err := tree.OpenDir("2026/11")
	if err != nil {
		t.Fatal(err)
	}
	defer month.Close()
	for i := range 3000 {
		os.WriteFile(filepath.Join(root, "2026/11", fmt.Sprintf("recording-with-a-long-name-%04d.wav", i)), nil, 0o644)
	}
	mt, err := month.Types()
	if err != nil || len(mt) != 3003 || !mt["26"].IsDir() || mt["out"]&fs.ModeSymlink == 0 || !mt["recording-with-a-long-name-2999.wav"].IsRegular() {
		t.Errorf("Types of a big directory: %d entries, 26 %v, out %v, %v", len(mt), mt["26"], mt["out"], err)
	}

	// A rename never replaces: b.wav stays when a.wav is renamed onto it.
	other, err := tree.OpenDir("2026/11/25")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := d.RenameTo("a.wav", d, "b.wav"); !errors.Is(err, fs.ErrExist) {
		t.Errorf("RenameTo onto an existing file: %v", err)
	}
	if err := d.RenameTo("a.wav", other, "a.wav"); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "2026/11/25/a.wav")); string(b) != "a" {
		t.Error("a.wav did not move")
	}
	if err := tree.MkdirAll("2009/11/26", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := tree.MkdirAll("2026/11/out/x", 0o755); !errors.Is(err, recordings.ErrOutsideRoot) {
		t.Errorf("MkdirAll through a symlink: %v", err)
	}

	// Removing the symlink entry leaves its target alone.
	for _, n := range []string{"b.wav", "link.wav"} {
		if err := d.Remove(n); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Remove("b.wav"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Remove twice: %v", err)
	}
	if b, err := os.ReadFile(secret); err != nil || string(b) != "keep" {
		t.Errorf("the link's target: %q %v", b, err)
	}
	if ok, err := month.RemoveEmptySubdir("25"); ok || err != nil {
		t.Errorf("RemoveEmptySubdir of a full directory: %v %v", ok, err)
	}
	if ok, err := month.RemoveEmptySubdir("26"); !ok || err != nil {
		t.Errorf("RemoveEmptySubdir of an empty directory: %v %v", ok, err)
	}
	if ok, _ := month.RemoveEmptySubdir("out"); ok {
		t.Error("RemoveEmptySubdir removed a symlink")
	}
	if _, err := os.Stat(outside); err != nil {
		t.Errorf("outside: %v", err)
	}
}
