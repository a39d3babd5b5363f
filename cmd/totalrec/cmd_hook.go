package main

import (
	"context"
	"errors"
	"time"

	"github.com/spf13/cobra"

	"github.com/totalrec/totalrec/recordings/hook"
)

type hookOptions struct {
	file       string
	uniqueid   string
	recordedBy string
	announced  string
	timeout    time.Duration
}

func newHookCommand(opts *globalOptions) *cobra.Command {
	var ho hookOptions
	cmd := &cobra.Command{
		Use:   "hook --file PATH [--uniqueid UID]",
		Short: "Register a finished recording (MixMonitor's post-command)",
		Long: `hook tells the daemon that MixMonitor has closed a recording, so that it is
catalogued at once instead of at the next scan. When the daemon does not answer it
appends the recording to a journal on disk (fsynced) that the daemon and
'totalrec scan' drain later: nothing is lost. It returns within a second or two
either way, and exits non-zero only when neither worked.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runHook(cmd.Context(), opts, ho)
		},
	}
	cmd.Flags().StringVar(&ho.file, "file", "", "the recording's absolute path (MixMonitor's ^{MIXMONITOR_FILENAME})")
	cmd.Flags().StringVar(&ho.uniqueid, "uniqueid", "", "the channel's uniqueid")
	cmd.Flags().StringVar(&ho.recordedBy, "recorded-by", "", "the policy that recorded the call: forced, policy, ondemand (the dialplan's ^{TOTALREC_RECORDED_BY})")
	cmd.Flags().StringVar(&ho.announced, "announced", "", "non-empty when the caller heard that the call is recorded (^{TOTALREC_ANNOUNCED})")
	cmd.Flags().DurationVar(&ho.timeout, "timeout", 1500*time.Millisecond, "how long to wait for the daemon before journalling")
	return cmd
}

func runHook(ctx context.Context, opts *globalOptions, ho hookOptions) error {
	if ho.file == "" {
		return usagef("--file is required")
	}
	err := hook.Run(ctx, hook.Call{
		Load: opts.loadOptions(), File: ho.file, UniqueID: ho.uniqueid,
		RecordedBy: ho.recordedBy, Announced: ho.announced, Timeout: ho.timeout,
	})
	if errors.Is(err, hook.ErrOutsideSpool) {
		return usageError{err}
	}
	return err
}
