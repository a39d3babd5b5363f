package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/totalrec/totalrec/recordings"
)

type auditOptions struct {
	who, action  string
	since, until string
	limit        int
	json         bool
}

func newAuditCommand(opts *globalOptions) *cobra.Command {
	var ao auditOptions
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Read the audit trail: sign-ins, plays, downloads, exports and changes",
		Long: `The audit trail is append-only: Totalrec has no command or page that changes or
deletes an entry. Administrators also browse it at /audit in the web interface.`,
		Args: cobra.NoArgs,
	}
	ls := &cobra.Command{
		Use:     "ls",
		Short:   "List entries, newest first",
		Example: "  totalrec audit ls --who anna --action play --since 7d",
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, _ []string) error { return runAuditList(cmd.Context(), opts, ao) },
	}
	f := ls.Flags()
	f.StringVar(&ao.who, "who", "", "only entries of this user (or token:NAME, freepbx:NAME)")
	f.StringVar(&ao.action, "action", "", "only this action: login, login.failed, play, download, export.csv, …")
	f.StringVar(&ao.since, "since", "", "from this time: 2026-11-01, 2026-11-01T10:00 or 7d ago")
	f.StringVar(&ao.until, "until", "", "before this time")
	f.IntVar(&ao.limit, "limit", 100, "at most this many entries")
	f.BoolVar(&ao.json, "json", false, "print JSON")
	cmd.AddCommand(ls)
	return cmd
}

// auditJSON is an entry as `audit ls --json` prints it.
type auditJSON struct {
	ID          int64     `json:"id"`
	At          time.Time `json:"at"`
	Who         string    `json:"who"`
	Addr        string    `json:"addr"`
	Action      string    `json:"action"`
	RecordingID int64     `json:"recording_id,omitempty"`
	Detail      string    `json:"detail"`
}

func runAuditList(ctx context.Context, opts *globalOptions, ao auditOptions) error {
	if ao.limit < 1 || ao.limit > recordings.MaxLimit {
		return usagef("--limit must be 1-%d", recordings.MaxLimit)
	}
	a, err := opts.openApp(ctx, false)
	if err != nil {
		return err
	}
	defer a.Close()
	q := recordings.AuditQuery{Who: ao.who, Action: ao.action, Limit: ao.limit}
	now := time.Now()
	if ao.since != "" {
		if q.Since, err = recordings.ParseWhen(ao.since, now, a.loc); err != nil {
			return usagef("--since: %v", err)
		}
	}
	if ao.until != "" {
		if q.Until, err = recordings.ParseWhen(ao.until, now, a.loc); err != nil {
			return usagef("--until: %v", err)
		}
	}
	entries, _, err := a.cat.AuditLog(ctx, q)
	if err != nil {
		return err
	}
	out := make([]auditJSON, len(entries))
	for i, e := range entries {
		out[i] = auditJSON{ID: e.ID, At: e.At.In(a.loc), Who: e.Who, Addr: e.Addr, Action: e.Action, RecordingID: e.RecordingID, Detail: e.Detail}
	}
	if ao.json {
		return writeJSON(opts.stdout, out)
	}
	tw := tabwriter.NewWriter(opts.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tWHO\tFROM\tACTION\tRECORDING\tDETAIL")
	for _, e := range out {
		rec := ""
		if e.RecordingID > 0 {
			rec = fmt.Sprint(e.RecordingID)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", e.At.Format("2006-01-02 15:04:05"), e.Who, e.Addr, e.Action, rec, e.Detail)
	}
	return tw.Flush()
}
