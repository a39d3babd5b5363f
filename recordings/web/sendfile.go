package web

import (
	"io"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// sendfileChunk is how much of a file one sendfile call may send before the
// write deadline of a streaming response moves forward (idleWriter.ReadFrom):
// a client must take 64 KiB within StreamIdle, far below any audio's bitrate.
const sendfileChunk = 64 << 10

// readerFromResponse is echo's response with the io.ReaderFrom that echo's
// Response lacks, so that io.Copy into it from a file reaches net/http's
// ReadFrom, which sends the file with sendfile. It keeps echo's bookkeeping:
// the header is committed first, and Size counts the bytes sent. The header
// goes out before the copy: net/http would otherwise read the first 512 bytes
// of the file through a buffer to send with it (for content sniffing, which a
// set Content-Type makes moot), a read more per request.
type readerFromResponse struct {
	*echo.Response
}

func (w readerFromResponse) ReadFrom(src io.Reader) (int64, error) {
	if !w.Committed {
		if w.Status == 0 {
			w.Status = http.StatusOK
		}
		w.WriteHeader(w.Status)
	}
	_ = http.NewResponseController(w.Writer).Flush() // a writer that cannot flush sends the header with the body
	rf, ok := w.Writer.(io.ReaderFrom)
	if !ok {
		rf = writerOnly{w.Writer}
	}
	n, err := rf.ReadFrom(src)
	w.Size += n
	return n, err
}

// writerOnly copies into a writer through a buffer, hiding any ReadFrom of its
// own (which would call back into this copy).
type writerOnly struct{ io.Writer }

func (w writerOnly) ReadFrom(src io.Reader) (int64, error) {
	return io.Copy(struct{ io.Writer }{w.Writer}, src)
}

// ReadFrom sends src through the underlying writer's ReadFrom (sendfile for a
// file) sendfileChunk bytes at a time, moving the write deadline forward before
// each chunk as Write does. A chunk of an io.LimitedReader is cut from the
// reader it wraps, because sendfile looks through one LimitedReader only.
func (w *idleWriter) ReadFrom(src io.Reader) (int64, error) {
	rf, ok := w.ResponseWriter.(io.ReaderFrom)
	if !ok {
		rf = writerOnly{w.ResponseWriter}
	}
	lr, ok := src.(*io.LimitedReader)
	if !ok {
		lr = &io.LimitedReader{R: src, N: 1<<63 - 1}
	}
	var total int64
	for lr.N > 0 {
		_ = w.rc.SetWriteDeadline(time.Now().Add(StreamIdle))
		want := min(lr.N, sendfileChunk)
		n, err := rf.ReadFrom(&io.LimitedReader{R: lr.R, N: want})
		total += n
		lr.N -= n
		if err != nil || n < want { // a short ReadFrom met the end of src
			return total, err
		}
	}
	return total, nil
}
