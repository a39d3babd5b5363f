package config

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// ParseError is a line of a configuration file (Totalrec's or FreePBX's) that cannot
// be read.
type ParseError struct {
	Path string
	Line int
	Msg  string
}

func (e *ParseError) Error() string { return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg) }

// fileEntry is one key = value line of the config file.
type fileEntry struct {
	key, value string
	line       int
}

// readConfigFile reads Totalrec's config file:
//
//	# a comment (only at the start of a line: values may contain '#')
//	spool = /var/spool/asterisk/monitor
//	db = sqlite:/var/lib/totalrec/totalrec.db
//	[cdr]
//	db = freepbxuser:secret@unix(/var/lib/mysql/mysql.sock)/asteriskcdrdb
//	window = 2h
//
// A [section] header prefixes the keys below it with "section_", so "[cdr] db" is the
// key cdr_db; "[]" returns to no prefix. Keys may use "-" for "_". A value is taken
// literally after trimming spaces, except that one wrapped in double quotes is
// unquoted as a Go string and one in single quotes loses the quotes. An unknown or
// repeated key is an error naming the line.
func readConfigFile(path string) ([]fileEntry, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config file: %w", err)
	}
	var entries []fileEntry
	seen := map[string]int{}
	section := ""
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		fail := func(format string, a ...any) error {
			return &ParseError{Path: path, Line: n, Msg: fmt.Sprintf(format, a...)}
		}
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
			continue
		case line[0] == '[':
			name, ok := strings.CutSuffix(line[1:], "]")
			name = strings.TrimSpace(name)
			if !ok || !isKeyName(name) && name != "" {
				return nil, fail("bad section header %q", line)
			}
			section = strings.ReplaceAll(name, "-", "_")
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fail("want key = value, got %q", line)
		}
		k = strings.ReplaceAll(strings.TrimSpace(k), "-", "_")
		if !isKeyName(k) {
			return nil, fail("bad key %q", k)
		}
		if section != "" {
			k = section + "_" + k
		}
		if _, ok := lookupSetting(k); !ok {
			return nil, fail("unknown key %q", k)
		}
		if first, dup := seen[k]; dup {
			return nil, fail("%s set again (first set on line %d)", k, first)
		}
		seen[k] = n
		v, err := unquote(strings.TrimSpace(v))
		if err != nil {
			return nil, fail("%s: bad quoted value: %v", k, err)
		}
		entries = append(entries, fileEntry{key: k, value: v, line: n})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read config file %s: %w", path, err)
	}
	return entries, nil
}

func isKeyName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// unquote strips one level of double (Go syntax) or single (literal) quotes.
func unquote(v string) (string, error) {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		return strconv.Unquote(v)
	}
	if len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' {
		return v[1 : len(v)-1], nil
	}
	return v, nil
}
