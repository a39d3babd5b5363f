package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/retention"
)

// runRecord is a run's row in the catalogue: stored when the run starts, with
// status running, and updated after every batch, so that a run killed at any
// point is on record with what it did. Its deleted counts grow with the claims it
// settles (catalog.SettleDeletions), including those the next run settles for it.
type runRecord struct {
	s   *retentionSetup
	id  int64
	rep retention.Report // as last stored
	who string
}

// startRunRecord stores the run as running and puts its start on the audit trail.
// A run that cannot record itself does not run.
func startRunRecord(ctx context.Context, opts *globalOptions, s *retentionSetup) (*runRecord, error) {
	host, _ := os.Hostname()
	rec := &runRecord{s: s, who: opts.operator(), rep: retention.Report{Started: s.runner.Now, Policy: s.runner.Policy.String(),
		ByRule: map[string]retention.Count{}, Failures: []retention.Failure{}, Status: retention.StatusRunning,
		PID: os.Getpid(), Host: host}}
	b, _ := json.Marshal(rec.rep)
	id, err := s.a.cat.SaveRetentionRun(ctx, recordings.RetentionRun{Node: s.runner.Node, Started: rec.rep.Started,
		Finished: time.Now(), Status: retention.StatusRunning, Report: string(b)})
	if err != nil {
		return nil, err
	}
	rec.id = id
	rec.audit(ctx, "retention.start", fmt.Sprintf("run=%d pid=%d host=%s", id, rec.rep.PID, host))
	return rec, nil
}

// update stores rep as the run's progress; a failure is logged: the counts that
// matter are kept by the claims' own transactions.
func (rec *runRecord) update(ctx context.Context, rep retention.Report) {
	rep.PID, rep.Host = rec.rep.PID, rec.rep.Host
	if rep.Status == "" {
		rep.Status = retention.StatusRunning // the runner's report says nothing until it ends
	}
	rec.rep = rep
	b, _ := json.Marshal(rep)
	err := rec.s.a.cat.UpdateRetentionRun(context.WithoutCancel(ctx), recordings.RetentionRun{ID: rec.id,
		Finished: time.Now(), Status: rep.Status, Failed: rep.Failed, Report: string(b)})
	if err != nil {
		rec.s.a.log.Error("store the retention report", "err", err)
	}
}

// end stores the run's outcome and puts it on the audit trail.
func (rec *runRecord) end(ctx context.Context, status string, rep retention.Report) {
	if rep.Finished.IsZero() {
		rep.Finished = time.Now()
	}
	rep.Status = status
	rec.update(ctx, rep)
	rec.audit(ctx, "retention.run", fmt.Sprintf("run=%d status=%s deleted=%d bytes=%d gone=%d changed=%d held_now=%d failed=%d",
		rec.id, rep.Status, rep.Deleted.Files, rep.Deleted.Bytes, rep.Gone, rep.Changed, rep.HeldNow, rep.Failed))
}

func (rec *runRecord) audit(ctx context.Context, action, detail string) {
	err := rec.s.a.cat.Audit(context.WithoutCancel(ctx), recordings.AuditEntry{Who: rec.who, Addr: "local", Action: action, Detail: detail})
	if err != nil {
		rec.s.a.log.Warn("audit the retention run", "action", action, "err", err)
	}
}

// settlePrevious settles what killed runs left: the claims of files they were
// deleting (counted to them), then their records, still running though this run
// holds the lock, which it marks interrupted and reports.
func (rec *runRecord) settlePrevious(ctx context.Context, opts *globalOptions, ro retentionOptions) error {
	cat := rec.s.a.cat
	rc, err := rec.s.runner.Recover(ctx)
	if err != nil {
		return err
	}
	out := opts.stdout
	if ro.json {
		out = opts.stderr
	}
	runs, err := cat.UnfinishedRetentionRuns(ctx, rec.s.runner.Node)
	if err != nil {
		return err
	}
	for _, run := range runs {
		if run.ID == rec.id {
			continue
		}
		var rep retention.Report
		json.Unmarshal([]byte(run.Report), &rep)
		rep.Status, rep.Interrupted = retention.StatusInterrupted, true
		rep.Deleted = retention.Count{Files: run.DeletedFiles, Bytes: run.DeletedBytes}
		// Said and audited before it is marked: killed in between, the next run
		// says it again rather than never.
		printInterrupted(out, run, rep, rec.s.a.loc)
		rec.audit(ctx, "retention.interrupted", fmt.Sprintf("run=%d pid=%d started=%s last_seen=%s deleted=%d bytes=%d",
			run.ID, rep.PID, run.Started.Format(time.RFC3339), run.Finished.Format(time.RFC3339), run.DeletedFiles, run.DeletedBytes))
		b, _ := json.Marshal(rep)
		err := cat.UpdateRetentionRun(ctx, recordings.RetentionRun{ID: run.ID, Finished: run.Finished,
			Status: retention.StatusInterrupted, Failed: run.Failed, Report: string(b)})
		if err != nil {
			return err
		}
	}
	if rc.Deleted.Files > 0 || rc.Released > 0 || rc.Failed > 0 {
		fmt.Fprintf(out, "settled the files killed runs were deleting: %d found deleted and marked, %d still there and decided again, %d left for the next run\n",
			rc.Deleted.Files, rc.Released, rc.Failed)
	}
	return nil
}
