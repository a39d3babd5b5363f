package daemon

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
)

// HookRequest is what `totalrec hook` sends the daemon over its socket.
type HookRequest struct {
	Path     string `json:"path"` // relative to the spool root
	UniqueID string `json:"uniqueid,omitempty"`
}

// HookSocket is the daemon's hook socket in dataDir.
func HookSocket(dataDir string) string { return filepath.Join(dataDir, "hook.sock") }

// JournalDir is where hooks that found no daemon journal their recordings.
func JournalDir(dataDir string) string { return filepath.Join(dataDir, "journal") }

// SpoolRelative turns MixMonitor's absolute file name into a path relative to the
// spool root, refusing anything outside it.
func SpoolRelative(spoolDir, file string) (string, error) {
	if !filepath.IsAbs(file) {
		file = filepath.Join(spoolDir, file)
	}
	rel, err := filepath.Rel(filepath.Clean(spoolDir), filepath.Clean(file))
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, "../") {
		return "", fmt.Errorf("%s is not inside the spool %s", file, spoolDir)
	}
	return filepath.ToSlash(rel), nil
}

// ErrHookRefused: the daemon will not catalogue the file (a symlink, say);
// journalling it would not help.
var ErrHookRefused = errors.New("hook: the daemon refused the file (not a regular file in the spool)")

// PostHook delivers req to the daemon's socket sock within timeout; any failure
// but ErrHookRefused means "journal it".
func PostHook(ctx context.Context, sock string, req HookRequest, timeout time.Duration) error {
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
		return ErrHookRefused
	}
	if resp.StatusCode/100 != 2 {
		return errors.New(resp.Status)
	}
	return nil
}
