package main

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings/hook"
)

// privateMariaDB is a MariaDB server of the test's own, on a data directory in
// the test's temporary directory: a catalogue database the test may stop and
// start again, which the machine's shared server is not.
type privateMariaDB struct {
	dir, bin string
	port     int
	cmd      *exec.Cmd
}

func newPrivateMariaDB(t *testing.T) *privateMariaDB {
	t.Helper()
	bin, err := exec.LookPath("mariadbd")
	if err != nil {
		bin = "/usr/sbin/mariadbd"
	}
	install, ierr := exec.LookPath("mariadb-install-db")
	if _, err := os.Stat(bin); err != nil || ierr != nil {
		t.Fatalf("mariadbd and mariadb-install-db are needed (scripts/test installs mariadb-server): %v %v", err, ierr)
	}
	db := &privateMariaDB{dir: t.TempDir(), bin: bin}
	if out, err := exec.Command(install, "--no-defaults", "--datadir="+filepath.Join(db.dir, "data"), "--user="+currentUser(),
		"--auth-root-authentication-method=normal").CombinedOutput(); err != nil {
		t.Fatalf("mariadb-install-db: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	db.port = ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	db.start(t)
	t.Cleanup(func() { db.stop(t) })
	return db
}

func currentUser() string {
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return "root"
}

// dsn is the DSN of database name on the server.
func (db *privateMariaDB) dsn(name string) string {
	return fmt.Sprintf("root@tcp(127.0.0.1:%d)/%s", db.port, name)
}

// create creates an empty database.
func (db *privateMariaDB) create(t *testing.T, name string) {
	t.Helper()
	conn, err := sql.Open("mysql", db.dsn(""))
	must(t, err)
	defer conn.Close()
	_, err = conn.Exec("CREATE DATABASE " + name)
	must(t, err)
}

func (db *privateMariaDB) start(t *testing.T) {
	t.Helper()
	db.cmd = exec.Command(db.bin, "--no-defaults", "--datadir="+filepath.Join(db.dir, "data"),
		fmt.Sprintf("--port=%d", db.port), "--bind-address=127.0.0.1", "--socket="+filepath.Join(db.dir, "sock"),
		"--user="+currentUser(), "--skip-log-bin", "--innodb-buffer-pool-size=32M", "--pid-file="+filepath.Join(db.dir, "pid"))
	log, err := os.OpenFile(filepath.Join(db.dir, "log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	db.cmd.Stdout, db.cmd.Stderr = log, log
	if err := db.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	conn, err := sql.Open("mysql", db.dsn(""))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	deadline := time.Now().Add(30 * time.Second)
	for conn.Ping() != nil {
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(filepath.Join(db.dir, "log"))
			t.Fatalf("the private MariaDB did not start in 30 s:\n%s", b)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// stop shuts the server down cleanly (SIGTERM) and waits for it.
func (db *privateMariaDB) stop(t *testing.T) {
	t.Helper()
	if db.cmd == nil || db.cmd.Process == nil {
		return
	}
	db.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- db.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		db.cmd.Process.Kill()
		<-done
	}
	db.cmd = nil
}

// TestCLI_CatalogueOutage: the catalogue's MariaDB goes away while the daemon runs
// and calls keep ending. The daemon stays up; each hook, refused, journals its
// recording; when the database is back, the daemon's next scan drains the
// journal, and every recording is catalogued exactly once.
func TestCLI_CatalogueOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	db := newPrivateMariaDB(t)
	db.create(t, "totalrec")
	ctx := context.Background()

	base := t.TempDir()
	spoolDir, dataDir := filepath.Join(base, "monitor"), filepath.Join(base, "data")
	day := filepath.Join(spoolDir, "2026", "11", "26")
	must(t, os.MkdirAll(day, 0o755))
	env := []string{"TOTALREC_SPOOL=" + spoolDir, "TOTALREC_DATA_DIR=" + dataDir, "TOTALREC_DB=" + db.dsn("totalrec"),
		"TOTALREC_SCAN_INTERVAL=2s"}
	record := func(i int) string {
		f := filepath.Join(day, fmt.Sprintf("out-5551%03d-101-20261126-1015%02d-1795680900.%d.wav", i, i%60, i))
		must(t, os.WriteFile(f, pcmWAV(800*(i+1)), 0o644))
		return f
	}
	count := func() (n, distinct int, err error) {
		c, err := sql.Open("mysql", db.dsn("totalrec"))
		if err != nil {
			return 0, 0, err
		}
		defer c.Close()
		err = c.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(DISTINCT path) FROM totalrec_recordings WHERE state = 'ok'`).Scan(&n, &distinct)
		return n, distinct, err
	}

	d := start(t, env, "serve", "--listen", "127.0.0.1:0")
	d.url(t, "Totalrec is serving on ")
	waitFor(t, hook.Socket(dataDir))
	for i := range 3 {
		runIn(t, env, "", hookBin, "--file", record(i)).must(t, exitOK)
	}
	if n, _, err := count(); err != nil || n != 3 {
		t.Fatalf("%d recordings catalogued before the outage (%v), want 3", n, err)
	}

	db.stop(t)
	for i := 3; i < 8; i++ {
		// The daemon answers, but cannot catalogue: the hook journals.
		runIn(t, env, "", hookBin, "--file", record(i)).must(t, exitOK)
	}
	if j, _ := filepath.Glob(filepath.Join(dataDir, "journal", "*")); len(j) == 0 {
		t.Error("nothing was journalled while the catalogue was down")
	}
	time.Sleep(3 * time.Second) // a scan tick or two fail meanwhile
	if d.cmd.ProcessState != nil {
		t.Fatalf("the daemon stopped while the catalogue was down:\n%s", d.stderr.String())
	}

	db.start(t)
	deadline := time.Now().Add(60 * time.Second)
	for {
		n, distinct, err := count()
		if err == nil && n == 8 {
			if distinct != 8 {
				t.Errorf("%d rows for %d recordings", n, distinct)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of 8 recordings catalogued a minute after the catalogue came back (%v)\n%s", n, err,
				lastBytes(d.stderr.String(), 3000))
		}
		time.Sleep(250 * time.Millisecond)
	}
	deadline = time.Now().Add(10 * time.Second)
	for {
		j, _ := filepath.Glob(filepath.Join(dataDir, "journal", "*.jsonl"))
		if len(j) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("journal files left after the catch-up: %v", j)
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if code := d.stop(t, syscall.SIGTERM); code != exitOK {
		t.Errorf("exit %d after SIGTERM\n%s", code, d.stderr.String())
	}
	if strings.Contains(d.stderr.String(), "panic") {
		t.Errorf("the daemon panicked:\n%s", d.stderr.String())
	}
}

// lastBytes is the end of s, at most n bytes.
func lastBytes(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
