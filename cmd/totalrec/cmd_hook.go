package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/totalrec/totalrec/recordings/config"
	"github.com/totalrec/totalrec/recordings/daemon"
	"github.com/totalrec/totalrec/recordings/ingest"
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
	// From here on the recording exists: whatever goes wrong, it is journalled, so the
	// daemon or the next scan catalogues it (or sets it aside, saying why).
	l, err := opts.loadConfig()
	if err != nil {
		return journalUnresolved(opts, ho, err)
	}
	rel, err := spoolRelative(l.Config.Spool, ho.file)
	if err != nil {
		return journalUnresolved(opts, ho, err)
	}
	req := daemon.HookRequest{Path: rel, UniqueID: ho.uniqueid, RecordedBy: ho.recordedBy, Announced: announced(ho.announced)}
	err = daemon.PostHook(ctx, daemon.HookSocket(l.Config.DataDir), req, ho.timeout)
	if err == nil || errors.Is(err, daemon.ErrHookRefused) {
		return err
	}
	j := ingest.Journal{Dir: daemon.JournalDir(l.Config.DataDir)}
	if err := j.Append(ingest.Entry{Path: rel, UniqueID: ho.uniqueid, At: time.Now().UTC()}); err != nil {
		return fmt.Errorf("hook: the daemon did not answer and %w", err)
	}
	return nil
}

// journalUnresolved keeps a recording the hook could not place (its configuration
// does not load, or the file is not under the spool it names): the absolute file
// name goes to the journal of the data directory given by --data-dir or
// TOTALREC_DATA_DIR, else the default one. It still fails, with cause, so the
// problem shows in Asterisk's log.
func journalUnresolved(opts *globalOptions, ho hookOptions, cause error) error {
	dataDir := config.DefaultDataDir
	if opts.set["data-dir"] && opts.dataDir != "" {
		dataDir = opts.dataDir
	} else if d := opts.getenv("TOTALREC_DATA_DIR"); d != "" {
		dataDir = d
	}
	file := ho.file
	if abs, err := filepath.Abs(file); err == nil {
		file = abs
	}
	j := ingest.Journal{Dir: daemon.JournalDir(dataDir)}
	if err := j.Append(ingest.Entry{File: file, UniqueID: ho.uniqueid, At: time.Now().UTC()}); err != nil {
		return fmt.Errorf("hook: %w; and %w", cause, err)
	}
	return fmt.Errorf("hook: %w (the recording is journalled in %s)", cause, j.Dir)
}

// spoolRelative is daemon.SpoolRelative, a usage error when --file is outside
// the spool.
func spoolRelative(spoolDir, file string) (string, error) {
	rel, err := daemon.SpoolRelative(spoolDir, file)
	if err != nil {
		return "", usageError{fmt.Errorf("--file %w", err)}
	}
	return rel, nil
}

// announced reads the dialplan's TOTALREC_ANNOUNCED: set and not "no" or "0".
func announced(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "no", "0", "false":
		return false
	}
	return true
}
