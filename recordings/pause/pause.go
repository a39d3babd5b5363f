// Package pause mutes and unmutes a call's recording while the caller reads out
// a card number or other data that must not be recorded (PCI DSS): Asterisk's
// MixMonitorMute, both directions, over the manager interface. MixMonitor keeps
// writing, silence in place of the audio, so the recording's timeline is
// unchanged; each pause is stored with its start, end and who asked, and audited.
package pause

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/ami"
)

// Manager is what pausing needs of the manager interface (ami.Client).
type Manager interface {
	Do(ctx context.Context, action string, kv ...string) (ami.Message, error)
}

// Store is what pausing needs of the catalogue.
type Store interface {
	StartPause(ctx context.Context, p recordings.Pause) (int64, error)
	EndPause(ctx context.Context, id int64, at time.Time, by string) error
	OpenPause(ctx context.Context, node, channel string) (recordings.Pause, error)
	Audit(ctx context.Context, e recordings.AuditEntry) error
}

// Audit actions.
const (
	ActPause  = "recording.pause"
	ActResume = "recording.resume"
)

// ErrNoRecording: neither the channel nor the one bridged to it is being
// recorded.
var ErrNoRecording = errors.New("no recording on this call")

// Pauser pauses and resumes recordings.
type Pauser struct {
	Store Store
	AMI   Manager
	Node  string
	Now   func() time.Time

	mu sync.Mutex // one request at a time: two toggles at once would both pause
}

// State is a call's recording after a request.
type State struct {
	Paused  bool      `json:"paused"`
	Channel string    `json:"channel"` // the recorded channel
	Since   time.Time `json:"since"`
}

// Set pauses (on) or resumes the recording of the call channel takes part in:
// channel's own MixMonitor or, when it has none, that of the channel bridged
// to it (an agent's phone asks; the recording runs on the caller's channel).
// The mute is sent every time — what MixMonitor does, not a stored row, is what
// the file hears — so pausing a paused recording pauses it; only the row and
// the audit entry are not made twice.
func (p *Pauser) Set(ctx context.Context, channel string, on bool, by, addr string) (State, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	target, open, err := p.recorded(ctx, channel)
	if err != nil {
		return State{}, err
	}
	return p.set(ctx, target, open, on, by, addr)
}

// Toggle resumes a paused recording and pauses a running one.
func (p *Pauser) Toggle(ctx context.Context, channel, by, addr string) (State, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	target, open, err := p.recorded(ctx, channel)
	if err != nil {
		return State{}, err
	}
	return p.set(ctx, target, open, open.ID == 0, by, addr)
}

// set mutes or unmutes target, whose pause under way is open (ID 0: none),
// and records the change.
func (p *Pauser) set(ctx context.Context, target string, open recordings.Pause, on bool, by, addr string) (State, error) {
	if err := p.mute(ctx, target, on); err != nil {
		return State{}, err
	}
	// Muted or unmuted: the row and the audit entry are written even if the
	// asker stops waiting, or the next toggle would go the wrong way.
	ctx = context.WithoutCancel(ctx)
	now := p.now()
	switch {
	case on && open.ID != 0:
		return State{Paused: true, Channel: target, Since: open.Started}, nil
	case !on && open.ID == 0:
		return State{Channel: target}, nil
	}
	act := ActResume
	if on {
		act = ActPause
		ps := recordings.Pause{Node: p.Node, Channel: target, Started: now, By: by}
		ps.UniqueID, _ = p.getvar(ctx, target, "UNIQUEID")
		ps.LinkedID, _ = p.getvar(ctx, target, "CHANNEL(linkedid)")
		if _, err := p.Store.StartPause(ctx, ps); err != nil {
			return State{}, err
		}
	} else if err := p.Store.EndPause(ctx, open.ID, now, by); err != nil {
		return State{}, err
	}
	if err := p.Store.Audit(ctx, recordings.AuditEntry{At: now, Who: by, Addr: addr, Action: act,
		Detail: "channel=" + target}); err != nil {
		return State{}, err
	}
	st := State{Paused: on, Channel: target}
	if on {
		st.Since = now
	}
	return st, nil
}

// recorded finds the channel whose MixMonitor records channel's call, and its
// pause under way (ID 0: none). A channel with a pause under way is the one;
// else the channel itself when MixMonitor answers on it, else its bridge peer.
// A pause row of an earlier call on a channel of the same name (Asterisk
// numbers channels again after a restart) is ended, never taken for this call's.
func (p *Pauser) recorded(ctx context.Context, channel string) (string, recordings.Pause, error) {
	peer, err := p.getvar(ctx, channel, "BRIDGEPEER")
	if errors.Is(err, ami.ErrDown) {
		return "", recordings.Pause{}, fmt.Errorf("pause %s: %w", channel, err)
	}
	for _, c := range []string{channel, peer} {
		if c == "" {
			continue
		}
		open, err := p.Store.OpenPause(ctx, p.Node, c)
		if errors.Is(err, recordings.ErrNotFound) {
			continue
		}
		if err != nil {
			return "", recordings.Pause{}, err
		}
		if uid, _ := p.getvar(ctx, c, "UNIQUEID"); open.UniqueID != "" && uid != open.UniqueID {
			if err := p.Store.EndPause(ctx, open.ID, p.now(), "totalrec: the call ended"); err != nil {
				return "", recordings.Pause{}, err
			}
			continue
		}
		return c, open, nil
	}
	// No pause under way: ask MixMonitor (unmuting a running recording is harmless).
	for _, c := range []string{channel, peer} {
		if c != "" && p.mute(ctx, c, false) == nil {
			return c, recordings.Pause{}, nil
		}
	}
	return "", recordings.Pause{}, fmt.Errorf("pause %s: %w", channel, ErrNoRecording)
}

func (p *Pauser) mute(ctx context.Context, channel string, on bool) error {
	state := "0"
	if on {
		state = "1"
	}
	_, err := p.AMI.Do(ctx, "MixMonitorMute", "Channel", channel, "Direction", "both", "State", state)
	return err
}

func (p *Pauser) getvar(ctx context.Context, channel, name string) (string, error) {
	m, err := p.AMI.Do(ctx, "Getvar", "Channel", channel, "Variable", name)
	if err != nil {
		return "", err
	}
	return m["Value"], nil
}

func (p *Pauser) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

// ErrDown: the manager interface is not connected.
var ErrDown = ami.ErrDown

// Call is one live, answered call's channel, as the pause button lists it.
type Call struct {
	Channel  string `json:"channel"`
	Number   string `json:"number"` // the channel's own number: the extension for a phone
	Peer     string `json:"peer"`   // who it talks to
	Duration string `json:"duration"`
	Paused   bool   `json:"paused"`
}

// Lister lists live channels (ami.Client).
type Lister interface {
	List(ctx context.Context, action string, kv ...string) ([]ami.Message, error)
}

// Calls lists the answered channels in a bridge whose own number admit accepts,
// and whether their call's recording is paused.
func (p *Pauser) Calls(ctx context.Context, admit func(number string) bool) ([]Call, error) {
	l, ok := p.AMI.(Lister)
	if !ok {
		return nil, errors.New("list calls: the manager cannot list channels")
	}
	chans, err := l.List(ctx, "CoreShowChannels")
	if err != nil {
		return nil, fmt.Errorf("list calls: %w", err)
	}
	var out []Call
	for _, m := range chans {
		if m["BridgeId"] == "" || m["ChannelStateDesc"] != "Up" || !admit(m["CallerIDNum"]) {
			continue
		}
		c := Call{Channel: m["Channel"], Number: m["CallerIDNum"], Peer: m["ConnectedLineNum"], Duration: m["Duration"]}
		if ps, err := p.Store.OpenPause(ctx, p.Node, c.Channel); err == nil && ps.ID != 0 {
			c.Paused = true
		} else if peer, _ := p.getvar(ctx, c.Channel, "BRIDGEPEER"); peer != "" {
			_, err := p.Store.OpenPause(ctx, p.Node, peer)
			c.Paused = err == nil
		}
		out = append(out, c)
	}
	return out, nil
}
