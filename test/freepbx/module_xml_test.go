package freepbx

import (
	"encoding/xml"
	"regexp"
	"slices"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

// The FreePBX module conventions FreePBX's own modules follow (callrecording, cdr),
// one file per convention: module.xml's <depends>, <version> and <changelog> and a
// LICENSE matching <license> (module_xml_test.go), an i18n/ catalogue
// (module_i18n_test.go), and Backup.php/Restore.php (module_backup_test.go).

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
	if err := xml.Unmarshal([]byte(read(t, "../../module.xml")), &m); err != nil {
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
	lic := read(t, "../../LICENSE")
	for _, want := range []string{"GNU GENERAL PUBLIC LICENSE", "Version 3, 29 June 2007", "TERMS AND CONDITIONS",
		"END OF TERMS AND CONDITIONS", "either version 3 of the License, or\n    (at your option) any later version."} {
		if !strings.Contains(lic, want) {
			t.Errorf("LICENSE is not the GNU GPL v3 text: no %q", want)
		}
	}
}
