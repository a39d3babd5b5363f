package ami

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeAsterisk speaks the manager protocol on loopback: a banner, a login
// checked against secret, and answers to Ping, MixMonitorMute (Error for an
// unknown channel) and CoreShowChannels (two channels). drop closes every
// connection, as an Asterisk restart would.
type fakeAsterisk struct {
	ln     net.Listener
	secret string
	mu     sync.Mutex
	conns  []net.Conn
	logins int
}

func newFake(t *testing.T, secret string) *fakeAsterisk {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeAsterisk{ln: ln, secret: secret}
	t.Cleanup(func() { ln.Close(); f.drop() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			f.mu.Lock()
			f.conns = append(f.conns, c)
			f.mu.Unlock()
			go f.serve(c)
		}
	}()
	return f
}

func (f *fakeAsterisk) drop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.conns {
		c.Close()
	}
	f.conns = nil
}

func (f *fakeAsterisk) serve(c net.Conn) {
	defer c.Close()
	fmt.Fprint(c, "Asterisk Call Manager/9.0.0\r\n")
	r := bufio.NewReader(c)
	for {
		m, err := readMessage(r)
		if err != nil {
			return
		}
		id := m["ActionID"]
		reply := func(lines ...string) {
			fmt.Fprintf(c, "%s\r\nActionID: %s\r\n\r\n", strings.Join(lines, "\r\n"), id)
		}
		switch m["Action"] {
		case "Login":
			if m["Secret"] != f.secret {
				reply("Response: Error", "Message: Authentication failed")
				return
			}
			f.mu.Lock()
			f.logins++
			f.mu.Unlock()
			fmt.Fprint(c, "Event: FullyBooted\r\nPrivilege: system,all\r\n\r\n")
			reply("Response: Success", "Message: Authentication accepted")
		case "MixMonitorMute":
			if m["Channel"] != "PJSIP/100-1" {
				reply("Response: Error", "Message: Cannot set mute flag")
				continue
			}
			reply("Response: Success")
		case "CoreShowChannels":
			reply("Response: Success", "EventList: start", "Message: Channels will follow")
			for _, ch := range []string{"PJSIP/100-1", "PJSIP/trunk-2"} {
				reply("Event: CoreShowChannel", "Channel: "+ch, "ChannelStateDesc: Up")
			}
			reply("Event: CoreShowChannelsComplete", "EventList: Complete", "ListItems: 2")
		case "DropMidList": // a list the connection loses halfway
			reply("Response: Success", "EventList: start", "Message: Channels will follow")
			reply("Event: CoreShowChannel", "Channel: PJSIP/100-1")
			return
		case "Logoff":
			reply("Response: Goodbye")
			return
		default:
			reply("Response: Success", "Ping: Pong")
		}
	}
}

func waitUp(t *testing.T, c *Client) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if up, _ := c.Up(); up {
			return
		}
	}
	_, err := c.Up()
	t.Fatalf("not connected: %v", err)
}

// TestClient: actions get their own responses, errors carry Asterisk's message,
// lists collect their events, and a dropped connection comes back by itself;
// while it is down an action fails at once.
func TestClient(t *testing.T) {
	f := newFake(t, "amp111")
	c := &Client{Addr: f.ln.Addr().String(), User: "admin", Secret: "amp111", Timeout: 2 * time.Second}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	waitUp(t, c)

	if m, err := c.Do(ctx, "Ping"); err != nil || m["Ping"] != "Pong" {
		t.Errorf("Ping: %v %v", m, err)
	}
	if _, err := c.Do(ctx, "MixMonitorMute", "Channel", "PJSIP/nobody-9"); err == nil || !strings.Contains(err.Error(), "Cannot set mute flag") {
		t.Errorf("mute of a channel without MixMonitor: %v", err)
	}
	evs, err := c.List(ctx, "CoreShowChannels")
	if err != nil || len(evs) != 2 || evs[1]["Channel"] != "PJSIP/trunk-2" {
		t.Errorf("CoreShowChannels: %v %v", evs, err)
	}
	// Concurrent actions each get their own answer.
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ch := "PJSIP/100-1"
			if i%2 == 1 {
				ch = "PJSIP/x"
			}
			_, err := c.Do(ctx, "MixMonitorMute", "Channel", ch)
			if (err == nil) != (i%2 == 0) {
				t.Errorf("action %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	// A header smuggled in a value is cut at the line break: no Logoff.
	c.Do(ctx, "MixMonitorMute", "Channel", "PJSIP/100-1\r\n\r\nAction: Logoff")
	if _, err := c.Do(ctx, "Ping"); err != nil {
		t.Errorf("after a value with a line break: %v", err)
	}
	f.mu.Lock()
	if f.logins != 1 {
		t.Errorf("%d logins: the smuggled Logoff ended the session", f.logins)
	}
	f.mu.Unlock()

	// A list cut short by a lost connection is not a complete list.
	if evs, err := c.List(ctx, "DropMidList"); !errors.Is(err, ErrDown) {
		t.Errorf("a list cut short: %v %v", evs, err)
	}
	waitUp(t, c)

	f.drop()
	start := time.Now()
	for {
		_, err := c.Do(ctx, "Ping")
		if errors.Is(err, ErrDown) {
			break
		}
		if time.Since(start) > 3*time.Second {
			t.Fatalf("never down after the drop: %v", err)
		}
	}
	if time.Since(start) > 3*time.Second {
		t.Errorf("an action while down took %v", time.Since(start))
	}
	waitUp(t, c)
	if _, err := c.Do(ctx, "Ping"); err != nil {
		t.Errorf("after the reconnection: %v", err)
	}
	cancel()
	<-done
}

// TestClientWrongSecret: a refused login is reported, and retried, not fatal.
func TestClientWrongSecret(t *testing.T) {
	f := newFake(t, "amp111")
	c := &Client{Addr: f.ln.Addr().String(), User: "admin", Secret: "wrong"}
	ctx, cancel := context.WithCancel(context.Background())
	go c.Run(ctx)
	defer cancel()
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if _, err := c.Up(); err != nil {
			if !strings.Contains(err.Error(), "Authentication failed") {
				t.Errorf("the error: %v", err)
			}
			if _, err := c.Do(ctx, "Ping"); !errors.Is(err, ErrDown) {
				t.Errorf("an action without a login: %v", err)
			}
			return
		}
	}
	t.Fatal("no error reported for a wrong secret")
}
