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

// fileSection is the first size bytes of an open file, read through the file's
// own offset. It offers SyscallConn so that net/http's ReadFrom on a TCP
// connection hands it to sendfile: http.ServeContent copies through an
// io.LimitedReader of the range's length, which sendfile honours, so no copy
// passes the end of the section, however large the file has grown since. Its
// Read and Seek move the file's offset, so a file has at most one fileSection in
// use at a time.
type fileSection struct {
	f    *os.File
	size int64
}

// Read reads from the file's offset, stopping at the end of the section. It asks
// the file where its offset is rather than remembering it, since sendfile moves
// the offset without passing through Read.
func (s *fileSection) Read(p []byte) (int, error) {
	off, err := s.f.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0, err
	}
	if off >= s.size {
		return 0, io.EOF
	}
	if rest := s.size - off; int64(len(p)) > rest {
		p = p[:rest]
	}
	return s.f.Read(p)
}

// Seek moves the file's offset; io.SeekEnd counts from the end of the section.
func (s *fileSection) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart, io.SeekCurrent:
	case io.SeekEnd:
		offset, whence = s.size+offset, io.SeekStart
	default:
		return 0, fmt.Errorf("seek: whence %d: %w", whence, os.ErrInvalid)
	}
	if whence == io.SeekStart && offset < 0 {
		return 0, fmt.Errorf("seek to %d: %w", offset, os.ErrInvalid)
	}
	return s.f.Seek(offset, whence)
}

// SyscallConn is the file's, for sendfile.
func (s *fileSection) SyscallConn() (syscall.RawConn, error) { return s.f.SyscallConn() }
