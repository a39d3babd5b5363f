package daemon

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/totalrec/totalrec/recordings/hook"
)

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
	client := hook.SocketClient(sock)
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
