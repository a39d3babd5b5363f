// Package nodes lets one Totalrec read the recordings another node of the same
// catalogue keeps on its disk: several PBXs write one catalogue, each keeps its
// recent recordings in its own spool, and any `totalrec serve` plays them by
// asking the node that holds them.
//
// A read is an HTTP request to the holding node's web server,
//
//	GET /node/recordings/ID/file   Authorization: Totalrec-Node TOKEN   Range: bytes=…
//
// where TOKEN is ID, an expiry and an HMAC-SHA256 of both under the secret the
// nodes share (node_secret). A token opens one recording's bytes for a minute and
// nothing else: the holding node looks the recording up by its ID in the
// catalogue, serves it only if the row is its own and on its disk, and never
// takes a path from the request. Each request of a read is signed afresh.
package nodes

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/totalrec/totalrec/internal/ranged"
	"github.com/totalrec/totalrec/recordings"
)

// Scheme is the Authorization scheme of a node's read.
const Scheme = "Totalrec-Node "

// tokenTTL is how long a token is good for, and maxSkew how far its expiry may be
// beyond that (the two nodes' clocks differ).
const (
	tokenTTL = time.Minute
	maxSkew  = 2 * time.Minute
)

// ErrToken: a read's token is missing, malformed, expired or not signed with the
// shared secret.
var ErrToken = errors.New("invalid node token")

// Sign returns the token that lets its bearer read recording id until now+tokenTTL.
func Sign(secret []byte, id int64, now time.Time) string {
	payload := strconv.FormatInt(id, 10) + "." + strconv.FormatInt(now.Add(tokenTTL).Unix(), 10)
	return payload + "." + mac(secret, payload)
}

// Check verifies that token lets its bearer read recording id at now.
func Check(secret []byte, token string, id int64, now time.Time) error {
	if len(secret) == 0 {
		return fmt.Errorf("%w: no node secret is configured", ErrToken)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return fmt.Errorf("%w: malformed", ErrToken)
	}
	payload := parts[0] + "." + parts[1]
	if !hmac.Equal([]byte(parts[2]), []byte(mac(secret, payload))) {
		return fmt.Errorf("%w: not signed with this catalogue's node secret", ErrToken)
	}
	tid, err1 := strconv.ParseInt(parts[0], 10, 64)
	exp, err2 := strconv.ParseInt(parts[1], 10, 64)
	switch {
	case err1 != nil || err2 != nil:
		return fmt.Errorf("%w: malformed", ErrToken)
	case tid != id:
		return fmt.Errorf("%w: it is for recording %d", ErrToken, tid)
	case now.Unix() > exp:
		return fmt.Errorf("%w: expired", ErrToken)
	case exp > now.Add(tokenTTL+maxSkew).Unix():
		return fmt.Errorf("%w: it expires too far ahead", ErrToken)
	}
	return nil
}

func mac(secret []byte, payload string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(payload))
	return hex.EncodeToString(m.Sum(nil))
}

// Path is where a node serves recording id's file, below its base URL.
func Path(id int64) string { return "/node/recordings/" + strconv.FormatInt(id, 10) + "/file" }

// ErrUnreachable: the node that holds a recording is unknown here, or does not
// answer.
var ErrUnreachable = errors.New("node unreachable")

// Client reads recordings from the nodes that hold them.
type Client struct {
	// URLs is each node's web server, as this one reaches it (its base path
	// included): "pbx1" → "https://pbx1.example.com/totalrec".
	URLs   map[string]string
	Secret []byte
	HTTP   *http.Client // nil: a client with a 10-second timeout per request
	Now    func() time.Time
}

// File is a recording's file on another node, read with ranged requests.
type File struct {
	*ranged.Reader
}

// Open asks node for recording id's size and returns a reader of its bytes.
// Every read is a ranged GET with a token of its own.
func (c *Client) Open(ctx context.Context, node string, id int64) (*File, error) {
	base, ok := c.URLs[node]
	if !ok {
		return nil, fmt.Errorf("recording %d is on node %q, which is not in this server's nodes setting: %w", id, node, ErrUnreachable)
	}
	res, err := c.do(ctx, http.MethodHead, base, id, "")
	if err != nil {
		return nil, err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, c.refused(node, id, res)
	}
	if res.ContentLength < 0 {
		return nil, fmt.Errorf("node %s did not say the size of recording %d", node, id)
	}
	get := func(p []byte, off int64) (int, error) {
		res, err := c.do(ctx, http.MethodGet, base, id, fmt.Sprintf("bytes=%d-%d", off, off+int64(len(p))-1))
		if err != nil {
			return 0, err
		}
		defer res.Body.Close()
		if res.StatusCode != http.StatusPartialContent {
			return 0, c.refused(node, id, res)
		}
		n, err := io.ReadFull(res.Body, p)
		if err != nil {
			return n, fmt.Errorf("read recording %d from node %s: %w", id, node, err)
		}
		return n, nil
	}
	return &File{Reader: ranged.New(fmt.Sprintf("recording %d on node %s", id, node), res.ContentLength, get)}, nil
}

func (c *Client) do(ctx context.Context, method, base string, id int64, rng string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, base+Path(id), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", Scheme+Sign(c.Secret, id, c.now()))
	if rng != "" {
		req.Header.Set("Range", rng)
	}
	hc := c.HTTP
	if hc == nil {
		hc = defaultHTTP
	}
	res, err := hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("read recording %d from %s: %w: %w", id, base, ErrUnreachable, err)
	}
	return res, nil
}

var defaultHTTP = &http.Client{Timeout: 10 * time.Second}

// refused says why a node did not serve a read.
func (c *Client) refused(node string, id int64, res *http.Response) error {
	switch res.StatusCode {
	case http.StatusNotFound, http.StatusGone:
		return fmt.Errorf("node %s does not have recording %d on its disk: %w", node, id, recordings.ErrNotFound)
	case http.StatusUnauthorized, http.StatusForbidden:
		return fmt.Errorf("node %s refused this server's token for recording %d (is node_secret the same on both?): %w", node, id, ErrUnreachable)
	}
	return fmt.Errorf("node %s answered %s for recording %d: %w", node, res.Status, id, ErrUnreachable)
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}
