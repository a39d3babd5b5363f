package web

import (
	"archive/zip"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/totalrec/totalrec/recordings"
)

// exportZIP is GET /api/v1/exports/recordings.zip: the original files of every
// match of a search, as one ZIP written straight to the response (stored, not
// compressed: the audio is compressed already or barely compresses). A search
// matching more than ZipMaxFiles recordings or ZipMaxBytes is refused before
// anything is written (the limits are Options.ZipMaxFiles and ZipMaxBytes). Files that vanish meanwhile are listed in MISSING.txt.
func (s *Server) exportZIP(c echo.Context) error {
	ctx := c.Request().Context()
	f, err := parseSearch(c.QueryParams(), s.now(), s.loc)
	if err != nil {
		return err
	}
	q := f.query
	q.After, q.Limit = "", s.opts.ZipMaxFiles+1
	p, err := s.search(c, q)
	if err != nil {
		return err
	}
	var total int64
	var recs []recordings.Recording
	for _, r := range p.Items {
		if r.State == recordings.StateDeleted || r.State == recordings.StateMissing {
			continue
		}
		recs = append(recs, r)
		total += r.Size
	}
	if len(recs) > s.opts.ZipMaxFiles || p.Next != "" || total > s.opts.ZipMaxBytes {
		return &publicError{status: http.StatusConflict, code: "too_large",
			message: fmt.Sprintf("a ZIP holds at most %d recordings and %s; this search matches more: narrow it (a shorter time range, a number, a type)",
				s.opts.ZipMaxFiles, languages()["en"].Bytes(s.opts.ZipMaxBytes)), err: recordings.ErrRefused}
	}
	if len(recs) == 0 {
		return &publicError{status: http.StatusNotFound, code: "not_found", message: "no recordings match", err: recordings.ErrNotFound}
	}
	if err := s.audit(c, actExportZIP, 0, exportDetail(len(recs), false, c.QueryString())); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", contentDisposition("attachment", "recordings_"+s.now().In(s.loc).Format("2006-01-02_15-04")+".zip"))
	h.Set("Cache-Control", "private, no-store")
	c.Response().WriteHeader(http.StatusOK)
	zw := zip.NewWriter(c.Response())
	used := map[string]bool{}
	var missing []string
	for _, r := range recs {
		if err := ctx.Err(); err != nil {
			return err
		}
		name := downloadName(r, s.loc, originalExt(r))
		if used[name] {
			name = strings.TrimSuffix(name, "."+originalExt(r)) + fmt.Sprintf("_%d.", r.ID) + originalExt(r)
		}
		used[name] = true
		rf, err := s.openRecording(ctx, r)
		if err != nil && ctx.Err() != nil {
			return ctx.Err() // the client has gone: not a missing file
		}
		if err != nil {
			_, _, msg := classify(err)
			s.log.Warn("ZIP export: skip recording", "recording", r.ID, "error", err)
			missing = append(missing, fmt.Sprintf("%d %s: %s", r.ID, r.Path, msg))
			continue
		}
		err = zipOne(zw, rf, name, r.CallTime.In(s.loc))
		rf.Close()
		if err != nil {
			return fmt.Errorf("write ZIP export: %w", err)
		}
	}
	if len(missing) > 0 {
		w, err := zw.Create("MISSING.txt")
		if err != nil {
			return fmt.Errorf("write ZIP export: %w", err)
		}
		io.WriteString(w, "These recordings could not be read when the ZIP was made:\n"+strings.Join(missing, "\n")+"\n")
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("write ZIP export: %w", err)
	}
	return nil
}

// zipOne adds one opened recording file, as it was when opened.
func zipOne(zw *zip.Writer, rf *recordingFile, name string, modified time.Time) error {
	w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store, Modified: modified})
	if err != nil {
		return err
	}
	_, err = io.Copy(w, ioSection(rf))
	return err
}
