package config

import (
	"strings"
	"testing"
)

func FuzzParseFreePBXConf(f *testing.F) {
	for _, s := range []string{
		"<?php\n$amp_conf['AMPDBUSER'] = 'u';\n",
		`$amp_conf["AMPDBPASS"]="a\"b\\c\$d";`,
		"/* $amp_conf['X'] = 'y'; */\n$amp_conf['Y'] = 3306 ;",
		"$amp_conf['X'] = 'unterminated",
		"$amp_conf[",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		vals, err := parseFreePBXConf("/etc/freepbx.conf", []byte(s))
		if err == nil && !strings.Contains(s, "$amp_conf") && len(vals) > 0 {
			t.Errorf("values %v from a file without $amp_conf", vals)
		}
	})
}

func FuzzParseAmportal(f *testing.F) {
	for _, s := range []string{"A=1\n# c\nB = '2'\n", "=\n", "A\n", "A=\"\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		vals, err := parseAmportal("/etc/amportal.conf", []byte(s))
		if err == nil && len(vals) > strings.Count(s, "=") {
			t.Errorf("%d values from %d '='", len(vals), strings.Count(s, "="))
		}
	})
}

func FuzzRedactDSN(f *testing.F) {
	for _, s := range []string{"u:secret@tcp(h:3306)/db", "mysql://u:secret@h/db", "u:sec@ret@unix(/s)/db?x=y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, dsn string) {
		at := splitCredentials(dsn)
		if at < 0 || strings.HasPrefix(dsn, "sqlite:") || urlScheme.MatchString(dsn) {
			return
		}
		if _, _, ok := strings.Cut(dsn[:at], ":"); !ok {
			return
		}
		red := RedactDSN(dsn)
		rat := splitCredentials(red)
		if _, pw, _ := strings.Cut(red[:max(rat, 0)], ":"); rat < 0 || pw != "****" {
			t.Errorf("RedactDSN(%q) = %q, want the password read as ****", dsn, red)
		}
	})
}
