package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/catalog"
	"github.com/totalrec/totalrec/recordings/retention"
	"github.com/totalrec/totalrec/recordings/spool"
)

type retentionOptions struct {
	policy  string
	json    bool
	list    bool
	force   bool
	now     string
	workers int
	batch   int
	noFast  bool
}

func newRetentionCommand(opts *globalOptions) *cobra.Command {
	var ro retentionOptions
	cmd := &cobra.Command{
		Use:   "retention",
		Short: "Delete old recordings by policy: plan (dry run) and run",
		Long: `retention applies the policy in /etc/totalrec/retention.conf (or --policy FILE,
or $TOTALREC_RETENTION_POLICY): maximum ages (default, per type, direction,
extension, queue, DID), empty-recording cleanup and a disk watermark. Held
recordings, files still being written and files written within the grace period are
never deleted. "plan" shows what "run" would delete and why; "run" deletes it.

Exit codes: 0 done, 1 error, 2 usage, 3 done with some files failed, 4 refused (an
empty policy, more than max_share of all recordings, or another run holds the lock).`,
		Args: cobra.NoArgs,
	}
	pf := cmd.PersistentFlags()
	pf.StringVar(&ro.policy, "policy", "", "policy file (default "+retention.DefaultPolicyFile+"; $TOTALREC_RETENTION_POLICY)")
	pf.BoolVar(&ro.json, "json", false, "print JSON")
	pf.StringVar(&ro.now, "now", "", "decide as if it were this time (RFC 3339)")
	_ = pf.MarkHidden("now")

	plan := &cobra.Command{
		Use:   "plan",
		Short: "Show what a run would delete, per rule and per day (dry run)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runRetentionPlan(cmd.Context(), opts, ro)
		},
	}
	plan.Flags().BoolVar(&ro.list, "list", false, "list every file a run would delete, with its rule")
	run := &cobra.Command{
		Use:   "run",
		Short: "Delete what the policy says, mark the catalogue and store a report",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runRetentionRun(cmd.Context(), opts, ro)
		},
	}
	run.Flags().BoolVar(&ro.force, "force", false, "run even if it deletes more than max_share of all recordings")
	run.Flags().IntVar(&ro.workers, "workers", retention.DefaultWorkers, "parallel deletions per directory")
	run.Flags().IntVar(&ro.batch, "batch", retention.DefaultBatch, "deletions per catalogue transaction")
	_ = run.Flags().MarkHidden("batch")
	run.Flags().BoolVar(&ro.noFast, "check-every-file", false, "stat every file before deleting it, even in day directories older than every maximum age")
	cmd.AddCommand(plan, run)
	return cmd
}

// loadPolicy reads the policy file named by --policy, the environment or the default.
func (ro retentionOptions) loadPolicy(opts *globalOptions) (retention.Policy, error) {
	file := ro.policy
	if file == "" {
		file = opts.getenv("TOTALREC_RETENTION_POLICY")
	}
	if file == "" {
		file = retention.DefaultPolicyFile
	}
	p, err := retention.LoadFile(file)
	if err != nil {
		return p, fmt.Errorf("%w (nothing is deleted without a policy)", err)
	}
	return p, nil
}

func (ro retentionOptions) clock() (time.Time, error) {
	if ro.now == "" {
		return time.Now(), nil
	}
	t, err := time.Parse(time.RFC3339, ro.now)
	if err != nil {
		return t, usagef("--now: %q is not an RFC 3339 time", ro.now)
	}
	return t, nil
}

// retentionSetup is what plan and run share: the policy, the app, the runner.
type retentionSetup struct {
	a      *app
	tree   *spool.Tree
	runner *retention.Runner
}

func (s *retentionSetup) Close() {
	if s.tree != nil {
		s.tree.Close()
	}
	s.a.Close()
}

func setupRetention(ctx context.Context, opts *globalOptions, ro retentionOptions, p retention.Policy) (*retentionSetup, error) {
	now, err := ro.clock()
	if err != nil {
		return nil, err
	}
	a, err := opts.openApp(ctx, false)
	if err != nil {
		return nil, err
	}
	s := &retentionSetup{a: a}
	if err := a.cat.MigrateRetention(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if s.tree, err = spool.OpenTree(a.cfg.Spool); err != nil {
		s.Close()
		return nil, err
	}
	store, err := a.retentionStore(ctx)
	if err != nil {
		s.Close()
		return nil, err
	}
	st, err := a.cat.Stats(ctx)
	if err != nil {
		s.Close()
		return nil, err
	}
	var disk retention.Disk
	if p.Watermark() {
		if disk, err = retention.DiskOf(a.cfg.Spool, st.Bytes); err != nil {
			s.Close()
			return nil, err
		}
	}
	s.runner = &retention.Runner{
		Store: store, Tree: s.tree, Node: a.cfg.Node, Loc: a.loc, Policy: p, Now: now, Disk: disk,
		Workers: ro.workers, Batch: ro.batch, NoFastPath: ro.noFast, Log: a.log.With("component", "retention"),
	}
	return s, nil
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

func runRetentionPlan(ctx context.Context, opts *globalOptions, ro retentionOptions) error {
	p, err := ro.loadPolicy(opts)
	if err != nil {
		return err
	}
	if !ro.json {
		fmt.Fprint(opts.stdout, p.String())
	}
	if p.Empty() {
		return fmt.Errorf("the policy names no rule, so nothing is deleted: %w", recordings.ErrRefused)
	}
	s, err := setupRetention(ctx, opts, ro, p)
	if err != nil {
		return err
	}
	defer s.Close()
	plan, err := s.runner.Plan(ctx)
	if err != nil {
		return err
	}
	refused := ""
	if err := p.CheckShare(plan.Summary, false); err != nil {
		refused = err.Error()
	}
	if !ro.json {
		printPlan(opts.stdout, plan, s.a.loc)
		if refused != "" {
			fmt.Fprintf(opts.stdout, "a run would be refused: %s\n", refused)
		}
		if !ro.list {
			return nil
		}
		fmt.Fprintln(opts.stdout, "\nfiles a run would delete (path, rule, reason):")
		return s.runner.List(ctx, plan, func(d retention.Decision) error {
			if d.Delete {
				fmt.Fprintf(opts.stdout, "%s\t%s\t%s\n", d.Recording.Path, d.Rule, d.Reason)
			}
			return nil
		})
	}
	head := planJSON{Policy: p.String(), Now: s.runner.Now, Plan: plan, Refused: refused}
	if p.Watermark() {
		head.Disk = &s.runner.Disk
	}
	b, err := json.Marshal(head)
	if err != nil {
		return err
	}
	if !ro.list {
		_, err = fmt.Fprintf(opts.stdout, "%s\n", b)
		return err
	}
	w := bufio.NewWriter(opts.stdout)
	w.Write(b[:len(b)-1])
	w.WriteString(`,"files":[`)
	sep := "\n"
	err = s.runner.List(ctx, plan, func(d retention.Decision) error {
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

func runRetentionRun(ctx context.Context, opts *globalOptions, ro retentionOptions) error {
	p, err := ro.loadPolicy(opts)
	if err != nil {
		return err
	}
	if !ro.json {
		fmt.Fprint(opts.stdout, p.String())
	}
	if p.Empty() {
		return fmt.Errorf("the policy names no rule, so nothing is deleted: %w", recordings.ErrRefused)
	}
	l, err := opts.loadConfig()
	if err != nil {
		return err
	}
	release, err := retention.Lock(l.Config.DataDir)
	if err != nil {
		return err
	}
	defer release()
	s, err := setupRetention(ctx, opts, ro, p)
	if err != nil {
		return err
	}
	defer s.Close()
	plan, err := s.runner.Plan(ctx)
	if err != nil {
		return err
	}
	if err := p.CheckShare(plan.Summary, ro.force); err != nil {
		s.save(ctx, retention.Report{Started: s.runner.Now, Finished: time.Now(), Policy: p.String(),
			Planned: plan.Summary.Delete, Status: retention.StatusRefused})
		return err
	}
	prog := newProgress(opts.stderr)
	s.runner.OnProgress = func(pr retention.Progress) {
		prog.update("deleting %s: %d of %d files", pr.Dir, pr.Done, pr.Planned)
	}
	rep, runErr := s.runner.Run(ctx, plan)
	prog.done()
	if _, err := s.a.cat.ReleaseExpiredHolds(context.WithoutCancel(ctx), s.runner.Now); err != nil {
		s.a.log.Warn("release expired holds", "err", err)
	}
	s.save(ctx, rep)
	if ro.json {
		enc := json.NewEncoder(opts.stdout)
		enc.SetIndent("", "  ")
		enc.Encode(rep)
	} else {
		printRunReport(opts.stdout, rep)
	}
	if runErr != nil {
		return runErr
	}
	if rep.Failed > 0 {
		return partialError{failed: int(rep.Failed)}
	}
	return nil
}

// save stores the run's report in the catalogue; a failure to store is logged, not
// fatal: the files are already deleted and their rows marked.
func (s *retentionSetup) save(ctx context.Context, rep retention.Report) {
	b, _ := json.Marshal(rep)
	_, err := s.a.cat.SaveRetentionRun(context.WithoutCancel(ctx), catalog.RetentionRun{
		Node: s.runner.Node, Started: rep.Started, Finished: rep.Finished, Status: rep.Status,
		DeletedFiles: rep.Deleted.Files, DeletedBytes: rep.Deleted.Bytes, Failed: rep.Failed, Report: string(b),
	})
	if err != nil {
		s.a.log.Error("store the retention report", "err", err)
	}
}

func printRunReport(w io.Writer, rep retention.Report) {
	fmt.Fprintf(w, "\nretention %s: deleted %d files (%s) of %d planned; %d already gone, %d changed since catalogued (kept), %d put on hold meanwhile (kept), %d failed; %d empty directories removed\n",
		rep.Status, rep.Deleted.Files, humanBytes(rep.Deleted.Bytes), rep.Planned.Files, rep.Gone, rep.Changed, rep.HeldNow, rep.Failed, rep.DirsPruned)
	for _, rule := range sortedKeys(rep.ByRule) {
		fmt.Fprintf(w, "  %s: %d files, %s\n", rule, rep.ByRule[rule].Files, humanBytes(rep.ByRule[rule].Bytes))
	}
	for _, f := range rep.Failures {
		fmt.Fprintf(w, "failed: %s: %s\n", f.Path, f.Error)
	}
	if n := rep.Failed - int64(len(rep.Failures)); n > 0 {
		fmt.Fprintf(w, "... and %d more failures\n", n)
	}
}
