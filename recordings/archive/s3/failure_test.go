package s3_test

import (
	"bytes"
	"context"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/totalrec/totalrec/internal/testsupport/s3server"
	"github.com/totalrec/totalrec/recordings/archive/s3"
)

func TestWrongCredentials(t *testing.T) {
	t.Parallel()
	srv := s3server.Start(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		edit func(*s3.Config)
	}{
		{"wrong secret", func(c *s3.Config) { c.SecretKey = "not-the-secret-9f8e7d" }},
		{"unknown access key", func(c *s3.Config) { c.AccessKey = "nobody-here" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := srv.Config()
			tc.edit(&cfg)
			b := open(t, cfg)
			for op, err := range map[string]error{
				"Check": b.Check(ctx),
				"Put":   b.Put(ctx, "x.wav", strings.NewReader("abc"), 3, nil),
				"Stat": func() error {
					_, err := b.Stat(ctx, "x.wav")
					return err
				}(),
			} {
				if !errors.Is(err, s3.ErrCredentials) {
					t.Errorf("%s = %v, want ErrCredentials", op, err)
					continue
				}
				msg := err.Error()
				if !strings.Contains(msg, cfg.AccessKey) || !strings.Contains(msg, srv.Endpoint) {
					t.Errorf("%s: %q does not name access key %s and endpoint %s", op, msg, cfg.AccessKey, srv.Endpoint)
				}
				if strings.Contains(msg, cfg.SecretKey) || strings.Contains(msg, srv.SecretKey) {
					t.Errorf("%s: %q shows a secret key", op, msg)
				}
			}
			if s := b.String(); strings.Contains(s, cfg.SecretKey) {
				t.Errorf("String() = %q shows the secret key", s)
			}
		})
	}
}

func TestBucketVanished(t *testing.T) {
	t.Parallel()
	srv := s3server.Start(t)
	b := open(t, srv.Config())
	ctx := context.Background()
	put(t, b, "k.wav", []byte("abc"), nil)
	if err := os.RemoveAll(srv.ObjectPath("")); err != nil {
		t.Fatal(err)
	}
	if err := b.Check(ctx); !errors.Is(err, s3.ErrNoBucket) || !strings.Contains(err.Error(), srv.Bucket) {
		t.Errorf("Check = %v, want ErrNoBucket naming %s", err, srv.Bucket)
	}
	if err := b.Put(ctx, "k.wav", strings.NewReader("abc"), 3, nil); !errors.Is(err, s3.ErrNoBucket) {
		t.Errorf("Put = %v, want ErrNoBucket", err)
	}
	// A HEAD's 404 does not say what is missing: the bucket must not pass for one
	// missing object.
	if _, err := b.Stat(ctx, "k.wav"); !errors.Is(err, s3.ErrNoBucket) || errors.Is(err, s3.ErrNotFound) {
		t.Errorf("Stat = %v, want ErrNoBucket", err)
	}
	if err := b.Verify(ctx, "k.wav", 3, sum([]byte("abc"))); !errors.Is(err, s3.ErrNoBucket) {
		t.Errorf("Verify = %v, want ErrNoBucket", err)
	}
	if err := b.Remove(ctx, "k.wav"); !errors.Is(err, s3.ErrNoBucket) {
		t.Errorf("Remove = %v, want ErrNoBucket", err)
	}
}

func TestServerDown(t *testing.T) {
	t.Parallel()
	srv := s3server.Start(t)
	b := open(t, srv.Config())
	ctx := context.Background()
	put(t, b, "k.wav", []byte("abc"), nil)
	obj, err := b.OpenObject(ctx, "k.wav")
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Close()

	srv.Stop()
	start := time.Now()
	err = b.Check(ctx)
	took := time.Since(start)
	if !errors.Is(err, s3.ErrUnreachable) || !strings.Contains(err.Error(), srv.Endpoint) {
		t.Errorf("Check of a stopped server = %v, want ErrUnreachable naming %s", err, srv.Endpoint)
	}
	if took > 15*time.Second {
		t.Errorf("Check of a stopped server took %v", took)
	}
	t.Logf("Check of a stopped server failed in %v: %v", took.Round(time.Millisecond), err)
	if _, err := obj.ReadAt(make([]byte, 3), 0); !errors.Is(err, s3.ErrUnreachable) {
		t.Errorf("ReadAt of a stopped server = %v, want ErrUnreachable", err)
	}

	srv.Restart(t)
	if err := b.Check(ctx); err != nil {
		t.Errorf("Check after Restart: %v", err)
	}
	if _, err := obj.ReadAt(make([]byte, 3), 0); err != nil {
		t.Errorf("ReadAt after Restart: %v", err)
	}
}

func TestCancelled(t *testing.T) {
	t.Parallel()
	srv := s3server.Start(t)
	b := open(t, srv.Config())
	srv.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := b.Check(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Errorf("Check under a 300ms deadline = %v after %v, want DeadlineExceeded at once", err, time.Since(start))
	}
}

// failingProxy passes requests to srv, except PUTs, which it answers with 500
// after reading up to n bytes of the body. It counts the PUTs.
func failingProxy(t *testing.T, srv *s3server.Server, n int64) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	target := &url.URL{Scheme: "http", Host: srv.Endpoint}
	rp := httputil.NewSingleHostReverseProxy(target)
	var puts atomic.Int64
	ps := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPut {
			rp.ServeHTTP(w, r)
			return
		}
		puts.Add(1)
		io.CopyN(io.Discard, r.Body, n)
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>`)
	}))
	t.Cleanup(ps.Close)
	return ps, &puts
}

func TestServerFailsUploads(t *testing.T) {
	t.Parallel()
	srv := s3server.Start(t)
	direct := open(t, srv.Config())
	data := randomBytes(t, 300_000)
	for _, tc := range []struct {
		name string
		n    int64
	}{
		{"at once", 0},
		{"mid-upload", 100_000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ps, puts := failingProxy(t, srv, tc.n)
			cfg := srv.Config()
			cfg.Endpoint = strings.TrimPrefix(ps.URL, "http://")
			b := open(t, cfg)
			key := "fail/" + strings.ReplaceAll(tc.name, " ", "-") + ".wav"
			start := time.Now()
			// A reader that is no io.Seeker, as an upload that hashes what it
			// reads gives.
			err := b.Put(context.Background(), key, io.TeeReader(bytes.NewReader(data), io.Discard), int64(len(data)), nil)
			took := time.Since(start)
			if err == nil {
				t.Fatal("Put through a server that answers 500 succeeded")
			}
			if took > 30*time.Second {
				t.Errorf("Put took %v", took)
			}
			t.Logf("Put failed after %d PUTs in %v: %v", puts.Load(), took.Round(time.Millisecond), err)
			if !strings.Contains(err.Error(), "500") || !strings.Contains(err.Error(), cfg.Endpoint) {
				t.Errorf("Put error %q does not say the server at %s answered 500", err, cfg.Endpoint)
			}
			if err := direct.Verify(context.Background(), key, int64(len(data)), sum(data)); !errors.Is(err, s3.ErrNotFound) {
				t.Errorf("Verify after a failed Put = %v, want ErrNotFound", err)
			}
		})
	}
}

// A server whose certificate comes from a private CA is refused until CAFile
// names the CA; TLS is never skipped.
func TestPrivateCA(t *testing.T) {
	t.Parallel()
	srv := s3server.Start(t)
	ts := httptest.NewTLSServer(httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: srv.Endpoint}))
	t.Cleanup(ts.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cfg := srv.Config()
	cfg.Insecure = false
	cfg.Endpoint = ts.URL // https://127.0.0.1:port

	err := open(t, cfg).Check(ctx)
	if !errors.Is(err, s3.ErrUnreachable) || !strings.Contains(err.Error(), "archive_ca_file") {
		t.Errorf("Check without the CA = %v, want ErrUnreachable naming archive_ca_file", err)
	}
	cfg.CAFile = ca
	b := open(t, cfg)
	if err := b.Check(ctx); err != nil {
		t.Fatalf("Check with the CA: %v", err)
	}
	put(t, b, "tls.opus", []byte("over TLS"), map[string]string{"node": "pbx1"})
	if err := b.Verify(ctx, "tls.opus", 8, sum([]byte("over TLS"))); err != nil {
		t.Errorf("Verify over TLS: %v", err)
	}
}
