package freepbx

import (
	"bytes"
	"flag"
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

// The module's i18n/ catalogue: the template holds exactly the module's strings, the
// Russian catalogue translates them with Totalrec's terms, and the shipped .mo is
// compiled from it.

var updateI18n = flag.Bool("update-i18n", false, "rewrite module/i18n: the .pot from the module's PHP and module.xml, the Russian .po merged with it, its .mo")

const (
	potFile = "../../module/i18n/totalrec.pot"
	ruPO    = "../../module/i18n/ru_RU/LC_MESSAGES/totalrec.po"
	ruMO    = "../../module/i18n/ru_RU/LC_MESSAGES/totalrec.mo"
)

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
		if rel, ok := strings.CutPrefix(filepath.ToSlash(f), "../../module/"); ok {
			files = append(files, rel)
		}
	}
	slices.Sort(files)
	pot := filepath.Join(tmp, "totalrec.pot")
	args := []string{"--language=PHP", "--keyword=_", "--from-code=UTF-8", "--sort-output",
		"--package-name=totalrec", "--package-version=" + m.Version, "--copyright-holder=Totalrec",
		"-D", "../../module", "-D", tmp, "-o", pot}
	run(t, "xgettext", append(append(args, files...), "totalrec.i18n.php")...)
	_, body, _ := strings.Cut(read(t, pot), "#, fuzzy\n")
	body = "# Totalrec FreePBX module: translation template.\n" +
		"# Written by go test ./test/freepbx -run TestModuleCatalogue -update-i18n; GPLv3+, as the module (LICENSE).\n#\n#, fuzzy\n" + body
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
			t.Errorf("%s lacks %q (run go test ./test/freepbx -run TestModuleCatalogue -update-i18n)", potFile, id)
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
