// Package pbx_test runs Totalrec against a real PBX: the Asterisk 20 test kit
// (../shared/asterisk: FreePBX 2.9's and FreePBX 16's recording dialplans, MariaDB
// CDRs) with Totalrec's dialplan installed as an administrator would, the hook
// run by MixMonitor, and `totalrec serve` cataloguing, linking and playing what
// the calls left.
//
// The suite runs when TOTALREC_PBX_KIT names the kit's directory (./scripts/test-pbx
// sets it, after building the kit when it is missing); without it every test skips.
//
// Asterisk runs in a private mount namespace in which /usr/local/bin holds only the
// totalrec built for this run (the path the shipped dialplan calls) and FreePBX's
// /etc/amportal.conf and /etc/freepbx.conf, where the machine has them, are empty:
// nothing of a FreePBX installed on the same machine is read or changed.
//
// This file is the kit's lifecycle in one place — Asterisk, the dialplan, the daemon,
// the API client, in the order a run starts and stops them — which is why it runs
// past 400 lines; the checks live in the other files.
package pbx_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// kit is the running PBX and daemon of one `go test` run.
type kit struct {
	dir     string // the kit's scripts: ../shared/asterisk
	project string // this repository
	tmp     string
	run     string // KIT_RUN: Asterisk's configuration, spool, logs
	spool   string
	data    string
	fsRoot  string // an empty tree: Totalrec discovers no FreePBX files
	binDir  string // mounted over /usr/local/bin for Asterisk
	bin     string
	astBin  string // the kit's asterisk
	env     []string
	// daemonEnv is added to env for `totalrec serve` (a test's own settings).
	daemonEnv []string

	mu      sync.Mutex
	daemon  *exec.Cmd
	dlog    *os.File
	url     string
	token   string
	flavour string
}

var pbx *kit

func TestMain(m *testing.M) {
	dir := os.Getenv("TOTALREC_PBX_KIT")
	if dir == "" {
		fmt.Println("pbx: TOTALREC_PBX_KIT is not set; the real-PBX suite is skipped (./scripts/test-pbx runs it)")
		os.Exit(m.Run())
	}
	k, err := startKit(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pbx: start the kit:", err)
		if k != nil {
			k.stop()
		}
		os.Exit(1)
	}
	pbx = k
	code := m.Run()
	pbxFailed = code != 0
	k.stop()
	os.Exit(code)
}

// need returns the kit, or skips t when the suite is not set up.
func need(t *testing.T) *kit {
	t.Helper()
	if pbx == nil {
		t.Skip("no PBX kit (TOTALREC_PBX_KIT); run ./scripts/test-pbx")
	}
	return pbx
}

func startKit(dir string) (*kit, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	project, err := filepath.Abs("../..")
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "totalrec-pbx-")
	if err != nil {
		return nil, err
	}
	k := &kit{dir: dir, project: project, tmp: tmp, run: filepath.Join(tmp, "run"),
		data: filepath.Join(tmp, "data"), fsRoot: filepath.Join(tmp, "root"), binDir: filepath.Join(tmp, "bin"),
		astBin: envOr("AST_PREFIX", "/opt/ast") + "/sbin/asterisk"}
	k.spool = filepath.Join(k.run, "spool", "monitor")
	k.bin = filepath.Join(k.binDir, "totalrec")
	for _, d := range []string{k.data, k.fsRoot, k.binDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return k, err
		}
	}
	if _, err := os.Stat(k.astBin); err != nil {
		return k, fmt.Errorf("no Asterisk at %s: build the kit with %s/build.sh", k.astBin, dir)
	}
	for _, name := range []string{"totalrec", "totalrec-hook"} { // the dialplan runs totalrec-hook
		if out, err := exec.Command("go", "build", "-o", filepath.Join(k.binDir, name), filepath.Join(project, "cmd", name)).CombinedOutput(); err != nil {
			return k, fmt.Errorf("build %s: %v\n%s", name, err, out)
		}
	}
	k.env = append(os.Environ(), "KIT_RUN="+k.run, "ODBCSYSINI="+filepath.Join(k.run, "etc", "odbc"),
		"TOTALREC_SPOOL="+k.spool, "TOTALREC_DATA_DIR="+k.data, "TOTALREC_FS_ROOT="+k.fsRoot,
		"TOTALREC_DB=sqlite:"+filepath.Join(k.data, "totalrec.db"),
		"TOTALREC_CDR_DB=asteriskuser:amp109@tcp(127.0.0.1:3306)/asteriskcdrdb",
		"TOTALREC_AMI_USER=admin", "TOTALREC_AMI_SECRET=amp111", // the kit's manager.conf
		"TOTALREC_COMPRESS=keep",    // TestCompression turns it on
		"TOTALREC_SCAN_INTERVAL=1h") // only the hook catalogues while the suite runs
	sql, err := os.Open(filepath.Join(dir, "sql", "asteriskcdrdb.sql"))
	if err != nil {
		return k, err
	}
	defer sql.Close()
	load := exec.Command("mariadb", "--no-defaults", "-uroot", "-h127.0.0.1")
	load.Stdin = sql
	if out, err := load.CombinedOutput(); err != nil {
		return k, fmt.Errorf("load the CDR schema into the MariaDB on 127.0.0.1:3306: %v\n%s", err, out)
	}
	if err := k.apply("a"); err != nil {
		return k, err
	}
	if err := k.startAsterisk(); err != nil {
		return k, err
	}
	if err := k.seed(); err != nil {
		return k, err
	}
	out, err := k.totalrec("token", "add", "pbx-suite", "--scope", "all")
	if err != nil {
		return k, err
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 2 {
		return k, fmt.Errorf("token add printed %q", out)
	}
	k.token = strings.TrimSpace(lines[1])
	return k, k.startDaemon()
}

// startAsterisk starts the kit's Asterisk in its own mount namespace (see the
// package comment) and waits until it has fully booted.
func (k *kit) startAsterisk() error {
	empty := filepath.Join(k.tmp, "empty.conf")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		return err
	}
	script := fmt.Sprintf(`set -e
mount --bind %q /usr/local/bin
for f in /etc/amportal.conf /etc/freepbx.conf; do [ -e "$f" ] && mount --bind %q "$f"; done
exec %s -C %q -f -n`, k.binDir, empty, k.astBin, filepath.Join(k.run, "etc", "asterisk.conf"))
	console, err := os.Create(filepath.Join(k.tmp, "asterisk-console.log"))
	if err != nil {
		return err
	}
	cmd := exec.Command("unshare", "-m", "--propagation", "private", "sh", "-c", script)
	cmd.Env, cmd.Stdout, cmd.Stderr = k.env, console, console
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start asterisk: %w", err)
	}
	go cmd.Wait()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := k.ast("core waitfullybooted"); err == nil {
			return nil
		}
		time.Sleep(300 * time.Millisecond)
	}
	b, _ := os.ReadFile(console.Name())
	return fmt.Errorf("asterisk did not boot in 60 s:\n%s", tail(string(b), 2000))
}

// ast runs an Asterisk CLI command on the kit's Asterisk.
func (k *kit) ast(command string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, k.astBin, "-C", filepath.Join(k.run, "etc", "asterisk.conf"), "-rx", command).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("asterisk -rx %q: %v: %s", command, err, out)
	}
	return string(out), nil
}

// apply writes flavour a (FreePBX 2.9 + the override) or b (FreePBX 16 + the
// module's dialplan hook) with the kit's apply.sh and reloads a running Asterisk.
// args are apply.sh's: --format FMT, --post CMD.
func (k *kit) apply(flavour string, args ...string) error {
	cmd := exec.Command(filepath.Join(k.dir, "apply.sh"), append([]string{flavour, "--project", k.project}, args...)...)
	cmd.Env = k.env
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("apply.sh %s %v: %v\n%s", flavour, args, err, out)
	}
	k.flavour = flavour
	return k.addSuiteDialplan(flavour)
}

// addSuiteDialplan adds what the kit lacks and the suite calls (queues with
// FreePBX-style member legs, testdata/) to the configuration apply.sh wrote, and
// reloads a running Asterisk.
func (k *kit) addSuiteDialplan(flavour string) error {
	ext, err := os.ReadFile(filepath.Join("testdata", "extensions_suite."+flavour+".conf"))
	if err != nil {
		return err
	}
	custom := filepath.Join(k.run, "etc", "extensions_custom.conf")
	f, err := os.OpenFile(custom, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.Write(append([]byte("\n"), ext...))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	queues, err := os.ReadFile(filepath.Join("testdata", "queues.conf"))
	if err != nil {
		return err
	}
	if flavour == "a" { // FreePBX 2.9 records a queue call with the queue's monitor options
		queues = append(queues, []byte("monitor-type = MixMonitor\nmonitor-format = wav\n")...)
	}
	if err := os.WriteFile(filepath.Join(k.run, "etc", "queues.conf"), queues, 0o644); err != nil {
		return err
	}
	if _, err := k.ast("core show version"); err != nil {
		return nil // not started yet: read at start
	}
	if _, err := k.ast("dialplan reload"); err != nil {
		return err
	}
	_, err = k.ast("queue reload all")
	return err
}

// seed writes the AstDB recording policies of the current flavour.
func (k *kit) seed() error {
	cmd := exec.Command(filepath.Join(k.dir, "seed-astdb.sh"), k.flavour)
	cmd.Env = k.env
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("seed-astdb.sh: %v\n%s", err, out)
	}
	return nil
}

// use switches the PBX to flavour with apply.sh's args, for the rest of t.
func (k *kit) use(t *testing.T, flavour string, args ...string) {
	t.Helper()
	if err := k.apply(flavour, args...); err != nil {
		t.Fatal(err)
	}
	if err := k.seed(); err != nil {
		t.Fatal(err)
	}
}

// eachFlavour runs body once per FreePBX generation (a: 2.9 with the override, b:
// 16 with the module's hook), on the PBX switched to it, with a watcher of the
// catalogue; a generation whose calls made Asterisk log a problem fails.
func (k *kit) eachFlavour(t *testing.T, body func(t *testing.T, flavour string, w *watcher)) {
	t.Helper()
	for _, flavour := range []string{"a", "b"} {
		t.Run(flavour, func(t *testing.T) {
			k.use(t, flavour)
			from := k.logEnd(t)
			body(t, flavour, k.watch(t))
			k.noLogProblems(t, from)
		})
	}
}

// globals appends lines to the kit's globals_custom.conf (included in [globals])
// and reloads the dialplan; the file is restored when t ends.
func (k *kit) globals(t *testing.T, lines ...string) {
	t.Helper()
	path := filepath.Join(k.run, "etc", "globals_custom.conf")
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(append([]byte{}, before...), []byte(strings.Join(lines, "\n")+"\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	k.mustAst(t, "dialplan reload")
	t.Cleanup(func() {
		os.WriteFile(path, before, 0o644)
		k.ast("dialplan reload")
	})
}

func (k *kit) mustAst(t *testing.T, command string) string {
	t.Helper()
	out, err := k.ast(command)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// totalrec runs the CLI with the suite's configuration and returns its standard
// output; an error carries its standard error.
func (k *kit) totalrec(args ...string) (string, error) {
	cmd := exec.Command(k.bin, args...)
	cmd.Env = k.env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return string(out), fmt.Errorf("totalrec %s: %w\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out), nil
}

// startDaemon starts `totalrec serve` on a free loopback port and waits for /healthz.
func (k *kit) startDaemon() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	addr := ln.Addr().String()
	ln.Close()
	if k.dlog == nil {
		if k.dlog, err = os.Create(filepath.Join(k.tmp, "serve.log")); err != nil {
			return err
		}
	}
	cmd := exec.Command(k.bin, "serve", "--verbose")
	cmd.Env = append(append(append([]string{}, k.env...), k.daemonEnv...), "TOTALREC_LISTEN="+addr)
	cmd.Stdout, cmd.Stderr = k.dlog, k.dlog
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start totalrec serve: %w", err)
	}
	k.daemon, k.url = cmd, "http://"+addr
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(k.url + "/healthz"); err == nil {
			resp.Body.Close()
			if _, err := os.Stat(filepath.Join(k.data, "hook.sock")); err == nil && resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return errors.New("totalrec serve did not answer /healthz in 30 s; see " + k.dlog.Name())
}

// stopDaemon stops `totalrec serve` (SIGTERM) and waits for it.
func (k *kit) stopDaemon() {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.daemon == nil {
		return
	}
	k.daemon.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { k.daemon.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		k.daemon.Process.Kill()
		<-done
	}
	k.daemon = nil
}

func (k *kit) stop() {
	k.stopDaemon()
	k.ast("core stop now")
	time.Sleep(500 * time.Millisecond)
	if os.Getenv("TOTALREC_PBX_KEEP") != "" || pbxFailed {
		fmt.Fprintf(os.Stderr, "pbx: logs kept in %s (serve.log, run/log/full, asterisk-console.log)\n", k.tmp)
		return
	}
	os.RemoveAll(k.tmp)
}

// pbxFailed keeps the logs of a failed run for inspection.
var pbxFailed bool

// api GETs path from the daemon with the suite's token.
func (k *kit) api(path string, v any) (int, error) {
	k.mu.Lock() // a restarted daemon listens on another port
	url := k.url
	k.mu.Unlock()
	return apiAt(url, k.token, path, v)
}

// apiAt GETs base+path with a Bearer token and decodes a 200 answer's JSON into v;
// v of type *[]byte takes the body as it is, whatever the status.
func apiAt(base, token, path string, v any) (int, error) {
	req, err := http.NewRequest(http.MethodGet, base+path, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if bs, ok := v.(*[]byte); ok {
		*bs = b
		return resp.StatusCode, nil
	}
	if v == nil || resp.StatusCode != http.StatusOK {
		return resp.StatusCode, nil
	}
	return resp.StatusCode, json.NewDecoder(bytes.NewReader(b)).Decode(v)
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// execIn is exec.Command run in dir.
func execIn(dir, name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	return cmd
}
