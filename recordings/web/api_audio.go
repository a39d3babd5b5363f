package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/stream"
)

// apiAudio is GET and HEAD /api/v1/recordings/{id}/audio: the recording as a WAV
// a browser plays — PCM WAV as it is, every other format decoded on the fly —
// through http.ServeContent (Range, If-Range, ETag, HEAD). ?download=1 makes it
// an attachment.
func (s *Server) apiAudio(c echo.Context) error {
	rec, err := s.getRecordingCached(c)
	if err != nil {
		return err
	}
	download, err := parseBool("download", c.QueryParam("download"))
	if err != nil {
		return err
	}
	return s.serveAudio(c, rec, download, func() error { return s.auditAudio(c, rec.ID, download) })
}

// serveAudio serves rec's audio; audit runs once the file is open, before a
// byte is sent, and its error fails the request.
func (s *Server) serveAudio(c echo.Context, rec recordings.Recording, download bool, audit func() error) error {
	rf, err := s.openRecording(c.Request().Context(), rec)
	if err != nil {
		return err
	}
	defer rf.Close()
	if err := audit(); err != nil {
		return err
	}
	// Checkpoints pay only for a read in the middle of a stateful format. When none
	// are cached yet this request decodes from the start (the same bytes), and a
	// background pass builds them for the requests that follow.
	var cp *stream.Checkpoints
	if rg := c.Request().Header.Get("Range"); stateful(rec.Format) && rg != "" && !strings.HasPrefix(rg, "bytes=0-") {
		if cp = s.cache.lookup(keyOf(rf)); cp == nil {
			s.Prewarm(rec)
		}
	}
	content, err := stream.Open(rf.f, rf.size, rec.Format, cp)
	if errors.Is(err, stream.ErrCheckpoints) {
		s.cache.forget(keyOf(rf))
		content, err = stream.Open(rf.f, rf.size, rec.Format, nil)
	}
	if errors.Is(err, stream.ErrDamaged) {
		return s.errDamaged(rec, err)
	}
	if errors.Is(err, recordings.ErrUnsupportedFormat) {
		return &publicError{status: http.StatusUnsupportedMediaType, code: "unsupported_format",
			message: fmt.Sprintf("recording %d is %s audio, which cannot be decoded here; download the original: %s",
				rec.ID, rec.Format, s.path(fmt.Sprintf("/api/v1/recordings/%d/original", rec.ID))), err: err}
	}
	if err != nil {
		return fmt.Errorf("open audio of recording %d: %w", rec.ID, err)
	}
	kind := "inline"
	if download {
		kind = "attachment"
	}
	ext := "wav"
	if rec.Format.Compressed() {
		ext = string(rec.Format) // served as it is: "opus" or "mp3"
	}
	name := downloadName(rec, s.loc, ext)
	c.Response().Header().Set("Content-Disposition", contentDisposition(kind, name))
	etag := fmt.Sprintf("%d-%d-%d-wav", rec.ID, rf.size, rf.modTime.UnixNano())
	stream.ServeHTTP(readerFromResponse{c.Response()}, c.Request(), content, name, rf.modTime, etag)
	return nil
}

// errDamaged says that rec's file is broken (stream.ErrDamaged), not of a format
// Totalrec lacks: 422, with the way to the original, which is still served.
func (s *Server) errDamaged(rec recordings.Recording, err error) error {
	return &publicError{status: http.StatusUnprocessableEntity, code: "damaged_recording",
		message: fmt.Sprintf("recording %d is damaged: its %s file cannot be read as audio; the original file can still be downloaded: %s",
			rec.ID, rec.Format, s.path(fmt.Sprintf("/api/v1/recordings/%d/original", rec.ID))), err: err}
}

// localCopy copies an archived recording's object to an unnamed temporary file
// (removed as soon as it is created: closing it frees it).
func (s *Server) localCopy(rf *recordingFile) (*os.File, error) {
	tmp, err := os.CreateTemp(s.opts.CacheDir, ".object-*")
	if err != nil {
		return nil, err
	}
	os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, io.NewSectionReader(rf.f, 0, rf.size)); err != nil {
		tmp.Close()
		return nil, err
	}
	return tmp, nil
}

func keyOf(rf *recordingFile) cacheKey {
	return cacheKey{id: rf.rec.ID, size: rf.size, mtime: rf.modTime.UnixNano()}
}

// stateful reports whether decoding rec's format carries state from frame to
// frame, so that a read in the middle needs checkpoints to start at once.
func stateful(f recordings.Format) bool {
	switch f {
	case recordings.FormatWAV49, recordings.FormatGSM, recordings.FormatG722:
		return true
	}
	return false
}

// Prewarm asks for rec's checkpoints and waveform peaks to be built in the
// background (prewarm.go: one recording at a time, a bounded queue, nothing done
// twice): the daemon calls it for each recording the hook announces, so that the
// first seek into it starts at once. Formats without decoder state are skipped.
func (s *Server) Prewarm(rec recordings.Recording) {
	if stateful(rec.Format) {
		s.prewarm.add(rec)
	}
}

// buildCheckpoints is the prewarmer's work: rec's checkpoints, unless they are
// cached or being built.
func (s *Server) buildCheckpoints(ctx context.Context, rec recordings.Recording) {
	rf, err := s.openRecording(ctx, rec)
	if err != nil {
		return // gone or unreadable: the request that needs it says so
	}
	defer rf.Close()
	if _, err := s.checkpoints(rf, true); err != nil && !errors.Is(err, recordings.ErrUnsupportedFormat) && !errors.Is(err, stream.ErrDamaged) {
		s.log.Warn("build checkpoints", "recording", rec.ID, "error", err)
	}
}

// checkpoints returns the recording's cached checkpoints and peaks, building
// them (one decoding pass) when build is set and none are cached. Without build
// a miss is nil: stream.Open then decodes from the start, the same bytes.
func (s *Server) checkpoints(rf *recordingFile, build bool) (*stream.Checkpoints, error) {
	k := keyOf(rf)
	if !build {
		return s.cache.lookup(k), nil
	}
	return s.cache.get(k, func() (*stream.Checkpoints, error) {
		if rf.rec.Format.Compressed() {
			return s.decodedPeaks(rf)
		}
		return stream.BuildCheckpoints(rf.f, rf.size, rf.rec.Format, 0)
	})
}

// decodeTimeout bounds the decoding of a compressed recording for its waveform:
// an hour of Opus decodes in about a second.
const decodeTimeout = 2 * time.Minute

// decodedPeaks makes the waveform of a compressed recording with its decoder.
func (s *Server) decodedPeaks(rf *recordingFile) (*stream.Checkpoints, error) {
	if s.opts.Decode == nil {
		return nil, fmt.Errorf("waveform of recording %d: no %s decoder: %w", rf.rec.ID, rf.rec.Format, recordings.ErrUnsupportedFormat)
	}
	ctx, cancel := context.WithTimeout(context.Background(), decodeTimeout)
	defer cancel()
	f := rf.osFile
	if f == nil {
		// The decoders read a file: an archived object is copied to one first.
		tmp, err := s.localCopy(rf)
		if err != nil {
			return nil, fmt.Errorf("waveform of recording %d: %w", rf.rec.ID, err)
		}
		defer tmp.Close()
		f = tmp
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(s.opts.Decode(ctx, rf.rec.Format, f, pw)) }()
	cp, err := stream.PeaksOf(pr, rf.rec.Format)
	pr.CloseWithError(err) // stops the decoder's writes when the peaks failed
	if err != nil {
		return nil, fmt.Errorf("waveform of recording %d: %w", rf.rec.ID, err)
	}
	return cp, nil
}
