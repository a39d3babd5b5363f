package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/totalrec/totalrec/recordings/config"
	"github.com/totalrec/totalrec/recordings/ingest"
)

type hookOptions struct {
	file     string
	uniqueid string
	timeout  time.Duration
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
	cmd.Flags().DurationVar(&ho.timeout, "timeout", 1500*time.Millisecond, "how long to wait for the daemon before journalling")
	return cmd
}

// hookRequest is what the hook sends the daemon over its socket.
type hookRequest struct {
	Path     string `json:"path"` // relative to the spool root
	UniqueID string `json:"uniqueid,omitempty"`
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
	req := hookRequest{Path: rel, UniqueID: ho.uniqueid}
	err = postHook(ctx, hookSocket(l.Config.DataDir), req, ho.timeout)
	if err == nil || errors.Is(err, errHookRefused) {
		return err
	}
	j := ingest.Journal{Dir: journalDir(l.Config.DataDir)}
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
	j := ingest.Journal{Dir: journalDir(dataDir)}
	if err := j.Append(ingest.Entry{File: file, UniqueID: ho.uniqueid, At: time.Now().UTC()}); err != nil {
		return fmt.Errorf("hook: %w; and %w", cause, err)
	}
	return fmt.Errorf("hook: %w (the recording is journalled in %s)", cause, j.Dir)
}

// spoolRelative turns MixMonitor's absolute file name into a path relative to the
// spool root, refusing anything outside it.
func spoolRelative(spoolDir, file string) (string, error) {
	if !filepath.IsAbs(file) {
		file = filepath.Join(spoolDir, file)
	}
	rel, err := filepath.Rel(filepath.Clean(spoolDir), filepath.Clean(file))
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, "../") {
		return "", usagef("--file %s is not inside the spool %s", file, spoolDir)
	}
	return filepath.ToSlash(rel), nil
}

func hookSocket(dataDir string) string { return filepath.Join(dataDir, "hook.sock") }
func journalDir(dataDir string) string { return filepath.Join(dataDir, "journal") }

// errHookRefused: the daemon will not catalogue the file (a symlink, say); journalling
// it would not help.
var errHookRefused = errors.New("hook: the daemon refused the file (not a regular file in the spool)")

// postHook delivers req to the daemon's socket; any failure means "journal it".
func postHook(ctx context.Context, sock string, req hookRequest, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	body, err := json.Marshal(req)
	if err != nil {
		return err
	}
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		},
	}}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://totalrec/hook", bytes.NewReader(body))
	if err != nil {
		return err
	}
	hr.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(hr)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusForbidden {
		return errHookRefused
	}
	if resp.StatusCode/100 != 2 {
		return errors.New(resp.Status)
	}
	return nil
}
