package hook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/totalrec/totalrec/recordings/config"
)

// Request is what the hook sends the daemon over its socket.
type Request struct {
	Path     string `json:"path"` // relative to the spool root
	UniqueID string `json:"uniqueid,omitempty"`
	// RecordedBy and Announced are what the dialplan says of the recording's
	// policy and announcement (recordings.Consent).
	RecordedBy string `json:"recorded_by,omitempty"`
	Announced  bool   `json:"announced,omitempty"`
}

// Socket is the daemon's hook socket in dataDir.
func Socket(dataDir string) string { return filepath.Join(dataDir, "hook.sock") }

// JournalDir is where hooks that found no daemon journal their recordings.
func JournalDir(dataDir string) string { return filepath.Join(dataDir, "journal") }

// ErrOutsideSpool: the file MixMonitor named is not inside the configured spool.
var ErrOutsideSpool = errors.New("is not inside the spool")

// SpoolRelative turns MixMonitor's absolute file name into a path relative to the
// spool root, refusing anything outside it.
func SpoolRelative(spoolDir, file string) (string, error) {
	if !filepath.IsAbs(file) {
		file = filepath.Join(spoolDir, file)
	}
	rel, err := filepath.Rel(filepath.Clean(spoolDir), filepath.Clean(file))
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, "../") {
		return "", fmt.Errorf("%s %w %s", file, ErrOutsideSpool, spoolDir)
	}
	return filepath.ToSlash(rel), nil
}

// ErrRefused: the daemon will not catalogue the file (a symlink, say);
// journalling it would not help.
var ErrRefused = errors.New("hook: the daemon refused the file (not a regular file in the spool)")

// Post delivers req to the daemon's socket sock within timeout; any failure
// but ErrRefused means "journal it".
func Post(ctx context.Context, sock string, req Request, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	body, err := json.Marshal(req)
	if err != nil {
		return err
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://totalrec/hook", bytes.NewReader(body))
	if err != nil {
		return err
	}
	hr.Header.Set("Content-Type", "application/json")
	resp, err := SocketClient(sock).Do(hr)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusForbidden {
		return ErrRefused
	}
	if resp.StatusCode/100 != 2 {
		return errors.New(resp.Status)
	}
	return nil
}

// SocketClient is an HTTP client of the daemon's unix socket sock.
func SocketClient(sock string) *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		},
	}}
}

// Call is one run of the hook: MixMonitor's post-command for one closed recording.
type Call struct {
	// Load finds the configuration, as every command does.
	Load config.LoadOptions
	// File is the recording's name as MixMonitor gives it (^{MIXMONITOR_FILENAME}).
	File       string
	UniqueID   string
	RecordedBy string
	// Announced is the dialplan's TOTALREC_ANNOUNCED: set and not "no" or "0".
	Announced string
	// Timeout is how long to wait for the daemon before journalling.
	Timeout time.Duration
}

// Run hands the recording to the daemon, which catalogues it before it answers; when
// the daemon does not answer, it appends the recording to the journal (fsynced) that
// the daemon and `totalrec scan` drain. Whatever goes wrong once c.File is known,
// the recording is journalled, so nothing is lost: a configuration that does not
// load, or a file outside the spool, is journalled by its absolute name for the
// scan to resolve or set aside, and the error says so. Run fails only when neither
// worked, or when the daemon refused the file (ErrRefused).
func Run(ctx context.Context, c Call) error {
	if c.File == "" {
		return errors.New("--file is required")
	}
	l, err := config.Load(c.Load)
	if err == nil {
		err = l.Config.Validate()
	}
	if err != nil {
		return c.journalUnresolved(fmt.Errorf("configuration: %w", err))
	}
	rel, err := SpoolRelative(l.Config.Spool, c.File)
	if err != nil {
		return c.journalUnresolved(fmt.Errorf("--file %w", err))
	}
	req := Request{Path: rel, UniqueID: c.UniqueID, RecordedBy: c.RecordedBy, Announced: announced(c.Announced)}
	err = Post(ctx, Socket(l.Config.DataDir), req, c.Timeout)
	if err == nil || errors.Is(err, ErrRefused) {
		return err
	}
	j := Journal{Dir: JournalDir(l.Config.DataDir)}
	if err := j.Append(Entry{Path: rel, UniqueID: c.UniqueID, At: time.Now().UTC()}); err != nil {
		return fmt.Errorf("hook: the daemon did not answer and %w", err)
	}
	return nil
}

// journalUnresolved keeps a recording the hook could not place: the absolute file
// name goes to the journal of the data directory that --data-dir or
// TOTALREC_DATA_DIR names, else the default one. It still fails, with cause, so the
// problem shows in Asterisk's log.
func (c Call) journalUnresolved(cause error) error {
	dataDir := config.DefaultDataDir
	getenv := c.Load.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if d := c.Load.Flags["data-dir"]; d != "" {
		dataDir = d
	} else if getenv("TOTALREC_DATA_DIR") != "" {
		dataDir = getenv("TOTALREC_DATA_DIR")
	}
	file := c.File
	if abs, err := filepath.Abs(file); err == nil {
		file = abs
	}
	j := Journal{Dir: JournalDir(dataDir)}
	if err := j.Append(Entry{File: file, UniqueID: c.UniqueID, At: time.Now().UTC()}); err != nil {
		return fmt.Errorf("hook: %w; and %w", cause, err)
	}
	return fmt.Errorf("hook: %w (the recording is journalled in %s)", cause, j.Dir)
}

// announced reads the dialplan's TOTALREC_ANNOUNCED: set and not "no" or "0".
func announced(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "no", "0", "false":
		return false
	}
	return true
}
