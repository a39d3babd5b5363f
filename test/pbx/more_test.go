package pbx_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// chanInfo is one line of `core show channels concise`.
type chanInfo struct {
	name, state, bridge string
}

// channels lists Asterisk's channels.
func (k *kit) channels(t *testing.T) []chanInfo {
	t.Helper()
	var out []chanInfo
	for _, line := range strings.Split(k.mustAst(t, "core show channels concise"), "\n") {
		// Channel!Context!Exten!Priority!State!App!Data!CallerID!Account!PeerAccount!AMA!Duration!BridgeID!UniqueID
		f := strings.Split(strings.TrimSpace(line), "!")
		if len(f) < 14 {
			continue
		}
		out = append(out, chanInfo{name: f[0], state: f[4], bridge: f[12]})
	}
	return out
}

// ringing and bridged are channel states to wait for.
func ringing(c chanInfo) bool { return c.state == "Ringing" }
func bridged(c chanInfo) bool { return c.state == "Up" && c.bridge != "" }

// waitChannel waits (10 s at most) until a channel whose name starts with prefix
// and ends with suffix is in the state ok accepts, and returns it.
func (k *kit) waitChannel(t *testing.T, prefix, suffix string, ok func(chanInfo) bool) chanInfo {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var seen []chanInfo
		for _, c := range k.channels(t) {
			if strings.HasPrefix(c.name, prefix) && strings.HasSuffix(c.name, suffix) {
				if ok(c) {
					return c
				}
				seen = append(seen, c)
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no channel %s…%s in the state wanted after 10 s; have %+v", prefix, suffix, seen)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitGone waits (10 s at most) until the channel name has hung up.
func (k *kit) waitGone(t *testing.T, name string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		gone := true
		for _, c := range k.channels(t) {
			gone = gone && c.name != name
		}
		if gone {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s still up after 10 s", name)
}

// amiDo runs AMI actions, each a name and its key/value pairs, on one connection.
func amiDo(t *testing.T, actions ...[]string) {
	t.Helper()
	a, err := dialAMI()
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	for _, act := range actions {
		if _, err := a.action(act[0], act[1:]...); err != nil {
			t.Fatal(err)
		}
	}
}

// TestFollowMe: a follow-me call, modelled on each generation's generated dialplan
// (testdata/extensions_suite.*.conf, [pbxsuite-followme]): the follow-me checks
// recording on the caller's channel, then rings the extension's own phone (not
// answered) and an external number through an outbound route (answers). The answered
// call leaves one recording: the route's own check on the member leg finds the call
// already recording. FreePBX 2.9 names it as a group (rg-<follow-me number>), FreePBX
// 16 as a call to the extension.
func TestFollowMe(t *testing.T) {
	k := need(t)
	k.mustAst(t, "database put AMPUSER 100/followme/grplist 100-5551234#")
	t.Cleanup(func() { k.ast("database del AMPUSER 100/followme/grplist") })
	for _, c := range []struct {
		flavour string
		want    expect
	}{
		{"a", expect{typ: "rg", dest: "100", from: "101"}},
		{"b", expect{typ: "internal", dest: "100", from: "101"}},
	} {
		t.Run(c.flavour, func(t *testing.T) {
			k.use(t, c.flavour)
			from := k.logEnd(t)
			w := k.watch(t)
			p := k.during(t, 3, func() {
				k.mustAst(t, "channel originate Local/100@pbxsuite-followme application Wait 3")
			}, nil)
			if len(p.files) != 1 {
				t.Fatalf("an answered follow-me call left %d files, want one: %v", len(p.files), p.files)
			}
			k.check(t, w, p.files[0], c.want)
			k.noLogProblems(t, from)
		})
	}
}

// TestPickup: extension 100's phone rings and is not answered; another phone picks
// the call up (FreePBX's directed pickup, **100). The recording started on the
// caller's channel goes on into the picked-up call: one file, with the audio of the
// call after the pickup (only bridged audio is recorded, so none of the ringing).
func TestPickup(t *testing.T) {
	k := need(t)
	k.eachFlavour(t, func(t *testing.T, flavour string, w *watcher) {
		p := k.during(t, 4, func() {
			// The caller's Wait starts when the call is answered, i.e. picked up.
			k.mustAst(t, "channel originate Local/710@pbxsuite application Wait 4")
			k.waitChannel(t, "Local/100@pbxsuite-ringing-", ";1", ringing)
			k.mustAst(t, "channel originate Local/s@kit-phone/n extension **100@pbxsuite-pickup")
		}, nil)
		if len(p.files) != 1 {
			t.Fatalf("a picked-up call left %d files, want one: %v", len(p.files), p.files)
		}
		c := k.check(t, w, p.files[0], expect{typ: "internal", dest: "100", from: "101"})
		if c.rec.Duration < 3 {
			t.Errorf("4 s of a picked-up call left %.1f s of audio", c.rec.Duration)
		}
	})
}

// waitFile waits (5 s at most) until the spool's top directory has a file whose name
// matches re, modified since since.
func (k *kit) waitFile(t *testing.T, re *regexp.Regexp, since time.Time) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		entries, _ := os.ReadDir(k.spool)
		for _, e := range entries {
			if fi, err := e.Info(); err == nil && re.MatchString(e.Name()) && !fi.ModTime().Before(since.Truncate(time.Second)) {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no file matching %s in %s after 5 s", re, k.spool)
}

// stat is os.Stat of a spool file.
func (k *kit) stat(t *testing.T, rel string) os.FileInfo {
	t.Helper()
	fi, err := os.Stat(filepath.Join(k.spool, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return fi
}
