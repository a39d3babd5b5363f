package config_test

import (
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/totalrec/totalrec/recordings/config"
)

// tree writes files (path relative to the fake root → content) under a new root.
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, content := range files {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// env returns a Getenv over vars only, so that the test's own environment never leaks in.
func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// listenUnix puts a real socket at path under root, as MariaDB would.
func listenUnix(t *testing.T, root, path string) {
	t.Helper()
	full := filepath.Join(root, path)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("unix", full)
	if err != nil {
		t.Fatalf("listen on %s: %v", full, err)
	}
	t.Cleanup(func() { l.Close() })
}

// amportal29 is a FreePBX 2.9 /etc/amportal.conf (abridged), the only file 2.9 has.
const amportal29 = `# This file is everything that was set when you installed FreePBX
#
AMPDBHOST=localhost
AMPDBENGINE=mysql
AMPDBUSER=asteriskuser
AMPDBPASS=amp109
AMPENGINE=asterisk
AMPMGRUSER=admin
AMPMGRPASS=amp111
AMPBIN=/var/lib/asterisk/bin
ASTETCDIR=/etc/asterisk
ASTSPOOLDIR=/var/spool/asterisk
AMPWEBROOT=/var/www/html
`

// freepbx16 is a FreePBX 13–17 /etc/freepbx.conf, as the installer writes it, plus
// the quoting variants seen on real boxes.
const freepbx16 = `<?php
$amp_conf['AMPDBUSER'] = 'freepbxuser';
$amp_conf['AMPDBPASS'] = 'pa\'ss\\w0rd';
$amp_conf["AMPDBHOST"]="localhost";
$amp_conf['AMPDBPORT']  =  3306 ;
$amp_conf['AMPDBNAME'] = 'asterisk';
$amp_conf['AMPDBENGINE'] = 'mysql';
$amp_conf['datasource'] = ''; //for sqlite3
// $amp_conf['AMPDBUSER'] = 'commented-out';
/* $amp_conf['AMPDBHOST'] = 'block-comment';
$amp_conf['AMPDBHOST'] = 'still-comment'; */

require_once('/var/www/html/admin/bootstrap.php');
?>
`

// amportal16 is the /etc/amportal.conf FreePBX 13+ regenerates; its AMPDB* lines can
// be stale, and freepbx.conf wins for them.
const amportal16 = `AMPDBUSER=freepbxuser
AMPDBPASS=stale-password
ASTETCDIR=/etc/asterisk
ASTSPOOLDIR=/var/spool/asterisk
CDRDBTABLENAME=cdr
`

const asteriskConf = `[directories](!)
astetcdir => /etc/asterisk
astmoddir => /usr/lib64/asterisk/modules
astspooldir => /srv/asterisk/spool ; moved to the big disk
astrundir => /var/run/asterisk
[options]
astspooldir => /not/this/section
`

func TestLoad_FreePBX(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		sock  string // a socket to create under the root
		want  config.Config
		src   map[string]config.Source
	}{
		{
			name:  "2.9 amportal.conf only",
			files: map[string]string{"etc/amportal.conf": amportal29},
			want: config.Config{Spool: "/var/spool/asterisk/monitor", DB: "asteriskuser:amp109@tcp(localhost:3306)/asterisk",
				CDRDB: "asteriskuser:amp109@tcp(localhost:3306)/asteriskcdrdb", CDRTable: "cdr"},
			src: map[string]config.Source{"spool": "amportal.conf", "db": "amportal.conf", "cdr_db": "amportal.conf", "cdr_table": "default"},
		},
		{
			name: "16 freepbx.conf wins over amportal.conf, asterisk.conf gives the spool",
			files: map[string]string{"etc/freepbx.conf": freepbx16, "etc/amportal.conf": amportal16,
				"etc/asterisk/asterisk.conf": asteriskConf},
			want: config.Config{Spool: "/srv/asterisk/spool/monitor", DB: `freepbxuser:pa'ss\w0rd@tcp(localhost:3306)/asterisk`,
				CDRDB: `freepbxuser:pa'ss\w0rd@tcp(localhost:3306)/asteriskcdrdb`, CDRTable: "cdr"},
			src: map[string]config.Source{"spool": "asterisk.conf", "db": "freepbx.conf", "cdr_db": "freepbx.conf", "cdr_table": "amportal.conf"},
		},
		{
			name: "MIXMON_DIR wins, trailing slash stripped",
			files: map[string]string{"etc/freepbx.conf": freepbx16, "etc/asterisk/asterisk.conf": asteriskConf,
				"etc/amportal.conf": amportal16 + "MIXMON_DIR=/mnt/recordings/\n"},
			want: config.Config{Spool: "/mnt/recordings", DB: `freepbxuser:pa'ss\w0rd@tcp(localhost:3306)/asterisk`,
				CDRDB: `freepbxuser:pa'ss\w0rd@tcp(localhost:3306)/asteriskcdrdb`, CDRTable: "cdr"},
			src: map[string]config.Source{"spool": "amportal.conf"},
		},
		{
			name:  "localhost with a MariaDB socket present",
			files: map[string]string{"etc/freepbx.conf": freepbx16},
			sock:  "/var/lib/mysql/mysql.sock",
			want: config.Config{Spool: config.DefaultSpool, DB: `freepbxuser:pa'ss\w0rd@unix(/var/lib/mysql/mysql.sock)/asterisk`,
				CDRDB: `freepbxuser:pa'ss\w0rd@unix(/var/lib/mysql/mysql.sock)/asteriskcdrdb`, CDRTable: "cdr"},
			src: map[string]config.Source{"spool": "default", "db": "freepbx.conf"},
		},
		{
			name:  "a regular file where the socket should be is not a socket",
			files: map[string]string{"etc/freepbx.conf": freepbx16, "var/run/mysqld/mysqld.sock": ""},
			want: config.Config{Spool: config.DefaultSpool, DB: `freepbxuser:pa'ss\w0rd@tcp(localhost:3306)/asterisk`,
				CDRDB: `freepbxuser:pa'ss\w0rd@tcp(localhost:3306)/asteriskcdrdb`, CDRTable: "cdr"},
		},
		{
			name:  "AMPDBSOCK named",
			files: map[string]string{"etc/amportal.conf": "AMPDBUSER=u\nAMPDBPASS=p\nAMPDBSOCK=/run/mysql.sock\n"},
			want: config.Config{Spool: config.DefaultSpool, DB: "u:p@unix(/run/mysql.sock)/asterisk",
				CDRDB: "u:p@unix(/run/mysql.sock)/asteriskcdrdb", CDRTable: "cdr"},
		},
		{
			name:  "remote host ignores the local socket",
			files: map[string]string{"etc/amportal.conf": "AMPDBUSER=u\nAMPDBPASS=p\nAMPDBHOST=10.0.0.5\nAMPDBPORT=3307\n"},
			sock:  "/var/run/mysqld/mysqld.sock",
			want: config.Config{Spool: config.DefaultSpool, DB: "u:p@tcp(10.0.0.5:3307)/asterisk",
				CDRDB: "u:p@tcp(10.0.0.5:3307)/asteriskcdrdb", CDRTable: "cdr"},
		},
		{
			name: "CDRDB settings",
			files: map[string]string{"etc/freepbx.conf": freepbx16, "etc/amportal.conf": "CDRDBHOST=cdr.example\n" +
				"CDRDBUSER=cdrreader\nCDRDBPASS=\"cdrpw\"\nCDRDBNAME=cdrs\nCDRDBTABLENAME=cdr_all\n"},
			sock: "/var/lib/mysql/mysql.sock",
			want: config.Config{Spool: config.DefaultSpool, DB: `freepbxuser:pa'ss\w0rd@unix(/var/lib/mysql/mysql.sock)/asterisk`,
				CDRDB: "cdrreader:cdrpw@tcp(cdr.example:3306)/cdrs", CDRTable: "cdr_all"},
			src: map[string]config.Source{"cdr_db": "amportal.conf", "cdr_table": "amportal.conf"},
		},
		{
			name:  "no FreePBX",
			files: map[string]string{"etc/asterisk/asterisk.conf": asteriskConf},
			want:  config.Config{Spool: "/srv/asterisk/spool/monitor", DB: "sqlite:/var/lib/totalrec/totalrec.db", CDRTable: "cdr"},
			src:   map[string]config.Source{"db": "default", "cdr_db": "default"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := tree(t, tt.files)
			if tt.sock != "" {
				listenUnix(t, root, tt.sock)
			}
			l, err := config.Load(config.LoadOptions{Root: root, Getenv: env(nil)})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			c := l.Config
			got := config.Config{Spool: c.Spool, DB: c.DB, CDRDB: c.CDRDB, CDRTable: c.CDRTable}
			if got != tt.want {
				t.Errorf("Load() =\n %+v\nwant\n %+v", got, tt.want)
			}
			for k, want := range tt.src {
				if l.Sources[k] != want {
					t.Errorf("Sources[%s] = %q, want %q", k, l.Sources[k], want)
				}
			}
			if err := c.Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
		})
	}
}
