package freepbx

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"encoding/xml"
	"flag"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	_ "modernc.org/sqlite"
)

// The FreePBX module conventions FreePBX's own modules follow (callrecording, cdr):
// module.xml's <depends>, <version> and <changelog>, a LICENSE matching <license>,
// an i18n/ catalogue, and Backup.php/Restore.php.

var updateI18n = flag.Bool("update-i18n", false, "rewrite module/i18n: the .pot from the module's PHP and module.xml, the Russian .po merged with it, its .mo")

const (
	potFile = "../module/i18n/totalrec.pot"
	ruPO    = "../module/i18n/ru_RU/LC_MESSAGES/totalrec.po"
	ruMO    = "../module/i18n/ru_RU/LC_MESSAGES/totalrec.mo"
)

type moduleXML struct {
	Rawname     string `xml:"rawname"`
	Name        string `xml:"name"`
	Version     string `xml:"version"`
	License     string `xml:"license"`
	LicenseLink string `xml:"licenselink"`
	Category    string `xml:"category"`
	Description string `xml:"description"`
	Changelog   string `xml:"changelog"`
	Menuitems   struct {
		Items []string `xml:",any"`
	} `xml:"menuitems"`
	Depends struct {
		Version    string   `xml:"version"`
		PHPVersion string   `xml:"phpversion"`
		Modules    []string `xml:"module"`
	} `xml:"depends"`
}

func readModuleXML(t *testing.T) moduleXML {
	t.Helper()
	var m moduleXML
	if err := xml.Unmarshal([]byte(read(t, "../module.xml")), &m); err != nil {
		t.Fatalf("module.xml: %v", err)
	}
	return m
}

// TestModuleXML: module.xml declares what FreePBX's module admin checks (its
// checkdepends() patterns), a changelog entry for its version, and the GPLv3+
// that LICENSE holds in full.
func TestModuleXML(t *testing.T) {
	m := readModuleXML(t)
	if m.Rawname != "totalrec" || m.Name == "" || m.Category == "" || len(m.Menuitems.Items) == 0 {
		t.Errorf("rawname %q, name %q, category %q, menu items %q", m.Rawname, m.Name, m.Category, m.Menuitems.Items)
	}
	if !regexp.MustCompile(`^\d+\.\d+\.\d+$`).MatchString(m.Version) {
		t.Errorf("version %q is not N.N.N", m.Version)
	}
	if first := strings.Fields(m.Changelog); len(first) == 0 || first[0] != "*"+m.Version+"*" {
		t.Errorf("the changelog does not start with *%s*:\n%s", m.Version, m.Changelog)
	}

	// FreePBX's module_functions::checkdepends() (the same in 2.x's functions.inc.php).
	version := regexp.MustCompile(`(?i)^(lt|le|gt|ge|==|=|eq|!=|ne)?\s*(\d*[beta|alpha|rc|RC]?\d+(\.[^\.]+)*)$`)
	module := regexp.MustCompile(`(?i)^([a-z0-9_]+)(\s+(lt|le|gt|ge|==|=|eq|!=|ne)?\s*(\d+(\.\d*[beta|alpha|rc|RC]*\d+)+))?$`)
	d := m.Depends
	if !version.MatchString(d.Version) {
		t.Errorf("depends/version (FreePBX) %q", d.Version)
	}
	// The module's PHP is kept to PHP 5.3 (TestPHPOldSyntax): so says phpversion.
	if d.PHPVersion != "5.3.0" {
		t.Errorf("depends/phpversion %q, want 5.3.0 (what TestPHPOldSyntax enforces)", d.PHPVersion)
	}
	if !slices.ContainsFunc(d.Modules, func(s string) bool { return strings.Fields(s)[0] == "core" }) {
		t.Errorf("depends/module: %q, want core (its [sub-record-check] is what the module changes)", d.Modules)
	}
	for _, s := range d.Modules {
		if !module.MatchString(s) {
			t.Errorf("depends/module %q does not parse as FreePBX reads it", s)
		}
	}

	if m.License != "GPLv3+" || !strings.Contains(m.LicenseLink, "gpl-3.0") {
		t.Errorf("license %q, link %q; want GPLv3+ and the GPL 3.0 text", m.License, m.LicenseLink)
	}
	lic := read(t, "../LICENSE")
	for _, want := range []string{"GNU GENERAL PUBLIC LICENSE", "Version 3, 29 June 2007", "TERMS AND CONDITIONS",
		"END OF TERMS AND CONDITIONS", "either version 3 of the License, or\n    (at your option) any later version."} {
		if !strings.Contains(lic, want) {
			t.Errorf("LICENSE is not the GNU GPL v3 text: no %q", want)
		}
	}
}

func tool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not found (install Debian's gettext): %v", name, err)
	}
	return p
}

func run(t *testing.T, name string, args ...string) []byte {
	t.Helper()
	out, err := exec.Command(tool(t, name), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

// extractPOT runs xgettext on the module's PHP and on module.xml's strings (as
// FreePBX's packaging does, through a generated <rawname>.i18n.php) and returns
// the template's path.
func extractPOT(t *testing.T) string {
	t.Helper()
	tmp := t.TempDir()
	m := readModuleXML(t)
	var i18n strings.Builder
	i18n.WriteString("<?php\n// module.xml's strings (FreePBX's <rawname>.i18n.php)\n")
	for _, s := range append([]string{m.Name, m.Category, m.Description}, m.Menuitems.Items...) {
		i18n.WriteString("_('" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(strings.TrimSpace(s)) + "');\n")
	}
	must(t, os.WriteFile(filepath.Join(tmp, "totalrec.i18n.php"), []byte(i18n.String()), 0o644))

	var files []string
	for _, f := range phpFiles(t) {
		if rel, ok := strings.CutPrefix(filepath.ToSlash(f), "../module/"); ok {
			files = append(files, rel)
		}
	}
	slices.Sort(files)
	pot := filepath.Join(tmp, "totalrec.pot")
	args := []string{"--language=PHP", "--keyword=_", "--from-code=UTF-8", "--sort-output",
		"--package-name=totalrec", "--package-version=" + m.Version, "--copyright-holder=Totalrec",
		"-D", "../module", "-D", tmp, "-o", pot}
	run(t, "xgettext", append(append(args, files...), "totalrec.i18n.php")...)
	_, body, _ := strings.Cut(read(t, pot), "#, fuzzy\n")
	body = "# Totalrec FreePBX module: translation template.\n" +
		"# Written by go test ./freepbx -run TestModuleCatalogue -update-i18n; GPLv3+, as the module (LICENSE).\n#\n#, fuzzy\n" + body
	must(t, os.WriteFile(pot, []byte(body), 0o644))
	return pot
}

// TestModuleCatalogue: module/i18n/totalrec.pot holds exactly the strings of the
// module's _() calls and module.xml; the Russian .po translates every one of them,
// passes msgfmt --check, and the shipped .mo is that .po compiled.
func TestModuleCatalogue(t *testing.T) {
	fresh := extractPOT(t)
	if *updateI18n {
		must(t, os.MkdirAll(filepath.Dir(ruPO), 0o755))
		must(t, os.WriteFile(potFile, []byte(read(t, fresh)), 0o644))
		if _, err := os.Stat(ruPO); os.IsNotExist(err) {
			run(t, "msginit", "--no-translator", "--locale=ru_RU.UTF-8", "-i", potFile, "-o", ruPO)
		}
		run(t, "msgmerge", "--quiet", "--update", "--backup=none", "--no-fuzzy-matching", ruPO, potFile)
		run(t, "msgfmt", "--check", "-o", ruMO, ruPO)
	}

	want := parsePO(t, fresh)
	have := parsePO(t, potFile)
	for id := range want {
		if _, ok := have[id]; !ok && id != "" {
			t.Errorf("%s lacks %q (run go test ./freepbx -run TestModuleCatalogue -update-i18n)", potFile, id)
		}
	}
	for id := range have {
		if _, ok := want[id]; !ok {
			t.Errorf("%s has %q, which no _() call or module.xml holds any more", potFile, id)
		}
	}

	ru := parsePO(t, ruPO)
	if h := ru[""].str; !strings.Contains(h, "Language: ru_RU\n") || !strings.Contains(h, "charset=UTF-8") || !strings.Contains(h, "Plural-Forms: nplurals=3;") {
		t.Errorf("%s header:\n%s", ruPO, h)
	}
	for id := range want {
		if id == "" {
			continue
		}
		e, ok := ru[id]
		switch {
		case !ok:
			t.Errorf("%s: %q is missing", ruPO, id)
		case e.fuzzy || strings.TrimSpace(e.str) == "":
			t.Errorf("%s: %q is not translated (fuzzy %v)", ruPO, id, e.fuzzy)
		case !strings.ContainsFunc(e.str, func(r rune) bool { return unicode.Is(unicode.Cyrillic, r) }):
			t.Errorf("%s: %q -> %q is not Russian", ruPO, id, e.str)
		}
	}

	// The shipped .mo is this .po compiled: both decompile to the same catalogue.
	mo := filepath.Join(t.TempDir(), "totalrec.mo")
	run(t, "msgfmt", "--check", "-o", mo, ruPO)
	if compiled, shipped := run(t, "msgunfmt", mo), run(t, "msgunfmt", ruMO); !bytes.Equal(compiled, shipped) {
		t.Errorf("%s is not %s compiled (run -update-i18n)", ruMO, ruPO)
	}
}

// TestModuleTranslationTerms: the Russian catalogue names things as the Totalrec
// UI's Russian does (recordings/web/messages.go).
func TestModuleTranslationTerms(t *testing.T) {
	terms := []struct{ en, ru string }{
		{`(?i)\brecordings?\b`, "запис"},    // "Поиск записей"
		{`(?i)\bretention\b`, "хранени"},    // "Запуски хранения", "Политики хранения нет"
		{`(?i)\bextensions?\b`, "внутренн"}, // "Внутренний"
		{`(?i)\bcalls?\b`, "звон"},          // "Этот звонок", "Время звонка"
		{`\bDisk\b`, "Диск"},                // "Диск"
	}
	for id, e := range parsePO(t, ruPO) {
		for _, term := range terms {
			if id != "" && regexp.MustCompile(term.en).MatchString(id) && !strings.Contains(strings.ToLower(e.str), strings.ToLower(term.ru)) {
				t.Errorf("%q -> %q: %s is %q… in the UI", id, e.str, term.en, term.ru)
			}
		}
	}
}

type poEntry struct {
	str   string
	fuzzy bool
}

// parsePO reads a .po or .pot: msgid -> msgstr (msgstr[0] for plurals), with the
// fuzzy flag; obsolete (#~) entries are left out.
func parsePO(t *testing.T, path string) map[string]poEntry {
	t.Helper()
	out := map[string]poEntry{}
	var id, str, field string
	var fuzzy, inEntry bool
	flush := func() {
		if inEntry {
			out[id] = poEntry{str, fuzzy}
		}
		id, str, field, fuzzy, inEntry = "", "", "", false, false
	}
	for n, line := range strings.Split(read(t, path), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "":
			flush()
		case strings.HasPrefix(line, "#,"):
			fuzzy = fuzzy || strings.Contains(line, "fuzzy")
		case strings.HasPrefix(line, "#"):
		default:
			key, rest, _ := strings.Cut(line, " ")
			if strings.HasPrefix(line, `"`) {
				key, rest = field, line
			}
			s, err := strconv.Unquote(rest)
			if err != nil {
				t.Fatalf("%s:%d: %v: %s", path, n+1, err, line)
			}
			switch key {
			case "msgid":
				id += s
				inEntry = true
			case "msgstr", "msgstr[0]":
				str += s
			}
			field = key
		}
	}
	flush()
	return out
}

// The module's Backup.php and Restore.php on testdata/backup_restore.php's stand-in
// for FreePBX's Backup & Restore models, with the settings table in a real SQLite.

type backupFile struct {
	Type     string `json:"type"`
	Filename string `json:"filename"`
	Pathto   string `json:"pathto"`
	Base     string `json:"base"`
}

type fileMeta struct{ Mode, Owner, Group string }

// backupManifest is the module's part of a backup (modulejson/Totalrec.json).
type backupManifest struct {
	Module  string       `json:"module"`
	Dirs    []string     `json:"dirs"`
	Files   []backupFile `json:"files"`
	Configs struct {
		Settings map[string]string   `json:"settings"`
		Files    map[string]fileMeta `json:"files"`
	} `json:"configs"`
}

type backupRun struct {
	Modified bool            `json:"modified"`
	Data     json.RawMessage `json:"data"`
	Log      []string        `json:"log"`
}

func backupStep(t *testing.T, dbFile string, args ...string) backupRun {
	t.Helper()
	out, err := exec.Command(php(t), append([]string{"testdata/backup_restore.php", "../module", dbFile}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("php backup_restore.php %v: %v\n%s", args, err, out)
	}
	var r backupRun
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return r
}

func settingsRows(t *testing.T, dbFile string, set map[string]string) map[string]string {
	t.Helper()
	db, err := sql.Open("sqlite", dbFile)
	must(t, err)
	defer db.Close()
	if set != nil {
		_, err := db.Exec("DELETE FROM totalrec_settings")
		must(t, err)
		for k, v := range set {
			_, err := db.Exec("INSERT INTO totalrec_settings (keyword, value) VALUES (?, ?)", k, v)
			must(t, err)
		}
	}
	rows, err := db.Query("SELECT keyword, value FROM totalrec_settings")
	must(t, err)
	defer rows.Close()
	got := map[string]string{}
	for rows.Next() {
		var k, v string
		must(t, rows.Scan(&k, &v))
		got[k] = v
	}
	must(t, rows.Err())
	return got
}

func writeMode(t *testing.T, path, body string, mode os.FileMode) {
	t.Helper()
	must(t, os.MkdirAll(filepath.Dir(path), 0o755))
	must(t, os.WriteFile(path, []byte(body), mode))
	must(t, os.Chmod(path, mode))
}

func checkFile(t *testing.T, path, body string, mode os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Errorf("restored file: %v", err)
		return
	}
	if got := read(t, path); got != body || fi.Mode().Perm() != mode {
		t.Errorf("%s: %q mode %v, want %q mode %v", path, got, fi.Mode().Perm(), body, mode)
	}
}

func logHas(t *testing.T, log []string, want string) {
	t.Helper()
	if !slices.ContainsFunc(log, func(l string) bool { return strings.Contains(l, want) }) {
		t.Errorf("the log lacks %q:\n%s", want, strings.Join(log, "\n"))
	}
}

// TestModuleBackupRestore: a backup holds the settings table's rows and Totalrec's
// two configuration files; restored on a reset module (a new machine), or over other
// settings, the table and the files come back exactly; a tampered backup cannot
// store a refused value or write elsewhere; a FreePBX 14 (legacy) backup's
// settings come back too.
func TestModuleBackupRestore(t *testing.T) {
	dir := t.TempDir()
	dbFile := filepath.Join(dir, "asterisk.db")
	conf := filepath.Join(dir, "etc/totalrec/totalrec.conf")
	policy := filepath.Join(dir, "etc/totalrec/retention.conf")
	const confBody, policyBody = "listen = 127.0.0.1:8080\nsso_secret = s3cret\nbase_path = /totalrec\n", "max_age = 365d\n"
	writeMode(t, conf, confBody, 0o640)
	writeMode(t, policy, policyBody, 0o644)
	backupStep(t, dbFile, "install")
	settings := map[string]string{"daemon_url": "https://rec.example.com", "internal_url": "http://10.0.0.5:9000",
		"config_file": conf, "hook_binary": "/opt/totalrec/bin/totalrec", "force": "no"}
	settingsRows(t, dbFile, settings)

	b := backupStep(t, dbFile, "backup")
	var m backupManifest
	must(t, json.Unmarshal(b.Data, &m))
	if !b.Modified || !maps.Equal(m.Configs.Settings, settings) {
		t.Fatalf("backup: modified %v, settings %v", b.Modified, m.Configs.Settings)
	}
	wantFiles := []backupFile{{"totalrec", "totalrec.conf", filepath.Dir(conf), ""}, {"totalrec", "retention.conf", filepath.Dir(conf), ""}}
	if !slices.Equal(m.Files, wantFiles) || !slices.Equal(m.Dirs, []string{filepath.Dir(conf)}) ||
		m.Configs.Files[conf].Mode != "0640" || m.Configs.Files[policy].Mode != "0644" {
		t.Fatalf("backup files %+v, dirs %v, meta %+v", m.Files, m.Dirs, m.Configs.Files)
	}

	// What the backup handler then does: the manifest as JSON, each file under
	// files/<pathto>/ in the archive (backup/Handlers/Backup/Common.php).
	stage := func(t *testing.T, manifest []byte, files []backupFile) (string, string) {
		tmp := t.TempDir()
		for _, f := range files {
			if b, err := os.ReadFile(filepath.Join(f.Pathto, f.Filename)); err == nil {
				writeMode(t, filepath.Join(tmp, "files", f.Pathto, f.Filename), string(b), 0o644)
			}
		}
		mf := filepath.Join(tmp, "Totalrec.json")
		must(t, os.WriteFile(mf, manifest, 0o644))
		return mf, tmp
	}

	t.Run("new machine", func(t *testing.T) {
		mf, tmp := stage(t, b.Data, m.Files)
		must(t, os.RemoveAll(filepath.Dir(conf)))
		backupStep(t, dbFile, "reset")
		r := backupStep(t, dbFile, "restore", mf, tmp)
		if got := settingsRows(t, dbFile, nil); !maps.Equal(got, settings) {
			t.Errorf("settings after the restore: %v, want %v", got, settings)
		}
		checkFile(t, conf, confBody, 0o640)
		checkFile(t, policy, policyBody, 0o644)
		logHas(t, r.Log, "Restart the totalrec daemon")
	})

	t.Run("over other settings", func(t *testing.T) {
		mf, tmp := stage(t, b.Data, m.Files)
		settingsRows(t, dbFile, map[string]string{"config_file": conf, "force": "yes", "stray": "x"})
		writeMode(t, conf, "listen = 0.0.0.0:9999\n", 0o600)
		backupStep(t, dbFile, "restore", mf, tmp)
		if got := settingsRows(t, dbFile, nil); !maps.Equal(got, settings) {
			t.Errorf("settings after the restore: %v, want %v", got, settings)
		}
		checkFile(t, conf, confBody, 0o640)
	})

	t.Run("tampered", func(t *testing.T) {
		var raw map[string]any
		must(t, json.Unmarshal(b.Data, &raw))
		evil := filepath.Join(dir, "elsewhere")
		raw["configs"].(map[string]any)["settings"] = map[string]string{"config_file": conf, "force": "no",
			"hook_binary": "/usr/bin/true; rm -rf /", "daemon_url": "javascript:alert(1)", "unknown": "x"}
		files := append(slices.Clone(m.Files), backupFile{"totalrec", "passwd", evil, ""})
		raw["files"] = files
		manifest, err := json.Marshal(raw)
		must(t, err)
		writeMode(t, filepath.Join(evil, "passwd"), "root::0:0::/:/bin/sh\n", 0o644)
		mf, tmp := stage(t, manifest, files)
		must(t, os.RemoveAll(evil))
		backupStep(t, dbFile, "reset")
		r := backupStep(t, dbFile, "restore", mf, tmp)
		if got, want := settingsRows(t, dbFile, nil), map[string]string{"config_file": conf, "force": "no"}; !maps.Equal(got, want) {
			t.Errorf("settings after a tampered restore: %v, want %v", got, want)
		}
		if _, err := os.Stat(evil); !os.IsNotExist(err) {
			t.Errorf("the restore wrote outside Totalrec's configuration files: %v", err)
		}
		for _, want := range []string{"Setting hook_binary not restored", "Setting daemon_url not restored", "Setting unknown not restored", evil + "/passwd is not a Totalrec configuration file"} {
			logHas(t, r.Log, want)
		}
	})

	t.Run("legacy", func(t *testing.T) {
		// FreePBX 14's backup: its database (here as the SQLite the backup module
		// turns its dump into) and, when the administrator added it, /etc/totalrec.
		legacy := filepath.Join(t.TempDir(), "legacy.db")
		ldb, err := sql.Open("sqlite", legacy)
		must(t, err)
		_, err = ldb.Exec("CREATE TABLE totalrec_settings (keyword VARCHAR(50) NOT NULL PRIMARY KEY, value VARCHAR(255) NOT NULL DEFAULT '')")
		must(t, err)
		for k, v := range settings {
			_, err := ldb.Exec("INSERT INTO totalrec_settings VALUES (?, ?)", k, v)
			must(t, err)
		}
		must(t, ldb.Close())
		tmp := t.TempDir()
		writeMode(t, filepath.Join(tmp, conf), confBody, 0o644)
		must(t, os.RemoveAll(filepath.Dir(conf)))
		backupStep(t, dbFile, "reset")
		r := backupStep(t, dbFile, "legacy", legacy, tmp)
		if got := settingsRows(t, dbFile, nil); !maps.Equal(got, settings) {
			t.Errorf("settings after a legacy restore: %v, want %v", got, settings)
		}
		checkFile(t, conf, confBody, 0o640) // no mode in a legacy backup: the config's own
		if _, err := os.Stat(policy); !os.IsNotExist(err) {
			t.Errorf("retention.conf, not in the backup, exists: %v", err)
		}
		logHas(t, r.Log, "Restored "+conf)

		// A backup of a FreePBX without the module: the defaults.
		empty := filepath.Join(t.TempDir(), "legacy.db")
		r = backupStep(t, dbFile, "legacy", empty, t.TempDir())
		if got := settingsRows(t, dbFile, nil); len(got) != 0 {
			t.Errorf("settings after a legacy restore without the module: %v", got)
		}
		logHas(t, r.Log, "no Totalrec settings")
	})
}
