package web

import (
	"os"
	"path/filepath"
	"testing"
)

func TestSetPolicyValue(t *testing.T) {
	for _, tc := range []struct{ name, text, key, value, want string }{
		{"add to empty", "", "min_free", "10%", "min_free = 10%\n"},
		{"add after a last line without newline", "max_age = 1d", "min_free", "10%", "max_age = 1d\nmin_free = 10%\n"},
		{"replace, keeping the comment", "min_free=5% # old\nmax_age = 1d\n", "min_free", "10%", "min_free = 10%  # old\nmax_age = 1d\n"},
		{"a commented-out line is not the key", "# min_free = 5%\n", "min_free", "10%", "# min_free = 5%\nmin_free = 10%\n"},
		{"remove", "max_age = 1d\nMAX_SPOOL = 5G\n", "max_spool", "", "max_age = 1d\n"},
		{"remove what is not there", "max_age = 1d\n", "max_spool", "", "max_age = 1d\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := setPolicyValue(tc.text, tc.key, tc.value)
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if v := policyValue(got, tc.key); v != tc.value {
				t.Errorf("policyValue reads %q back, want %q", v, tc.value)
			}
		})
	}
}

// TestWriteAtomic: the file is replaced whole with its mode kept, a new one is
// 0644, and a directory that cannot take it leaves nothing behind.
func TestWriteAtomic(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "retention.conf")
	if err := writeAtomic(p, []byte("a\n")); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o644 {
		t.Errorf("new file mode %v", st.Mode())
	}
	if err := os.Chmod(p, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := writeAtomic(p, []byte("b\n")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "b\n" {
		t.Errorf("file holds %q", b)
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o600 {
		t.Errorf("replaced file mode %v, want 0600", st.Mode())
	}
	if err := writeAtomic(filepath.Join(dir, "missing", "retention.conf"), []byte("c\n")); err == nil {
		t.Error("a write into a missing directory succeeded")
	}
	if names, _ := os.ReadDir(dir); len(names) != 1 {
		t.Errorf("the directory holds %d entries, want the file alone", len(names))
	}
}
