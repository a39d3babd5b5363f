package pbx_test

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"time"
)

// ami is a minimal Asterisk Manager Interface client: enough to log in and send
// the actions a test needs (transfers), reading each action's response.
type ami struct {
	conn net.Conn
	r    *bufio.Reader
	n    int
}

// dialAMI logs in to the kit's AMI (127.0.0.1:5038, admin/amp111).
func dialAMI() (*ami, error) {
	conn, err := net.DialTimeout("tcp", "127.0.0.1:5038", 5*time.Second)
	if err != nil {
		return nil, err
	}
	a := &ami{conn: conn, r: bufio.NewReader(conn)}
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := a.r.ReadString('\n'); err != nil { // "Asterisk Call Manager/…"
		conn.Close()
		return nil, err
	}
	if _, err := a.action("Login", "Username", "admin", "Secret", "amp111", "Events", "off"); err != nil {
		conn.Close()
		return nil, err
	}
	return a, nil
}

// action sends an action with key/value pairs and returns its response's fields;
// a response other than Success is an error.
func (a *ami) action(name string, kv ...string) (map[string]string, error) {
	a.n++
	id := fmt.Sprintf("t%d", a.n)
	var b strings.Builder
	fmt.Fprintf(&b, "Action: %s\r\nActionID: %s\r\n", name, id)
	for i := 0; i+1 < len(kv); i += 2 {
		fmt.Fprintf(&b, "%s: %s\r\n", kv[i], kv[i+1])
	}
	b.WriteString("\r\n")
	a.conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := a.conn.Write([]byte(b.String())); err != nil {
		return nil, err
	}
	for {
		msg := map[string]string{}
		for {
			line, err := a.r.ReadString('\n')
			if err != nil {
				return nil, err
			}
			line = strings.TrimRight(line, "\r\n")
			if line == "" {
				break
			}
			k, v, _ := strings.Cut(line, ": ")
			msg[k] = v
		}
		if msg["ActionID"] != id || msg["Response"] == "" {
			continue // an event, or another action's answer
		}
		if msg["Response"] != "Success" {
			return msg, fmt.Errorf("AMI %s: %s", name, msg["Message"])
		}
		return msg, nil
	}
}

func (a *ami) close() {
	a.action("Logoff")
	a.conn.Close()
}
