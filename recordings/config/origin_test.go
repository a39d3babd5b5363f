package config_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/totalrec/totalrec/recordings/config"
)

// TestOrigin: messages say where a setting came from, the config file by name, and
// a catalogue left at its default by the data_dir it follows.
func TestOrigin(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "totalrec.conf")
	if err := os.WriteFile(conf, []byte("data_dir = /srv/totalrec\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"TOTALREC_SPOOL": "/env/monitor"}
	l, err := config.Load(config.LoadOptions{Root: t.TempDir(), ConfigFile: conf,
		Getenv: func(k string) string { return env[k] }, Flags: map[string]string{"cdr-db": "sqlite:/x.db"}})
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{
		"spool":    "env TOTALREC_SPOOL",
		"cdr_db":   "flag --cdr-db",
		"data_dir": "config file " + conf,
		"db":       "the default under data_dir, which comes from config file " + conf,
		"listen":   "default",
	} {
		if got := l.Origin(key); got != want {
			t.Errorf("Origin(%q) = %q, want %q", key, got, want)
		}
	}
}
