package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/totalrec/totalrec/recordings"
)

type holdOptions struct {
	linkedID string
	reason   string
	until    string
	by       string
	json     bool
}

func newHoldCommand(opts *globalOptions) *cobra.Command {
	var ho holdOptions
	cmd := &cobra.Command{
		Use:   "hold",
		Short: "Put recordings on legal hold, release them, list the holds",
		Long: `A recording on legal hold is never deleted by any retention rule. A hold names a
reason and who placed it; with --until it lapses at that date (released by the
next retention run after it). A hold that succeeds wins over every deletion not yet
made; a recording retention deleted, or is deleting, cannot be held: "hold add"
says so and exits 1 (3 when only some recordings of a call are gone).`,
		Args: cobra.NoArgs,
	}
	add := &cobra.Command{
		Use:     "add [ID]",
		Short:   "Hold one recording (by ID) or every recording of a call (--linkedid)",
		Example: `  totalrec hold add 1234 --reason "court order 2026/17" --by legal@example.com --until 2028-01-01`,
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runHoldAdd(cmd.Context(), opts, ho, args)
		},
	}
	add.Flags().StringVar(&ho.reason, "reason", "", "why the recording is held (required)")
	add.Flags().StringVar(&ho.until, "until", "", "release the hold at this date (2028-01-01); default: until removed")
	add.Flags().StringVar(&ho.by, "by", "", "who places the hold (default $SUDO_USER, $USER, else the account running the command)")
	rm := &cobra.Command{
		Use:   "rm [ID]",
		Short: "Release one recording (by ID) or every recording of a call (--linkedid)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runHoldRemove(cmd.Context(), opts, ho, args)
		},
	}
	ls := &cobra.Command{
		Use:   "ls",
		Short: "List the holds",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runHoldList(cmd.Context(), opts, ho)
		},
	}
	ls.Flags().BoolVar(&ho.json, "json", false, "print JSON")
	for _, c := range []*cobra.Command{add, rm} {
		c.Flags().StringVar(&ho.linkedID, "linkedid", "", "every recording of the call with this linked ID")
	}
	cmd.AddCommand(add, rm, ls)
	return cmd
}

// holdTargets resolves an ID argument or --linkedid to recording IDs.
func holdTargets(ctx context.Context, a *app, ho holdOptions, args []string) ([]int64, error) {
	switch {
	case len(args) == 1 && ho.linkedID != "":
		return nil, usagef("give a recording ID or --linkedid, not both")
	case len(args) == 1:
		id, err := strconv.ParseInt(args[0], 10, 64)
		if err != nil || id <= 0 {
			return nil, usagef("%q is not a recording ID", args[0])
		}
		if _, err := a.cat.Get(ctx, id); err != nil {
			return nil, err
		}
		return []int64{id}, nil
	case ho.linkedID != "":
		recs, err := a.cat.ByLinkedID(ctx, ho.linkedID)
		if err != nil {
			return nil, err
		}
		if len(recs) == 0 {
			return nil, fmt.Errorf("find call %q: %w", ho.linkedID, recordings.ErrNotFound)
		}
		ids := make([]int64, len(recs))
		for i, r := range recs {
			ids[i] = r.ID
		}
		return ids, nil
	}
	return nil, usagef("give a recording ID or --linkedid")
}

func runHoldAdd(ctx context.Context, opts *globalOptions, ho holdOptions, args []string) error {
	if ho.reason == "" {
		return usagef("--reason is required")
	}
	a, err := opts.openApp(ctx, false)
	if err != nil {
		return err
	}
	defer a.Close()
	now := time.Now()
	var until time.Time
	if ho.until != "" {
		if until, err = recordings.ParseWhen(ho.until, now, a.loc); err != nil {
			return usageError{err}
		}
		if !until.After(now) {
			return usagef("--until %s is not in the future", ho.until)
		}
	}
	by := ho.by
	if by == "" {
		by = opts.osUser()
	}
	ids, err := holdTargets(ctx, a, ho, args)
	if err != nil {
		return err
	}
	ev := a.webhookEvents()
	var gone []error
	for _, id := range ids {
		h := recordings.Hold{RecordingID: id, Reason: ho.reason, Who: by, Since: now, Until: until}
		if h.ID, err = a.cat.AddHold(ctx, h); errors.Is(err, recordings.ErrGone) {
			// Deleted, or being deleted: nothing is held, and the command says so.
			gone = append(gone, err)
			continue
		} else if err != nil {
			return err
		}
		if err := announceHeld(ctx, a, ev, h); err != nil {
			return err
		}
		if err := a.cat.Audit(ctx, recordings.AuditEntry{Who: opts.operator(), Addr: "local", Action: "hold.add", RecordingID: id,
			Detail: fmt.Sprintf("reason=%q by=%q until=%s", ho.reason, by, ho.until)}); err != nil {
			return err
		}
		a.log.Info("legal hold placed", "recording", id, "by", by, "reason", ho.reason)
	}
	held := len(ids) - len(gone)
	if held == 0 {
		return errors.Join(gone...)
	}
	fmt.Fprintf(opts.stdout, "held %d recordings\n", held)
	if len(gone) > 0 {
		for _, err := range gone {
			fmt.Fprintf(opts.stderr, "not held: %v\n", err)
		}
		return partialError{failed: len(gone)}
	}
	return nil
}

// osUser names who runs the command: $SUDO_USER, $USER, else the account of the
// process's uid (cron and systemd set no $USER), else the uid itself.
func (o *globalOptions) osUser() string {
	for _, v := range []string{"SUDO_USER", "USER"} {
		if u := o.getenv(v); u != "" {
			return u
		}
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "uid " + strconv.Itoa(os.Getuid())
}

func runHoldRemove(ctx context.Context, opts *globalOptions, ho holdOptions, args []string) error {
	a, err := opts.openApp(ctx, false)
	if err != nil {
		return err
	}
	defer a.Close()
	ids, err := holdTargets(ctx, a, ho, args)
	if err != nil {
		return err
	}
	ev := a.webhookEvents()
	total := 0
	for _, id := range ids {
		if err := announceReleased(ctx, a, ev, id); err != nil {
			return err
		}
		n, err := a.cat.RemoveHolds(ctx, id)
		if err != nil {
			return err
		}
		total += n
		if err := a.cat.Audit(ctx, recordings.AuditEntry{Who: opts.operator(), Addr: "local", Action: "hold.rm", RecordingID: id,
			Detail: fmt.Sprintf("holds=%d", n)}); err != nil {
			return err
		}
		a.log.Info("legal hold released", "recording", id, "holds", n)
	}
	fmt.Fprintf(opts.stdout, "released %d recordings (%d holds)\n", len(ids), total)
	return nil
}

// holdJSON is one hold as `hold ls --json` prints it.
type holdJSON struct {
	ID          int64      `json:"id"`
	RecordingID int64      `json:"recording_id"`
	Path        string     `json:"path"`
	Reason      string     `json:"reason"`
	By          string     `json:"by"`
	Since       time.Time  `json:"since"`
	Until       *time.Time `json:"until,omitempty"`
}

func runHoldList(ctx context.Context, opts *globalOptions, ho holdOptions) error {
	a, err := opts.openApp(ctx, false)
	if err != nil {
		return err
	}
	defer a.Close()
	holds, err := a.cat.Holds(ctx)
	if err != nil {
		return err
	}
	if ho.json {
		out := make([]holdJSON, 0, len(holds))
		for _, h := range holds {
			j := holdJSON{ID: h.ID, RecordingID: h.RecordingID, Path: h.Path, Reason: h.Reason, By: h.Who, Since: h.Since}
			if !h.Until.IsZero() {
				u := h.Until
				j.Until = &u
			}
			out = append(out, j)
		}
		return writeJSON(opts.stdout, out)
	}
	if len(holds) == 0 {
		fmt.Fprintln(opts.stdout, "no recording is on hold")
		return nil
	}
	tw := tabwriter.NewWriter(opts.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RECORDING\tSINCE\tUNTIL\tBY\tREASON\tPATH")
	for _, h := range holds {
		until := "removed"
		if !h.Until.IsZero() {
			until = h.Until.In(a.loc).Format("2006-01-02")
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", h.RecordingID, h.Since.In(a.loc).Format("2006-01-02 15:04"), until, h.Who, h.Reason, h.Path)
	}
	return tw.Flush()
}
