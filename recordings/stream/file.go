package stream

import (
	"fmt"
	"io"
	"os"
	"syscall"
)

// wholeFile returns the first size bytes of f, served unchanged, as a ReadSeeker.
// An *os.File comes back as a fileSection, which copies with sendfile; any other
// File as a section reader.
func wholeFile(f File, size int64) io.ReadSeeker {
	if osf, ok := f.(*os.File); ok {
		return &fileSection{f: osf, size: size}
	}
	return io.NewSectionReader(f, 0, size)
}

// fileSection is the first size bytes of an open file. It offers SyscallConn so
// that net/http's ReadFrom on a TCP connection hands it to sendfile, which reads
// from the file's own offset: http.ServeContent copies through an
// io.LimitedReader of the range's length, which sendfile honours, so no copy
// passes the end of the section however large the file has grown since (a copy
// without such a limit could). Seek and Read keep the position in memory and
// read with pread, so the file's offset is set only when sendfile needs it; a
// file has at most one fileSection in use at a time.
type fileSection struct {
	f    *os.File
	size int64
	pos  int64 // where the next Read starts; -1 when the file's offset says, after sendfile moved it
}

// Read reads from the position, stopping at the end of the section.
func (s *fileSection) Read(p []byte) (int, error) {
	if s.pos < 0 {
		off, err := s.f.Seek(0, io.SeekCurrent)
		if err != nil {
			return 0, err
		}
		s.pos = off
	}
	if s.pos >= s.size {
		return 0, io.EOF
	}
	if rest := s.size - s.pos; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := s.f.ReadAt(p, s.pos)
	s.pos += int64(n)
	if n > 0 && err == io.EOF {
		err = nil
	}
	return n, err
}

// Seek moves the position; io.SeekEnd counts from the end of the section.
func (s *fileSection) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		cur := s.pos
		if cur < 0 {
			var err error
			if cur, err = s.f.Seek(0, io.SeekCurrent); err != nil {
				return 0, err
			}
		}
		offset += cur
	case io.SeekEnd:
		offset += s.size
	default:
		return 0, fmt.Errorf("seek: whence %d: %w", whence, os.ErrInvalid)
	}
	if offset < 0 {
		return 0, fmt.Errorf("seek to %d: %w", offset, os.ErrInvalid)
	}
	s.pos = offset
	return offset, nil
}

// SyscallConn is the file's, for sendfile, with the file's offset moved to the
// position first.
func (s *fileSection) SyscallConn() (syscall.RawConn, error) {
	if s.pos >= 0 {
		if _, err := s.f.Seek(s.pos, io.SeekStart); err != nil {
			return nil, err
		}
		s.pos = -1
	}
	return s.f.SyscallConn()
}

// headBytes is how much of a WAV file headReader reads at once: Asterisk's
// headers are 44 or 60 bytes, and a fmt and a data chunk behind a LIST or fact
// chunk still fit.
const headBytes = 512

// headReader answers ReadAt within the first headBytes of a file from one read
// of them, and anything further from the file: audio.ParseWAV reads a header
// a few bytes at a time, one system call each without it.
type headReader struct {
	f    File
	head []byte
}

func newHeadReader(f File, size int64) headReader {
	head := make([]byte, max(0, min(size, headBytes)))
	n, _ := f.ReadAt(head, 0) // a short read leaves the rest to f.ReadAt, which reports it
	return headReader{f: f, head: head[:n]}
}

func (h headReader) ReadAt(p []byte, off int64) (int, error) {
	if off >= 0 && off+int64(len(p)) <= int64(len(h.head)) {
		return copy(p, h.head[off:]), nil
	}
	return h.f.ReadAt(p, off)
}
