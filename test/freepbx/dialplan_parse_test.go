// Package freepbx is test support for Totalrec's FreePBX artefacts: the dialplan in
// freepbx-overrides/ and the FreePBX module in module/. It parses Asterisk
// extensions.conf-style files, checks the properties an override must have (every path
// ends, labels are unique, priorities are contiguous, MixMonitor post-commands carry no
// caller-controlled text), and merges files the way Asterisk's pbx_config does, so
// that what a running Asterisk executes can be checked without one.
package freepbx

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// Line is one "exten =>" (or "same =>") line of a dialplan file, its priority resolved
// as pbx_config resolves it within that file.
type Line struct {
	File     string // file name given to Parse
	Num      int    // line number in that file
	Context  string
	Exten    string
	Priority int
	Label    string // "" when none
	App      string // application name as written, e.g. "GotoIf"
	Args     string // the text between the application's outer parentheses
}

func (l *Line) String() string {
	lab := ""
	if l.Label != "" {
		lab = "(" + l.Label + ")"
	}
	return fmt.Sprintf("%s:%d [%s] %s,%d%s,%s(%s)", l.File, l.Num, l.Context, l.Exten, l.Priority, lab, l.App, l.Args)
}

// Context is one [section] of a dialplan. A context may appear several times in a
// file; Parse appends to the one Context.
type Context struct {
	Name  string
	Lines []*Line  // in file order
	Order []string // extension names in order of first appearance
	// Splice lists extensions declared with "; totalrec:splice <context> <exten>": they
	// override only the first priorities of a generated extension and are meant to
	// continue into the generated ones, so they may end without a terminal line.
	Splice map[string]bool
}

// Dialplan is a parsed file, or the merge of several (see Merge).
type Dialplan struct {
	Contexts map[string]*Context
	Order    []string // context names in order of first appearance
}

// Context returns the named context, or nil.
func (d *Dialplan) Context(name string) *Context { return d.Contexts[name] }

func (d *Dialplan) context(name string) *Context {
	c := d.Contexts[name]
	if c == nil {
		c = &Context{Name: name, Splice: map[string]bool{}}
		d.Contexts[name] = c
		d.Order = append(d.Order, name)
	}
	return c
}

// Extension returns the lines of one extension sorted by priority.
func (c *Context) Extension(exten string) []*Line {
	var out []*Line
	for _, l := range c.Lines {
		if l.Exten == exten {
			out = append(out, l)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Priority < out[j].Priority })
	return out
}

func (c *Context) add(l *Line) {
	seen := false
	for _, e := range c.Order {
		if e == l.Exten {
			seen = true
			break
		}
	}
	if !seen {
		c.Order = append(c.Order, l.Exten)
	}
	c.Lines = append(c.Lines, l)
}

// SyntaxError is a line Parse cannot read.
type SyntaxError struct {
	File string
	Num  int
	Msg  string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Num, e.Msg) }

// stripComment removes a ';' comment, honouring the "\;" escape, which becomes ';' as
// Asterisk's config parser makes it. It reports the comment text separately.
func stripComment(s string) (code, comment string) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s) && s[i+1] == ';':
			b.WriteByte(';')
			i++
		case s[i] == ';':
			return b.String(), s[i+1:]
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String(), ""
}

// Parse reads a dialplan file. Priorities are resolved per file as pbx_config does:
// a number is taken as is, "n" is the previous line's priority plus one, "n+X" adds
// X, and the previous priority starts again at 0 with each [section] header. Hints
// are skipped. Parse accepts what Asterisk accepts; Check reports what an override
// must not do.
func Parse(file string, r io.Reader) (*Dialplan, error) {
	d := &Dialplan{Contexts: map[string]*Context{}}
	var cur *Context
	lastPri := 0
	lastExten := ""
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for num := 1; sc.Scan(); num++ {
		code, comment := stripComment(sc.Text())
		if f := strings.Fields(comment); len(f) == 3 && f[0] == "totalrec:splice" {
			d.context(f[1]).Splice[f[2]] = true
		}
		code = strings.TrimSpace(code)
		if code == "" {
			continue
		}
		fail := func(format string, a ...any) error {
			return &SyntaxError{File: file, Num: num, Msg: fmt.Sprintf(format, a...)}
		}
		if code[0] == '[' {
			end := strings.IndexByte(code, ']')
			if end < 0 {
				return nil, fail("unterminated section header %q", code)
			}
			cur = d.context(strings.TrimSpace(code[1:end]))
			lastPri, lastExten = 0, ""
			continue
		}
		if code[0] == '#' {
			continue // #include, #exec: not followed
		}
		key, val, ok := strings.Cut(code, "=")
		if !ok {
			return nil, fail("want key => value, got %q", code)
		}
		key = strings.TrimSpace(key)
		val = strings.TrimSpace(strings.TrimPrefix(val, ">"))
		if key != "exten" && key != "same" {
			continue // include =>, switch =>, globals
		}
		if cur == nil {
			return nil, fail("%s outside a context", key)
		}
		var exten string
		if key == "exten" {
			var rest string
			exten, rest, ok = strings.Cut(val, ",")
			if !ok {
				return nil, fail("exten without priority: %q", code)
			}
			exten, val = strings.TrimSpace(exten), rest
		} else {
			if lastExten == "" {
				return nil, fail("same => without a preceding exten")
			}
			exten = lastExten
		}
		priText, app, ok := strings.Cut(val, ",")
		if !ok {
			return nil, fail("no application: %q", code)
		}
		priText = strings.TrimSpace(priText)
		if priText == "hint" {
			continue
		}
		label := ""
		if i := strings.IndexByte(priText, '('); i >= 0 {
			if !strings.HasSuffix(priText, ")") {
				return nil, fail("bad label in %q", priText)
			}
			label, priText = priText[i+1:len(priText)-1], priText[:i]
		}
		var pri int
		switch {
		case priText == "n":
			pri = lastPri + 1
		case strings.HasPrefix(priText, "n+"):
			x, err := strconv.Atoi(priText[2:])
			if err != nil || x < 1 {
				return nil, fail("bad priority %q", priText)
			}
			pri = lastPri + x
		default:
			x, err := strconv.Atoi(priText)
			if err != nil || x < 1 {
				return nil, fail("bad priority %q", priText)
			}
			pri = x
		}
		lastPri, lastExten = pri, exten
		name, args, err := splitApp(strings.TrimSpace(app))
		if err != nil {
			return nil, fail("%v", err)
		}
		cur.add(&Line{File: file, Num: num, Context: cur.Name, Exten: exten, Priority: pri, Label: label, App: name, Args: args})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", file, err)
	}
	return d, nil
}

// splitApp splits "App(args)" into its name and the text inside the outer parentheses.
// "App" alone has empty args.
func splitApp(s string) (name, args string, err error) {
	i := strings.IndexByte(s, '(')
	if i < 0 {
		return s, "", nil
	}
	if !strings.HasSuffix(s, ")") {
		return "", "", fmt.Errorf("unbalanced parentheses in %q", s)
	}
	return strings.TrimSpace(s[:i]), s[i+1 : len(s)-1], nil
}

// SplitArgs splits application arguments on sep outside parentheses, brackets and
// double quotes, as Asterisk's ast_app_separate_args does, into at most max parts
// (max <= 0: no limit); the last part keeps the rest of the text.
func SplitArgs(s string, sep byte, max int) []string {
	var out []string
	depthP, depthB, quote := 0, 0, false
	start := 0
	for i := 0; i < len(s); i++ {
		if max > 0 && len(out) == max-1 {
			break
		}
		switch c := s[i]; {
		case c == '\\':
			i++
		case c == '"':
			quote = !quote
		case c == '(':
			depthP++
		case c == ')' && depthP > 0:
			depthP--
		case c == '[':
			depthB++
		case c == ']' && depthB > 0:
			depthB--
		case c == sep && depthP == 0 && depthB == 0 && !quote:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// Merge loads files in order into one dialplan as Asterisk does when extensions.conf
// includes them one after the other (asterisk pbx/pbx_config.c, main/pbx.c):
// a context defined in several files is one context; the first definition of a
// (context, extension, priority) wins and later ones are rejected ("already in use");
// a label already registered in that extension is dropped from a later line; priorities
// were resolved per file by Parse, so a rejected line still advances "n".
func Merge(files ...*Dialplan) *Dialplan {
	m := &Dialplan{Contexts: map[string]*Context{}}
	for _, f := range files {
		for _, name := range f.Order {
			src := f.Contexts[name]
			dst := m.context(name)
			for e := range src.Splice {
				dst.Splice[e] = true
			}
			for _, l := range src.Lines {
				if dst.at(l.Exten, l.Priority) != nil {
					continue
				}
				nl := *l
				if nl.Label != "" && dst.label(l.Exten, l.Label) != nil {
					nl.Label = ""
				}
				dst.add(&nl)
			}
		}
	}
	return m
}

func (c *Context) at(exten string, pri int) *Line {
	for _, l := range c.Lines {
		if l.Exten == exten && l.Priority == pri {
			return l
		}
	}
	return nil
}

func (c *Context) label(exten, label string) *Line {
	for _, l := range c.Lines {
		if l.Exten == exten && l.Label == label {
			return l
		}
	}
	return nil
}
