package config

import (
	"fmt"
	"strings"
)

// parseFreePBXConf reads the $amp_conf assignments of /etc/freepbx.conf:
//
//	$amp_conf['AMPDBUSER'] = 'freepbxuser';
//	$amp_conf["AMPDBHOST"]="localhost";
//	$amp_conf['AMPDBPORT'] = 3306; // a comment
//
// It never runs PHP: every other statement (require_once, conditionals) is skipped,
// as are comments. A line that starts like an assignment but is not one with a
// literal value is an error naming the line. Single-quoted values know only the
// escapes \' and \\, as in PHP; double-quoted ones also \", \$, \n, \r and \t (a
// variable inside double quotes is kept as written, not interpolated).
func parseFreePBXConf(path string, b []byte) (map[string]string, error) {
	out := map[string]string{}
	inComment := false
	for n, line := range lines(b) {
		line = strings.TrimSpace(line)
		if inComment {
			_, rest, ok := strings.Cut(line, "*/")
			if !ok {
				continue
			}
			inComment, line = false, strings.TrimSpace(rest)
		}
		if strings.HasPrefix(line, "/*") {
			_, rest, ok := strings.Cut(line[2:], "*/")
			if !ok {
				inComment = true
				continue
			}
			line = strings.TrimSpace(rest)
		}
		if !strings.HasPrefix(line, "$amp_conf") {
			continue
		}
		k, v, err := parseAssignment(line)
		if err != nil {
			return nil, &ParseError{Path: path, Line: n, Msg: "read $amp_conf assignment: " + err.Error()}
		}
		out[k] = v
	}
	return out, nil
}

// parseAssignment reads `$amp_conf['KEY'] = value;` from the start of s.
func parseAssignment(s string) (key, value string, err error) {
	p := phpScanner{s: s}
	if !p.literal("$amp_conf") || !p.literal("[") {
		return "", "", fmt.Errorf("want $amp_conf[")
	}
	if key, err = p.quoted(); err != nil {
		return "", "", fmt.Errorf("key: %w", err)
	}
	if !p.literal("]") || !p.literal("=") {
		return "", "", fmt.Errorf("want ] = after %q", key)
	}
	p.space()
	if p.i < len(p.s) && (p.s[p.i] == '\'' || p.s[p.i] == '"') {
		value, err = p.quoted()
		if err != nil {
			return "", "", fmt.Errorf("value of %s: %w", key, err)
		}
	} else {
		var ok bool
		if value, ok = p.bare(); !ok {
			return "", "", fmt.Errorf("value of %s is not a literal", key)
		}
	}
	if !p.literal(";") {
		return "", "", fmt.Errorf("value of %s is not a literal followed by ;", key)
	}
	return key, value, nil
}

// phpScanner reads the few PHP tokens an assignment consists of.
type phpScanner struct {
	s string
	i int
}

func (p *phpScanner) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

// literal consumes spaces and then tok, reporting whether tok was there.
func (p *phpScanner) literal(tok string) bool {
	p.space()
	if !strings.HasPrefix(p.s[p.i:], tok) {
		return false
	}
	p.i += len(tok)
	return true
}

// bare reads an unquoted scalar: a number, true, false or null, as PHP turns it into
// a string ("1" for true, "" for false and null).
func (p *phpScanner) bare() (string, bool) {
	start := p.i
	for p.i < len(p.s) && (p.s[p.i] == '.' || p.s[p.i] == '-' || p.s[p.i] == '_' ||
		p.s[p.i] >= '0' && p.s[p.i] <= '9' || p.s[p.i] >= 'a' && p.s[p.i] <= 'z' || p.s[p.i] >= 'A' && p.s[p.i] <= 'Z') {
		p.i++
	}
	v := p.s[start:p.i]
	switch strings.ToLower(v) {
	case "null", "false":
		return "", true
	case "true":
		return "1", true
	}
	return v, v != ""
}

// quoted reads a single- or double-quoted PHP string.
func (p *phpScanner) quoted() (string, error) {
	p.space()
	if p.i >= len(p.s) || p.s[p.i] != '\'' && p.s[p.i] != '"' {
		return "", fmt.Errorf("want a quoted string")
	}
	q := p.s[p.i]
	p.i++
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		p.i++
		switch {
		case c == q:
			return b.String(), nil
		case c == '\\' && p.i < len(p.s):
			e := p.s[p.i]
			switch {
			case e == q || e == '\\':
				b.WriteByte(e)
				p.i++
			case q == '"' && e == '$':
				b.WriteByte('$')
				p.i++
			case q == '"' && e == 'n':
				b.WriteByte('\n')
				p.i++
			case q == '"' && e == 'r':
				b.WriteByte('\r')
				p.i++
			case q == '"' && e == 't':
				b.WriteByte('\t')
				p.i++
			default:
				b.WriteByte('\\') // PHP keeps unknown escapes as written
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", fmt.Errorf("unterminated string")
}
