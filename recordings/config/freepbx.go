package config

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
)

// found is one setting discovered from a FreePBX or Asterisk file.
type found struct {
	key, value string
	src        Source
}

// mysqlSockets are where MariaDB's socket lives on the distributions FreePBX runs on
// (Debian, then RHEL/Sangoma Linux).
var mysqlSockets = [...]string{"/var/run/mysqld/mysqld.sock", "/var/lib/mysql/mysql.sock"}

// ampConf is FreePBX's settings with the file each came from.
type ampConf struct {
	val map[string]string
	src map[string]Source
}

func (a ampConf) get(key, def string) string {
	if v := a.val[key]; v != "" {
		return v
	}
	return def
}

// discoverFreePBX reads what a FreePBX install says about Totalrec's settings, from
// files under root:
//
//   - /etc/amportal.conf (every version) and /etc/freepbx.conf (2.9+; it wins for the
//     AMPDB* credentials it holds);
//   - <ASTETCDIR>/asterisk.conf for Asterisk's spool directory.
//
// The spool is MIXMON_DIR if set, else astspooldir (asterisk.conf, then ASTSPOOLDIR)
// plus "/monitor". With database credentials (AMPDBUSER), db is the asterisk database
// and cdr_db the CDR database (CDRDB* settings, each defaulting to its AMPDB*
// counterpart), both over the MySQL socket when the host is localhost and a socket
// exists. Without FreePBX it finds nothing.
func discoverFreePBX(root string) ([]found, error) {
	amp := ampConf{val: map[string]string{}, src: map[string]Source{}}
	for _, f := range []struct {
		path  string
		src   Source
		parse func(path string, b []byte) (map[string]string, error)
	}{
		{"/etc/amportal.conf", SourceAmportal, parseAmportal},
		{"/etc/freepbx.conf", SourceFreePBXConf, parseFreePBXConf},
	} {
		b, err := readOptional(filepath.Join(root, f.path))
		if err != nil {
			return nil, err
		}
		vals, err := f.parse(f.path, b)
		if err != nil {
			return nil, err
		}
		for k, v := range vals {
			amp.val[k], amp.src[k] = v, f.src
		}
	}

	var out []found
	astetc := amp.get("ASTETCDIR", "/etc/asterisk")
	b, err := readOptional(filepath.Join(root, astetc, "asterisk.conf"))
	if err != nil {
		return nil, err
	}
	switch spoolDir := parseAsteriskSpool(b); {
	case amp.val["MIXMON_DIR"] != "":
		dir := amp.val["MIXMON_DIR"]
		if len(dir) > 1 {
			dir = strings.TrimRight(dir, "/")
		}
		out = append(out, found{"spool", dir, amp.src["MIXMON_DIR"]})
	case spoolDir != "":
		out = append(out, found{"spool", filepath.Join(spoolDir, "monitor"), SourceAsterisk})
	case amp.val["ASTSPOOLDIR"] != "":
		out = append(out, found{"spool", filepath.Join(amp.val["ASTSPOOLDIR"], "monitor"), amp.src["ASTSPOOLDIR"]})
	}

	out = append(out, managerUser(amp, readManager(root, astetc))...)

	if amp.val["AMPDBUSER"] == "" {
		return out, nil
	}
	host, port := amp.get("AMPDBHOST", "localhost"), amp.get("AMPDBPORT", "3306")
	sock := amp.val["AMPDBSOCK"]
	db := mysqlDSN(root, amp.val["AMPDBUSER"], amp.val["AMPDBPASS"], host, port, sock, amp.get("AMPDBNAME", "asterisk"))
	out = append(out, found{"db", db, amp.src["AMPDBUSER"]})

	if t := amp.val["CDRDBTYPE"]; t != "" && !strings.HasPrefix(t, "mysql") {
		return out, nil // a CDR database Totalrec cannot read
	}
	cdrSrc := amp.src["AMPDBUSER"]
	if s, ok := amp.src["CDRDBUSER"]; ok {
		cdrSrc = s
	}
	if amp.val["CDRDBHOST"] != "" {
		sock = "" // AMPDBSOCK belongs to the asterisk database's host
	}
	cdr := mysqlDSN(root, amp.get("CDRDBUSER", amp.val["AMPDBUSER"]), amp.get("CDRDBPASS", amp.val["AMPDBPASS"]),
		amp.get("CDRDBHOST", host), amp.get("CDRDBPORT", port), amp.get("CDRDBSOCK", sock),
		amp.get("CDRDBNAME", "asteriskcdrdb"))
	out = append(out, found{"cdr_db", cdr, cdrSrc})
	if t := amp.val["CDRDBTABLENAME"]; t != "" {
		out = append(out, found{"cdr_table", t, amp.src["CDRDBTABLENAME"]})
	}
	return out, nil
}

// mysqlDSN builds a go-sql-driver/mysql DSN. With no socket named and host
// "localhost", it uses the first usual socket that exists under root: like the mysql
// client, FreePBX means the socket by "localhost", and its user may be granted only
// there.
func mysqlDSN(root, user, pass, host, port, sock, dbname string) string {
	if sock == "" && host == "localhost" {
		for _, s := range mysqlSockets {
			if fi, err := os.Stat(filepath.Join(root, s)); err == nil && fi.Mode()&fs.ModeSocket != 0 {
				sock = s
				break
			}
		}
	}
	addr := "tcp(" + net.JoinHostPort(host, port) + ")"
	if sock != "" {
		addr = "unix(" + sock + ")"
	}
	cred := user
	if pass != "" {
		cred += ":" + pass
	}
	return cred + "@" + addr + "/" + dbname
}

// readOptional reads a file that may be absent (nil, nil).
func readOptional(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return b, nil
}

// parseAmportal reads amportal.conf: KEY=VALUE lines, # or ; comments. A value wrapped
// in matching quotes loses them. Any other line is skipped, as FreePBX's own
// parse_amportal_conf() skips every line its KEY=VALUE pattern does not match: the file
// FreePBX 13+ writes holds values over several lines (RSSFEEDS' default has a newline
// in it), so a stricter reader would refuse the file of every real installation.
func parseAmportal(_ string, b []byte) (map[string]string, error) {
	out := map[string]string{}
	for _, line := range lines(b) {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		k = strings.TrimSpace(k)
		if !ok || !isSettingName(k) {
			continue
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		out[k] = v
	}
	return out, nil
}

// parseAsteriskSpool returns astspooldir from asterisk.conf's [directories] section
// ("" if absent). Asterisk's config syntax is wider than this reader (#include,
// templates); lines it does not understand are skipped, not errors.
func parseAsteriskSpool(b []byte) string {
	section, dir := "", ""
	for _, line := range lines(b) {
		if i := strings.IndexByte(line, ';'); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") {
			name, _, _ := strings.Cut(line[1:], "]") // "[directories](!)" too
			section = strings.TrimSpace(name)
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || section != "directories" || strings.TrimSpace(k) != "astspooldir" {
			continue
		}
		dir = strings.TrimSpace(strings.TrimPrefix(v, ">"))
	}
	return dir
}

// manager is what /etc/asterisk/manager.conf says of the manager interface: its
// port and address, and its users' secrets by section, in order.
type manager struct {
	port, bind string
	users      []string
	secrets    map[string]string
}

// readManager parses manager.conf under root; a missing file is an empty one.
func readManager(root, astetc string) manager {
	m := manager{secrets: map[string]string{}}
	b, err := readOptional(filepath.Join(root, astetc, "manager.conf"))
	if err != nil {
		return m
	}
	section := ""
	for _, line := range lines(b) {
		if i := strings.IndexByte(line, ';'); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") {
			name, _, _ := strings.Cut(line[1:], "]")
			section = strings.TrimSpace(name)
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(strings.TrimPrefix(v, ">"))
		switch {
		case section == "general" && k == "port":
			m.port = v
		case section == "general" && k == "bindaddr":
			m.bind = v
		case section != "" && section != "general" && k == "secret":
			if _, ok := m.secrets[section]; !ok {
				m.users = append(m.users, section)
			}
			m.secrets[section] = v
		}
	}
	return m
}

// managerUser is the manager user FreePBX's own modules log in as: AMPMGRUSER
// and AMPMGRPASS when FreePBX's files hold them, else manager.conf's [admin] (the
// user FreePBX writes there), else its first user; and the address it listens on.
func managerUser(amp ampConf, m manager) []found {
	var out []found
	if m.port != "" {
		host := m.bind
		if host == "" || host == "0.0.0.0" {
			host = "127.0.0.1"
		}
		out = append(out, found{"ami_address", net.JoinHostPort(host, m.port), SourceManager})
	}
	switch {
	case amp.val["AMPMGRUSER"] != "" && amp.val["AMPMGRPASS"] != "":
		out = append(out, found{"ami_user", amp.val["AMPMGRUSER"], amp.src["AMPMGRUSER"]},
			found{"ami_secret", amp.val["AMPMGRPASS"], amp.src["AMPMGRPASS"]})
	case m.secrets["admin"] != "":
		out = append(out, found{"ami_user", "admin", SourceManager}, found{"ami_secret", m.secrets["admin"], SourceManager})
	case len(m.users) > 0:
		out = append(out, found{"ami_user", m.users[0], SourceManager}, found{"ami_secret", m.secrets[m.users[0]], SourceManager})
	}
	return out
}

// lines yields the lines of b numbered from 1.
func lines(b []byte) func(yield func(int, string) bool) {
	return func(yield func(int, string) bool) {
		n := 0
		for l := range strings.Lines(string(b)) {
			n++
			if !yield(n, strings.TrimRight(l, "\r\n")) {
				return
			}
		}
	}
}

// isSettingName accepts FreePBX setting names: letters, digits, underscores.
func isSettingName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !(c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
