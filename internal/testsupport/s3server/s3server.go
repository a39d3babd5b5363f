// Package s3server is test support, imported by tests only: it runs a real S3
// server, versitygw over a temporary directory, for a test of its own.
//
// The binary is TOTALREC_TEST_VERSITYGW (a path; scripts/test builds versitygw
// and sets it), else versitygw on PATH, else $(go env GOPATH)/bin/versitygw.
// Without one the test fails, naming the go install command that provides it:
// the archive tier's tests are not optional. TOTALREC_TEST_S3=skip skips them instead, for a quick run on
// a machine without the binary.
//
// The gateway's posix backend keeps bucket B's object K in the file Dir/B/K, so
// a test can damage an object, or remove a bucket, behind the server's back.
package s3server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/totalrec/totalrec/recordings/archive/s3"
)

// DefaultBucket is the bucket Start creates.
const DefaultBucket = "totalrec-test"

// Install is the command that provides the binary.
const Install = "go install github.com/versity/versitygw/cmd/versitygw@v1.8.0 (or run scripts/test, which builds it)"

// Server is a running versitygw.
type Server struct {
	Endpoint  string // 127.0.0.1:port
	AccessKey string
	SecretKey string
	Bucket    string
	Dir       string // the posix backend's root: one directory per bucket

	bin  string
	log  string // the server's output
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
}

// Start starts versitygw on a free loopback port over a fresh directory, waits
// until it answers, and creates bucket (DefaultBucket if none is given). The
// server stops when the test ends; its output is in the test's log if the test
// failed.
func Start(t testing.TB, bucket ...string) *Server {
	t.Helper()
	bin := binary(t)
	s := &Server{
		AccessKey: "totalrec-" + random(4),
		SecretKey: random(20),
		Bucket:    DefaultBucket,
		Dir:       t.TempDir(),
		bin:       bin,
		log:       filepath.Join(t.TempDir(), "versitygw.log"),
	}
	if len(bucket) > 0 {
		s.Bucket = bucket[0]
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("s3server: find a free port: %v", err)
	}
	s.Endpoint = l.Addr().String()
	l.Close()
	t.Cleanup(func() {
		s.Stop()
		if t.Failed() {
			s.dumpLog(t)
		}
	})
	s.start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := minio.New(s.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(s.AccessKey, s.SecretKey, ""), Region: "us-east-1"})
	if err != nil {
		t.Fatalf("s3server: client: %v", err)
	}
	if err := c.MakeBucket(ctx, s.Bucket, minio.MakeBucketOptions{}); err != nil {
		s.dumpLog(t)
		t.Fatalf("s3server: create bucket %s: %v", s.Bucket, err)
	}
	return s
}

// Config is the configuration of a client of s's bucket (plain HTTP: loopback).
func (s *Server) Config() s3.Config {
	return s3.Config{
		Endpoint:  s.Endpoint,
		Bucket:    s.Bucket,
		AccessKey: s.AccessKey,
		SecretKey: s.SecretKey,
		Insecure:  true,
	}
}

// Stop kills the server and waits for it to exit. Stopping a stopped server does
// nothing.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Kill()
	<-s.done
	s.cmd = nil
}

// Restart starts the server again on the same port and directory.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.Stop()
	s.start(t)
}

// start runs the binary and waits until the port answers HTTP.
func (s *Server) start(t testing.TB) {
	t.Helper()
	out, err := os.OpenFile(s.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatalf("s3server: %v", err)
	}
	defer out.Close() // the child has its own descriptor
	cmd := exec.Command(s.bin, "--access", s.AccessKey, "--secret", s.SecretKey,
		"--port", s.Endpoint, "posix", s.Dir)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("s3server: start %s: %v", s.bin, err)
	}
	done := make(chan struct{})
	go func() {
		cmd.Wait()
		close(done)
	}()
	s.cmd, s.done = cmd, done
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case <-done:
			s.cmd = nil
			s.dumpLog(t)
			t.Fatalf("s3server: %s exited at start: %v", s.bin, cmd.ProcessState)
		default:
		}
		if answers(s.Endpoint) {
			return
		}
		if time.Now().After(deadline) {
			s.Stop()
			s.dumpLog(t)
			t.Fatalf("s3server: %s does not answer on %s after 10s", s.bin, s.Endpoint)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// answers reports whether an HTTP server answers at addr (any status: an
// unsigned request is refused).
func answers(addr string) bool {
	c := http.Client{Timeout: time.Second}
	resp, err := c.Get("http://" + addr + "/")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return true
}

func (s *Server) dumpLog(t testing.TB) {
	t.Helper()
	b, err := os.ReadFile(s.log)
	if err != nil {
		t.Logf("s3server: read the server's output: %v", err)
		return
	}
	t.Logf("versitygw output (%s):\n%s", s.log, b)
}

// binary finds versitygw, or ends the test.
func binary(t testing.TB) string {
	t.Helper()
	if os.Getenv("TOTALREC_TEST_S3") == "skip" {
		t.Skip("TOTALREC_TEST_S3=skip")
	}
	if p := os.Getenv("TOTALREC_TEST_VERSITYGW"); p != "" {
		if !executable(p) {
			t.Fatalf("s3server: TOTALREC_TEST_VERSITYGW=%s is not an executable file", p)
		}
		return p
	}
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p
	}
	var candidates []string
	if gopath, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		for _, dir := range filepath.SplitList(strings.TrimSpace(string(gopath))) {
			candidates = append(candidates, filepath.Join(dir, "bin", "versitygw"))
		}
	}
	for _, p := range candidates {
		if executable(p) {
			return p
		}
	}
	t.Fatalf("s3server: no versitygw binary (looked at TOTALREC_TEST_VERSITYGW, PATH, %s): install it with\n\t%s\nor set TOTALREC_TEST_S3=skip to skip the S3 tests",
		strings.Join(candidates, ", "), Install)
	return ""
}

func executable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

func random(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// ObjectPath is the file that holds key's object in s's bucket.
func (s *Server) ObjectPath(key string) string {
	return filepath.Join(s.Dir, s.Bucket, filepath.FromSlash(key))
}
