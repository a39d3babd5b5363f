// Package ranged reads a remote file of known size — an object in a bucket, a
// recording on another node — as an io.ReaderAt, one ranged request per read-ahead
// window, so that a decoder reading a few KiB at a time costs one request per
// window rather than one per read, and no read waits for the whole file.
package ranged

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
)

// Window is how much a read fetches at least.
const Window = 256 << 10

// Get reads len(p) bytes at off with one ranged request. Fewer bytes than asked
// for must come with an error.
type Get func(p []byte, off int64) (int, error)

// Reader is an io.ReaderAt over a remote file of size bytes. It is safe for
// concurrent use; reads are serialised.
type Reader struct {
	name string
	size int64
	get  Get

	mu     sync.Mutex
	buf    []byte // the file's bytes from bufOff, read ahead
	bufOff int64
	closed bool
}

// New returns a reader of the size-byte file name (for messages) read with get.
func New(name string, size int64, get Get) *Reader {
	return &Reader{name: name, size: size, get: get}
}

// Size is the file's size.
func (r *Reader) Size() int64 { return r.size }

// Close ends the use of r; later reads fail. It makes no request.
func (r *Reader) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	r.buf = nil
	return nil
}

// ReadAt reads len(p) bytes at off, as io.ReaderAt does: fewer only with an
// error, io.EOF at the end of the file. Bytes the window holds cost no request; a
// read past it fetches a new window from its start, or, for a read larger than a
// window, exactly what it asks for.
func (r *Reader) ReadAt(p []byte, off int64) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return 0, fmt.Errorf("read %s: %w", r.name, os.ErrClosed)
	}
	if off < 0 {
		return 0, fmt.Errorf("read %s: negative offset %d", r.name, off)
	}
	n := 0
	for n < len(p) && off+int64(n) < r.size {
		at := off + int64(n)
		if at >= r.bufOff && at < r.bufOff+int64(len(r.buf)) {
			n += copy(p[n:], r.buf[at-r.bufOff:])
			continue
		}
		want := min(int64(len(p)-n), r.size-at)
		if want >= Window {
			got, err := r.get(p[n:n+int(want)], at)
			n += got
			if err != nil {
				return n, err
			}
			continue
		}
		if err := r.fill(at); err != nil {
			return n, err
		}
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// fill reads the window at off into the buffer.
func (r *Reader) fill(off int64) error {
	size := min(int64(Window), r.size-off)
	if cap(r.buf) < Window {
		r.buf = make([]byte, Window)
	}
	r.buf = r.buf[:size]
	r.bufOff = off
	n, err := r.get(r.buf, off)
	r.buf = r.buf[:n]
	if err == nil && int64(n) < size {
		err = errors.New("short read")
	}
	return err
}
