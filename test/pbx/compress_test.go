package pbx_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

// TestCompression: with compress = opus, a call's recording becomes, moments
// after the call, an Opus file in the same directory under the same name: the
// catalogue and FreePBX's CDR row name it, MixMonitor's file is gone, and it plays
// in a browser as it is, with Range seeks, and has a waveform.
func TestCompression(t *testing.T) {
	k := need(t)
	k.stopDaemon()
	k.daemonEnv = []string{"TOTALREC_COMPRESS=opus"}
	if err := k.startDaemon(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		k.stopDaemon()
		k.daemonEnv = nil
		if err := k.startDaemon(); err != nil {
			t.Error(err)
		}
	})
	k.eachFlavour(t, func(t *testing.T, flavour string, w *watcher) {
		// The daemon also compresses the recordings earlier tests left: the
		// call's recording is the one whose name is new, in whatever form.
		stems := map[string]bool{}
		for f := range k.spoolFiles(t) {
			stems[strings.TrimSuffix(f, path.Ext(f))] = true
		}
		p := k.call(t, "100", 5)
		var mine []string
		for _, f := range p.files {
			if !stems[strings.TrimSuffix(f, path.Ext(f))] {
				mine = append(mine, f)
			}
		}
		if len(mine) != 1 {
			t.Fatalf("the call left %v", mine)
		}
		rel := strings.TrimSuffix(mine[0], path.Ext(mine[0])) + ".wav"
		opus := strings.TrimSuffix(rel, path.Ext(rel)) + ".opus"
		r := k.waitCatalogued(t, opus, func(r recJSON) bool { return r.CDRStatus == "linked" && r.Format == "opus" })
		if _, err := os.Stat(filepath.Join(k.spool, rel)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: MixMonitor's file is still there (%v)", rel, err)
		}
		if rows := k.cdrRows(t, "recordingfile = ?", path.Base(opus)); len(rows) == 0 {
			t.Errorf("%s: no CDR row names it", opus)
		}
		if rows := k.cdrRows(t, "recordingfile = ?", path.Base(rel)); len(rows) != 0 {
			t.Errorf("%s: %d CDR rows still name the original", rel, len(rows))
		}
		if r.Duration < 4 || r.Duration > 7 {
			t.Errorf("%s: %.2f s long, the call lasted 5 s", opus, r.Duration)
		}

		file, err := os.ReadFile(filepath.Join(k.spool, opus))
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/api/v1/recordings/%d/audio", k.url, r.ID), nil)
		req.Header.Set("Authorization", "Bearer "+k.token)
		req.Header.Set("Range", "bytes=100-1099")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusPartialContent || resp.Header.Get("Content-Type") != "audio/ogg" || !bytes.Equal(body, file[100:1100]) {
			t.Errorf("%s: Range answer %d %s, %d bytes", opus, resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
		}
		var wave struct {
			Peaks []int16 `json:"peaks"`
		}
		if code, err := k.api(fmt.Sprintf("/api/v1/recordings/%d/waveform", r.ID), &wave); err != nil || code != 200 {
			t.Fatalf("%s: waveform: %d %v", opus, code, err)
		}
		loud := 0
		for _, p := range wave.Peaks {
			if p > 1000 {
				loud++
			}
		}
		if len(wave.Peaks) < 40 || loud < 10 {
			t.Errorf("%s: waveform of %d peaks, %d loud", opus, len(wave.Peaks), loud)
		}
	})
}
