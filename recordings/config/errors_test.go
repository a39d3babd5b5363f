package config_test

import (
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/totalrec/totalrec/recordings/config"
)

func TestLoad_Malformed(t *testing.T) {
	tests := []struct {
		name     string
		files    map[string]string
		env      map[string]string
		path     string // the file the error names; "" = not a ParseError
		line     int
		contains string
	}{
		{"freepbx.conf value not a literal", map[string]string{"etc/freepbx.conf": "<?php\n$amp_conf['AMPDBUSER'] = 'u';\n$amp_conf['AMPDBPASS'] = getenv('PW');\n"},
			nil, "/etc/freepbx.conf", 3, "AMPDBPASS is not a literal"},
		{"freepbx.conf unterminated string", map[string]string{"etc/freepbx.conf": "<?php\n$amp_conf['AMPDBPASS'] = 'open;\n"},
			nil, "/etc/freepbx.conf", 2, "unterminated"},
		{"freepbx.conf missing semicolon", map[string]string{"etc/freepbx.conf": "<?php\n\n$amp_conf['AMPDBUSER'] = 'u'\n"},
			nil, "/etc/freepbx.conf", 3, "followed by ;"},
		{"config file unknown key", map[string]string{"etc/totalrec/totalrec.conf": "spool = /x\n\n[cdr]\ntabel = cdr\n"},
			nil, "/etc/totalrec/totalrec.conf", 4, `unknown key "cdr_tabel"`},
		{"config file repeated key", map[string]string{"etc/totalrec/totalrec.conf": "node = a\ncdr_table = x\n[cdr]\ntable = y\n"},
			nil, "/etc/totalrec/totalrec.conf", 4, "first set on line 2"},
		{"config file no =", map[string]string{"etc/totalrec/totalrec.conf": "spool /x\n"},
			nil, "/etc/totalrec/totalrec.conf", 1, "key = value"},
		{"config file bad section", map[string]string{"etc/totalrec/totalrec.conf": "[cdr\n"},
			nil, "/etc/totalrec/totalrec.conf", 1, "section"},
		{"config file bad duration", map[string]string{"etc/totalrec/totalrec.conf": "# x\nscan_interval = often\n"},
			nil, "", 0, "totalrec.conf:2: scan_interval"},
		{"env bad duration", nil, map[string]string{"TOTALREC_CDR_WINDOW": "2 hours"}, "", 0, "TOTALREC_CDR_WINDOW"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := tree(t, tt.files)
			_, err := config.Load(config.LoadOptions{Root: root, Getenv: env(tt.env)})
			if err == nil {
				t.Fatal("Load: no error")
			}
			if !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("error %q does not contain %q", err, tt.contains)
			}
			if tt.path == "" {
				return
			}
			var pe *config.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			want := tt.path
			if strings.HasPrefix(tt.path, "/etc/totalrec") {
				want = filepath.Join(root, tt.path) // Totalrec's own file is named by its full path
			}
			if pe.Path != want || pe.Line != tt.line {
				t.Errorf("ParseError at %s:%d, want %s:%d", pe.Path, pe.Line, want, tt.line)
			}
			if !strings.Contains(err.Error(), want+":"+strconv.Itoa(tt.line)+":") {
				t.Errorf("error %q does not say file:line", err)
			}
		})
	}
}

func TestLoad_UnknownFlag(t *testing.T) {
	_, err := config.Load(config.LoadOptions{Root: t.TempDir(), Getenv: env(nil), Flags: map[string]string{"spoool": "/x"}})
	if err == nil || !strings.Contains(err.Error(), "--spoool") {
		t.Errorf("Load error = %v, want one naming --spoool", err)
	}
}

func TestLoaded_Redacted(t *testing.T) {
	const ampPass, cdrPass, flagPass = `S3cr#t@pa:ss/x`, "cdr-Pa55", "fl@gpw"
	root := tree(t, map[string]string{
		"etc/freepbx.conf":  "<?php\n$amp_conf['AMPDBUSER'] = 'freepbxuser';\n$amp_conf['AMPDBPASS'] = '" + ampPass + "';\n",
		"etc/amportal.conf": "CDRDBUSER=cdr\nCDRDBPASS=" + cdrPass + "\n",
	})
	for _, flags := range []map[string]string{nil, {"db": "admin:" + flagPass + "@tcp(10.1.1.1:3306)/totalrec"}} {
		l, err := config.Load(config.LoadOptions{Root: root, Getenv: env(nil), Flags: flags})
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		if !strings.Contains(l.Config.DB, ampPass+"@") && !strings.Contains(l.Config.DB, flagPass+"@") ||
			!strings.Contains(l.Config.CDRDB, cdrPass+"@") {
			t.Fatalf("DSNs lack the password: %q, %q", l.Config.DB, l.Config.CDRDB)
		}
		var all strings.Builder
		for _, e := range l.Redacted() {
			all.WriteString(e.Key + "\x00" + e.Value + "\x00" + string(e.Source) + "\n")
		}
		for _, pw := range []string{ampPass, cdrPass, flagPass, "S3cr#t", "ss/x", "Pa55", "gpw"} {
			if strings.Contains(all.String(), pw) {
				t.Errorf("Redacted() shows %q:\n%s", pw, all.String())
			}
		}
		if !strings.Contains(all.String(), "freepbxuser:****@") && flags == nil {
			t.Errorf("Redacted() does not show the user with a masked password:\n%s", all.String())
		}
	}
}

func TestRedactDSN(t *testing.T) {
	tests := []struct{ in, want string }{
		{"sqlite:/var/lib/totalrec/totalrec.db", "sqlite:/var/lib/totalrec/totalrec.db"},
		{"u:p@tcp(h:3306)/db", "u:****@tcp(h:3306)/db"},
		{"u:p@ss:w/rd@unix(/var/lib/mysql/mysql.sock)/db?charset=utf8", "u:****@unix(/var/lib/mysql/mysql.sock)/db?charset=utf8"},
		{"u@tcp(h)/db", "u@tcp(h)/db"},
		{"/db", "/db"},
		{"u:secret@tcp(h)", "u:****@tcp(h)"},
		{"mysql://u:secret@h:3306/db", "mysql://u:****@h:3306/db"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := config.RedactDSN(tt.in); got != tt.want {
			t.Errorf("RedactDSN(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestConfig_Validate(t *testing.T) {
	if err := config.Default().Validate(); err != nil {
		t.Fatalf("Default().Validate() = %v", err)
	}
	tests := []struct {
		name   string
		change func(*config.Config)
		field  string
		msg    string
	}{
		{"relative spool", func(c *config.Config) { c.Spool = "monitor" }, "spool", "absolute"},
		{"relative data dir", func(c *config.Config) { c.DataDir = "data" }, "data_dir", "absolute"},
		{"no db", func(c *config.Config) { c.DB = "" }, "db", "required"},
		{"unknown scheme", func(c *config.Config) { c.DB = "postgres://u:p@h/db" }, "db", `unknown DSN scheme "postgres"`},
		{"mysql URL", func(c *config.Config) { c.CDRDB = "mysql://u:p@h/asteriskcdrdb" }, "cdr_db", "unknown DSN scheme"},
		{"sqlite without path", func(c *config.Config) { c.DB = "sqlite:" }, "db", "without a path"},
		{"mysql without database", func(c *config.Config) { c.CDRDB = "u:p@tcp(h:3306)/" }, "cdr_db", "no database"},
		{"mysql bad address", func(c *config.Config) { c.DB = "u:p@h:3306/db" }, "db", "protocol(address)"},
		{"no slash", func(c *config.Config) { c.DB = "asterisk" }, "db", "not a MySQL DSN"},
		{"table name", func(c *config.Config) { c.CDRTable = "cdr;drop" }, "cdr_table", "table name"},
		{"listen", func(c *config.Config) { c.Listen = "8080" }, "listen", "host:port"},
		{"listen port", func(c *config.Config) { c.Listen = "127.0.0.1:http" }, "listen", "port"},
		{"node", func(c *config.Config) { c.Node = "pbx 1" }, "node", "letters"},
		{"timezone", func(c *config.Config) { c.Timezone = "Mars/Olympus" }, "timezone", "IANA"},
		{"cdr window", func(c *config.Config) { c.CDRWindow = -1 }, "cdr_window", "negative"},
		{"scan interval", func(c *config.Config) { c.ScanInterval = 0 }, "scan_interval", "positive"},
		{"base path without slash", func(c *config.Config) { c.BasePath = "totalrec" }, "base_path", "/seg"},
		{"base path trailing slash", func(c *config.Config) { c.BasePath = "/totalrec/" }, "base_path", "trailing slash"},
		{"base path root", func(c *config.Config) { c.BasePath = "/" }, "base_path", "/seg"},
		{"base path empty segment", func(c *config.Config) { c.BasePath = "/a//b" }, "base_path", "/seg"},
		{"base path dots", func(c *config.Config) { c.BasePath = "/a/.." }, "base_path", "/seg"},
		{"base path space", func(c *config.Config) { c.BasePath = "/call recordings" }, "base_path", "/seg"},
		{"base path escape", func(c *config.Config) { c.BasePath = "/a%2Fb" }, "base_path", "/seg"},
		{"base path query", func(c *config.Config) { c.BasePath = "/a?b" }, "base_path", "/seg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := config.Default()
			tt.change(&c)
			err := c.Validate()
			var fe *config.FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("Validate() = %v, want a *FieldError", err)
			}
			if fe.Field != tt.field || !strings.Contains(fe.Msg, tt.msg) {
				t.Errorf("FieldError = %+v, want field %s, message containing %q", fe, tt.field, tt.msg)
			}
			if strings.Contains(err.Error(), ":p@") {
				t.Errorf("error shows a password: %v", err)
			}
		})
	}
	t.Run("good base paths", func(t *testing.T) {
		for _, p := range []string{"", "/totalrec", "/pbx/call-recordings", "/a.b_c~d/v2"} {
			c := config.Default()
			c.BasePath = p
			if err := c.Validate(); err != nil {
				t.Errorf("base_path %q: %v", p, err)
			}
		}
	})
	t.Run("all problems at once", func(t *testing.T) {
		c := config.Default()
		c.Spool, c.Listen = "x", "y"
		err := c.Validate()
		if !strings.Contains(err.Error(), "spool") || !strings.Contains(err.Error(), "listen") {
			t.Errorf("Validate() = %v, want both spool and listen", err)
		}
	})
}
