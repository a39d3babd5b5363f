package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/retention"
)

// printPlan prints the counts per rule and per day (per month past two months of
// days), and what holds protect.
func printPlan(w io.Writer, plan retention.Plan, loc *time.Location) {
	s := plan.Summary
	fmt.Fprintf(w, "\n%d of %d recordings would be deleted (%s of %s); %d kept\n",
		s.Delete.Files, s.Total.Files, humanBytes(s.Delete.Bytes), humanBytes(s.Total.Bytes), s.Keep.Files)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	if len(s.ByRule) > 0 {
		fmt.Fprintln(tw, "\nrule\tfiles\tbytes")
		for _, rule := range sortedKeys(s.ByRule) {
			fmt.Fprintf(tw, "%s\t%d\t%s\n", rule, s.ByRule[rule].Files, humanBytes(s.ByRule[rule].Bytes))
		}
	}
	if days := s.Days(); len(days) > 0 {
		unit, key := "day", func(d string) string { return d }
		if len(days) > 62 {
			unit, key = "month", func(d string) string { return d[:7] }
		}
		fmt.Fprintf(tw, "\n%s of the call\tfiles\tbytes\n", unit)
		var cur string
		var c retention.Count
		for i, d := range days {
			if i > 0 && key(d) != cur {
				fmt.Fprintf(tw, "%s\t%d\t%s\n", cur, c.Files, humanBytes(c.Bytes))
				c = retention.Count{}
			}
			cur = key(d)
			c.Files += s.ByDay[d].Files
			c.Bytes += s.ByDay[d].Bytes
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\n", cur, c.Files, humanBytes(c.Bytes))
	}
	if len(s.KeptBy) > 0 {
		fmt.Fprintln(tw, "\nkept because\tfiles\tbytes")
		for _, rule := range sortedKeys(s.KeptBy) {
			fmt.Fprintf(tw, "%s\t%d\t%s\n", rule, s.KeptBy[rule].Files, humanBytes(s.KeptBy[rule].Bytes))
		}
	}
	tw.Flush()
	if plan.WatermarkNeed > 0 {
		fmt.Fprintf(w, "\nthe watermark needs %s more freed", humanBytes(plan.WatermarkNeed))
		if plan.WatermarkShort {
			fmt.Fprint(w, "; deleting every eligible recording is not enough")
		}
		fmt.Fprintln(w)
	}
	if len(s.Protected) > 0 {
		fmt.Fprintf(w, "\nlegal holds protect %d recordings a rule would delete:\n", int64(len(s.Protected))+s.ProtectedMore)
		for _, p := range s.Protected {
			fmt.Fprintf(w, "  %d\t%s\t(%s)\n", p.ID, p.Path, p.Rule)
		}
		if s.ProtectedMore > 0 {
			fmt.Fprintf(w, "  ... and %d more\n", s.ProtectedMore)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// printInterrupted says that a run was killed, and what it deleted before.
func printInterrupted(w io.Writer, run recordings.RetentionRun, rep retention.Report, loc *time.Location) {
	by := ""
	if rep.PID != 0 {
		by = fmt.Sprintf(", pid %d", rep.PID)
		if rep.Host != "" {
			by += " on " + rep.Host
		}
	}
	fmt.Fprintf(w, "the previous run (started %s%s, last seen %s) did not finish: %d files (%s) deleted before it stopped\n",
		run.Started.In(loc).Format("2006-01-02 15:04:05"), by, run.Finished.In(loc).Format("2006-01-02 15:04:05"),
		run.DeletedFiles, humanBytes(run.DeletedBytes))
}

func printRunReport(w io.Writer, rep retention.Report) {
	fmt.Fprintf(w, "\nretention %s: deleted %d files (%s) of %d planned; %d already gone, %d changed since catalogued (kept), %d put on hold meanwhile (kept), %d failed; %d empty directories removed\n",
		rep.Status, rep.Deleted.Files, humanBytes(rep.Deleted.Bytes), rep.Planned.Files, rep.Gone, rep.Changed, rep.HeldNow, rep.Failed, rep.DirsPruned)
	for _, rule := range sortedKeys(rep.ByRule) {
		fmt.Fprintf(w, "  %s: %d files, %s\n", rule, rep.ByRule[rule].Files, humanBytes(rep.ByRule[rule].Bytes))
	}
	if rep.CDRCleared > 0 {
		fmt.Fprintf(w, "  cdr.recordingfile cleared in %d CDR rows\n", rep.CDRCleared)
	}
	for _, f := range rep.Failures {
		fmt.Fprintf(w, "failed: %s: %s\n", f.Path, f.Error)
	}
	if n := rep.Failed - int64(len(rep.Failures)); n > 0 {
		fmt.Fprintf(w, "... and %d more failures\n", n)
	}
}

// planJSON is what `retention plan --json` prints; with --list a "files" array
// follows, streamed so that memory does not grow with the number of files.
type planJSON struct {
	Policy  string          `json:"policy"`
	Now     time.Time       `json:"now"`
	Plan    retention.Plan  `json:"plan"`
	Refused string          `json:"refused,omitempty"`
	Disk    *retention.Disk `json:"disk,omitempty"`
}

type planFileJSON struct {
	ID     int64  `json:"id"`
	Path   string `json:"path"`
	Rule   string `json:"rule"`
	Reason string `json:"reason"`
}

// printNothingToDo says that policy p names no rule.
func printNothingToDo(w io.Writer, p retention.Policy, asJSON bool) {
	if asJSON {
		fmt.Fprintln(w, `{"nothing_to_do": "the policy names no rule"}`)
	} else {
		fmt.Fprintf(w, "nothing to do: %s names no rule\n", p.Source)
	}
}

// printPlanFile prints each file a run would delete: path, rule, reason.
func printPlanFile(w io.Writer) func(retention.Decision) error {
	return func(d retention.Decision) error {
		if d.Delete {
			fmt.Fprintf(w, "%s\t%s\t%s\n", d.Recording.Path, d.Rule, d.Reason)
		}
		return nil
	}
}

// writePlanJSON prints head and, when list is not nil, the "files" array of what
// list passes that a run would delete, streamed so that memory does not grow with
// the number of files.
func writePlanJSON(out io.Writer, head planJSON, list func(func(retention.Decision) error) error) error {
	b, err := json.Marshal(head)
	if err != nil {
		return err
	}
	if list == nil {
		_, err = fmt.Fprintf(out, "%s\n", b)
		return err
	}
	w := bufio.NewWriter(out)
	w.Write(b[:len(b)-1])
	w.WriteString(`,"files":[`)
	sep := "\n"
	err = list(func(d retention.Decision) error {
		if !d.Delete {
			return nil
		}
		f, err := json.Marshal(planFileJSON{d.Recording.ID, d.Recording.Path, d.Rule, d.Reason})
		w.WriteString(sep)
		w.Write(f)
		sep = ",\n"
		return err
	})
	if err != nil {
		return err
	}
	w.WriteString("]}\n")
	return w.Flush()
}
