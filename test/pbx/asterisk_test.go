package pbx_test

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

// callCase is one test call and the recording it must leave (none when want is nil).
type callCase struct {
	name string
	ext  string
	want *expect
}

// runCases places each case's call in turn and checks what it left.
func (k *kit) runCases(t *testing.T, cases []callCase) {
	t.Helper()
	w := k.watch(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := k.call(t, c.ext, 3)
			if c.want == nil {
				if len(p.files) != 0 {
					t.Fatalf("recorded, want not: %v", p.files)
				}
				return
			}
			if len(p.files) != 1 {
				t.Fatalf("want one recording, got %v", p.files)
			}
			k.check(t, w, p.files[0], *c.want)
		})
	}
}

// TestFreePBX29 is FreePBX 2.5-2.9's dialplan ([macro-record-enable]) with
// freepbx-overrides/extensions_override_freepbx.conf installed: every call is
// recorded, whatever the extension's policy, into YYYY/MM/DD with a 2.10+ name.
func TestFreePBX29(t *testing.T) {
	k := need(t)
	k.use(t, "a")
	from := k.logEnd(t)
	k.runCases(t, []callCase{
		{"internal", "100", &expect{typ: "internal", dest: "100", from: "101"}},
		{"trunk inbound", "110", &expect{typ: "in", dest: "100", from: "+79161234567"}},
		{"outbound", "200", &expect{typ: "out", dest: "200", from: "100"}},
		{"ring group", "300", &expect{typ: "rg", dest: "300", from: "102"}},
		{"policy never is recorded", "102", &expect{typ: "internal", dest: "102", from: "101"}},
		{"no recording in the dialplan", "500", nil},
	})
	k.noLogProblems(t, from)
}

// TestFreePBX16 is FreePBX 16's [sub-record-check] (callrecording 16) with the
// module's dialplan hook: total recording through recordcheck, and the hook in
// MIXMON_POST.
func TestFreePBX16(t *testing.T) {
	k := need(t)
	k.use(t, "b")
	from := k.logEnd(t)
	k.runCases(t, []callCase{
		{"internal", "100", &expect{typ: "internal", dest: "100", from: "101"}},
		{"trunk inbound", "110", &expect{typ: "in", dest: "74951110000", from: "+79161234567"}},
		{"outbound", "200", &expect{typ: "out", dest: "200", from: "100"}},
		{"ring group", "300", &expect{typ: "rg", dest: "300", from: "102"}},
		{"policy never is recorded", "102", &expect{typ: "internal", dest: "102", from: "101"}},
		{"no policy keys", "103", &expect{typ: "internal", dest: "103", from: "101"}},
		{"policy force", "104", &expect{typ: "internal", dest: "104", from: "101"}},
		{"ring group never is recorded", "301", &expect{typ: "rg", dest: "301", from: "102"}},
		{"no recording in the dialplan", "500", nil},
	})
	k.noLogProblems(t, from)
}

// TestForceNo: with TOTALREC_FORCE=no each generation's own per-extension policy
// decides again, exactly as without Totalrec, and the recording says so.
func TestForceNo(t *testing.T) {
	k := need(t)
	t.Run("2.9", func(t *testing.T) {
		k.use(t, "a")
		k.globals(t, "TOTALREC_FORCE = no")
		k.runCases(t, []callCase{
			{"policy Always", "100", &expect{typ: "internal", dest: "100", from: "101", recordedBy: "policy"}},
			{"policy Never", "102", nil},
		})
	})
	t.Run("16", func(t *testing.T) {
		k.use(t, "b")
		k.globals(t, "TOTALREC_FORCE = no")
		k.runCases(t, []callCase{
			{"policy dontcare", "100", nil},
			{"policy never", "102", nil},
			{"policy force", "104", &expect{typ: "internal", dest: "104", from: "101", recordedBy: "policy"}},
			{"ring group never", "301", nil},
		})
	})
}

// TestFormats: every MIXMON_FORMAT the kit records, on both generations, is named,
// catalogued and played back as its reference decoder decodes it.
func TestFormats(t *testing.T) {
	k := need(t)
	formats := []struct{ format, ext string }{
		{"wav", "wav"}, {"wav49", "WAV"}, {"gsm", "gsm"}, {"ulaw", "ulaw"}, {"alaw", "alaw"},
		{"sln", "sln"}, {"g722", "g722"}, {"wav16", "wav16"},
	}
	for _, flavour := range []string{"a", "b"} {
		t.Run(flavour, func(t *testing.T) {
			from := k.logEnd(t)
			var cases []callCase
			for _, f := range formats {
				cases = append(cases, callCase{f.format, "100", &expect{typ: "internal", dest: "100", from: "101", ext: f.ext}})
			}
			w := k.watch(t)
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					k.use(t, flavour, "--format", c.name)
					p := k.call(t, c.ext, 3)
					if len(p.files) != 1 {
						t.Fatalf("want one recording, got %v", p.files)
					}
					k.check(t, w, p.files[0], *c.want)
				})
			}
			k.noLogProblems(t, from)
		})
	}
}

// TestMixmonPost: an administrator's own MIXMON_POST still runs, after the hook,
// with MixMonitor's ^{} substitutions intact.
func TestMixmonPost(t *testing.T) {
	k := need(t)
	marker := filepath.Join(t.TempDir(), "post")
	post := fmt.Sprintf("echo ^{MIXMONITOR_FILENAME} >> %s", marker)
	check := func(t *testing.T) {
		w := k.watch(t)
		p := k.call(t, "100", 3)
		if len(p.files) != 1 {
			t.Fatalf("want one recording, got %v", p.files)
		}
		k.check(t, w, p.files[0], expect{typ: "internal", dest: "100", from: "101"})
		b, err := os.ReadFile(marker)
		if err != nil || !strings.Contains(string(b), p.files[0]) {
			t.Errorf("the administrator's MIXMON_POST did not run with the file's name: %q %v", b, err)
		}
		os.Remove(marker)
	}
	t.Run("2.9", func(t *testing.T) {
		k.use(t, "a")
		k.globals(t, "MIXMON_POST = "+post)
		check(t)
	})
	t.Run("16", func(t *testing.T) {
		k.use(t, "b", "--post", post)
		check(t)
	})
}

// TestDaemonDown: calls while the daemon is down are journalled by the hook and
// catalogued (and linked) as soon as it is back.
func TestDaemonDown(t *testing.T) {
	k := need(t)
	k.eachFlavour(t, func(t *testing.T, flavour string, w *watcher) {
		k.stopDaemon()
		p := k.call(t, "100", 3)
		if len(p.files) != 1 {
			k.startDaemon()
			t.Fatalf("want one recording, got %v", p.files)
		}
		j, err := os.ReadFile(filepath.Join(k.data, "journal", "hook.jsonl"))
		if err != nil || !strings.Contains(string(j), filepath.Base(p.files[0])) {
			t.Errorf("the hook did not journal %s: %q %v", p.files[0], j, err)
		}
		if err := k.startDaemon(); err != nil {
			t.Fatal(err)
		}
		r := k.waitLinked(t, p.files[0])
		k.checkAudio(t, r, filepath.Join(k.spool, p.files[0]))
	})
}

// TestReload: a call that spans `dialplan reload` is recorded whole, in one file.
func TestReload(t *testing.T) {
	k := need(t)
	k.eachFlavour(t, func(t *testing.T, flavour string, w *watcher) {
		p := k.during(t, 6, func() {
			k.mustAst(t, "channel originate Local/100@from-internal application Wait 6")
		}, func() { k.mustAst(t, "dialplan reload") })
		if len(p.files) != 1 {
			t.Fatalf("want one recording, got %v", p.files)
		}
		c := k.check(t, w, p.files[0], expect{typ: "internal", dest: "100", from: "101"})
		if c.rec.Duration < 4 {
			t.Errorf("a 6 s call across a reload left %.1f s of audio", c.rec.Duration)
		}
	})
}

// TestSIP: a call over PJSIP placed by SIPp is recorded like a Local one.
func TestSIP(t *testing.T) {
	k := need(t)
	sipp := envOr("AST_PREFIX", "/opt/ast") + "/sbin/sipp"
	if _, err := os.Stat(sipp); err != nil {
		t.Fatalf("no SIPp at %s: %v", sipp, err)
	}
	k.eachFlavour(t, func(t *testing.T, flavour string, w *watcher) {
		dir := t.TempDir()
		p := k.during(t, 4, func() {
			cmd := execIn(dir, sipp, "-sn", "uac", "127.0.0.1:5060", "-s", "100", "-m", "1", "-d", "4000",
				"-i", "127.0.0.1", "-p", "5070", "-mp", "6000", "-nostdin", "-timeout", "30s")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("sipp: %v\n%s", err, tail(string(out), 2000))
			}
		}, nil)
		if len(p.files) != 1 {
			t.Fatalf("want one recording, got %v", p.files)
		}
		c := k.check(t, w, p.files[0], expect{typ: "internal", dest: "100"})
		if !strings.HasPrefix(c.cdrs[0].Channel, "PJSIP/") {
			t.Errorf("the recorded leg's channel is %q, want PJSIP/…", c.cdrs[0].Channel)
		}
	})
}

// channel returns the name of the one channel up whose name starts with prefix
// and ends with suffix.
func (k *kit) channel(t *testing.T, prefix, suffix string) string {
	t.Helper()
	var found []string
	for _, c := range k.channels(t) {
		if strings.HasPrefix(c.name, prefix) && strings.HasSuffix(c.name, suffix) {
			found = append(found, c.name)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want one channel %s…%s, have %v", prefix, suffix, found)
	}
	return found[0]
}

// TestBlindTransfer: extension 100's call is blind-transferred by the answering
// phone to 101. The whole call stays in one file, and every CDR row of the
// transferred channel, before and after the transfer, names it.
func TestBlindTransfer(t *testing.T) {
	k := need(t)
	k.eachFlavour(t, func(t *testing.T, flavour string, w *watcher) {
		p := k.during(t, 8, func() {
			k.mustAst(t, "channel originate Local/100@from-internal application Wait 8")
		}, func() {
			amiDo(t, []string{"BlindTransfer", "Channel", k.channel(t, "Local/s@kit-phone-", ";1"), "Exten", "101", "Context", "from-internal"})
		})
		if len(p.files) != 1 {
			t.Fatalf("a transferred call left %d files, want one: %v", len(p.files), p.files)
		}
		c := k.check(t, w, p.files[0], expect{typ: "internal", dest: "100", from: "101", cdrRows: 2})
		rows := k.cdrRows(t, "uniqueid = ?", c.rec.UniqueID)
		for _, r := range rows {
			if r.RecordingFile != path.Base(p.files[0]) {
				t.Errorf("CDR row %+v does not name the recording", r)
			}
		}
		if c.rec.Duration < 6 {
			t.Errorf("an 8 s transferred call left %.1f s of audio", c.rec.Duration)
		}
	})
}

// TestQueue: a queue call is recorded on the member leg that answers (FreePBX's
// from-queue runs the extension's recording check). With the queue's own recording
// on, FreePBX 16 keeps one file (the queue's, in YYYY/MM/DD, hooked); FreePBX 2.9's
// queue writes its own flat q<queue>- file beside the member leg's, as
// freepbx-overrides/ documents, and a scan catalogues it.
func TestQueue(t *testing.T) {
	k := need(t)
	queueCall := func(t *testing.T, queue string) placed {
		return k.during(t, 6, func() {
			k.mustAst(t, "channel originate Local/"+queue+"@pbxsuite application Wait 6")
		}, nil)
	}
	k.eachFlavour(t, func(t *testing.T, flavour string, w *watcher) {
		t.Run("queue not recording", func(t *testing.T) {
			p := queueCall(t, "700")
			if len(p.files) != 1 {
				t.Fatalf("want the member leg's recording, got %v", p.files)
			}
			k.check(t, w, p.files[0], expect{typ: "internal", dest: "100", from: "101"})
		})
		t.Run("queue recording", func(t *testing.T) {
			p := queueCall(t, "701")
			if flavour == "b" {
				if len(p.files) != 1 {
					t.Fatalf("want one recording, got %v", p.files)
				}
				k.check(t, w, p.files[0], expect{typ: "q", dest: "701", from: "101"})
				return
			}
			var member, flat string
			for _, f := range p.files {
				switch {
				case strings.HasPrefix(f, "q701-"):
					flat = f
				case nameRE.MatchString(f):
					member = f
				}
			}
			if member == "" || flat == "" || len(p.files) != 2 {
				t.Fatalf("want the member leg's file and the queue's flat q701- file, got %v", p.files)
			}
			k.check(t, w, member, expect{typ: "internal", dest: "100", from: "101"})
			if out, err := k.totalrec("scan"); err != nil {
				t.Fatalf("scan: %v\n%s", err, out)
			}
			var pg pageJSON
			if _, err := k.api("/api/v1/recordings?since=2h&hide_empty=0&limit=1000&type=q", &pg); err != nil {
				t.Fatal(err)
			}
			found := false
			for _, r := range pg.Items {
				found = found || r.Path == flat
			}
			if !found {
				t.Errorf("the queue's own file %s is not catalogued after a scan", flat)
			}
		})
	})
}
