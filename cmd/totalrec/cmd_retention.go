package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/totalrec/totalrec/recordings/archive/s3"
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
retention_policy in the config file, or $TOTALREC_RETENTION_POLICY): maximum ages (default, per type, direction,
extension, queue, DID), empty-recording cleanup and a disk watermark. Held
recordings, files still being written and files written within the grace period are
never deleted. "plan" shows what "run" would delete and why; "run" deletes it.
Each run is stored when it starts and after every batch; a run killed before it
ends is reported, with what it deleted, by the next.

Exit codes: 0 done, 1 error, 2 usage, 3 done with some files failed, 4 refused (an
empty policy, more than max_share of all recordings, or another run holds the lock).`,
		Args: cobra.NoArgs,
	}
	pf := cmd.PersistentFlags()
	pf.StringVar(&ro.policy, "policy", "", "policy file (default: retention_policy in the config, $TOTALREC_RETENTION_POLICY, "+retention.DefaultPolicyFile+")")
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
	run.Flags().IntVar(&ro.workers, "workers", retention.DefaultWorkers, "batches deleted in parallel, spread over directories")
	run.Flags().IntVar(&ro.batch, "batch", retention.DefaultBatch, "deletions per catalogue transaction")
	_ = run.Flags().MarkHidden("batch")
	run.Flags().BoolVar(&ro.noFast, "check-every-file", false, "stat every file before deleting it, even in day directories older than every maximum age")
	cmd.AddCommand(plan, run)
	return cmd
}

// loadPolicy reads the policy file named by --policy, else by the configuration
// (retention_policy, $TOTALREC_RETENTION_POLICY, or the default).
func (ro retentionOptions) loadPolicy(opts *globalOptions) (retention.Policy, error) {
	file := ro.policy
	if file == "" {
		l, err := opts.loadConfig()
		if err != nil {
			return retention.Policy{}, err
		}
		file = l.Config.RetentionPolicy
	}
	p, err := retention.LoadFile(file)
	if err != nil {
		return p, fmt.Errorf("%w (nothing is deleted without a policy)", err)
	}
	return p, nil
}

func (ro retentionOptions) clock() (time.Time, error) { return parseNow(ro.now) }

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
	a, err := opts.openApp(ctx, p.ClearCDR)
	if err != nil {
		return nil, err
	}
	s := &retentionSetup{a: a}
	if s.tree, err = spool.OpenTree(a.cfg.Spool); err != nil {
		s.Close()
		return nil, err
	}
	store := a.retentionStore()
	var disk retention.Disk
	if p.Watermark() {
		st, err := a.cat.Stats(ctx)
		if err == nil {
			disk, err = retention.DiskOf(a.cfg.Spool, st.Bytes)
		}
		if err != nil {
			s.Close()
			return nil, err
		}
	}
	s.runner = &retention.Runner{
		Store: store, Tree: s.tree, Node: a.cfg.Node, Loc: a.loc, Policy: p, Now: now, Disk: disk,
		Workers: ro.workers, Batch: ro.batch, NoFastPath: ro.noFast, Log: a.log.With("component", "retention"),
	}
	if a.cdr != nil {
		s.runner.CDR = a.cdr
	}
	if err := a.env().WithBucket(ctx, func(b *s3.Bucket) { s.runner.Objects = b }); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// policyInWords loads the policy and, for people, prints it in words before anything
// else. A policy that names no rule deletes nothing: errNoRule, which the commands
// report as a finished job with nothing to do (the policy install.sh writes keeps
// everything until the administrator adds a rule, and the nightly job must not fail).
func (ro retentionOptions) policyInWords(opts *globalOptions) (retention.Policy, error) {
	p, err := ro.loadPolicy(opts)
	if err != nil {
		return p, err
	}
	if !ro.json {
		fmt.Fprint(opts.stdout, p.String())
	}
	if p.Empty() {
		printNothingToDo(opts.stdout, p, ro.json)
		return p, errNoRule
	}
	return p, nil
}

// errNoRule: the policy names no rule, so there is nothing to plan or delete.
var errNoRule = errors.New("the policy names no rule")

func runRetentionPlan(ctx context.Context, opts *globalOptions, ro retentionOptions) error {
	p, err := ro.policyInWords(opts)
	if errors.Is(err, errNoRule) {
		return nil
	}
	if err != nil {
		return err
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
	if ro.json {
		head := planJSON{Policy: p.String(), Now: s.runner.Now, Plan: plan, Refused: refused}
		if p.Watermark() {
			head.Disk = &s.runner.Disk
		}
		var list func(func(retention.Decision) error) error
		if ro.list {
			list = func(fn func(retention.Decision) error) error { return s.runner.List(ctx, plan, fn) }
		}
		return writePlanJSON(opts.stdout, head, list)
	}
	printPlan(opts.stdout, plan, s.a.loc)
	if refused != "" {
		fmt.Fprintf(opts.stdout, "a run would be refused: %s\n", refused)
	}
	if !ro.list {
		return nil
	}
	fmt.Fprintln(opts.stdout, "\nfiles a run would delete (path, rule, reason):")
	return s.runner.List(ctx, plan, printPlanFile(opts.stdout))
}

func runRetentionRun(ctx context.Context, opts *globalOptions, ro retentionOptions) error {
	p, err := ro.policyInWords(opts)
	if errors.Is(err, errNoRule) {
		return nil
	}
	if err != nil {
		return err
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
	rec, err := startRunRecord(ctx, opts, s)
	if err != nil {
		return err
	}
	if err := rec.settlePrevious(ctx, opts, ro); err != nil {
		rec.end(ctx, retention.StatusFailed, rec.rep)
		return err
	}
	plan, err := s.runner.Plan(ctx)
	if err != nil {
		rec.end(ctx, retention.StatusFailed, rec.rep)
		return err
	}
	rep := rec.rep
	rep.Planned = plan.Summary.Delete
	if err := p.CheckShare(plan.Summary, ro.force); err != nil {
		rec.end(ctx, retention.StatusRefused, rep)
		return err
	}
	prog := newProgress(opts.stderr)
	s.runner.RunID = rec.id
	s.runner.OnProgress = func(pr retention.Progress) {
		prog.update("deleting %s: %d of %d files", pr.Dir, pr.Done, pr.Planned)
		rec.update(ctx, pr.Report)
	}
	rep, runErr := s.runner.Run(ctx, plan)
	prog.done()
	if _, err := s.a.cat.ReleaseExpiredHolds(context.WithoutCancel(ctx), s.runner.Now); err != nil {
		s.a.log.Warn("release expired holds", "err", err)
	}
	rec.end(ctx, rep.Status, rep)
	if ro.json {
		writeJSON(opts.stdout, rec.rep)
	} else {
		printRunReport(opts.stdout, rec.rep)
	}
	if runErr != nil {
		return runErr
	}
	if rep.Failed > 0 {
		return partialError{failed: int(rep.Failed)}
	}
	return nil
}
