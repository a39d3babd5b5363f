package pause_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/ami"
	"github.com/totalrec/totalrec/recordings/catalog"
	"github.com/totalrec/totalrec/recordings/pause"
)

// asterisk answers the manager actions pausing sends as Asterisk would for one
// call: the caller's channel PJSIP/trunk-1 runs MixMonitor, bridged to the
// agent's phone PJSIP/101-2. It records MixMonitorMute's state.
type asterisk struct {
	mu    sync.Mutex
	muted bool
	down  bool
}

func (a *asterisk) Do(_ context.Context, action string, kv ...string) (ami.Message, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.down {
		return nil, fmt.Errorf("%s: %w", action, ami.ErrDown)
	}
	f := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		f[kv[i]] = kv[i+1]
	}
	peers := map[string]string{"PJSIP/trunk-1": "PJSIP/101-2", "PJSIP/101-2": "PJSIP/trunk-1"}
	switch action {
	case "MixMonitorMute":
		if f["Channel"] != "PJSIP/trunk-1" || f["Direction"] != "both" {
			return ami.Message{"Response": "Error"}, errors.New("MixMonitorMute: Cannot set mute flag")
		}
		a.muted = f["State"] == "1"
		return ami.Message{"Response": "Success"}, nil
	case "Getvar":
		v := map[string]string{"BRIDGEPEER": peers[f["Channel"]], "UNIQUEID": "1796.1", "CHANNEL(linkedid)": "1796.0"}[f["Variable"]]
		return ami.Message{"Response": "Success", "Value": v}, nil
	}
	return nil, errors.New(action + ": unknown")
}

func (a *asterisk) List(context.Context, string, ...string) ([]ami.Message, error) {
	return []ami.Message{
		{"Channel": "PJSIP/trunk-1", "CallerIDNum": "79161234567", "ConnectedLineNum": "101", "BridgeId": "b1", "ChannelStateDesc": "Up"},
		{"Channel": "PJSIP/101-2", "CallerIDNum": "101", "ConnectedLineNum": "79161234567", "BridgeId": "b1", "ChannelStateDesc": "Up"},
		{"Channel": "PJSIP/102-3", "CallerIDNum": "102", "ChannelStateDesc": "Ringing"},
	}, nil
}

// TestPauser: the agent's phone pauses the caller's recording (its bridge
// peer's MixMonitor), a second pause changes nothing, toggle resumes, every
// change is stored and audited; a channel in no recorded call is refused, and a
// manager that is down is an error, not a wait.
func TestPauser(t *testing.T) {
	ctx := context.Background()
	cat, err := catalog.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "db.sqlite"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	ast := &asterisk{}
	t0 := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	now := t0
	p := &pause.Pauser{Store: cat, AMI: ast, Now: func() time.Time { return now }}

	// A pause left open by an earlier call on a channel of the same name (before
	// an Asterisk restart) is not this call's.
	if _, err := cat.StartPause(ctx, recordings.Pause{Channel: "PJSIP/trunk-1", UniqueID: "1700.9", Started: t0.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	st, err := p.Set(ctx, "PJSIP/101-2", true, "web:anna", "10.0.0.5")
	if err != nil || !st.Paused || st.Channel != "PJSIP/trunk-1" || !ast.muted {
		t.Fatalf("pause: %+v %v (muted %v)", st, err, ast.muted)
	}
	if ps, err := cat.PausesOf(ctx, "", "1700.9"); err != nil || len(ps) != 1 || ps[0].Ended.IsZero() {
		t.Errorf("the earlier call's pause: %+v %v", ps, err)
	}
	// A second pause mutes again (whatever unmuted it), and keeps the one row.
	ast.muted = false
	now = t0.Add(time.Second)
	if st, err := p.Set(ctx, "PJSIP/trunk-1", true, "web:anna", ""); err != nil || !st.Paused || !st.Since.Equal(t0) || !ast.muted {
		t.Errorf("a second pause: %+v %v (muted %v)", st, err, ast.muted)
	}
	calls, err := p.Calls(ctx, func(n string) bool { return n == "101" })
	if err != nil || len(calls) != 1 || calls[0].Channel != "PJSIP/101-2" || !calls[0].Paused {
		t.Errorf("the agent's calls: %+v %v", calls, err)
	}
	now = t0.Add(3 * time.Second)
	if st, err := p.Toggle(ctx, "PJSIP/101-2", "dialplan:PJSIP/101-2", "local"); err != nil || st.Paused || ast.muted {
		t.Errorf("toggle: %+v %v (muted %v)", st, err, ast.muted)
	}
	ps, err := cat.PausesOf(ctx, "1796.0", "")
	if err != nil || len(ps) != 1 || !ps[0].Started.Equal(t0) || !ps[0].Ended.Equal(t0.Add(3*time.Second)) ||
		ps[0].Channel != "PJSIP/trunk-1" || ps[0].By != "web:anna" || ps[0].EndedBy != "dialplan:PJSIP/101-2" {
		t.Errorf("stored: %+v %v", ps, err)
	}
	for _, act := range []string{pause.ActPause, pause.ActResume} {
		es, _, err := cat.AuditLog(ctx, recordings.AuditQuery{Action: act, Limit: 10})
		if err != nil || len(es) != 1 || es[0].Detail != "channel=PJSIP/trunk-1" {
			t.Errorf("audit of %s: %+v %v", act, es, err)
		}
	}
	if _, err := p.Set(ctx, "PJSIP/102-3", true, "web:anna", ""); !errors.Is(err, pause.ErrNoRecording) {
		t.Errorf("a call without a recording: %v", err)
	}
	ast.down = true
	start := time.Now()
	if _, err := p.Toggle(ctx, "PJSIP/101-2", "web:anna", ""); !errors.Is(err, pause.ErrDown) || time.Since(start) > time.Second {
		t.Errorf("with the manager down: %v after %v", err, time.Since(start))
	}
}
