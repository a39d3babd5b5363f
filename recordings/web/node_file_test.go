package web

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/nodes"
)

// TestNodeReads: a server whose recordings are on another node's disk reads
// them from that node, with Range; the node serves only to a token signed with
// the shared secret, for that recording, in time, and only its own recordings.
func TestNodeReads(t *testing.T) {
	f := newFixture(t, 1, 4, nil)
	secret := []byte("a secret the nodes share")
	clock := func() time.Time { return now }
	agent := f.withOptions(t, func(o *Options) { o.NodeSecret = secret })
	central := f.withOptions(t, func(o *Options) {
		o.Node = "central"
		o.Nodes = &nodes.Client{URLs: map[string]string{"": agent.http.URL}, Secret: secret, Now: clock}
	})
	rec := f.find(t, recordings.Query{}, func(r recordings.Recording) bool { return r.State == recordings.StateOK })
	orig := f.readFile(t, rec)
	id := strconv.FormatInt(rec.ID, 10)

	res, body := central.get(t, "/api/v1/recordings/"+id+"/original", "Range", "bytes=100-999")
	if res.StatusCode != http.StatusPartialContent || !bytes.Equal(body, orig[100:1000]) {
		t.Errorf("a range of another node's recording: %d, %d bytes", res.StatusCode, len(body))
	}
	if res, body := central.get(t, "/api/v1/recordings/"+id+"/original"); res.StatusCode != http.StatusOK || !bytes.Equal(body, orig) {
		t.Errorf("another node's recording: %d, %d bytes", res.StatusCode, len(body))
	}
	if res, _ := central.get(t, "/api/v1/recordings/"+id+"/audio"); res.StatusCode != http.StatusOK {
		t.Errorf("audio of another node's recording: %d", res.StatusCode)
	}

	// The node's side: tokens.
	read := func(g *fixture, auth string) int {
		t.Helper()
		res, _ := g.anonymous().get(t, nodes.Path(rec.ID), "Authorization", auth, "Range", "bytes=0-9")
		return res.StatusCode
	}
	good := nodes.Scheme + nodes.Sign(secret, rec.ID, now)
	if got := read(agent, good); got != http.StatusPartialContent {
		t.Errorf("a good token: %d", got)
	}
	for name, auth := range map[string]string{
		"no token":           "",
		"a session's bearer": "Bearer " + strings.Repeat("a", 40),
		"another secret":     nodes.Scheme + nodes.Sign([]byte("another secret entirely"), rec.ID, now),
		"another recording":  nodes.Scheme + nodes.Sign(secret, rec.ID+1, now),
		"expired":            nodes.Scheme + nodes.Sign(secret, rec.ID, now.Add(-2*time.Minute)),
		"far ahead":          nodes.Scheme + nodes.Sign(secret, rec.ID, now.Add(time.Hour)),
		"tampered":           strings.Replace(good, strconv.FormatInt(rec.ID, 10)+".", strconv.FormatInt(rec.ID, 10)+"1.", 1),
	} {
		if got := read(agent, auth); got != http.StatusUnauthorized {
			t.Errorf("%s: %d, want 401", name, got)
		}
	}
	// A node serves only its own recordings, and none without a secret.
	other := f.withOptions(t, func(o *Options) { o.Node = "pbx2"; o.NodeSecret = secret })
	if got := read(other, good); got != http.StatusNotFound {
		t.Errorf("another node's recording from pbx2: %d", got)
	}
	if got := read(f, good); got != http.StatusNotFound {
		t.Errorf("a node without a secret: %d", got)
	}

	// A central server with the wrong secret says the node cannot be read.
	wrong := f.withOptions(t, func(o *Options) {
		o.Node = "central"
		o.Nodes = &nodes.Client{URLs: map[string]string{"": agent.http.URL}, Secret: []byte("not the shared secret"), Now: clock}
	})
	if res, body := wrong.get(t, "/api/v1/recordings/"+id+"/original"); res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "node_unavailable") {
		t.Errorf("with the wrong secret: %d %s", res.StatusCode, body)
	}
}

// TestSearchNamesNodes: on a catalogue several PBXs share, the search page names
// each recording's PBX, and node= finds one PBX's.
func TestSearchNamesNodes(t *testing.T) {
	f := newFixture(t, 1, 4, nil)
	rec := f.find(t, recordings.Query{}, func(r recordings.Recording) bool { return r.State == recordings.StateOK })
	if _, err := f.cat.DB().ExecContext(t.Context(), `UPDATE totalrec_recordings SET node = 'pbx9' WHERE id = ?`, rec.ID); err != nil {
		t.Fatal(err)
	}
	_, body := f.get(t, "/")
	if !strings.Contains(string(body), `<span class="cnam node">pbx9</span>`) {
		t.Errorf("the search page does not name the node")
	}
	_, body = f.get(t, "/?node=pbx9")
	if n := strings.Count(string(body), `<tr class="state-`); n != 1 {
		t.Errorf("node=pbx9 lists %d recordings, want 1", n)
	}
}
