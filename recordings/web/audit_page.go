package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/totalrec/totalrec/recordings"
)

// auditView is the audit page's data.
type auditView struct {
	Who, Action, Since, Until string
	SinceInput, UntilInput    string // the dates as the language writes them
	DatePlaceholder           string
	Rows                      []auditRow
	Next, CSV                 string
	Actions                   []option
}

type auditRow struct {
	At, Who, Addr, Action, Detail string
	RecordingID                   int64
}

// auditQuery reads the audit filters: who, action, since and until (dates,
// YYYY-MM-DD in the PBX's zone, until inclusive) and the cursor before.
func (s *Server) auditQuery(c echo.Context) (recordings.AuditQuery, error) {
	q := recordings.AuditQuery{Who: clip(c.QueryParam("who"), 160), Action: clip(c.QueryParam("action"), 32)}
	day := func(param string) (time.Time, error) {
		v := c.QueryParam(param)
		t, err := parseDay(v, s.loc)
		if err != nil {
			return t, badRequest(param, "%q is not a date like 2026-11-26 or 26.11.2026", clip(v, 40))
		}
		return t, nil
	}
	var err error
	if q.Since, err = day("since"); err != nil {
		return q, err
	}
	if q.Until, err = day("until"); err != nil {
		return q, err
	}
	if !q.Until.IsZero() {
		q.Until = q.Until.AddDate(0, 0, 1)
	}
	if b := c.QueryParam("before"); b != "" {
		if q.Before, err = strconv.ParseInt(b, 10, 64); err != nil || q.Before <= 0 {
			return q, badRequest("before", "not a cursor")
		}
	}
	return q, nil
}

// parseDay reads a date as a form writes it, YYYY-MM-DD or DD.MM.YYYY, as the
// start of that day in loc; "" is the zero time.
func parseDay(v string, loc *time.Location) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{"2006-01-02", "02.01.2006", "2.1.2006"} {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("date %q: %w", v, recordings.ErrInvalid)
}

// auditPage is GET /audit (administrators): the trail, newest first, filtered
// and paged by ID.
func (s *Server) auditPage(c echo.Context) error {
	l := langOf(c)
	q, err := s.auditQuery(c)
	if err != nil {
		return err
	}
	q.Limit = 100
	entries, next, err := s.acc.AuditLog(c.Request().Context(), q)
	if err != nil {
		return err
	}
	v := auditView{Who: q.Who, Action: q.Action, Since: c.QueryParam("since"), Until: c.QueryParam("until"),
		DatePlaceholder: l.T("audit.date.hint")}
	if !q.Since.IsZero() {
		v.SinceInput = l.DateInput(q.Since, false)
	}
	if !q.Until.IsZero() {
		v.UntilInput = l.DateInput(q.Until.AddDate(0, 0, -1), false)
	}
	v.Actions = []option{{"", l.T("filter.any"), q.Action == ""}}
	for _, a := range auditActions {
		v.Actions = append(v.Actions, option{a, a, a == q.Action})
	}
	if q.Action != "" && !slices.Contains(auditActions, q.Action) {
		v.Actions = append(v.Actions, option{q.Action, q.Action, true})
	}
	now := s.now().In(s.loc)
	for _, e := range entries {
		v.Rows = append(v.Rows, auditRow{At: l.Short(e.At.In(s.loc), now), Who: e.Who, Addr: e.Addr, Action: e.Action,
			Detail: e.Detail, RecordingID: e.RecordingID})
	}
	base := url.Values{}
	for k, val := range map[string]string{"who": v.Who, "action": v.Action, "since": v.Since, "until": v.Until} {
		if val != "" {
			base.Set(k, val)
		}
	}
	v.CSV = s.path("/audit.csv?" + base.Encode())
	if next > 0 {
		base.Set("before", strconv.FormatInt(next, 10))
		v.Next = s.path("/audit?" + base.Encode())
	}
	return c.Render(http.StatusOK, "audit", s.newPage(c, l.T("audit.title"), v))
}

// auditCSVMax bounds one CSV export of the audit trail.
const auditCSVMax = 100000

// auditCSV is GET /audit.csv (administrators): the filtered trail as CSV,
// newest first, at most auditCSVMax rows. The export is itself audited.
func (s *Server) auditCSV(c echo.Context) error {
	q, err := s.auditQuery(c)
	if err != nil {
		return err
	}
	if err := s.audit(c, actExportAudit, 0, "query="+c.QueryString()); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", contentDisposition("attachment", "audit_"+s.now().In(s.loc).Format("2006-01-02_15-04")+".csv"))
	h.Set("Cache-Control", "private, no-store")
	c.Response().WriteHeader(http.StatusOK)
	w := newCSVWriter(c.Response())
	w.Write("id", "at", "who", "addr", "action", "recording_id", "detail")
	q.Limit = 1000
	for rows := 0; rows < auditCSVMax; {
		entries, next, err := s.acc.AuditLog(c.Request().Context(), q)
		if err != nil {
			return fmt.Errorf("export audit trail after %d rows: %w", rows, err)
		}
		for _, e := range entries {
			rec := ""
			if e.RecordingID > 0 {
				rec = strconv.FormatInt(e.RecordingID, 10)
			}
			w.Write(strconv.FormatInt(e.ID, 10), e.At.In(s.loc).Format(time.RFC3339), e.Who, e.Addr, e.Action, rec, e.Detail)
		}
		rows += len(entries)
		if next == 0 {
			break
		}
		q.Before = next
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("export audit trail: %w", err)
	}
	return nil
}
