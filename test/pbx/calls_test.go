// A call as the suite places and checks it: watching the spool, placing the call,
// waiting for the catalogue, comparing the audio with a reference decode, the CDR
// rows and the logs. The steps are one sequence every call test follows, kept in one
// file so that it reads in order, which is why it runs past 400 lines.

package pbx_test

import (
	"database/sql"
	"encoding/binary"
	"fmt"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"
)

// recJSON is what the API says of a recording (the fields the suite checks).
type recJSON struct {
	ID          int64   `json:"id"`
	Path        string  `json:"path"`
	Format      string  `json:"format"`
	Duration    float64 `json:"duration"`
	State       string  `json:"state"`
	Type        string  `json:"type"`
	Dest        string  `json:"dest"`
	From        string  `json:"from"`
	UniqueID    string  `json:"uniqueid"`
	LinkedID    string  `json:"linkedid"`
	CDRStatus   string  `json:"cdr_status"`
	Src         string  `json:"src"`
	Dst         string  `json:"dst"`
	DID         string  `json:"did"`
	Disposition string  `json:"disposition"`
}

type pageJSON struct {
	Items []recJSON `json:"items"`
}

// watcher notes when each recording first appears in the catalogue, polling the
// API every 50 ms while a test runs, so the hook's latency is measured from the
// moment MixMonitor closed the file (its mtime) to the moment it was searchable.
type watcher struct {
	mu    sync.Mutex
	seen  map[string]time.Time
	stop  chan struct{}
	done  chan struct{}
	polls int
}

func (k *kit) watch(t *testing.T) *watcher {
	w := &watcher{seen: map[string]time.Time{}, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for {
			var p pageJSON
			if code, err := k.api("/api/v1/recordings?since=2h&hide_empty=0&limit=1000", &p); err == nil && code == 200 {
				now := time.Now()
				w.mu.Lock()
				w.polls++
				for _, r := range p.Items {
					if _, ok := w.seen[r.Path]; !ok {
						w.seen[r.Path] = now
					}
				}
				w.mu.Unlock()
			}
			select {
			case <-w.stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	t.Cleanup(func() { close(w.stop); <-w.done })
	return w
}

func (w *watcher) firstSeen(path string) (time.Time, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	at, ok := w.seen[path]
	return at, ok
}

// spoolFiles lists the spool's files, relative.
func (k *kit) spoolFiles(t *testing.T) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	err := filepath.WalkDir(k.spool, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return nil
			}
			return err
		}
		if d.Type().IsRegular() {
			rel, _ := filepath.Rel(k.spool, p)
			out[filepath.ToSlash(rel)] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// placed is what one call left in the spool.
type placed struct {
	start time.Time
	files []string // new spool files, relative, sorted
}

// call places Local/EXT@from-internal (the kit's extensions answer and play a
// prompt, then a tone) for secs seconds and waits until every channel is gone.
func (k *kit) call(t *testing.T, ext string, secs int) placed {
	t.Helper()
	return k.during(t, secs, func() {
		k.mustAst(t, fmt.Sprintf("channel originate Local/%s@from-internal application Wait %d", ext, secs))
	}, nil)
}

// during runs start (which places calls), then mid (if any) secs/2 seconds in,
// waits for every channel to hang up and returns the files the calls left.
func (k *kit) during(t *testing.T, secs int, start, mid func()) placed {
	t.Helper()
	before := k.spoolFiles(t)
	p := placed{start: time.Now()}
	start()
	if mid != nil {
		time.Sleep(time.Duration(secs) * time.Second / 2)
		mid()
	}
	k.waitIdle(t, time.Duration(secs+30)*time.Second)
	time.Sleep(300 * time.Millisecond) // MixMonitor closes the file as the channel goes
	for f := range k.spoolFiles(t) {
		if !before[f] {
			p.files = append(p.files, f)
		}
	}
	sort.Strings(p.files)
	return p
}

// waitIdle waits until Asterisk has no channel.
func (k *kit) waitIdle(t *testing.T, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		out, err := k.ast("core show channels count")
		if err == nil && strings.Contains(out, "0 active channels") {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	out, _ := k.ast("core show channels concise")
	k.ast("channel request hangup all")
	t.Fatalf("calls still up after %v:\n%s", limit, out)
}

// nameRE is the FreePBX 2.10+ name in a YYYY/MM/DD directory.
var nameRE = regexp.MustCompile(`^(\d{4})/(\d{2})/(\d{2})/([a-z]+)-([0-9A-Za-z+]*)-([0-9A-Za-z+]*)-(\d{8})-(\d{6})-(\d+\.\d+)\.([A-Za-z0-9]+)$`)

// expect describes the recording a call should leave.
type expect struct {
	typ, dest, from string // the name's fields ("" = not checked)
	ext             string // the file's extension (default wav)
	cdrRows         int    // at least this many CDR rows name the file (default 1)
	// unlinked skips the wait for the CDR link: a recording closed before its
	// call ends is linked at the daemon's first retry (15 s), after the row lands.
	unlinked bool
	// recordedBy, when set, is the policy the recording's API must name.
	recordedBy string
}

// checked is a recording the suite has checked end to end.
type checked struct {
	rel  string
	rec  recJSON
	cdrs []cdrRow
}

// check asserts everything the suite promises of one recording: its directory and
// name, its CDR rows, that the hook catalogued it within a second of MixMonitor
// closing it, that the daemon linked it to its CDR, and that /audio equals sox's
// (or ffmpeg's, for G.722) decoding of the file and is not silent.
func (k *kit) check(t *testing.T, w *watcher, rel string, e expect) checked {
	t.Helper()
	c := checked{rel: rel}
	m := nameRE.FindStringSubmatch(rel)
	if m == nil {
		t.Fatalf("%s: not a YYYY/MM/DD/<type>-<dest>-<from>-<date>-<time>-<uniqueid>.<fmt> name", rel)
	}
	if m[1]+m[2]+m[3] != m[7] {
		t.Errorf("%s: directory %s/%s/%s, name dated %s", rel, m[1], m[2], m[3], m[7])
	}
	if e.ext == "" {
		e.ext = "wav"
	}
	for _, f := range []struct{ got, want, what string }{{m[4], e.typ, "type"}, {m[5], e.dest, "dest"}, {m[6], e.from, "from"}, {m[10], e.ext, "extension"}} {
		if f.want != "" && f.got != f.want {
			t.Errorf("%s: %s %q, want %q", rel, f.what, f.got, f.want)
		}
	}
	full := filepath.Join(k.spool, filepath.FromSlash(rel))
	fi, err := os.Stat(full)
	if err != nil {
		t.Fatal(err)
	}

	// The hook, not a scan (the daemon's scan interval is an hour), catalogued it.
	deadline := time.Now().Add(5 * time.Second)
	var seen time.Time
	for ok := false; !ok && time.Now().Before(deadline); {
		if seen, ok = w.firstSeen(rel); !ok {
			time.Sleep(50 * time.Millisecond)
		}
	}
	if seen.IsZero() {
		t.Fatalf("%s: not catalogued 5 s after the call", rel)
	}
	if lat := seen.Sub(fi.ModTime()); lat > time.Second {
		t.Errorf("%s: catalogued %v after MixMonitor closed it, want <= 1s", rel, lat.Round(time.Millisecond))
	} else {
		t.Logf("%s: catalogued by the hook %v after the file closed", rel, lat.Round(time.Millisecond))
	}

	c.cdrs = k.cdrRows(t, "recordingfile = ?", path.Base(rel))
	if want := max(e.cdrRows, 1); len(c.cdrs) < want {
		t.Errorf("%s: %d CDR rows name it, want at least %d", rel, len(c.cdrs), want)
	}

	// Linked to its CDR row by the daemon.
	if e.unlinked {
		c.rec = k.waitCatalogued(t, rel, func(recJSON) bool { return true })
	} else {
		c.rec = k.waitCatalogued(t, rel, func(r recJSON) bool { return r.CDRStatus == "linked" })
		if len(c.cdrs) > 0 && c.rec.LinkedID != c.cdrs[0].LinkedID {
			t.Errorf("%s: linkedid %q, CDR says %q", rel, c.rec.LinkedID, c.cdrs[0].LinkedID)
		}
	}
	k.checkAudio(t, c.rec, full)
	if e.recordedBy != "" {
		var d struct {
			Consent struct {
				RecordedBy string `json:"recorded_by"`
			} `json:"consent"`
		}
		if code, err := k.api(fmt.Sprintf("/api/v1/recordings/%d", c.rec.ID), &d); err != nil || code != 200 {
			t.Fatalf("%s: recording: %d %v", rel, code, err)
		}
		if d.Consent.RecordedBy != e.recordedBy {
			t.Errorf("%s: recorded by %q, want %q", rel, d.Consent.RecordedBy, e.recordedBy)
		}
	}
	return c
}

// waitLinked waits until the daemon has linked rel to its CDR row.
func (k *kit) waitLinked(t *testing.T, rel string) recJSON {
	t.Helper()
	return k.waitCatalogued(t, rel, func(r recJSON) bool { return r.CDRStatus == "linked" })
}

// waitCatalogued waits (20 s at most) until the catalogue has rel in a state ok
// accepts, and returns it.
func (k *kit) waitCatalogued(t *testing.T, rel string, ok func(recJSON) bool) recJSON {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var last recJSON
	for time.Now().Before(deadline) {
		var p pageJSON
		if code, err := k.api("/api/v1/recordings?since=2h&hide_empty=0&limit=1000", &p); err != nil || code != 200 {
			t.Fatalf("search: %d %v", code, err)
		}
		for _, r := range p.Items {
			if r.Path == rel {
				last = r
				if ok(r) {
					return r
				}
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("%s: not catalogued as wanted 20 s after the call: %+v", rel, last)
	return last
}

// checkAudio compares /audio with the reference decoder's output for the file.
func (k *kit) checkAudio(t *testing.T, r recJSON, full string) {
	t.Helper()
	var got []byte
	code, err := k.api(fmt.Sprintf("/api/v1/recordings/%d/audio", r.ID), &got)
	if err != nil || code != 200 {
		t.Fatalf("%s: /audio: %d %v %s", r.Path, code, err, got)
	}
	gotPCM, gotRate := wavPCM(t, got)
	want := referenceDecode(t, full, r.Format)
	wantPCM, wantRate := wavPCM(t, want)
	if gotRate != wantRate {
		t.Errorf("%s: /audio at %d Hz, the reference decoder gives %d Hz", r.Path, gotRate, wantRate)
	}
	if len(gotPCM) != len(wantPCM) {
		t.Errorf("%s: /audio has %d samples, the reference %d", r.Path, len(gotPCM), len(wantPCM))
	} else if i := firstDiff(gotPCM, wantPCM, r.Format == "g722"); i >= 0 {
		t.Errorf("%s: /audio differs from the reference decoder at sample %d: %d vs %d", r.Path, i, gotPCM[i], wantPCM[i])
	}
	if rms := rmsDB(gotPCM); rms < -50 {
		t.Errorf("%s: /audio is silent (%.1f dBFS RMS)", r.Path, rms)
	}
}

// referenceDecode decodes a recording with sox (ffmpeg for G.722) to a 16-bit WAV.
func referenceDecode(t *testing.T, full, format string) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "ref.wav")
	var cmd *exec.Cmd
	switch format {
	case "g722":
		cmd = exec.Command("ffmpeg", "-v", "error", "-f", "g722", "-i", full, "-f", "wav", "-acodec", "pcm_s16le", out)
	case "ulaw":
		cmd = exec.Command("sox", "-t", "ul", "-r", "8000", "-c", "1", full, "-b", "16", out)
	case "alaw":
		cmd = exec.Command("sox", "-t", "al", "-r", "8000", "-c", "1", full, "-b", "16", out)
	case "sln":
		cmd = exec.Command("sox", "-t", "raw", "-e", "signed", "-b", "16", "-r", "8000", "-c", "1", full, out)
	case "sln16":
		cmd = exec.Command("sox", "-t", "raw", "-e", "signed", "-b", "16", "-r", "16000", "-c", "1", full, out)
	case "gsm":
		cmd = exec.Command("sox", "-t", "gsm", "-r", "8000", "-c", "1", full, "-b", "16", out)
	default: // wav, wav16, wav49: the header says
		cmd = exec.Command("sox", full, "-e", "signed", "-b", "16", out)
	}
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("reference decode of %s: %v\n%s", full, err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// wavPCM returns a 16-bit mono WAV's samples and rate.
func wavPCM(t *testing.T, b []byte) ([]int16, int) {
	t.Helper()
	if len(b) < 12 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		t.Fatalf("not a WAV (%d bytes)", len(b))
	}
	rate := 0
	for p := 12; p+8 <= len(b); {
		id, n := string(b[p:p+4]), int(binary.LittleEndian.Uint32(b[p+4:p+8]))
		body := b[p+8:]
		switch id {
		case "fmt ":
			rate = int(binary.LittleEndian.Uint32(body[4:8]))
		case "data":
			n = min(n, len(body))
			pcm := make([]int16, n/2)
			for i := range pcm {
				pcm[i] = int16(binary.LittleEndian.Uint16(body[2*i:]))
			}
			return pcm, rate
		}
		p += 8 + n + n%2
	}
	t.Fatal("WAV without a data chunk")
	return nil, 0
}

// firstDiff is the first index where a and b differ (by more than 1 when loose:
// G.722 decoders may round the last bit differently), -1 when they agree.
func firstDiff(a, b []int16, loose bool) int {
	for i := range a {
		d := int(a[i]) - int(b[i])
		if d != 0 && (!loose || d > 1 || d < -1) {
			return i
		}
	}
	return -1
}

func rmsDB(pcm []int16) float64 {
	if len(pcm) == 0 {
		return math.Inf(-1)
	}
	var sum float64
	for _, s := range pcm {
		sum += float64(s) * float64(s)
	}
	return 20 * math.Log10(math.Sqrt(sum/float64(len(pcm)))/32768)
}

// cdrRow is a row of asteriskcdrdb.cdr.
type cdrRow struct {
	UniqueID, LinkedID, Channel, DstChannel, Src, Dst, DID, LastApp, Disposition, RecordingFile string
}

var (
	cdrOnce sync.Once
	cdrDB   *sql.DB
)

// cdrRows returns the CDR rows matching where (with args), oldest first.
func (k *kit) cdrRows(t *testing.T, where string, args ...any) []cdrRow {
	t.Helper()
	cdrOnce.Do(func() {
		cdrDB, _ = sql.Open("mysql", "asteriskuser:amp109@tcp(127.0.0.1:3306)/asteriskcdrdb")
	})
	rows, err := cdrDB.Query("SELECT uniqueid, linkedid, channel, dstchannel, src, dst, did, lastapp, disposition, recordingfile FROM cdr WHERE "+where+" ORDER BY calldate, sequence", args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []cdrRow
	for rows.Next() {
		var r cdrRow
		if err := rows.Scan(&r.UniqueID, &r.LinkedID, &r.Channel, &r.DstChannel, &r.Src, &r.Dst, &r.DID, &r.LastApp, &r.Disposition, &r.RecordingFile); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// logProblems returns the ERROR and WARNING lines Asterisk logged since offset
// that Totalrec's dialplan caused, and the log's new end.
func (k *kit) logProblems(t *testing.T, offset int64) ([]string, int64) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(k.run, "log", "messages"))
	if err != nil {
		t.Fatal(err)
	}
	end := int64(len(b))
	if offset > end {
		offset = 0
	}
	// Problems of a call carry its call id ("[C-0000002a]"): a dialplan reload's
	// "Unable to register extension … already in use" for every priority the
	// override replaces is how FreePBX's extensions_override_freepbx.conf works,
	// not a fault, and FreePBX's own generated contexts warn of themselves.
	// Every other problem logged during a test call counts: the kit's extensions
	// are clean, so it comes from the recording dialplan, but for app_macro's
	// deprecation notice (FreePBX 2.9 is built on Macro()).
	var bad []string
	expected := regexp.MustCompile(`Macro\(\) is deprecated|Dialplan should be updated to use Gosub`)
	for _, line := range strings.Split(string(b[offset:]), "\n") {
		call := strings.Contains(line, "][C-")
		if (strings.Contains(line, "ERROR[") || strings.Contains(line, "WARNING[")) && call && !expected.MatchString(line) {
			bad = append(bad, line)
		}
	}
	return bad, end
}

// logEnd is the current length of Asterisk's messages log.
func (k *kit) logEnd(t *testing.T) int64 {
	fi, err := os.Stat(filepath.Join(k.run, "log", "messages"))
	if err != nil {
		return 0
	}
	return fi.Size()
}

// noLogProblems fails t when Asterisk logged an ERROR or WARNING caused by
// Totalrec's dialplan since offset.
func (k *kit) noLogProblems(t *testing.T, offset int64) {
	t.Helper()
	if bad, _ := k.logProblems(t, offset); len(bad) > 0 {
		t.Errorf("Asterisk logged %d problems caused by the recording dialplan:\n%s", len(bad), strings.Join(bad, "\n"))
	}
}
