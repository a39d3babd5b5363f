package freepbx

import (
	"fmt"
	"regexp"
	"strings"
)

// The checks of single lines and of files: labels, priorities, MixMonitor
// post-commands, Gosub targets. dialplan_check_test.go follows the paths.

// CheckLabels reports labels used twice in one extension of one file: Asterisk keeps
// the first and silently drops the rest, so a jump could land somewhere unintended.
func CheckLabels(d *Dialplan) []Problem {
	var out []Problem
	for _, name := range d.Order {
		c := d.Contexts[name]
		seen := map[string]*Line{}
		for _, l := range c.Lines {
			if l.Label == "" {
				continue
			}
			k := l.Exten + "\x00" + l.Label
			if first, dup := seen[k]; dup {
				out = append(out, Problem{l, fmt.Sprintf("label %q already used at line %d", l.Label, first.Num)})
				continue
			}
			seen[k] = l
		}
	}
	return out
}

// CheckPriorities reports extensions whose priorities, in file order, are not exactly
// 1, 2, 3, ...: a gap stops execution, a repeat is rejected by Asterisk.
func CheckPriorities(d *Dialplan) []Problem {
	var out []Problem
	for _, name := range d.Order {
		c := d.Contexts[name]
		next := map[string]int{}
		for _, l := range c.Lines {
			want := next[l.Exten] + 1
			if l.Priority != want {
				out = append(out, Problem{l, fmt.Sprintf("priority %d, want %d", l.Priority, want)})
			}
			next[l.Exten] = l.Priority
		}
	}
	return out
}

// MixMonitorCall is one MixMonitor application in a dialplan, direct or inside ExecIf.
type MixMonitorCall struct {
	Line                   *Line
	File, Options, Command string
}

// MixMonitors returns every MixMonitor call in d, its arguments split as MixMonitor
// splits them (the command keeps any further commas).
func MixMonitors(d *Dialplan) []MixMonitorCall {
	var out []MixMonitorCall
	for _, name := range d.Order {
		for _, l := range d.Contexts[name].Lines {
			apps := [][2]string{{l.App, l.Args}}
			if strings.EqualFold(l.App, "ExecIf") {
				if p := SplitArgs(l.Args, '?', 2); len(p) == 2 {
					for _, a := range SplitArgs(p[1], ':', 2) {
						if n, args, err := splitApp(strings.TrimSpace(a)); err == nil {
							apps = append(apps, [2]string{n, args})
						}
					}
				}
			}
			for _, a := range apps {
				if !strings.EqualFold(a[0], "MixMonitor") {
					continue
				}
				p := SplitArgs(a[1], ',', 3)
				for len(p) < 3 {
					p = append(p, "")
				}
				out = append(out, MixMonitorCall{Line: l, File: p[0], Options: p[1], Command: p[2]})
			}
		}
	}
	return out
}

var varRef = regexp.MustCompile(`[$^]\{([^{}]*)\}`)

// runsHook matches `totalrec-hook --file` or `totalrec hook`, with the module's
// --config when it names one.
var runsHook = regexp.MustCompile(`totalrec(-hook( --config \S+)? --file|( --config \S+)? hook) `)

// CheckMixMonitorCommands reports MixMonitor post-commands that could carry caller-
// controlled text into the shell, or that do not run `totalrec hook`: a command must
// not mention CALLERID( or CONNECTEDLINE( at all, and every ${...} or ^{...} in it
// must name a variable in allowed (MixMonitor substitutes ^{X} when it starts and the
// shell parses the result).
func CheckMixMonitorCommands(d *Dialplan, allowed map[string]bool) []Problem {
	var out []Problem
	for _, m := range MixMonitors(d) {
		cmd := m.Command
		up := strings.ToUpper(cmd)
		for _, bad := range []string{"CALLERID(", "CONNECTEDLINE(", "CALLERIDNUM", "CALLERIDNAME"} {
			if strings.Contains(up, bad) {
				out = append(out, Problem{m.Line, "MixMonitor command mentions " + bad + " (caller-controlled text reaches the shell)"})
			}
		}
		if !runsHook.MatchString(cmd) {
			out = append(out, Problem{m.Line, "MixMonitor command does not run `totalrec hook`"})
		}
		for _, v := range varRef.FindAllStringSubmatch(cmd, -1) {
			if !allowed[v[1]] {
				out = append(out, Problem{m.Line, fmt.Sprintf("MixMonitor command uses %s, which is not known to be safe", v[0])})
			}
		}
	}
	return out
}
