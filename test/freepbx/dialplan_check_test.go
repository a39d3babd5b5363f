package freepbx

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Problem is one thing Check found wrong, with the line it is about.
type Problem struct {
	Line *Line // nil when the problem is about a whole extension
	Msg  string
}

func (p Problem) String() string {
	if p.Line == nil {
		return p.Msg
	}
	return p.Line.String() + ": " + p.Msg
}

// terminal applications end a path: nothing after them in the extension runs.
var terminal = map[string]bool{"macroexit": true, "return": true, "hangup": true}

// IsTerminal reports whether app (any case) ends a path.
func IsTerminal(app string) bool { return terminal[strings.ToLower(app)] }

// target is where a jump goes: an extension and a priority or label, in ctx.
type target struct {
	ctx, exten, pri string
}

// parseTarget reads a Goto-style target: "pri", "exten,pri" or "ctx,exten,pri".
func parseTarget(s string, from *Line) target {
	p := SplitArgs(strings.TrimSpace(s), ',', 0)
	for i := range p {
		p[i] = strings.TrimSpace(p[i])
	}
	switch len(p) {
	case 1:
		return target{from.Context, from.Exten, p[0]}
	case 2:
		return target{from.Context, p[0], p[1]}
	default:
		return target{p[0], p[1], p[2]}
	}
}

// state is a point of execution: a line index in one extension's sorted lines.
type state struct {
	exten string
	idx   int
}

// edge is the set of places execution can go after a line.
type step struct {
	next []state // successor lines
	ends bool    // one way out of this line ends the path
	err  string  // why the successors are unknown
}

// flow computes where execution can go after line i of ext within context c.
func flow(c *Context, ext []*Line, i int, exts map[string][]*Line) step {
	l := ext[i]
	app := strings.ToLower(l.App)
	fallthroughTo := func() []state {
		if i+1 < len(ext) {
			if ext[i+1].Priority != l.Priority+1 {
				return nil // a gap: Asterisk stops at a missing priority
			}
			return []state{{l.Exten, i + 1}}
		}
		return nil
	}
	jump := func(t string) ([]state, string) {
		tg := parseTarget(t, l)
		if strings.Contains(t, "${") || strings.Contains(t, "$[") {
			return nil, fmt.Sprintf("jump target %q is computed at run time", t)
		}
		if tg.ctx != c.Name {
			return nil, fmt.Sprintf("jump to another context (%s)", tg.ctx)
		}
		te, ok := exts[tg.exten]
		if !ok {
			return nil, fmt.Sprintf("jump to missing extension %q", tg.exten)
		}
		for j, tl := range te {
			if tl.Label == tg.pri || strconv.Itoa(tl.Priority) == tg.pri {
				return []state{{tg.exten, j}}, ""
			}
		}
		return nil, fmt.Sprintf("jump to missing priority or label %q in %s", tg.pri, tg.exten)
	}
	var s step
	addFall := func() {
		n := fallthroughTo()
		if n == nil {
			s.err = "execution falls off the end of the extension (no MacroExit/Return/Hangup)"
		}
		s.next = append(s.next, n...)
	}
	switch {
	case terminal[app]:
		s.ends = true
	case app == "goto":
		n, err := jump(l.Args)
		s.next, s.err = n, err
	case app == "gotoif":
		parts := SplitArgs(l.Args, '?', 2)
		if len(parts) < 2 {
			s.err = "GotoIf without '?'"
			break
		}
		dests := SplitArgs(parts[1], ':', 2)
		ifTrue, ifFalse := strings.TrimSpace(dests[0]), ""
		if len(dests) == 2 {
			ifFalse = strings.TrimSpace(dests[1])
		}
		for _, d := range []string{ifTrue, ifFalse} {
			if d == "" {
				continue
			}
			n, err := jump(d)
			if err != "" {
				s.err = err
			}
			s.next = append(s.next, n...)
		}
		if ifTrue == "" || ifFalse == "" {
			addFall()
		}
	case app == "execif":
		parts := SplitArgs(l.Args, '?', 2)
		if len(parts) < 2 {
			s.err = "ExecIf without '?'"
			break
		}
		for _, a := range SplitArgs(parts[1], ':', 2) {
			name, args, err := splitApp(strings.TrimSpace(a))
			if err != nil {
				s.err = err.Error()
				continue
			}
			switch strings.ToLower(name) {
			case "macroexit", "return", "hangup":
				s.ends = true
			case "goto", "gotoif", "gosub", "macro":
				s.err = fmt.Sprintf("ExecIf runs %s(%s): jumps inside ExecIf are not followed", name, args)
			}
		}
		addFall()
	default:
		addFall()
	}
	return s
}

// CheckPaths follows every path from priority 1 of every extension of every context
// through Goto/GotoIf/ExecIf (targets by label or priority, within the context) and
// reports lines after which execution would fall off the end of an extension, jumps it
// cannot resolve, and places from which no path reaches a MacroExit(), Return() or
// Hangup(). Extensions declared as splice points may fall off their end: they continue
// into generated priorities, which CheckMergedPath checks against a generated file.
func CheckPaths(d *Dialplan) []Problem {
	var out []Problem
	for _, name := range d.Order {
		c := d.Contexts[name]
		exts := map[string][]*Line{}
		for _, e := range c.Order {
			exts[e] = c.Extension(e)
		}
		for _, e := range c.Order {
			out = append(out, checkFrom(c, exts, e, c.Splice[e])...)
		}
	}
	return out
}

func checkFrom(c *Context, exts map[string][]*Line, exten string, splice bool) []Problem {
	var out []Problem
	start := exts[exten]
	if len(start) == 0 || start[0].Priority != 1 {
		return []Problem{{Msg: fmt.Sprintf("[%s] %s has no priority 1", c.Name, exten)}}
	}
	steps := map[state]step{}
	var order []state
	var walk func(s state)
	walk = func(s state) {
		if _, ok := steps[s]; ok {
			return
		}
		st := flow(c, exts[s.exten], s.idx, exts)
		steps[s] = st
		order = append(order, s)
		for _, n := range st.next {
			walk(n)
		}
	}
	walk(state{exten, 0})
	// Liveness: a state can end if it is terminal or one successor can end.
	canEnd := map[state]bool{}
	for changed := true; changed; {
		changed = false
		for _, s := range order {
			if canEnd[s] {
				continue
			}
			st := steps[s]
			ok := st.ends || (splice && st.err != "" && strings.HasPrefix(st.err, "execution falls off"))
			for _, n := range st.next {
				ok = ok || canEnd[n]
			}
			if ok {
				canEnd[s] = true
				changed = true
			}
		}
	}
	for _, s := range order {
		st := steps[s]
		l := exts[s.exten][s.idx]
		if st.err != "" && !(splice && strings.HasPrefix(st.err, "execution falls off")) {
			out = append(out, Problem{l, st.err})
		}
		if !canEnd[s] && st.err == "" {
			out = append(out, Problem{l, "no path from here reaches MacroExit/Return/Hangup"})
		}
	}
	return out
}

// Reachable returns the lines reachable from priority 1 of exten in context ctx, in
// priority order, following the same rules as CheckPaths.
func Reachable(d *Dialplan, ctx, exten string) []*Line {
	c := d.Contexts[ctx]
	if c == nil {
		return nil
	}
	exts := map[string][]*Line{}
	for _, e := range c.Order {
		exts[e] = c.Extension(e)
	}
	seen := map[state]bool{}
	var out []*Line
	var walk func(s state)
	walk = func(s state) {
		if seen[s] || s.idx >= len(exts[s.exten]) {
			return
		}
		seen[s] = true
		out = append(out, exts[s.exten][s.idx])
		for _, n := range flow(c, exts[s.exten], s.idx, exts).next {
			walk(n)
		}
	}
	if len(exts[exten]) > 0 && exts[exten][0].Priority == 1 {
		walk(state{exten, 0})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Exten != out[j].Exten {
			return out[i].Exten < out[j].Exten
		}
		return out[i].Priority < out[j].Priority
	})
	return out
}

// CheckMergedPath checks that, in merged (generated files merged with the override
// as Asterisk loads them), everything reachable from priority 1 of exten in ctx comes
// from the file named override and is exactly what is reachable in override alone —
// i.e. no generated priority can run. For a splice extension use CheckPaths on the
// merged dialplan instead.
func CheckMergedPath(merged, override *Dialplan, overrideFile, ctx, exten string) []Problem {
	var out []Problem
	got := Reachable(merged, ctx, exten)
	want := Reachable(override, ctx, exten)
	if len(want) == 0 {
		return []Problem{{Msg: fmt.Sprintf("[%s] %s: nothing reachable in the override", ctx, exten)}}
	}
	wantSet := map[string]bool{}
	for _, l := range want {
		wantSet[fmt.Sprintf("%s:%d", l.File, l.Num)] = true
	}
	for _, l := range got {
		if l.File != overrideFile {
			out = append(out, Problem{l, "generated line reachable after the merge"})
			continue
		}
		delete(wantSet, fmt.Sprintf("%s:%d", l.File, l.Num))
	}
	for k := range wantSet {
		out = append(out, Problem{Msg: fmt.Sprintf("[%s] %s: override line %s is not reachable after the merge", ctx, exten, k)})
	}
	return out
}

// CheckGosubTargets reports Gosub(context,exten,priority) calls whose target does not
// exist in d (labels or priority numbers; targets computed at run time are skipped).
func CheckGosubTargets(d *Dialplan) []Problem {
	var out []Problem
	for _, name := range d.Order {
		for _, l := range d.Contexts[name].Lines {
			if !strings.EqualFold(l.App, "Gosub") || strings.Contains(l.Args, "${") {
				continue
			}
			spec, _, _ := strings.Cut(l.Args, "(") // drop Gosub arguments
			t := parseTarget(spec, l)
			c := d.Contexts[t.ctx]
			found := false
			if c != nil {
				for _, tl := range c.Extension(t.exten) {
					if tl.Label == t.pri || strconv.Itoa(tl.Priority) == t.pri {
						found = true
					}
				}
			}
			if !found {
				out = append(out, Problem{l, fmt.Sprintf("Gosub target %s,%s,%s does not exist", t.ctx, t.exten, t.pri)})
			}
		}
	}
	return out
}
