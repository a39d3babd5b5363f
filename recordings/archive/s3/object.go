package s3

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/totalrec/totalrec/internal/ranged"
)

// Verify checks that key's object is size bytes with SHA-256 sha256hex (lower-case
// hex): it compares the size first, then reads the whole object back and hashes
// it. A difference is an error wrapping ErrMismatch.
func (b *Bucket) Verify(ctx context.Context, key string, size int64, sha256hex string) error {
	oi, err := b.stat(ctx, "verify", key)
	if err != nil {
		return err
	}
	if oi.Size != size {
		return fmt.Errorf("verify %s: the object in %s has %d bytes, not %d: %w", key, b, oi.Size, size, ErrMismatch)
	}
	body, _, _, err := b.core().GetObject(ctx, b.bucket, b.prefix+key, getOptions(oi.ETag))
	if err != nil {
		return b.readFail(ctx, "verify", key, err)
	}
	defer body.Close()
	h := sha256.New()
	n, err := io.Copy(h, body)
	if err != nil {
		return b.fail(ctx, "verify", key, err)
	}
	if n != size {
		return fmt.Errorf("verify %s: reading the object in %s gave %d bytes, not %d: %w", key, b, n, size, ErrMismatch)
	}
	if sum := hex.EncodeToString(h.Sum(nil)); sum != sha256hex {
		return fmt.Errorf("verify %s: the object in %s has SHA-256 %s, not %s: %w", key, b, sum, sha256hex, ErrMismatch)
	}
	return nil
}

func (b *Bucket) core() minio.Core { return minio.Core{Client: b.client} }

// getOptions asks for the object whose ETag is etag (any object if "").
func getOptions(etag string) minio.GetObjectOptions {
	var opts minio.GetObjectOptions
	if etag != "" {
		opts.Set("If-Match", `"`+etag+`"`)
	}
	return opts
}

// readFail is fail for a GET made with If-Match: a failed precondition means
// the object was replaced since it was stated.
func (b *Bucket) readFail(ctx context.Context, op, key string, err error) error {
	if code(err) == minio.PreconditionFailed {
		return fmt.Errorf("%s %s: the object in %s changed while it was read: %w", op, key, b, ErrMismatch)
	}
	return b.fail(ctx, op, key, err)
}

// Object is an open object: an io.ReaderAt whose reads are ranged GETs through
// a read-ahead window (package ranged), so that no read waits for a download of
// the whole object. It is safe for concurrent use; reads are serialised.
type Object struct {
	*ranged.Reader
	b    *Bucket
	ctx  context.Context // of OpenObject: an io.ReaderAt has no other
	key  string
	etag string
	mod  time.Time
}

// OpenObject stats key's object and returns a reader of it. Its reads are made
// under ctx: cancelling ctx ends them. Each read asks for the object as it was
// stated (If-Match on its ETag), so an object replaced meanwhile fails the read
// with ErrMismatch instead of mixing two objects' bytes.
func (b *Bucket) OpenObject(ctx context.Context, key string) (*Object, error) {
	oi, err := b.stat(ctx, "open", key)
	if err != nil {
		return nil, err
	}
	o := &Object{b: b, ctx: ctx, key: key, etag: oi.ETag, mod: oi.LastModified}
	o.Reader = ranged.New(key, oi.Size, o.get)
	return o, nil
}

// ModTime is when the object was stored.
func (o *Object) ModTime() time.Time { return o.mod }

// get reads len(p) bytes at off with one ranged GET.
func (o *Object) get(p []byte, off int64) (int, error) {
	opts := getOptions(o.etag)
	if err := opts.SetRange(off, off+int64(len(p))-1); err != nil {
		return 0, fmt.Errorf("read %s: %w", o.key, err)
	}
	body, _, h, err := o.b.core().GetObject(o.ctx, o.b.bucket, o.b.prefix+o.key, opts)
	if err != nil {
		return 0, o.b.readFail(o.ctx, "read", o.key, err)
	}
	defer body.Close()
	// A server that ignores Range answers with the whole object, from byte 0.
	if cr := h.Get("Content-Range"); !strings.HasPrefix(cr, "bytes "+strconv.FormatInt(off, 10)+"-") && (cr != "" || off != 0) {
		return 0, fmt.Errorf("read %s: the S3 server at %s answered a read at %d with the range %q", o.key, o.b.host, off, cr)
	}
	n, err := io.ReadFull(body, p)
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return n, fmt.Errorf("read %s: the object in %s ended at %d, before its size %d: %w", o.key, o.b, off+int64(n), o.Size(), ErrMismatch)
	}
	if err != nil {
		return n, o.b.fail(o.ctx, "read", o.key, err)
	}
	return n, nil
}
