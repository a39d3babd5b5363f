package freepbx

import (
	"strings"
	"testing"
)

// The checker itself: each check refuses a dialplan built to break its rule and
// accepts a good one; parsing and merging follow pbx_config.

// Negative cases: each snippet breaks one rule, and the matching check must say so.
func TestChecksRejectBadDialplan(t *testing.T) {
	cases := []struct {
		name, text string
		check      func(*Dialplan) []Problem
		want       string
	}{
		{"falls off the end", `
[macro-x]
exten => s,1,NoOp()
exten => s,n,Set(A=1)
`, CheckPaths, "falls off"},
		{"one GotoIf branch falls off", `
[macro-x]
exten => s,1,GotoIf($[1]?out)
exten => s,n,MacroExit()
exten => s,n(out),NoOp(no exit here)
`, CheckPaths, "falls off"},
		{"ExecIf that does not always exit", `
[macro-x]
exten => s,1,ExecIf($["${A}" = ""]?MacroExit())
`, CheckPaths, "falls off"},
		{"jump to a missing label", `
[macro-x]
exten => s,1,Goto(nowhere)
`, CheckPaths, "missing priority or label"},
		{"jump computed at run time", `
[macro-x]
exten => s,1,Goto(${DEST})
`, CheckPaths, "computed at run time"},
		{"jump to another context", `
[macro-x]
exten => s,1,Goto(other,s,1)
`, CheckPaths, "another context"},
		{"loop with no way out", `
[macro-x]
exten => s,1(top),NoOp()
exten => s,n,Goto(top)
`, CheckPaths, "no path from here"},
		{"gap in priorities stops execution", `
[macro-x]
exten => s,1,NoOp()
exten => s,3,MacroExit()
`, CheckPaths, "falls off"},
		{"duplicate label", `
[macro-x]
exten => s,1(a),NoOp()
exten => s,n(a),MacroExit()
`, CheckLabels, "already used"},
		{"priority gap", `
[macro-x]
exten => s,1,NoOp()
exten => s,3,MacroExit()
`, CheckPriorities, "want 2"},
		{"priority repeated", `
[macro-x]
exten => s,1,NoOp()
exten => s,1,MacroExit()
`, CheckPriorities, "want 2"},
		{"missing Gosub target", `
[macro-x]
exten => s,1,Gosub(nosuch,s,1)
exten => s,n,MacroExit()
`, CheckGosubTargets, "does not exist"},
		{"caller ID in the post-command", `
[macro-x]
exten => s,1,MixMonitor(${F},b,/usr/local/bin/totalrec hook --file '^{MIXMONITOR_FILENAME}' --cid ^{CALLERID(num)})
exten => s,n,MacroExit()
`, mixCheck, "CALLERID("},
		{"caller ID in the post-command inside ExecIf", `
[macro-x]
exten => s,1,ExecIf($[1]?MixMonitor(${F},,totalrec hook --name ${CALLERID(name)}))
exten => s,n,MacroExit()
`, mixCheck, "CALLERID("},
		{"unknown variable in the post-command", `
[macro-x]
exten => s,1,MixMonitor(${F},b,/usr/local/bin/totalrec hook --file ^{CALLFILENAME})
exten => s,n,MacroExit()
`, mixCheck, "not known to be safe"},
		{"no hook in the post-command", `
[macro-x]
exten => s,1,MixMonitor(${F},b,${MIXMON_POST})
exten => s,n,MacroExit()
`, mixCheck, "does not run `totalrec hook`"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ps := c.check(parseString(t, "snippet.conf", c.text))
			for _, p := range ps {
				if strings.Contains(p.String(), c.want) {
					return
				}
			}
			t.Errorf("want a problem containing %q, got %v", c.want, ps)
		})
	}
}

func mixCheck(d *Dialplan) []Problem { return CheckMixMonitorCommands(d, commandVars) }

// The same checks accept well-formed snippets (so the negative cases fail for the
// reason they name, not because the checks reject everything).
func TestChecksAcceptGoodDialplan(t *testing.T) {
	d := parseString(t, "good.conf", `
[macro-x]
exten => s,1,GotoIf($["${A}" = ""]?skip:go)
exten => s,n(go),ExecIf($[1]?MacroExit())
exten => s,n,Gosub(sub-y,s,1)
exten => s,n,MixMonitor(${F},b,/usr/local/bin/totalrec hook --file '^{MIXMONITOR_FILENAME}'${TOTALREC_SEP}${MIXMON_POST})
exten => s,n,GotoIf($[1]?:skip)
exten => s,n(skip),MacroExit()
[sub-y]
exten => s,1,NoOp(loop)
exten => s,n(again),GotoIf($[${I} < 3]?again)
exten => s,n,Goto(t,1)
exten => t,1,Return()
`)
	for _, ps := range [][]Problem{CheckPaths(d), CheckLabels(d), CheckPriorities(d), CheckGosubTargets(d), CheckMixMonitorCommands(d, commandVars)} {
		report(t, "good snippet", ps)
	}
}

func TestParsePriorities(t *testing.T) {
	d := parseString(t, "p.conf", `
[c] ; comment
exten => a,1,NoOp(x\;y) ; the escaped ; stays
exten => a,n(l),NoOp()
same => n,NoOp()
exten => b,n,NoOp() ; "n" continues from the previous line of the section
exten => a,n+2,NoOp()
exten => a,hint,SIP/100
[c]
exten => a,n,NoOp() ; a new section header starts again at 0
`)
	c := d.Context("c")
	var got []string
	for _, l := range c.Lines {
		got = append(got, l.Exten+":"+itoa(l.Priority)+":"+l.Label)
	}
	want := "a:1: a:2:l a:3: b:4: a:6: a:1:"
	if strings.Join(got, " ") != want {
		t.Errorf("got %v, want %s", got, want)
	}
	if c.Lines[0].Args != "x;y" {
		t.Errorf("escaped semicolon: args %q", c.Lines[0].Args)
	}
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

func TestSplitArgs(t *testing.T) {
	got := SplitArgs(`$["${A}" = "x?y"]?Set(B=${IF($[1]?a:b)}):Goto(c,1)`, '?', 2)
	if len(got) != 2 || got[0] != `$["${A}" = "x?y"]` {
		t.Fatalf("split on ?: %q", got)
	}
	if br := SplitArgs(got[1], ':', 2); len(br) != 2 || br[1] != "Goto(c,1)" {
		t.Fatalf("split on ':': %q", br)
	}
	if p := SplitArgs("a,b,c,d", ',', 3); len(p) != 3 || p[2] != "c,d" {
		t.Fatalf("max 3: %q", p)
	}
}

// The merge follows pbx_config: the first file's priority wins, a later file's label
// is dropped when the extension already has it, rejected lines still advance "n",
// and generated priorities past the override's last one are appended.
func TestMergeRules(t *testing.T) {
	over := parseString(t, "over.conf", `
[m]
exten => s,1(check),NoOp(override 1)
exten => s,n,Goto(check)
`)
	gen := parseString(t, "gen.conf", `
[m]
exten => s,1,NoOp(generated 1)
exten => s,n(check),NoOp(generated 2)
exten => s,n(tail),NoOp(generated 3)
exten => t,1,NoOp(generated t)
`)
	m := Merge(over, gen)
	s := m.Context("m").Extension("s")
	if len(s) != 3 {
		t.Fatalf("merged s has %d priorities, want 3: %v", len(s), s)
	}
	if s[0].File != "over.conf" || s[1].File != "over.conf" || s[2].File != "gen.conf" {
		t.Errorf("priority owners: %v", s)
	}
	if s[0].Label != "check" || s[2].Label != "tail" || s[2].Priority != 3 {
		t.Errorf("labels/priorities after merge: %v", s)
	}
	if len(m.Context("m").Extension("t")) != 1 {
		t.Error("generated extension the override does not define was not added")
	}
}

// The override loaded before the generated 2.9 dialplan, as extensions.conf
// includes them: the only path through [macro-record-enable] is the override's.
func TestMergedRecordEnableIsOverride(t *testing.T) {
	over := load(t, overridePath)
	gen := load(t, generatedPath)
	report(t, "generated testdata paths", CheckPaths(gen))
	m := Merge(over, gen)
	report(t, "merged macro-record-enable", CheckMergedPath(m, over, "extensions_override_freepbx.conf", "macro-record-enable", "s"))
	report(t, "merged paths", CheckPaths(m))
	report(t, "merged gosubs", CheckGosubTargets(m))
}

// Splice points continue into generated priorities: merged with the generated
// conference dialplan, STARTMEETME runs the override's priority 1, then the
// generated MeetMe() and Hangup().
func TestMergedMeetmeSplice(t *testing.T) {
	over := load(t, overridePath)
	gen := load(t, generatedPath)
	m := Merge(over, gen)
	c := m.Context("ext-meetme")
	for e := range over.Context("ext-meetme").Splice {
		if len(gen.Context("ext-meetme").Extension(e)) == 0 {
			t.Errorf("splice point %s has no generated counterpart in the testdata", e)
		}
	}
	start := c.Extension("STARTMEETME")
	if len(start) < 2 || start[0].File != "extensions_override_freepbx.conf" || start[0].App != "Gosub" {
		t.Fatalf("merged STARTMEETME: %v", start)
	}
	var apps []string
	for _, l := range Reachable(m, "ext-meetme", "STARTMEETME") {
		if l.Exten == "STARTMEETME" {
			apps = append(apps, l.App)
		}
	}
	if got := strings.Join(apps, " "); got != "Gosub ExecIf Set GotoIf MeetMe Hangup" && got != "Gosub Set GotoIf MeetMe Hangup" {
		t.Errorf("STARTMEETME path: %s", got)
	}
	// The generated priority 1 (music class) is replaced; the override runs it itself.
	if first := Reachable(over, "totalrec-meetme", "s"); len(first) == 0 || !strings.Contains(first[0].Args, "CHANNEL(musicclass)=${MEETME_MUSIC}") {
		t.Error("[totalrec-meetme] does not start with the replaced music-class line")
	}
}

// A short override that does not end every path lets generated priorities run after
// the merge, and CheckMergedPath must catch it.
func TestMergedPathRejectsLeakyOverride(t *testing.T) {
	over := parseString(t, "leaky.conf", `
[macro-record-enable]
exten => s,1,GotoIf($["${ARG2}" = "IN"]?in)
exten => s,n,MacroExit()
exten => s,n(in),NoOp(forgot MacroExit)
`)
	gen := load(t, generatedPath)
	ps := CheckMergedPath(Merge(over, gen), over, "leaky.conf", "macro-record-enable", "s")
	if len(ps) == 0 {
		t.Fatal("a leaking override was accepted")
	}
	found := false
	for _, p := range ps {
		if strings.Contains(p.Msg, "generated line reachable") {
			found = true
		}
	}
	if !found {
		t.Errorf("problems %v do not name the reachable generated line", ps)
	}
}
