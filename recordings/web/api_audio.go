package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/stream"
)

// apiAudio is GET and HEAD /api/v1/recordings/{id}/audio: the recording as a WAV
// a browser plays — PCM WAV as it is, every other format decoded on the fly —
// through http.ServeContent (Range, If-Range, ETag, HEAD). ?download=1 makes it
// an attachment.
func (s *Server) apiAudio(c echo.Context) error {
	rec, err := s.getRecording(c)
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
	// A read from the start decodes forward anyway; one in the middle of a
	// stateful format is where checkpoints pay, so build them first.
	rg := c.Request().Header.Get("Range")
	fromStart := rg == "" || strings.HasPrefix(rg, "bytes=0-")
	cp, err := s.checkpoints(rf, !fromStart)
	if err != nil && !errors.Is(err, recordings.ErrUnsupportedFormat) {
		s.log.Warn("build checkpoints", "recording", rec.ID, "error", err)
	}
	content, err := stream.Open(rf.f, rf.size, rec.Format, cp)
	if errors.Is(err, stream.ErrCheckpoints) {
		s.cache.forget(keyOf(rf))
		content, err = stream.Open(rf.f, rf.size, rec.Format, nil)
	}
	if errors.Is(err, recordings.ErrUnsupportedFormat) {
		return &publicError{status: http.StatusUnsupportedMediaType, code: "unsupported_format",
			message: fmt.Sprintf("recording %d is %s audio, which cannot be decoded here; download the original: /api/v1/recordings/%d/original",
				rec.ID, rec.Format, rec.ID), err: err}
	}
	if err != nil {
		return fmt.Errorf("open audio of recording %d: %w", rec.ID, err)
	}
	kind := "inline"
	if download {
		kind = "attachment"
	}
	name := downloadName(rec, s.loc, "wav")
	c.Response().Header().Set("Content-Disposition", contentDisposition(kind, name))
	etag := fmt.Sprintf("%d-%d-%d-wav", rec.ID, rf.size, rf.modTime.UnixNano())
	stream.ServeHTTP(c.Response(), c.Request(), content, name, rf.modTime, etag)
	return nil
}

func keyOf(rf *recordingFile) cacheKey {
	return cacheKey{id: rf.rec.ID, size: rf.size, mtime: rf.modTime.UnixNano()}
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
		return stream.BuildCheckpoints(rf.f, rf.size, rf.rec.Format, 0)
	})
}
