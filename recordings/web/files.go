package web

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/archive/s3"
	"github.com/totalrec/totalrec/recordings/spool"
	"github.com/totalrec/totalrec/recordings/stream"
)

// recordingFile is a recording's file opened for one request, with the size and
// modification time it had when opened.
type recordingFile struct {
	rec     recordings.Recording
	f       stream.File // the spool file, or the archived object read with ranged GETs
	osFile  *os.File    // the spool file; nil for an archived object
	close   func() error
	size    int64
	modTime time.Time
}

func (rf *recordingFile) Close() error { return rf.close() }

// recordingParam reads the :id parameter: a positive catalogue ID, nothing else.
func recordingParam(c echo.Context) (int64, error) {
	s := c.Param("id")
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, badRequest("id", "%q is not a recording ID", clip(s, 40))
	}
	return id, nil
}

// getRecording looks up the recording named by the :id parameter.
func (s *Server) getRecording(c echo.Context) (recordings.Recording, error) {
	id, err := recordingParam(c)
	if err != nil {
		return recordings.Recording{}, err
	}
	rec, err := s.opts.Catalog.GetScoped(c.Request().Context(), id, scopeOf(c))
	if errors.Is(err, recordings.ErrNotFound) {
		return rec, &publicError{status: http.StatusNotFound, code: "not_found",
			message: fmt.Sprintf("no recording %d", id), err: err}
	}
	return rec, err
}

// openRecording opens a recording's file through the spool tree (one openat2
// below its root), which refuses symlinks, anything outside the root and files
// with more than one hard link (409 hard_link: such a name may lead to a file
// from outside the spool). A deleted or missing recording is 410
// Gone without touching the disk.
func (s *Server) openRecording(ctx context.Context, rec recordings.Recording) (*recordingFile, error) {
	switch rec.State {
	case recordings.StateDeleted:
		return nil, &publicError{status: http.StatusGone, code: "deleted",
			message: fmt.Sprintf("recording %d was deleted (%s)", rec.ID, rec.DeletedReason), err: recordings.ErrNotFound}
	case recordings.StateMissing:
		return nil, &publicError{status: http.StatusGone, code: "missing",
			message: fmt.Sprintf("recording %d's file is gone from the spool", rec.ID), err: recordings.ErrNotFound}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if rec.Storage == recordings.StorageS3 {
		return s.openArchived(ctx, rec)
	}
	if s.opts.Nodes != nil && rec.Node != s.opts.Node {
		return s.openRemote(ctx, rec)
	}
	f, fi, err := s.opts.Spool.OpenFile(spoolPath(rec.Path))
	if err == nil {
		return &recordingFile{rec: rec, f: f, osFile: f, close: f.Close, size: fi.Size, modTime: fi.ModTime}, nil
	}
	if errors.Is(err, spool.ErrHardLink) {
		return nil, errHardLink(rec.ID, err)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &publicError{status: http.StatusNotFound, code: "file_missing",
			message: fmt.Sprintf("recording %d's file is not on disk (yet to be rescanned)", rec.ID), err: recordings.ErrNotFound}
	}
	return nil, fmt.Errorf("open recording %d: %w", rec.ID, err)
}

// openArchived opens an archived recording's object: reads of it are ranged GETs,
// so the first byte needs no download of the rest. Its modification time is the
// recording's, as the file had it.
func (s *Server) openArchived(ctx context.Context, rec recordings.Recording) (*recordingFile, error) {
	if s.opts.Archive == nil {
		return nil, &publicError{status: http.StatusServiceUnavailable, code: "archive_unavailable",
			message: fmt.Sprintf("recording %d is in the archive bucket, and no archive is configured here", rec.ID), err: recordings.ErrRefused}
	}
	obj, err := s.opts.Archive.OpenObject(ctx, recordings.ObjectKey(rec.Node, rec.Path))
	if errors.Is(err, s3.ErrNotFound) {
		return nil, &publicError{status: http.StatusNotFound, code: "file_missing",
			message: fmt.Sprintf("recording %d's object is not in the archive bucket", rec.ID), err: recordings.ErrNotFound}
	}
	if errors.Is(err, s3.ErrUnreachable) || errors.Is(err, s3.ErrCredentials) || errors.Is(err, s3.ErrNoBucket) {
		// The details (the server, the access key) are for the log, not the client.
		s.log.Error("the archive bucket cannot be read", "recording", rec.ID, "error", err)
		return nil, &publicError{status: http.StatusServiceUnavailable, code: "archive_unavailable",
			message: fmt.Sprintf("recording %d is in the archive bucket, which cannot be read now; the administrator's log says why", rec.ID), err: err}
	}
	if err != nil {
		return nil, fmt.Errorf("open archived recording %d: %w", rec.ID, err)
	}
	return &recordingFile{rec: rec, f: obj, close: obj.Close, size: obj.Size(), modTime: rec.ModTime}, nil
}

// spoolPath is a catalogue path as the spool opens it: its directory cleaned
// ("/2026//11/" is "2026/11"), its file name as it is, for the spool to refuse
// if it is "." or "..".
func spoolPath(p string) string {
	dir, name := path.Split(p)
	if dir = path.Clean("/" + dir)[1:]; dir != "" {
		return dir + "/" + name
	}
	return name
}

// errHardLink refuses to serve a file that has other hard links.
func errHardLink(id int64, err error) error {
	return &publicError{status: http.StatusConflict, code: "hard_link",
		message: fmt.Sprintf("recording %d's file has other hard links: it may not be the recording, so it is not served", id), err: err}
}

// clip shortens s for an error message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
