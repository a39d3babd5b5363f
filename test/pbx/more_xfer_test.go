package pbx_test

import (
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestAttendedTransfer: extension 101 calls 100 (recorded on the caller's channel);
// the answering phone starts an attended transfer to 101 (AMI Atxfer: *2 and the
// digits, as the phone would send them), and completes it by hanging up once the
// consultation leg is up. What stays, on both generations, is one file: the
// transferee's, from the first answer to the end of the call with 101. Its CDR rows
// before and after the transfer name it, and so does the row of the new leg to 101,
// whose recording check finds the call already recording (FreePBX 2.9: the inherited
// TOTALREC_STATUS; FreePBX 16: the module's attended-transfer line in
// [sub-record-check] s, without which FreePBX 16 started a second file on that leg).
//
// The transferer's own consultation row (100 dialling 101 while the caller holds)
// does not name it, on either generation: that conversation is not in the file
// (MixMonitor records the transferee's channel, which hears music on hold), and the
// transferer runs no dialplan during the transfer (Asterisk's atxfer feature dials
// the new leg), so no recording dialplan can set that row's recordingfile.
func TestAttendedTransfer(t *testing.T) {
	k := need(t)
	k.eachFlavour(t, func(t *testing.T, flavour string, w *watcher) {
		var xferer chanInfo
		var answered, transferred time.Time
		p := k.during(t, 0, func() {
			k.mustAst(t, "channel originate Local/720@pbxsuite application Wait 60")
			caller := k.waitChannel(t, "Local/720@pbxsuite-", ";2", bridged)
			xferer = k.waitChannel(t, "Local/s@kit-phone-", ";1", bridged)
			answered = time.Now()
			time.Sleep(time.Second) // talk before the transfer
			// "#" ends the digits at once (no transferdigittimeout).
			amiDo(t, []string{"Atxfer", "Channel", xferer.name, "Exten", "101#", "Context", "from-internal"})
			k.waitChannel(t, "Local/101@from-internal-", ";1", bridged)
			amiDo(t, []string{"Hangup", "Channel", xferer.name})
			k.waitGone(t, xferer.name)
			transferred = time.Now()
			time.Sleep(3 * time.Second) // talk after the transfer
			amiDo(t, []string{"Hangup", "Channel", caller.name})
		}, nil)
		if len(p.files) != 1 {
			t.Fatalf("an attended transfer left %d files, want one: %v", len(p.files), p.files)
		}
		name := path.Base(p.files[0])
		c := k.check(t, w, p.files[0], expect{typ: "internal", dest: "100", from: "101", cdrRows: 3})
		// The file goes on after the transfer: at least half of the 3 s talk with 101
		// (the kit's Local calls lose up to a second of a call's audio).
		if before := transferred.Sub(answered).Seconds(); c.rec.Duration < before+1.5 {
			t.Errorf("%.1f s of audio: the call lasted %.1f s before the transfer completed and 3 s after", c.rec.Duration, before)
		}
		rows := k.cdrRows(t, "uniqueid = ?", c.rec.UniqueID)
		if len(rows) < 2 {
			t.Errorf("the transferee has %d CDR rows, want one before and one after the transfer: %+v", len(rows), rows)
		}
		for _, r := range rows {
			if r.RecordingFile != name {
				t.Errorf("the transferee's CDR row %+v does not name the recording", r)
			}
		}
		legs := k.cdrRows(t, "linkedid = ? AND channel LIKE 'Local/101@from-internal-%;2'", c.rec.LinkedID)
		if len(legs) != 1 || legs[0].RecordingFile != name {
			t.Errorf("the new leg to 101 should have one CDR row naming the recording: %+v", legs)
		}
		cons := k.cdrRows(t, "linkedid = ? AND channel = ?", c.rec.LinkedID, xferer.name)
		if len(cons) != 1 || !strings.HasPrefix(cons[0].DstChannel, "Local/101@from-internal-") || cons[0].RecordingFile != "" {
			t.Errorf("want the transferer's consultation row, without the recording (see the test's comment): %+v", cons)
		}
	})
}

// autoRE is Asterisk's one-touch (automixmon) name without TOUCH_MIXMONITOR:
// auto-<epoch>-<caller ID of the party pressing *1>-<caller ID of its peer>.<format>,
// in the monitor directory itself.
var autoRE = regexp.MustCompile(`^auto-\d+-[^/]+\.wav$`)

// TestOneTouch: one-touch recording, *1 (the kit's features.conf maps automixmon to
// *1; FreePBX 2.9 offers it through the x/X dial options, here X and x on 720),
// pressed during a recorded call. The digits reach the bridge as the phone's would
// (AMI PlayDTMF with Receive). automixmon toggles a MixMonitor on the peer of the
// party pressing *1, so which side presses decides what happens:
//
//   - the caller (its own channel holds Totalrec's recording): Asterisk starts a
//     second recording on the called party's channel, named auto-… in the flat
//     monitor directory and without a post-command (as freepbx-overrides/ documents):
//     the hook does not catalogue it, a scan does. Totalrec's file goes on, whole.
//   - the called party: its peer is the caller, whose channel already has a
//     MixMonitor (Totalrec's), so automixmon stops that one: the call's file ends at
//     *1 and no other is started. No dialplan can prevent this (Asterisk counts any
//     MixMonitor on the peer as the one to toggle); a PBX that records every call
//     should not give the called party one-touch recording (FreePBX 2.9's x option).
//
// On both generations alike: the kit maps *1 to automixmon for both; FreePBX 16's own
// *1 (the apprecord feature, macro-one-touch-record) is not in the kit.
func TestOneTouch(t *testing.T) {
	k := need(t)
	press := func(t *testing.T, channel string) {
		amiDo(t, []string{"PlayDTMF", "Channel", channel, "Digit", "*", "Receive", "yes"},
			[]string{"PlayDTMF", "Channel", channel, "Digit", "1", "Receive", "yes"})
	}
	k.eachFlavour(t, func(t *testing.T, flavour string, w *watcher) {
		t.Run("caller", func(t *testing.T) {
			p := k.during(t, 0, func() {
				k.mustAst(t, "channel originate Local/720@pbxsuite application Wait 60")
				caller := k.waitChannel(t, "Local/720@pbxsuite-", ";2", bridged)
				time.Sleep(time.Second)
				at := time.Now()
				press(t, caller.name)
				k.waitFile(t, autoRE, at)
				time.Sleep(2 * time.Second)
				amiDo(t, []string{"Hangup", "Channel", caller.name})
			}, nil)
			var total, auto string
			for _, f := range p.files {
				switch {
				case nameRE.MatchString(f):
					total = f
				case autoRE.MatchString(f):
					auto = f
				}
			}
			if total == "" || auto == "" || len(p.files) != 2 {
				t.Fatalf("want the call's recording and a one-touch auto- file, got %v", p.files)
			}
			c := k.check(t, w, total, expect{typ: "internal", dest: "100", from: "101"})
			if c.rec.Duration < 2.5 {
				t.Errorf("a call of about 3 s left %.1f s of audio after *1", c.rec.Duration)
			}
			if _, seen := w.firstSeen(auto); seen {
				t.Errorf("%s catalogued before a scan: automixmon runs no post-command", auto)
			}
			if out, err := k.totalrec("scan"); err != nil {
				t.Fatalf("scan: %v\n%s", err, out)
			}
			var pg pageJSON
			if _, err := k.api("/api/v1/recordings?since=2h&hide_empty=0&limit=1000&type=auto", &pg); err != nil {
				t.Fatal(err)
			}
			var r *recJSON
			for i := range pg.Items {
				if pg.Items[i].Path == auto {
					r = &pg.Items[i]
				}
			}
			if r == nil {
				t.Fatalf("the one-touch file %s is not catalogued after a scan", auto)
			}
			if r.Type != "auto" || r.From != "101" {
				t.Errorf("%s: type %q from %q, want auto from 101", auto, r.Type, r.From)
			}
			k.checkAudio(t, *r, filepath.Join(k.spool, auto))
		})
		t.Run("called party", func(t *testing.T) {
			var pressed time.Time
			p := k.during(t, 0, func() {
				k.mustAst(t, "channel originate Local/720@pbxsuite application Wait 60")
				caller := k.waitChannel(t, "Local/720@pbxsuite-", ";2", bridged)
				callee := k.waitChannel(t, "Local/s@kit-phone-", ";1", bridged)
				time.Sleep(time.Second)
				press(t, callee.name)
				pressed = time.Now()
				time.Sleep(3 * time.Second)
				amiDo(t, []string{"Hangup", "Channel", caller.name})
			}, nil)
			if len(p.files) != 1 {
				t.Fatalf("want only the call's recording, got %v", p.files)
			}
			// Closed before the call's CDR row was written, the file is linked on the
			// daemon's first retry, 15 s later: everything else is checked.
			r := k.check(t, w, p.files[0], expect{typ: "internal", dest: "100", from: "101", unlinked: true}).rec
			// Recorded from the answer to *1, about 1 s; the call went on for 3 s more.
			if r.Duration > 2.5 {
				t.Errorf("%.1f s recorded: *1 by the called party did not stop the recording", r.Duration)
			}
			if fi := k.stat(t, p.files[0]); fi.ModTime().After(pressed.Add(time.Second)) {
				t.Errorf("the recording was closed %v after *1, not at *1", fi.ModTime().Sub(pressed).Round(time.Millisecond))
			}
		})
	})
}
