package archive_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/totalrec/totalrec/internal/testsupport/mariadb"
	"github.com/totalrec/totalrec/internal/testsupport/s3server"
	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/archive"
	"github.com/totalrec/totalrec/recordings/archive/s3"
	"github.com/totalrec/totalrec/recordings/catalog"
	"github.com/totalrec/totalrec/recordings/evidence"
	"github.com/totalrec/totalrec/recordings/ingest"
	"github.com/totalrec/totalrec/recordings/spool"
)

// fixture is a spool of sealed recordings, a catalogue, and an S3 server behind
// a proxy that can fail uploads.
type fixture struct {
	root  string
	cat   *catalog.Catalog
	tree  *spool.Tree
	srv   *s3server.Server
	fail  atomic.Bool // the proxy answers 500 to every PUT
	puts  atomic.Int64
	proxy string
}

const dayDir = "2026/11/20"

func newFixture(t *testing.T, dsn string, files int) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{root: filepath.Join(t.TempDir(), "monitor"), srv: s3server.Start(t)}
	dir := filepath.Join(f.root, dayDir)
	must(t, os.MkdirAll(dir, 0o755))
	mt := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	for i := range files {
		name := filepath.Join(dir, fmt.Sprintf("out-74951234%03d-101-20261120-100000-1795000000.%d.wav", i, i))
		must(t, os.WriteFile(name, wavOf(800+i), 0o644))
		must(t, os.Chtimes(name, mt, mt))
	}
	var err error
	f.cat, err = catalog.Open(ctx, dsn, nil)
	must(t, err)
	t.Cleanup(func() { f.cat.Close() })
	f.tree, err = spool.OpenTree(f.root)
	must(t, err)
	t.Cleanup(func() { f.tree.Close() })
	sc := &ingest.Scanner{Tree: f.tree, Cat: f.cat, Loc: time.UTC, Log: slog.New(slog.DiscardHandler)}
	_, err = sc.Scan(ctx, true)
	must(t, err)
	_, err = (&evidence.Hasher{Store: f.cat, Tree: f.tree}).Pass(ctx, time.Now(), true)
	must(t, err)

	target, err := url.Parse("http://" + f.srv.Endpoint)
	must(t, err)
	rp := httputil.NewSingleHostReverseProxy(target)
	ps := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			f.puts.Add(1)
			if f.fail.Load() {
				http.Error(w, "<Error><Code>InternalError</Code><Message>injected</Message></Error>", http.StatusInternalServerError)
				return
			}
		}
		rp.ServeHTTP(w, r)
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	go ps.Serve(ln)
	t.Cleanup(func() { ps.Close() })
	f.proxy = ln.Addr().String()
	return f
}

// wavOf is a mono 8 kHz 16-bit PCM WAV of n samples of a ramp.
func wavOf(n int) []byte {
	data := make([]byte, 2*n)
	for i := range n {
		data[2*i] = byte(i)
	}
	h := []byte("RIFF\x00\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x40\x1f\x00\x00\x80\x3e\x00\x00\x02\x00\x10\x00data\x00\x00\x00\x00")
	put32 := func(b []byte, v int) { b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24) }
	put32(h[4:], 36+len(data))
	put32(h[40:], len(data))
	return append(h, data...)
}

func (f *fixture) archiver(t *testing.T, viaProxy bool) *archive.Archiver {
	t.Helper()
	cfg := f.srv.Config()
	if viaProxy {
		cfg.Endpoint = f.proxy
	}
	b, err := s3.Open(context.Background(), cfg)
	must(t, err)
	return &archive.Archiver{Store: f.cat, Tree: f.tree, Bucket: b, After: time.Hour, Log: slog.New(slog.DiscardHandler)}
}

func (f *fixture) onDisk(t *testing.T) int {
	t.Helper()
	es, err := os.ReadDir(filepath.Join(f.root, dayDir))
	must(t, err)
	return len(es)
}

func (f *fixture) storage(t *testing.T) map[string]int {
	t.Helper()
	out := map[string]int{}
	p, err := f.cat.Search(context.Background(), recordings.Query{Limit: 100})
	must(t, err)
	for _, r := range p.Items {
		out[r.Storage]++
	}
	return out
}

// TestArchiverFaults: an S3 server that answers 500 to uploads, or whose bucket
// vanished, costs no recording its local file, and the next pass archives what
// the failed one could not.
func TestArchiverFaults(t *testing.T) {
	for name, dsn := range backends(t) {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, dsn(t), 3)
			ctx := context.Background()
			a := f.archiver(t, true)

			f.fail.Store(true)
			rep, err := a.Pass(ctx, 0, nil)
			if err != nil || rep.Failed != 3 || rep.Archived != 0 {
				t.Fatalf("a pass against 500s: %+v, %v", rep, err)
			}
			if f.puts.Load() == 0 {
				t.Fatal("no upload reached the proxy")
			}
			if n := f.onDisk(t); n != 3 {
				t.Errorf("%d files on disk after failed uploads, want 3", n)
			}
			if s := f.storage(t); s[recordings.StorageLocal] != 3 {
				t.Errorf("storage after failed uploads: %v", s)
			}

			f.fail.Store(false)
			rep, err = a.Pass(ctx, 0, nil)
			if err != nil || rep.Archived != 3 || rep.Failed != 0 {
				t.Fatalf("a pass once the server is well: %+v, %v", rep, err)
			}
			if n := f.onDisk(t); n != 0 {
				t.Errorf("%d files on disk after archiving", n)
			}
			if s := f.storage(t); s[recordings.StorageS3] != 3 {
				t.Errorf("storage after archiving: %v", s)
			}
			// Each object reads back as its file was.
			src := archive.Source{Tree: f.tree, Objects: a.Bucket}
			p, err := f.cat.Search(ctx, recordings.Query{Limit: 100})
			must(t, err)
			for _, r := range p.Items {
				obj, size, err := src.Open(ctx, r)
				must(t, err)
				buf := make([]byte, size)
				if _, err := obj.ReadAt(buf, 0); err != nil {
					t.Fatal(err)
				}
				obj.Close()
				if want := wavOf(int(r.Size-44) / 2); string(buf) != string(want) {
					t.Errorf("%s: the object is not the file", r.Path)
				}
			}

			// The bucket vanishes: reads say so, and a pass stops at once.
			must(t, os.RemoveAll(filepath.Join(f.srv.Dir, f.srv.Bucket)))
			if _, _, err := src.Open(ctx, p.Items[0]); !errors.Is(err, s3.ErrNoBucket) {
				t.Errorf("open an archived recording without its bucket: %v", err)
			}
			name := filepath.Join(f.root, dayDir, "in-74951234999-101-20261120-100000-1795000001.9.wav")
			must(t, os.WriteFile(name, wavOf(900), 0o644))
			old := time.Date(2026, 11, 20, 11, 0, 0, 0, time.UTC)
			must(t, os.Chtimes(name, old, old))
			_, err = (&ingest.Scanner{Tree: f.tree, Cat: f.cat, Loc: time.UTC, Log: slog.New(slog.DiscardHandler)}).Scan(ctx, true)
			must(t, err)
			_, err = (&evidence.Hasher{Store: f.cat, Tree: f.tree}).Pass(ctx, time.Now(), true)
			must(t, err)
			if _, err := a.Pass(ctx, 0, nil); !errors.Is(err, s3.ErrNoBucket) {
				t.Errorf("a pass without the bucket: %v", err)
			}
			if n := f.onDisk(t); n != 1 {
				t.Errorf("%d files on disk after a pass without the bucket, want 1", n)
			}
		})
	}
}

func backends(t *testing.T) map[string]func(*testing.T) string {
	return map[string]func(*testing.T) string{
		"sqlite": func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "totalrec.db") },
		"mysql":  func(t *testing.T) string { return mariadb.NewDatabase(t, "totalrec_archive_test") },
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestArchiverWatermark: with the disk below MinFree, a pass archives recordings
// younger than After, oldest first, and stops once the disk is above it again;
// none younger than MinAge goes.
func TestArchiverWatermark(t *testing.T) {
	f := newFixture(t, "sqlite:"+filepath.Join(t.TempDir(), "totalrec.db"), 5)
	ctx := context.Background()
	a := f.archiver(t, false)
	a.After = 365 * 24 * time.Hour // nothing is old enough by age
	a.Now = func() time.Time { return time.Date(2026, 11, 20, 10, 30, 0, 0, time.UTC) }
	a.MinAge = 15 * time.Minute
	// A disk of 10,000 bytes that needs 40 % free, with about 1,260 free: every
	// byte archived frees a byte. Two of the recordings (about 1,650 bytes each)
	// bring it above the watermark.
	a.MinFree = 40
	a.Disk = func() (int64, int64, error) {
		local, _, err := f.cat.ArchiveFigures(ctx, "")
		return 1000 + 5*1700 - local.Bytes, 10000, err
	}
	rep, err := a.Pass(ctx, 0, nil)
	if err != nil || !rep.Watermark || rep.Archived != 2 {
		t.Fatalf("a pass below the watermark: %+v, %v", rep, err)
	}
	// Above it, nothing more goes.
	rep, err = a.Pass(ctx, 0, nil)
	if err != nil || rep.Watermark || rep.Archived != 0 {
		t.Fatalf("a pass above the watermark: %+v, %v", rep, err)
	}
	// MinAge holds whatever the disk says.
	a.MinFree, a.MinAge = 99, 2*time.Hour
	rep, err = a.Pass(ctx, 0, nil)
	if err != nil || !rep.Watermark || rep.Archived != 0 {
		t.Fatalf("a pass with every recording younger than MinAge: %+v, %v", rep, err)
	}
}
