package web

import (
	"fmt"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/totalrec/totalrec/recordings"
)

// originalTypes are the media types of the files Asterisk writes.
var originalTypes = map[recordings.Format]string{
	recordings.FormatWAV:   "audio/wav",
	recordings.FormatWAV16: "audio/wav",
	recordings.FormatWAV49: "audio/wav",
	recordings.FormatGSM:   "audio/x-gsm",
	recordings.FormatULaw:  "audio/basic",
	recordings.FormatALaw:  "audio/x-alaw-basic",
	recordings.FormatG722:  "audio/G722",
	recordings.FormatG729:  "audio/G729",
}

// apiOriginal is GET and HEAD /api/v1/recordings/{id}/original: the file as
// Asterisk wrote it, as an attachment with a readable name.
func (s *Server) apiOriginal(c echo.Context) error {
	rec, err := s.getRecording(c)
	if err != nil {
		return err
	}
	rf, err := s.openRecording(c.Request().Context(), rec)
	if err != nil {
		return err
	}
	defer rf.Close()
	if err := s.auditDownload(c, rec.ID, "original"); err != nil {
		return err
	}
	ct, ok := originalTypes[rec.Format]
	if !ok {
		ct = "application/octet-stream"
	}
	name := downloadName(rec, s.loc, originalExt(rec))
	h := c.Response().Header()
	h.Set("Content-Type", ct)
	h.Set("Content-Disposition", contentDisposition("attachment", name))
	h.Set("Cache-Control", "private")
	h.Set("ETag", fmt.Sprintf(`"%d-%d-%d-orig"`, rec.ID, rf.size, rf.modTime.UnixNano()))
	// The size read at open bounds the response, so a file still being
	// written is served as it was then.
	http.ServeContent(c.Response(), c.Request(), name, rf.modTime, ioSection(rf))
	return nil
}

// ioSection is the recording file bounded by its size at open.
func ioSection(rf *recordingFile) io.ReadSeeker { return io.NewSectionReader(rf.f, 0, rf.size) }
