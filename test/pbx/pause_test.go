package pbx_test

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// pauseJSON is a pause as the recording's API returns it.
type pauseJSON struct {
	From float64 `json:"from"`
	To   float64 `json:"to"`
	By   string  `json:"by"`
}

// TestPause: the recording says which policy made it (Totalrec's, forced), and
// two seconds into an answered call, the recording is paused through
// `totalrec pause` on the answering phone's channel (as the feature code runs
// it; MixMonitor runs on the other leg), and resumed two seconds later. The file
// is silent exactly then and not around it, and the recording's API places the
// pause there.
func TestPause(t *testing.T) {
	k := need(t)
	k.eachFlavour(t, func(t *testing.T, flavour string, w *watcher) {
		var onBefore, onAfter, offBefore, offAfter time.Time
		p := k.during(t, 9, func() {
			k.mustAst(t, "channel originate Local/100@from-internal application Wait 9")
			phone := k.waitChannel(t, "Local/s@kit-phone-", ";1", bridged).name
			time.Sleep(2 * time.Second)
			onBefore = time.Now()
			out, err := k.totalrec("pause", "on", "--channel", phone)
			onAfter = time.Now()
			if err != nil || !strings.Contains(out, `"paused":true`) {
				t.Fatalf("pause on: %s %v", out, err)
			}
			time.Sleep(2 * time.Second)
			offBefore = time.Now()
			out, err = k.totalrec("pause", "toggle", "--channel", phone)
			offAfter = time.Now()
			if err != nil || !strings.Contains(out, `"paused":false`) {
				t.Fatalf("pause toggle: %s %v", out, err)
			}
		}, nil)
		if len(p.files) != 1 {
			t.Fatalf("the call left %v", p.files)
		}
		c := k.check(t, w, p.files[0], expect{typ: "internal", dest: "100"})
		pcm, rate, start := k.recorded(t, p.files[0])
		at := func(tm time.Time) float64 { return tm.Sub(start).Seconds() }

		// The longest run of silence is the pause.
		z0, z1 := longestSilence(pcm)
		from, to := float64(z0)/float64(rate), float64(z1)/float64(rate)
		t.Logf("silence %.2f–%.2f s; paused between %.2f and %.2f s, resumed between %.2f and %.2f s",
			from, to, at(onBefore), at(onAfter), at(offBefore), at(offAfter))
		const slack = 0.25 // the file's end time is the close, a moment after the last write
		if from < at(onBefore)-slack || from > at(onAfter)+slack || to < at(offBefore)-slack || to > at(offAfter)+slack {
			t.Errorf("the silence %.2f–%.2f s is not the pause (on %.2f–%.2f, off %.2f–%.2f)",
				from, to, at(onBefore), at(onAfter), at(offBefore), at(offAfter))
		}
		// Around it the call is heard: the prompt and the tone.
		for _, w := range [][2]float64{{from - 0.8, from - 0.2}, {to + 0.2, to + 0.8}} {
			if loud := rms(pcm[int(w[0]*float64(rate)):int(w[1]*float64(rate))]); loud < 100 {
				t.Errorf("%.1f–%.1f s, beside the pause, is silent (RMS %.0f)", w[0], w[1], loud)
			}
		}

		var d struct {
			Pauses  []pauseJSON `json:"pauses"`
			Consent struct {
				RecordedBy string `json:"recorded_by"`
				Announced  bool   `json:"announced"`
			} `json:"consent"`
		}
		if code, err := k.api(fmt.Sprintf("/api/v1/recordings/%d", c.rec.ID), &d); err != nil || code != 200 {
			t.Fatalf("recording: %d %v", code, err)
		}
		// The dialplan told the hook which policy recorded the call: Totalrec's.
		if d.Consent.RecordedBy != "forced" || d.Consent.Announced {
			t.Errorf("consent %+v, want recorded by forced, no announcement", d.Consent)
		}
		if len(d.Pauses) != 1 || d.Pauses[0].From < from-0.3 || d.Pauses[0].From > from+0.3 || d.Pauses[0].To < to-0.3 || d.Pauses[0].To > to+0.3 {
			t.Errorf("the API's pauses %+v, the file's silence %.2f–%.2f s", d.Pauses, from, to)
		}
	})
}

// recorded reads the PCM WAV recording rel and returns its samples, its rate
// and when it started: when it was closed, less its length.
func (k *kit) recorded(t *testing.T, rel string) ([]int16, int, time.Time) {
	t.Helper()
	full := filepath.Join(k.spool, filepath.FromSlash(rel))
	b, err := os.ReadFile(full)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(full)
	if err != nil {
		t.Fatal(err)
	}
	pcm, rate := wavPCM(t, b)
	return pcm, rate, fi.ModTime().Add(-time.Duration(float64(len(pcm)) / float64(rate) * float64(time.Second)))
}

// longestSilence is the longest run of zero samples in pcm, [z0, z1).
func longestSilence(pcm []int16) (z0, z1 int) {
	start := -1
	for i := 0; i <= len(pcm); i++ {
		if i < len(pcm) && pcm[i] == 0 {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 && i-start > z1-z0 {
			z0, z1 = start, i
		}
		start = -1
	}
	return z0, z1
}

// rms is the root mean square of pcm.
func rms(pcm []int16) float64 {
	if len(pcm) == 0 {
		return 0
	}
	var sum float64
	for _, s := range pcm {
		sum += float64(s) * float64(s)
	}
	return math.Sqrt(sum / float64(len(pcm)))
}

// TestPauseFeatureCode: the shipped feature code, installed as
// freepbx-overrides/totalrec-pause.conf says, pauses the recording when the
// answering phone dials *0 and resumes it when it dials *0 again: the file is
// silent in between, and only there.
func TestPauseFeatureCode(t *testing.T) {
	k := need(t)
	k.use(t, "b")
	w := k.watch(t)
	snippet, err := os.ReadFile(filepath.Join(k.project, "freepbx-overrides", "totalrec-pause.conf"))
	if err != nil {
		t.Fatal(err)
	}
	k.appendConf(t, "extensions_custom.conf", string(snippet))
	k.appendConf(t, "features.conf", "[applicationmap]\ntotalrec-pause => *0,self,Gosub(totalrec-pause,s,1)\n")
	k.globals(t, "DYNAMIC_FEATURES=totalrec-pause")
	k.mustAst(t, "module reload features")

	var sent [2]time.Time
	p := k.during(t, 9, func() {
		k.mustAst(t, "channel originate Local/100@from-internal application Wait 9")
		phone := k.waitChannel(t, "Local/s@kit-phone-", ";1", bridged).name
		// The phone's own side of the Local pair: what it sends, ;1 receives.
		phoneSide := strings.TrimSuffix(phone, ";1") + ";2"
		for i := range sent {
			time.Sleep(2 * time.Second)
			sent[i] = time.Now()
			amiDo(t, []string{"PlayDTMF", "Channel", phoneSide, "Digit", "*", "Duration", "120"},
				[]string{"PlayDTMF", "Channel", phoneSide, "Digit", "0", "Duration", "120"})
		}
	}, nil)
	if len(p.files) != 1 {
		t.Fatalf("the call left %v", p.files)
	}
	k.check(t, w, p.files[0], expect{typ: "internal", dest: "100"})
	pcm, rate, start := k.recorded(t, p.files[0])
	z0, z1 := longestSilence(pcm)
	from, to := float64(z0)/float64(rate), float64(z1)/float64(rate)
	on, off := sent[0].Sub(start).Seconds(), sent[1].Sub(start).Seconds()
	t.Logf("silence %.2f–%.2f s; *0 sent at %.2f and %.2f s", from, to, on, off)
	// The code takes the DTMF, a System() and the daemon: a second at most.
	if from < on-0.25 || from > on+1.5 || to < off-0.25 || to > off+1.5 {
		t.Errorf("the silence %.2f–%.2f s does not follow the codes at %.2f and %.2f s", from, to, on, off)
	}
}

// appendConf appends text to one of the kit's running configuration files; the
// file is restored when t ends (and reloaded by whoever reloads next).
func (k *kit) appendConf(t *testing.T, name, text string) {
	t.Helper()
	path := filepath.Join(k.run, "etc", name)
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(append([]byte{}, before...), []byte("\n"+text)...), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		os.WriteFile(path, before, 0o644)
		k.ast("module reload features")
	})
}

// TestPauseAPI: the web interface's way: the live calls the API lists include
// the answering phone's, and pausing and resuming it there leaves the pause on
// the recording, by the token's user.
func TestPauseAPI(t *testing.T) {
	k := need(t)
	k.use(t, "b")
	w := k.watch(t)
	post := func(channel, state string) int {
		k.mu.Lock()
		base := k.url
		k.mu.Unlock()
		form := url.Values{"channel": {channel}, "state": {state}}
		req, err := http.NewRequest(http.MethodPost, base+"/api/v1/calls/pause", strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+k.token)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	p := k.during(t, 8, func() {
		k.mustAst(t, "channel originate Local/100@from-internal application Wait 8")
		phone := k.waitChannel(t, "Local/s@kit-phone-", ";1", bridged).name
		var calls struct {
			Calls []struct {
				Channel string `json:"channel"`
				Paused  bool   `json:"paused"`
			} `json:"calls"`
		}
		if code, err := k.api("/api/v1/calls", &calls); err != nil || code != 200 {
			t.Fatalf("calls: %d %v", code, err)
		}
		listed := false
		for _, c := range calls.Calls {
			listed = listed || c.Channel == phone
		}
		if !listed {
			t.Errorf("the live calls %+v lack %s", calls.Calls, phone)
		}
		if code := post("PJSIP/nobody-1", "on"); code != http.StatusNotFound {
			t.Errorf("pause of a channel not in a call: %d", code)
		}
		time.Sleep(1500 * time.Millisecond)
		if code := post(phone, "on"); code != 200 {
			t.Errorf("pause: %d", code)
		}
		time.Sleep(1500 * time.Millisecond)
		if code := post(phone, "off"); code != 200 {
			t.Errorf("resume: %d", code)
		}
	}, nil)
	if len(p.files) != 1 {
		t.Fatalf("the call left %v", p.files)
	}
	c := k.check(t, w, p.files[0], expect{typ: "internal", dest: "100"})
	var d struct {
		Pauses []pauseJSON `json:"pauses"`
	}
	if code, err := k.api(fmt.Sprintf("/api/v1/recordings/%d", c.rec.ID), &d); err != nil || code != 200 {
		t.Fatalf("recording: %d %v", code, err)
	}
	if len(d.Pauses) != 1 || d.Pauses[0].To-d.Pauses[0].From < 1.2 || !strings.HasPrefix(d.Pauses[0].By, "web:") {
		t.Errorf("pauses %+v", d.Pauses)
	}
}
