package s3_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/totalrec/totalrec/internal/testsupport/s3server"
	"github.com/totalrec/totalrec/recordings/archive/s3"
)

func open(t *testing.T, cfg s3.Config) *s3.Bucket {
	t.Helper()
	b, err := s3.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return b
}

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	p := make([]byte, n)
	rand.Read(p)
	return p
}

func sum(p []byte) string {
	h := sha256.Sum256(p)
	return hex.EncodeToString(h[:])
}

func put(t *testing.T, b *s3.Bucket, key string, data []byte, meta map[string]string) {
	t.Helper()
	if err := b.Put(context.Background(), key, bytes.NewReader(data), int64(len(data)), meta); err != nil {
		t.Fatalf("Put %s: %v", key, err)
	}
}

// counter counts the ranged GETs that pass through it.
type counter struct {
	next   http.RoundTripper
	ranged atomic.Int64
}

func (c *counter) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodGet && r.Header.Get("Range") != "" {
		c.ranged.Add(1)
	}
	return c.next.RoundTrip(r)
}

func TestPutStatRead(t *testing.T) {
	t.Parallel()
	srv := s3server.Start(t)
	cfg := srv.Config()
	cfg.Prefix = "pbx1/"
	cnt := &counter{next: http.DefaultTransport}
	cfg.Transport = cnt
	b := open(t, cfg)
	ctx := context.Background()
	if err := b.Check(ctx); err != nil {
		t.Fatalf("Check: %v", err)
	}

	data := randomBytes(t, 1<<20+123)
	key := "2026/03/01/out-201-202-20260301-101500-1740823700.42.opus"
	meta := map[string]string{
		"sha256":    sum(data),
		"node":      "pbx1",
		"call-time": "2026-03-01T10:15:00Z",
		"src":       "Zoë Müller <201>",
		"dst":       " 100% sure ",
		"uniqueid":  "1740823700.42",
	}
	put(t, b, key, data, meta)

	if err := b.Verify(ctx, key, int64(len(data)), sum(data)); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	info, err := b.Stat(ctx, key)
	if err != nil {
		t.Fatalf("Stat: %v", err)
	}
	if info.Key != key || info.Size != int64(len(data)) || time.Since(info.ModTime) > time.Minute {
		t.Errorf("Stat = %q %d %v, want %q %d now", info.Key, info.Size, info.ModTime, key, len(data))
	}
	for k, v := range meta {
		if info.Meta[k] != v {
			t.Errorf("Stat meta %s = %q, want %q", k, info.Meta[k], v)
		}
	}
	if len(info.Meta) != len(meta) {
		t.Errorf("Stat meta = %q, want %q", info.Meta, meta)
	}
	if _, err := os.Stat(srv.ObjectPath(cfg.Prefix + key)); err != nil {
		t.Errorf("the object is not under the prefix: %v", err)
	}
	if ct := contentType(t, srv, cfg.Prefix+key); ct != "audio/ogg" {
		t.Errorf("Content-Type = %q, want audio/ogg", ct)
	}

	obj, err := b.OpenObject(ctx, key)
	if err != nil {
		t.Fatalf("OpenObject: %v", err)
	}
	defer obj.Close()
	size := int64(len(data))
	if obj.Size() != size || !obj.ModTime().Equal(info.ModTime) {
		t.Errorf("Object Size, ModTime = %d %v, want %d %v", obj.Size(), obj.ModTime(), size, info.ModTime)
	}
	for _, tc := range []struct {
		name    string
		off     int64
		n       int
		wantN   int
		wantEOF bool
	}{
		{"first byte", 0, 1, 1, false},
		{"middle", 500_000, 10_000, 10_000, false},
		{"across a window", 256<<10 - 100, 300, 300, false},
		{"larger than a window", 1000, 600 << 10, 600 << 10, false},
		{"last bytes", size - 7, 7, 7, false},
		{"across the end", size - 5, 10, 5, true},
		{"at the end", size, 10, 0, true},
		{"past the end", size + 100, 10, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := make([]byte, tc.n)
			n, err := obj.ReadAt(p, tc.off)
			if n != tc.wantN || (err == io.EOF) != tc.wantEOF || (err != nil && err != io.EOF) {
				t.Fatalf("ReadAt(%d bytes at %d) = %d, %v; want %d, EOF %v", tc.n, tc.off, n, err, tc.wantN, tc.wantEOF)
			}
			if n > 0 && !bytes.Equal(p[:n], data[tc.off:tc.off+int64(n)]) {
				t.Errorf("ReadAt(%d bytes at %d): wrong bytes", tc.n, tc.off)
			}
		})
	}
}

// An object larger than a part goes up in parts, from a reader that cannot seek
// (the archive hashes what it uploads), metadata and all.
func TestPutMultipart(t *testing.T) {
	t.Parallel()
	srv := s3server.Start(t)
	b := open(t, srv.Config())
	ctx := context.Background()
	data := randomBytes(t, 17<<20+5)
	h := sha256.New()
	err := b.Put(ctx, "big.wav", io.TeeReader(bytes.NewReader(data), h), int64(len(data)), map[string]string{"node": "pbx1"})
	if err != nil {
		t.Fatalf("Put: %v", err)
	}
	if hex.EncodeToString(h.Sum(nil)) != sum(data) {
		t.Fatal("Put did not read the data once through")
	}
	if err := b.Verify(ctx, "big.wav", int64(len(data)), sum(data)); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	info, err := b.Stat(ctx, "big.wav")
	if err != nil || info.Meta["node"] != "pbx1" {
		t.Errorf("Stat = %+v, %v; want node pbx1", info, err)
	}
}

// Reads from several goroutines, as http.ServeContent serving two ranges at once
// makes, each get their own bytes.
func TestConcurrentReads(t *testing.T) {
	t.Parallel()
	srv := s3server.Start(t)
	b := open(t, srv.Config())
	data := randomBytes(t, 900_000)
	put(t, b, "c.wav", data, nil)
	obj, err := b.OpenObject(context.Background(), "c.wav")
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Close()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 20 {
				off := int64((g*131_071 + i*40_009) % len(data))
				p := make([]byte, 1+(g*7_919+i*3_001)%20_000)
				n, err := obj.ReadAt(p, off)
				if err != nil && err != io.EOF {
					t.Errorf("ReadAt(%d at %d): %v", len(p), off, err)
					return
				}
				if !bytes.Equal(p[:n], data[off:off+int64(n)]) {
					t.Errorf("ReadAt(%d at %d): wrong bytes", len(p), off)
					return
				}
			}
		})
	}
	wg.Wait()
}

// A decoder reads 4 KiB at a time: that must cost one request per read-ahead
// window, not one per read.
func TestSequentialReadsShareRequests(t *testing.T) {
	t.Parallel()
	srv := s3server.Start(t)
	cfg := srv.Config()
	cnt := &counter{next: http.DefaultTransport}
	cfg.Transport = cnt
	b := open(t, cfg)
	const chunk = 4 << 10
	data := randomBytes(t, 1000*chunk)
	put(t, b, "long.wav", data, nil)

	obj, err := b.OpenObject(context.Background(), "long.wav")
	if err != nil {
		t.Fatalf("OpenObject: %v", err)
	}
	defer obj.Close()
	var got bytes.Buffer
	p := make([]byte, chunk)
	for off := int64(0); ; off += chunk {
		n, err := obj.ReadAt(p, off)
		got.Write(p[:n])
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("ReadAt %d: %v", off, err)
		}
	}
	if !bytes.Equal(got.Bytes(), data) {
		t.Fatalf("read %d bytes, not the %d put", got.Len(), len(data))
	}
	// 4000 KiB in windows of 256 KiB.
	if n := cnt.ranged.Load(); n != 16 {
		t.Errorf("1000 reads of 4 KiB made %d ranged GETs, want 16", n)
	}
}

// contentType is the Content-Type the server stored key's object with.
func contentType(t *testing.T, srv *s3server.Server, key string) string {
	t.Helper()
	c, err := minio.New(srv.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(srv.AccessKey, srv.SecretKey, ""), Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	oi, err := c.StatObject(context.Background(), srv.Bucket, key, minio.StatObjectOptions{})
	if err != nil {
		t.Fatalf("stat %s: %v", key, err)
	}
	return oi.ContentType
}

func TestVerifyMismatch(t *testing.T) {
	t.Parallel()
	srv := s3server.Start(t)
	b := open(t, srv.Config())
	ctx := context.Background()
	data := randomBytes(t, 70_000)
	put(t, b, "a/rec.wav", data, nil)

	if err := b.Verify(ctx, "a/rec.wav", int64(len(data))+1, sum(data)); !errors.Is(err, s3.ErrMismatch) {
		t.Errorf("Verify with a wrong size = %v, want ErrMismatch", err)
	}
	if err := b.Verify(ctx, "a/rec.wav", int64(len(data)), sum(data[1:])); !errors.Is(err, s3.ErrMismatch) {
		t.Errorf("Verify with a wrong hash = %v, want ErrMismatch", err)
	}

	// One byte altered on the server's disk, behind its back.
	bad := bytes.Clone(data)
	bad[len(bad)/2] ^= 0x01
	if err := os.WriteFile(srv.ObjectPath("a/rec.wav"), bad, 0o644); err != nil {
		t.Fatal(err)
	}
	err := b.Verify(ctx, "a/rec.wav", int64(len(data)), sum(data))
	if !errors.Is(err, s3.ErrMismatch) {
		t.Fatalf("Verify of an altered object = %v, want ErrMismatch", err)
	}
	t.Logf("altered: %v", err)

	// Truncated: the size alone tells.
	if err := os.WriteFile(srv.ObjectPath("a/rec.wav"), data[:1000], 0o644); err != nil {
		t.Fatal(err)
	}
	if err := b.Verify(ctx, "a/rec.wav", int64(len(data)), sum(data)); !errors.Is(err, s3.ErrMismatch) {
		t.Errorf("Verify of a truncated object = %v, want ErrMismatch", err)
	}
}

// An object replaced while it is open is not read as a mix of the two.
func TestReadReplacedObject(t *testing.T) {
	t.Parallel()
	srv := s3server.Start(t)
	b := open(t, srv.Config())
	ctx := context.Background()
	put(t, b, "r.opus", randomBytes(t, 600<<10), nil)
	obj, err := b.OpenObject(ctx, "r.opus")
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Close()
	if _, err := obj.ReadAt(make([]byte, 10), 0); err != nil {
		t.Fatalf("ReadAt: %v", err)
	}
	put(t, b, "r.opus", randomBytes(t, 600<<10), nil)
	if _, err := obj.ReadAt(make([]byte, 10), 500<<10); !errors.Is(err, s3.ErrMismatch) {
		t.Errorf("ReadAt of a replaced object = %v, want ErrMismatch", err)
	}
}

func TestRemove(t *testing.T) {
	t.Parallel()
	srv := s3server.Start(t)
	b := open(t, srv.Config())
	ctx := context.Background()
	put(t, b, "gone.mp3", []byte("not for long"), nil)
	if err := b.Remove(ctx, "gone.mp3"); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	if err := b.Remove(ctx, "gone.mp3"); err != nil {
		t.Errorf("Remove again: %v", err)
	}
	if err := b.Remove(ctx, "never/was.mp3"); err != nil {
		t.Errorf("Remove of a key never put: %v", err)
	}
	_, err := b.Stat(ctx, "gone.mp3")
	if !errors.Is(err, s3.ErrNotFound) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Stat after Remove = %v, want ErrNotFound and fs.ErrNotExist", err)
	}
	if err := b.Verify(ctx, "gone.mp3", 12, sum([]byte("not for long"))); !errors.Is(err, s3.ErrNotFound) {
		t.Errorf("Verify after Remove = %v, want ErrNotFound", err)
	}
	if _, err := b.OpenObject(ctx, "gone.mp3"); !errors.Is(err, s3.ErrNotFound) {
		t.Errorf("OpenObject after Remove = %v, want ErrNotFound", err)
	}
}

func TestOpen(t *testing.T) {
	good := s3.Config{Endpoint: "s3.example.com:9000", Bucket: "recs", AccessKey: "AKIDEXAMPLE", SecretKey: "wJalrXUtnFEMI-secret"}
	for _, tc := range []struct {
		name   string
		edit   func(*s3.Config)
		want   string // in the error; "" for none
		String string
	}{
		{"host:port is https", func(*s3.Config) {}, "", "s3://recs/ at https://s3.example.com:9000"},
		{"insecure host:port is http", func(c *s3.Config) { c.Insecure = true }, "", "s3://recs/ at http://s3.example.com:9000"},
		{"URL", func(c *s3.Config) { c.Endpoint = "http://10.0.0.5:7070/"; c.Insecure = true; c.Prefix = "pbx1/" }, "", "s3://recs/pbx1/ at http://10.0.0.5:7070"},
		{"no endpoint", func(c *s3.Config) { c.Endpoint = "" }, "archive_endpoint", ""},
		{"endpoint with a path", func(c *s3.Config) { c.Endpoint = "https://s3.example.com/recs" }, "archive_endpoint", ""},
		{"https and insecure", func(c *s3.Config) { c.Endpoint = "https://s3.example.com"; c.Insecure = true }, "archive_endpoint", ""},
		{"other scheme", func(c *s3.Config) { c.Endpoint = "ftp://s3.example.com" }, "archive_endpoint", ""},
		{"no bucket", func(c *s3.Config) { c.Bucket = "" }, "archive_bucket", ""},
		{"bad bucket", func(c *s3.Config) { c.Bucket = "Recs_2" }, "archive_bucket", ""},
		{"no access key", func(c *s3.Config) { c.AccessKey = "" }, "archive_access_key", ""},
		{"no secret", func(c *s3.Config) { c.SecretKey = "" }, "archive_secret_key", ""},
		{"prefix without /", func(c *s3.Config) { c.Prefix = "pbx1" }, "archive_prefix", ""},
		{"prefix from /", func(c *s3.Config) { c.Prefix = "/pbx1/" }, "archive_prefix", ""},
		{"CA file missing", func(c *s3.Config) { c.CAFile = "/nonexistent/ca.pem" }, "archive_ca_file", ""},
		{"CA file without TLS", func(c *s3.Config) { c.CAFile = "/etc/hostname"; c.Insecure = true }, "archive_ca_file", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := good
			tc.edit(&cfg)
			b, err := s3.Open(context.Background(), cfg)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				if s := b.String(); s != tc.String {
					t.Errorf("String() = %q, want %q", s, tc.String)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Open = %v, want an error naming %s", err, tc.want)
			}
			if strings.Contains(err.Error(), good.SecretKey) {
				t.Errorf("Open error %q shows the secret key", err)
			}
		})
	}
}

func TestPutRefusesBadMetadata(t *testing.T) {
	b, err := s3.Open(context.Background(), s3.Config{Endpoint: "127.0.0.1:1", Bucket: "recs", AccessKey: "a", SecretKey: "s", Insecure: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"", "Node", "call_time", "x y", "ü"} {
		if err := b.Put(context.Background(), "k.wav", strings.NewReader("abc"), 3, map[string]string{k: "v"}); err == nil || !strings.Contains(err.Error(), "metadata key") {
			t.Errorf("Put with metadata key %q = %v, want a refusal", k, err)
		}
	}
}
