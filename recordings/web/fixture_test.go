package web

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/catalog"
	"github.com/totalrec/totalrec/recordings/cdr"
	"github.com/totalrec/totalrec/recordings/demo"
	"github.com/totalrec/totalrec/recordings/ingest"
	"github.com/totalrec/totalrec/recordings/spool"
	"github.com/totalrec/totalrec/recordings/subject"
)

// now is the fixture's present: the demo's calls end before it.
var now = time.Date(2026, 11, 26, 18, 0, 0, 0, time.UTC)

// moscow is the PBX's zone in the fixture, so that times are not UTC by accident.
var moscow = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		return time.FixedZone("MSK", 3*3600)
	}
	return loc
}()

// fixture is a demo PBX — spool, CDR table, catalogue — and Totalrec's web
// server on it, behind a real HTTP server.
type fixture struct {
	dir   string
	spool string
	cat   *catalog.Catalog
	cdr   *cdr.Reader
	tree  *spool.Tree
	srv   *Server
	http  *httptest.Server
	// logs are this server's log lines, from debug up. Each server has its
	// own: a test that reads them starts a server of its own (own), so that
	// one test's late request cannot fail another.
	logs *lockedWriter
	// wrap, when set, wraps the server's handler (serve).
	wrap func(http.Handler) http.Handler
	// cookie and csrf are the session every request of get and do carries: an
	// administrator's, unless as made another.
	cookie string
	csrf   string
	// prefix goes before every path a request names: the base path of a
	// server under one (withBase).
	prefix string
}

// newFixture builds a demo of days days in a test's own directory and serves
// it. prepare may add files to the spool before the scan.
func newFixture(t testing.TB, days, calls int, prepare func(spoolDir string)) *fixture {
	t.Helper()
	return buildFixture(t, t.TempDir(), "", t.Cleanup, days, calls, prepare)
}

// newFixtureOn is newFixture with its catalogue on dsn ("" = SQLite in the
// fixture's directory), for the tests that run on SQLite and MariaDB alike.
func newFixtureOn(t testing.TB, dsn string, days, calls int) *fixture {
	t.Helper()
	return buildFixture(t, t.TempDir(), dsn, t.Cleanup, days, calls, nil)
}

// sharedFixture is one fixture for the tests that only read (building a demo
// takes seconds); TestMain removes it.
var shared struct {
	sync.Mutex
	f        *fixture
	cleanups []func()
	dir      string
}

func sharedFixture(t testing.TB) *fixture {
	t.Helper()
	shared.Lock()
	defer shared.Unlock()
	if shared.f == nil {
		dir, err := os.MkdirTemp("", "totalrec-web-test-")
		if err != nil {
			t.Fatal(err)
		}
		shared.dir = dir
		shared.f = buildFixture(t, dir, "", func(fn func()) { shared.cleanups = append(shared.cleanups, fn) }, 14, 14, addOddFiles)
		// Sealed, with a signed manifest: the pages show evidence as a PBX has it.
		shared.f.sealAll(t)
	}
	return shared.f
}

func TestMain(m *testing.M) {
	code := m.Run()
	for i := len(shared.cleanups) - 1; i >= 0; i-- {
		shared.cleanups[i]()
	}
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

// g729Name is a G.729 recording the shared fixture adds: Totalrec cannot decode it.
const g729Name = "out-200-101-20261126-120000-1795683600.900.g729"

// addOddFiles puts into the spool what the demo does not make: a G.729 recording.
func addOddFiles(spoolDir string) {
	dir := filepath.Join(spoolDir, "2026", "11", "26")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, g729Name), make([]byte, 10*100*12), 0o644) // 12 s of frames
}

func buildFixture(t testing.TB, dir, dsn string, cleanup func(func()), days, calls int, prepare func(spoolDir string)) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{dir: dir}
	f.spool = filepath.Join(f.dir, "monitor")
	cdrFile := filepath.Join(f.dir, "cdr.sqlite")
	raw, err := sql.Open("sqlite", cdrFile)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Build(ctx, demo.Options{Spool: f.spool, CDR: raw, CDRDialect: cdr.SQLite, Days: days,
		CallsPerDay: calls, Seed: 11, Now: now, Loc: moscow}); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	if prepare != nil {
		prepare(f.spool)
	}
	if dsn == "" {
		dsn = "sqlite:" + filepath.Join(f.dir, "totalrec.db")
	}
	if f.cat, err = catalog.Open(ctx, dsn, nil); err != nil {
		t.Fatal(err)
	}
	cleanup(func() { f.cat.Close() })
	f.cat.SetClock(func() time.Time { return now })
	if f.cdr, err = cdr.Open(ctx, "sqlite:"+cdrFile, "cdr", cdr.WithLocation(moscow)); err != nil {
		t.Fatal(err)
	}
	cleanup(func() { f.cdr.Close() })
	if f.tree, err = spool.OpenTree(f.spool); err != nil {
		t.Fatal(err)
	}
	cleanup(func() { f.tree.Close() })
	f.cookie, f.csrf = f.signIn(t, "admin", recordings.RoleAdmin, "")
	f.scan(t)
	e := &ingest.Enricher{Cat: f.cat, CDR: f.cdr, Window: time.Hour, Now: func() time.Time { return now },
		Log: slog.New(slog.DiscardHandler)}
	if _, err := e.RunAll(ctx); err != nil {
		t.Fatal(err)
	}
	f.serve(t, cleanup, nil)
	return f
}

// serve starts the web server on the fixture, with options changed by edit,
// logging to a buffer of its own.
func (f *fixture) serve(t testing.TB, cleanup func(func()), edit func(*Options)) {
	t.Helper()
	f.logs = &lockedWriter{w: &strings.Builder{}}
	o := Options{Catalog: f.cat, CDR: f.cdr, Spool: f.tree, CacheDir: filepath.Join(f.dir, "cache"),
		Location: moscow, Logger: slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now: func() time.Time { return now }, Version: "test", Access: Access{SSOSecret: testSSOSecret},
		Evidence: Evidence{Dir: filepath.Join(f.dir, "evidence")},
		Subjects: SubjectRequests{Subject: &subject.Subject{Store: f.cat, CDR: f.cdr, Tree: f.tree, Suffix: catalog.NumberSuffix},
			Certificates: subject.CertificatesIn(f.dir, filepath.Join(f.dir, "evidence")), ManifestKey: filepath.Join(f.dir, "manifest.key"),
			DataDir: f.dir}}
	if edit != nil {
		edit(&o)
	}
	var err error
	if f.srv, err = New(o); err != nil {
		t.Fatal(err)
	}
	cleanup(f.srv.Close)
	var h http.Handler = f.srv
	if f.wrap != nil {
		h = f.wrap(h)
	}
	f.http = httptest.NewServer(h)
	cleanup(f.http.Close)
}

// own is another server on the same fixture, with its own log buffer, for a
// test that reads the logs.
func (f *fixture) own(t testing.TB) *fixture {
	t.Helper()
	return f.withOptions(t, nil)
}

// withOptions is another server on the same fixture, with options changed by
// edit and logs of its own.
func (f *fixture) withOptions(t testing.TB, edit func(*Options)) *fixture {
	t.Helper()
	g := *f
	g.serve(t, t.Cleanup, edit)
	return &g
}

func (f *fixture) scan(t testing.TB) ingest.Report {
	t.Helper()
	s := &ingest.Scanner{Tree: f.tree, Cat: f.cat, Loc: moscow, CDR: true, Now: func() time.Time { return now },
		Log: slog.New(slog.DiscardHandler)}
	r, err := s.Scan(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// all lists every catalogued recording matching q, through every page.
func (f *fixture) all(t testing.TB, q recordings.Query) []recordings.Recording {
	t.Helper()
	q.Limit = 1000
	var out []recordings.Recording
	for {
		p, err := f.cat.Search(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p.Items...)
		if p.Next == "" {
			return out
		}
		q.After = p.Next
	}
}

// find returns the first recording for which ok holds.
func (f *fixture) find(t testing.TB, q recordings.Query, ok func(recordings.Recording) bool) recordings.Recording {
	t.Helper()
	for _, r := range f.all(t, q) {
		if ok(r) {
			return r
		}
	}
	t.Fatalf("no recording in the fixture fits")
	return recordings.Recording{}
}

// get fetches path and returns the response with its body read.
func (f *fixture) get(t testing.TB, path string, header ...string) (*http.Response, []byte) {
	t.Helper()
	return f.do(t, http.MethodGet, path, header...)
}

func (f *fixture) do(t testing.TB, method, path string, header ...string) (*http.Response, []byte) {
	t.Helper()
	return f.send(t, method, path, nil, header...)
}

// send makes one request with the fixture's session and returns the response,
// not following redirects.
func (f *fixture) send(t testing.TB, method, path string, body io.Reader, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, f.http.URL+f.prefix+path, body)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if f.cookie != "" { // added to a Cookie header the caller set
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: f.cookie})
	}
	client := *f.http.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, b
}

// readFile reads a recording's file from the spool, for comparisons.
func (f *fixture) readFile(t testing.TB, r recordings.Recording) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(f.spool, filepath.FromSlash(r.Path)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// lockedWriter serialises the writes of concurrent requests' log lines.
type lockedWriter struct {
	mu sync.Mutex
	w  *strings.Builder
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.Write(p)
}

func (w *lockedWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.String()
}

// noErrors fails t when the server logged an error; while says during what.
func (f *fixture) noErrors(t *testing.T, while string) {
	t.Helper()
	if logs := f.logs.String(); strings.Contains(logs, "level=ERROR") {
		t.Errorf("the server logged errors %s:\n%s", while, logs)
	}
}
