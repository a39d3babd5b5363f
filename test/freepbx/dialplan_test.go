package freepbx

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	overridePath  = "../../freepbx-overrides/extensions_override_freepbx.conf"
	generatedPath = "testdata/extensions_additional_2.9.conf"
)

// commandVars are the only variables a MixMonitor post-command in the override may use:
// ^{MIXMONITOR_FILENAME} and ^{UNIQUEID} are built by Asterisk or from filtered
// fields; TOTALREC_SEP is ";" or empty; MIXMON_POST is the administrator's own
// Advanced Setting, passed exactly as FreePBX passes it.
var commandVars = map[string]bool{
	"MIXMONITOR_FILENAME": true, "UNIQUEID": true, "TOTALREC_SEP": true, "MIXMON_POST": true,
	// Set by the same dialplan to literal words just before: forced or policy, yes or no.
	"TOTALREC_RECORDED_BY": true, "TOTALREC_ANN": true,
}

func load(t *testing.T, path string) *Dialplan {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := Parse(filepath.Base(path), f)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func parseString(t *testing.T, name, text string) *Dialplan {
	t.Helper()
	d, err := Parse(name, strings.NewReader(text))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return d
}

func report(t *testing.T, what string, ps []Problem) {
	t.Helper()
	for _, p := range ps {
		t.Errorf("%s: %s", what, p)
	}
}

func TestOverrideContexts(t *testing.T) {
	d := load(t, overridePath)
	for _, c := range []string{"macro-record-enable", "ext-meetme", "totalrec-meetme"} {
		if d.Context(c) == nil {
			t.Errorf("override lacks [%s]", c)
		}
	}
	if got := d.Context("macro-record-enable").Order; len(got) != 1 || got[0] != "s" {
		t.Errorf("[macro-record-enable] extensions = %v, want [s]", got)
	}
	if !d.Context("ext-meetme").Splice["STARTMEETME"] {
		t.Error("ext-meetme STARTMEETME is not declared a splice point")
	}
}

func TestOverrideIsASCII(t *testing.T) {
	b, err := os.ReadFile(overridePath)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range b {
		if c > 0x7e || (c < 0x20 && c != '\n' && c != '\t') {
			t.Fatalf("byte %d is %#x: the override must be plain ASCII", i, c)
		}
	}
}

func TestOverridePathsEnd(t *testing.T) {
	report(t, "paths", CheckPaths(load(t, overridePath)))
}

func TestOverrideLabelsUnique(t *testing.T) {
	report(t, "labels", CheckLabels(load(t, overridePath)))
}

func TestOverridePrioritiesContiguous(t *testing.T) {
	report(t, "priorities", CheckPriorities(load(t, overridePath)))
}

func TestOverrideGosubTargets(t *testing.T) {
	report(t, "gosub", CheckGosubTargets(load(t, overridePath)))
}

func TestOverrideMixMonitorCommands(t *testing.T) {
	d := load(t, overridePath)
	calls := MixMonitors(d)
	if len(calls) < 2 {
		t.Fatalf("found %d MixMonitor calls, want the new-recording and the transfer one", len(calls))
	}
	report(t, "mixmonitor", CheckMixMonitorCommands(d, commandVars))
	for _, m := range calls {
		if !strings.Contains(m.Command, "--file '^{MIXMONITOR_FILENAME}'") || !strings.Contains(m.Command, "--uniqueid '^{UNIQUEID}'") {
			t.Errorf("%s: command %q lacks the quoted --file/--uniqueid arguments", m.Line, m.Command)
		}
		if !strings.HasPrefix(m.File, "${TOTALREC_FILE}") {
			t.Errorf("%s: records to %q, want ${TOTALREC_FILE}", m.Line, m.File)
		}
	}
	// No line at all may use caller ID text outside a FILTER() to the safe characters.
	for _, name := range d.Order {
		for _, l := range d.Contexts[name].Lines {
			if strings.Contains(l.Args, "CALLERID(") && !strings.Contains(l.Args, "${FILTER(0-9A-Za-z+,${CALLERID(num)})}") {
				t.Errorf("%s: unfiltered CALLERID", l)
			}
		}
	}
}

// The name and directory lines: the FreePBX 2.10+ shape, date directories taken from
// the call's inherited date, and CDR(recordingfile) the bare name.
func TestOverrideNameShape(t *testing.T) {
	d := load(t, overridePath)
	want := []string{
		"__TOTALREC_BASE=${TOTALREC_TYPE}-${TOTALREC_DEST}-${TOTALREC_FROM}-${TOTALREC_TIMESTR}-${UNIQUEID}",
		"__TOTALREC_FILE=${IF($[${LEN(${MIXMON_DIR})} > 0]?${MIXMON_DIR}:${ASTSPOOLDIR}/monitor/)}${TOTALREC_YEAR}/${TOTALREC_MONTH}/${TOTALREC_DAY}/${TOTALREC_NAME}",
		"CDR(recordingfile)=${TOTALREC_NAME}",
		"__TOTALREC_TIMESTR=${TOTALREC_YEAR}${TOTALREC_MONTH}${TOTALREC_DAY}-${STRFTIME(${TOTALREC_NOW},,%H%M%S)}",
	}
	have := map[string]bool{}
	for _, l := range d.Context("macro-record-enable").Lines {
		if l.App == "Set" {
			have[l.Args] = true
		}
	}
	for _, w := range want {
		if !have[w] {
			t.Errorf("[macro-record-enable] lacks Set(%s)", w)
		}
	}
	for _, l := range d.Context("macro-record-enable").Lines {
		if strings.HasPrefix(l.Args, "TOTALREC_DEST=") || strings.HasPrefix(l.Args, "TOTALREC_FROM=") {
			if !strings.Contains(l.Args, "${FILTER(0-9A-Za-z+,") {
				t.Errorf("%s: dest/from not filtered", l)
			}
		}
	}
}
