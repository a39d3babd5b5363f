package ami

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ErrDown: the connection to Asterisk is not up; the client is reconnecting.
var ErrDown = errors.New("asterisk manager interface not connected")

// Message is one AMI message: its header lines as keys and values.
type Message map[string]string

// Client keeps one logged-in AMI connection.
type Client struct {
	Addr, User, Secret string
	Log                *slog.Logger
	// Timeout bounds one action; 0 = 5 s.
	Timeout time.Duration

	mu      sync.Mutex
	conn    net.Conn
	w       *bufio.Writer
	waiting map[string]*call
	next    int
	lastErr error
}

// call is an action waiting for its response and, for a list, its events.
type call struct {
	resp   Message
	events []Message
	list   bool
	done   chan struct{}
}

// Backoff between connection attempts.
const (
	minBackoff = time.Second
	maxBackoff = 30 * time.Second
)

// Run connects, logs in and reads until ctx ends, reconnecting with backoff
// whenever the connection fails. It returns when ctx ends.
func (c *Client) Run(ctx context.Context) {
	backoff := minBackoff
	for ctx.Err() == nil {
		start := time.Now()
		err := c.session(ctx)
		if ctx.Err() != nil {
			return
		}
		c.mu.Lock()
		c.lastErr = err
		c.mu.Unlock()
		if time.Since(start) > maxBackoff {
			backoff = minBackoff // it was up a while: this is a new failure
		}
		c.logger().Warn("asterisk manager connection lost; reconnecting", slog.String("address", c.Addr),
			slog.Any("error", err), slog.Duration("in", backoff))
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, maxBackoff)
	}
}

// Up reports whether the connection is up, and the last error when not.
func (c *Client) Up() (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.conn != nil, c.lastErr
}

// session runs one connection: dial, banner, login, then read until it fails.
func (c *Client) session(ctx context.Context) error {
	d := net.Dialer{Timeout: c.timeout()}
	conn, err := d.DialContext(ctx, "tcp", c.Addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	r := bufio.NewReader(conn)
	conn.SetReadDeadline(time.Now().Add(c.timeout()))
	banner, err := r.ReadString('\n')
	if err != nil {
		return fmt.Errorf("read the banner: %w", err)
	}
	if !strings.HasPrefix(banner, "Asterisk Call Manager") {
		return fmt.Errorf("%s is not an Asterisk manager interface (it says %q)", c.Addr, strings.TrimSpace(banner))
	}
	w := bufio.NewWriter(conn)
	if err := writeAction(w, "Login", "login", "Username", c.User, "Secret", c.Secret, "Events", "off"); err != nil {
		return err
	}
	var resp Message
	for resp["Response"] == "" { // events may come first
		if resp, err = readMessage(r); err != nil {
			return fmt.Errorf("log in: %w", err)
		}
	}
	if resp["Response"] != "Success" {
		return fmt.Errorf("log in as %q: %s", c.User, resp["Message"])
	}
	conn.SetReadDeadline(time.Time{})
	c.mu.Lock()
	c.conn, c.w, c.waiting, c.lastErr = conn, w, map[string]*call{}, nil
	c.mu.Unlock()
	c.logger().Info("asterisk manager connected", slog.String("address", c.Addr))
	err = c.read(r)
	c.mu.Lock()
	for _, w := range c.waiting {
		if w.list {
			w.resp = nil // its events were cut short: not a complete list
		}
		close(w.done)
	}
	c.conn, c.w, c.waiting = nil, nil, nil
	c.mu.Unlock()
	return err
}

// read hands each response and list event to the action waiting for it.
func (c *Client) read(r *bufio.Reader) error {
	for {
		m, err := readMessage(r)
		if err != nil {
			return err
		}
		id := m["ActionID"]
		c.mu.Lock()
		w := c.waiting[id]
		switch {
		case w == nil:
		case m["Response"] != "":
			w.resp = m
			if !w.list || m["Response"] != "Success" || !strings.Contains(strings.ToLower(m["EventList"]+m["Message"]), "follow") {
				delete(c.waiting, id)
				close(w.done)
			}
		case m["Event"] != "":
			if m["EventList"] == "Complete" {
				delete(c.waiting, id)
				close(w.done)
			} else {
				w.events = append(w.events, m)
			}
		}
		c.mu.Unlock()
	}
}

// Do sends an action and returns its response. A response other than Success
// is an error carrying Asterisk's message.
func (c *Client) Do(ctx context.Context, action string, kv ...string) (Message, error) {
	w, err := c.send(ctx, action, false, kv)
	if err != nil {
		return nil, err
	}
	return w.resp, nil
}

// List sends an action whose answer is a list of events (CoreShowChannels) and
// returns the events.
func (c *Client) List(ctx context.Context, action string, kv ...string) ([]Message, error) {
	w, err := c.send(ctx, action, true, kv)
	if err != nil {
		return nil, err
	}
	return w.events, nil
}

func (c *Client) send(ctx context.Context, action string, list bool, kv []string) (*call, error) {
	c.mu.Lock()
	if c.conn == nil {
		c.mu.Unlock()
		return nil, fmt.Errorf("%s: %w", action, ErrDown)
	}
	c.next++
	id := "totalrec-" + strconv.Itoa(c.next)
	w := &call{list: list, done: make(chan struct{})}
	c.waiting[id] = w
	c.conn.SetWriteDeadline(time.Now().Add(c.timeout()))
	err := writeAction(c.w, action, id, kv...)
	conn := c.conn
	c.mu.Unlock()
	if err != nil {
		conn.Close() // the reader sees it and reconnects
		return nil, fmt.Errorf("%s: %w", action, err)
	}
	t := time.NewTimer(c.timeout())
	defer t.Stop()
	select {
	case <-w.done:
	case <-ctx.Done():
		c.forget(id)
		return nil, ctx.Err()
	case <-t.C:
		c.forget(id)
		return nil, fmt.Errorf("%s: no answer in %s", action, c.timeout())
	}
	if w.resp == nil {
		return nil, fmt.Errorf("%s: %w", action, ErrDown)
	}
	if w.resp["Response"] != "Success" {
		return w, fmt.Errorf("%s: %s", action, w.resp["Message"])
	}
	return w, nil
}

func (c *Client) forget(id string) {
	c.mu.Lock()
	delete(c.waiting, id)
	c.mu.Unlock()
}

func (c *Client) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return 5 * time.Second
}

func (c *Client) logger() *slog.Logger {
	if c.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Log
}

// writeAction writes one action. Values never hold a line break: a caller's
// value with one is cut there, so that it cannot add a header of its own.
func writeAction(w *bufio.Writer, action, id string, kv ...string) error {
	fmt.Fprintf(w, "Action: %s\r\nActionID: %s\r\n", action, id)
	for i := 0; i+1 < len(kv); i += 2 {
		v, _, _ := strings.Cut(kv[i+1], "\n")
		v, _, _ = strings.Cut(v, "\r")
		fmt.Fprintf(w, "%s: %s\r\n", kv[i], v)
	}
	w.WriteString("\r\n")
	return w.Flush()
}

// maxMessage bounds one message's header lines.
const maxMessage = 1000

// readMessage reads one message: header lines up to an empty line.
func readMessage(r *bufio.Reader) (Message, error) {
	m := Message{}
	for n := 0; ; n++ {
		line, err := r.ReadString('\n')
		if err != nil {
			return nil, err
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			if len(m) == 0 {
				continue
			}
			return m, nil
		}
		if n > maxMessage {
			return nil, errors.New("a manager message of more than 1000 lines")
		}
		k, v, _ := strings.Cut(line, ":")
		m[k] = strings.TrimSpace(v)
	}
}
