package config_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings/config"
)

const ourConf = `# Totalrec
spool = /data/monitor
listen = 0.0.0.0:8443
node = pbx1
base_path = /totalrec

[cdr]
table = cdr_archive
window = 90m
`

func TestLoad_Layers(t *testing.T) {
	files := map[string]string{
		"etc/freepbx.conf":           freepbx16,
		"etc/asterisk/asterisk.conf": asteriskConf,
		"etc/totalrec/totalrec.conf": ourConf,
	}
	tests := []struct {
		name  string
		env   map[string]string
		flags map[string]string
		want  map[string]string // key → value
		src   map[string]config.Source
	}{
		{
			name: "config file overrides FreePBX",
			want: map[string]string{"spool": "/data/monitor", "cdr_table": "cdr_archive", "cdr_window": "1h30m0s",
				"listen": "0.0.0.0:8443", "node": "pbx1", "base_path": "/totalrec", "db": `freepbxuser:pa'ss\w0rd@tcp(localhost:3306)/asterisk`},
			src: map[string]config.Source{"spool": "config file", "cdr_table": "config file", "cdr_window": "config file",
				"db": "freepbx.conf", "scan_interval": "default"},
		},
		{
			name: "env overrides the file",
			env: map[string]string{"TOTALREC_SPOOL": "/env/monitor", "TOTALREC_CDR_TABLE": "cdr_env",
				"TOTALREC_TZ": "Europe/Berlin", "TOTALREC_CDR_DB": "sqlite:/tmp/cdr.db", "TOTALREC_SCAN_INTERVAL": "30s",
				"TOTALREC_BASE_PATH": "/env-recordings"},
			want: map[string]string{"spool": "/env/monitor", "cdr_table": "cdr_env", "timezone": "Europe/Berlin",
				"cdr_db": "sqlite:/tmp/cdr.db", "scan_interval": "30s", "node": "pbx1", "base_path": "/env-recordings"},
			src: map[string]config.Source{"spool": "env TOTALREC_SPOOL", "timezone": "env TOTALREC_TZ",
				"cdr_db": "env TOTALREC_CDR_DB", "node": "config file", "base_path": "env TOTALREC_BASE_PATH"},
		},
		{
			name: "flags override env",
			env:  map[string]string{"TOTALREC_SPOOL": "/env/monitor", "TOTALREC_DB": "sqlite:/env.db", "TOTALREC_LISTEN": ":9000"},
			flags: map[string]string{"spool": "/flag/monitor", "db": "u:p@tcp(db:3306)/totalrec", "cdr-db": "",
				"data-dir": "/flag/data"},
			want: map[string]string{"spool": "/flag/monitor", "db": "u:p@tcp(db:3306)/totalrec", "cdr_db": "",
				"data_dir": "/flag/data", "listen": ":9000"},
			src: map[string]config.Source{"spool": "flag --spool", "db": "flag --db", "cdr_db": "flag --cdr-db",
				"data_dir": "flag --data-dir", "listen": "env TOTALREC_LISTEN"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := tree(t, files)
			l, err := config.Load(config.LoadOptions{Root: root, Getenv: env(tt.env), Flags: tt.flags})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if want := filepath.Join(root, config.DefaultFile); l.File != want {
				t.Errorf("File = %q, want %q", l.File, want)
			}
			got := map[string]string{}
			for _, e := range l.Redacted() {
				got[e.Key] = e.Value
			}
			got["db"] = l.Config.DB // unredacted, to compare
			for k, want := range tt.want {
				if got[k] != want {
					t.Errorf("%s = %q, want %q", k, got[k], want)
				}
			}
			for k, want := range tt.src {
				if l.Sources[k] != want {
					t.Errorf("Sources[%s] = %q, want %q", k, l.Sources[k], want)
				}
			}
			if err := l.Config.Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
		})
	}
}

func TestLoad_DefaultsFollowDataDir(t *testing.T) {
	l, err := config.Load(config.LoadOptions{Root: t.TempDir(), Getenv: env(map[string]string{"TOTALREC_DATA_DIR": "/srv/totalrec"})})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := config.Default()
	want.DataDir, want.DB = "/srv/totalrec", "sqlite:/srv/totalrec/totalrec.db"
	if l.Config != want {
		t.Errorf("Load() = %+v, want %+v", l.Config, want)
	}
	if l.Sources["db"] != config.SourceDefault || l.File != "" {
		t.Errorf("Sources[db], File = %q, %q, want default and no file", l.Sources["db"], l.File)
	}
	if want.CDRWindow != 2*time.Hour || want.ScanInterval != 5*time.Minute || want.Listen != "127.0.0.1:8080" {
		t.Errorf("defaults changed: %+v", want)
	}
}

func TestLoad_ConfigFileChoice(t *testing.T) {
	dir := t.TempDir()
	named := filepath.Join(dir, "named.conf")
	if err := os.WriteFile(named, []byte("node = named\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	root := tree(t, map[string]string{"etc/totalrec/totalrec.conf": "node = default\n"})
	tests := []struct {
		name     string
		opts     config.LoadOptions
		wantNode string
		wantSrc  config.Source
	}{
		{"default file", config.LoadOptions{}, "default", "default"},
		{"TOTALREC_CONFIG", config.LoadOptions{Getenv: env(map[string]string{"TOTALREC_CONFIG": named})}, "named", "env TOTALREC_CONFIG"},
		{"--config beats TOTALREC_CONFIG", config.LoadOptions{Flags: map[string]string{"config": named},
			Getenv: env(map[string]string{"TOTALREC_CONFIG": "/nonexistent"})}, "named", "flag --config"},
		{"ConfigFile", config.LoadOptions{ConfigFile: named}, "named", "flag --config"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Root = root
			if tt.opts.Getenv == nil {
				tt.opts.Getenv = env(nil)
			}
			l, err := config.Load(tt.opts)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if l.Config.Node != tt.wantNode || l.Sources["config"] != tt.wantSrc {
				t.Errorf("node, config source = %q, %q, want %q, %q", l.Config.Node, l.Sources["config"], tt.wantNode, tt.wantSrc)
			}
		})
	}
	t.Run("a named file that is missing is an error", func(t *testing.T) {
		_, err := config.Load(config.LoadOptions{Root: root, Getenv: env(map[string]string{"TOTALREC_CONFIG": filepath.Join(dir, "absent.conf")})})
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Load error = %v, want fs.ErrNotExist", err)
		}
	})
}

func TestLoad_PasswordFile(t *testing.T) {
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "db.pw")
	if err := os.WriteFile(pwFile, []byte("fr0m-f1le\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "totalrec.conf")
	content := "db = totalrec@tcp(db:3306)/totalrec\n[db]\npassword_file = " + pwFile + "\n"
	if err := os.WriteFile(conf, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := config.Load(config.LoadOptions{Root: t.TempDir(), ConfigFile: conf, Getenv: env(nil)})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if want := "totalrec:fr0m-f1le@tcp(db:3306)/totalrec"; l.Config.DB != want {
		t.Errorf("DB = %q, want %q", l.Config.DB, want)
	}
	for _, e := range l.Redacted() {
		if strings.Contains(e.Value, "fr0m-f1le") {
			t.Errorf("Redacted entry %s shows the password: %q", e.Key, e.Value)
		}
	}
	_, err = config.Load(config.LoadOptions{Root: t.TempDir(), Getenv: env(map[string]string{
		"TOTALREC_DB": "sqlite:/x.db", "TOTALREC_DB_PASSWORD_FILE": pwFile})})
	if err == nil {
		t.Error("password file for an sqlite DSN: no error")
	}
}

func TestLoad_SecretRedacted(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "totalrec.conf")
	if err := os.WriteFile(file, []byte("sso_secret = 0123456789abcdef0123456789abcdef\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	l, err := config.Load(config.LoadOptions{Root: dir, ConfigFile: file, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	if l.Config.SSOSecret != "0123456789abcdef0123456789abcdef" {
		t.Errorf("SSOSecret = %q", l.Config.SSOSecret)
	}
	for _, e := range l.Redacted() {
		if strings.Contains(e.Value, "0123456789abcdef") {
			t.Errorf("Redacted shows the secret: %+v", e)
		}
		if e.Key == "sso_secret" && e.Value != "****" {
			t.Errorf("sso_secret shows %q, want ****", e.Value)
		}
	}
}
