package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/evidence"
	"github.com/totalrec/totalrec/recordings/retention"
	"github.com/totalrec/totalrec/recordings/subject"
)

// The data subject page: an administrator finds every recording and CDR row of
// a phone number, exports them, and erases them, as `totalrec subject` does.
// Every form is a POST, so that the number never lands in an address, a proxy's
// log or the browser's history; each is audited, naming the subject by the
// SHA-256 of the digits only.

// SubjectRequests configures the data subject page; a nil Subject hides it.
type SubjectRequests struct {
	Subject      *subject.Subject
	Certificates subject.Certificates
	// ManifestKey is the key file that signs erasure certificates. Root's key
	// is unreadable here: the certificate then waits, unsigned, for the next
	// `totalrec seal`.
	ManifestKey string
	Node        string
	// DataDir holds the retention lock an erasure takes, as the command's does.
	DataDir string
}

// Audit actions of the page: the command line's own.
const (
	actSubjectFind   = "subject.find"
	actSubjectExport = "subject.export"
	actSubjectErase  = "subject.erase"
)

type subjectView struct {
	Number, Digits string
	Searched       bool
	Rows           []row
	Retained       []subject.Retained
	Erasable       int
	CDRRows        int
	NoCDR          bool
	Error          string
	// After an erasure:
	Erased      bool
	Certificate subject.Certificate
	CertFile    string
	Signed      bool
}

// subjectPage is GET /subject: the form.
func (s *Server) subjectPage(c echo.Context) error {
	return s.renderSubject(c, http.StatusOK, subjectView{NoCDR: s.opts.Subjects.Subject.CDR == nil})
}

func (s *Server) renderSubject(c echo.Context, status int, v subjectView) error {
	return c.Render(status, "subject", s.newPage(c, langOf(c).T("subject.title"), v))
}

// subjectFind is POST /subject: what the number's search finds.
func (s *Server) subjectFind(c echo.Context) error {
	v, found, err := s.subjectSearch(c)
	if err != nil || v.Error != "" {
		return s.subjectFailed(c, v, err)
	}
	if err := s.audit(c, actSubjectFind, 0, subject.AuditDetail(found, len(found.Recordings), len(found.CDR))); err != nil {
		return err
	}
	return s.renderSubject(c, http.StatusOK, v)
}

// subjectSearch runs the search the form asks for and fills the view.
func (s *Server) subjectSearch(c echo.Context) (subjectView, subject.Found, error) {
	l := langOf(c)
	sj := s.opts.Subjects.Subject
	v := subjectView{Number: strings.TrimSpace(c.FormValue("number")), NoCDR: sj.CDR == nil}
	found, err := sj.Find(c.Request().Context(), v.Number)
	if errors.Is(err, subject.ErrTooShort) || errors.Is(err, recordings.ErrInvalid) {
		v.Error = l.F("subject.short", subject.MinDigits)
		return v, found, nil
	}
	if err != nil {
		return v, found, err
	}
	v.Searched, v.Digits, v.Retained, v.CDRRows = true, found.Digits, found.Retained, len(found.CDR)
	v.Erasable = len(found.Recordings) - len(found.Retained)
	now := s.now().In(s.loc)
	for _, r := range found.Recordings {
		v.Rows = append(v.Rows, newRow(r, l, now, s.loc, s.base))
	}
	return v, found, nil
}

func (s *Server) subjectFailed(c echo.Context, v subjectView, err error) error {
	if err != nil {
		return err
	}
	return s.renderSubject(c, http.StatusUnprocessableEntity, v)
}

// subjectExport is POST /subject/export: the number's recordings and CDR rows
// as one ZIP.
func (s *Server) subjectExport(c echo.Context) error {
	v, found, err := s.subjectSearch(c)
	if err != nil || v.Error != "" {
		return s.subjectFailed(c, v, err)
	}
	if err := s.audit(c, actSubjectExport, 0, subject.AuditDetail(found, len(found.Recordings), len(found.CDR))); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", contentDisposition("attachment", "subject-"+found.Digits+".zip"))
	h.Set("Cache-Control", "private, no-store")
	c.Response().WriteHeader(http.StatusOK)
	if err := s.opts.Subjects.Subject.Export(c.Request().Context(), c.Response(), v.Number, found, s.loc, s.now()); err != nil {
		s.log.Error("write subject export", "error", err)
	}
	return nil
}

// subjectErase is POST /subject/erase: the erasure, once the administrator has
// typed the number's digits again; then its certificate.
func (s *Server) subjectErase(c echo.Context) error {
	l := langOf(c)
	v, found, err := s.subjectSearch(c)
	if err != nil || v.Error != "" {
		return s.subjectFailed(c, v, err)
	}
	if confirm := digitsOf(c.FormValue("confirm")); confirm == "" || !strings.HasSuffix(confirm, found.Digits) {
		v.Error = l.T("subject.confirm.wrong")
		return s.renderSubject(c, http.StatusUnprocessableEntity, v)
	}
	cfg := s.opts.Subjects
	// One erasure or retention run at a time: a run's recovery would take an
	// erasure's claims for a crashed run's.
	release, err := retention.Lock(cfg.DataDir)
	if errors.Is(err, recordings.ErrRefused) {
		return &publicError{status: http.StatusConflict, code: "busy", message: "a retention run or another erasure is under way: try again when it ends", err: err}
	}
	if err != nil {
		return err
	}
	defer release()
	// Found again under the lock; from here on the erasure finishes, and is
	// audited, even if the browser goes away.
	ctx := context.WithoutCancel(c.Request().Context())
	if found, err = cfg.Subject.Find(ctx, v.Number); err != nil {
		return err
	}
	withCDR := c.FormValue("cdr") != "" && cfg.Subject.CDR != nil
	p := principalOf(c)
	cert, err := cfg.Subject.Erase(ctx, found, "web:"+p.Name, cfg.Node, withCDR, s.now())
	if err != nil {
		return err
	}
	key, keyErr := evidence.LoadKey(cfg.ManifestKey)
	if keyErr != nil {
		key = nil // root's: the next seal signs the certificate
	}
	file, err := cfg.Certificates.Write(cert, key)
	if err != nil {
		return err
	}
	detail := subject.AuditDetail(found, len(cert.Erased), int(cert.CDRRows)) +
		fmt.Sprintf(" retained=%d failed=%d certificate=%s", len(cert.Retained), len(cert.Failed), file[strings.LastIndex(file, "/")+1:])
	if err := s.audit(c, actSubjectErase, 0, detail); err != nil { // audit detaches from the request too
		return err
	}
	v.Erased, v.Certificate, v.CertFile, v.Signed = true, cert, file, key != nil
	v.Rows = nil
	return s.renderSubject(c, http.StatusOK, v)
}

// digitsOf keeps the digits of s.
func digitsOf(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
