package daemon

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
	// RecordedBy and Announced are what the dialplan says of the recording's
	// policy and announcement (recordings.Consent).
	RecordedBy string `json:"recorded_by,omitempty"`
	Announced  bool   `json:"announced,omitempty"`
}

// PauseRequest is what `totalrec pause` sends the daemon over its socket.
type PauseRequest struct {
	Channel string `json:"channel"`
	State   string `json:"state"` // on, off, toggle
	By      string `json:"by,omitempty"`
}

// PostPause asks the daemon at sock to pause, resume or toggle the recording of
// the call on req.Channel, and returns the daemon's answer: the recording's
// state as JSON.
func PostPause(ctx context.Context, sock string, req PauseRequest, timeout time.Duration) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	client := socketClient(sock)
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://totalrec/pause", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	hr.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(hr)
	if err != nil {
		return nil, fmt.Errorf("reach the daemon at %s: %w", sock, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("the daemon: %s", strings.TrimSpace(string(out)))
	}
	return out, nil
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
	client := socketClient(sock)
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

// socketClient is an HTTP client of the daemon's unix socket sock.
func socketClient(sock string) *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		},
	}}
}
