package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// csvHeader names the CSV export's columns.
var csvHeader = []string{"id", "call_time", "type", "direction", "from", "to", "src", "dst", "cnum", "cnam", "did",
	"disposition", "duration", "billsec", "format", "size", "state", "uniqueid", "linkedid", "path"}

// exportCSV is GET /api/v1/exports/recordings.csv: every match of a search
// (not only one page), streamed as CSV, at most Options.CSVMaxRows rows. A cut export
// says so in the X-Totalrec-Truncated trailer.
func (s *Server) exportCSV(c echo.Context) error {
	f, err := parseSearch(c.QueryParams(), s.now(), s.loc)
	if err != nil {
		return err
	}
	q := f.query
	q.After, q.Limit = "", maxLimit
	// The first page is fetched before anything is written, so that a bad
	// query is still a clean JSON error.
	p, err := s.search(c, q)
	if err != nil {
		return err
	}
	if err := s.audit(c, actExportCSV, 0, exportDetail(min(p.Total, s.opts.CSVMaxRows), p.TotalCapped, c.QueryString())); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", contentDisposition("attachment", "recordings_"+s.now().In(s.loc).Format("2006-01-02_15-04")+".csv"))
	h.Set("Cache-Control", "private, no-store")
	h.Set("Trailer", "X-Totalrec-Truncated")
	c.Response().WriteHeader(http.StatusOK)
	// A byte order mark makes spreadsheet programs read the file as UTF-8.
	c.Response().Write([]byte("\ufeff"))
	w := csv.NewWriter(c.Response())
	w.Write(csvHeader)
	rows, truncated := 0, false
	for {
		for _, r := range p.Items {
			if rows == s.opts.CSVMaxRows {
				truncated = true
				break
			}
			w.Write([]string{
				strconv.FormatInt(r.ID, 10), r.CallTime.In(s.loc).Format(time.RFC3339), cell(r.Name.Type), string(r.Direction),
				cell(r.Caller()), cell(r.Callee()), cell(r.CDR.Src), cell(r.CDR.Dst), cell(r.CDR.CNum), cell(r.CDR.CNam), cell(r.CDR.DID),
				r.CDR.Disposition, strconv.FormatFloat(r.Duration.Seconds(), 'f', 1, 64), strconv.Itoa(r.CDR.Billsec),
				string(r.Format), strconv.FormatInt(r.Size, 10), string(r.State), cell(r.Name.UniqueID), cell(r.LinkedID), cell(r.Path),
			})
			rows++
		}
		if truncated || p.Next == "" {
			break
		}
		w.Flush()
		if err := w.Error(); err != nil {
			return fmt.Errorf("write CSV export: %w", err)
		}
		q.After = p.Next
		if p, err = s.search(c, q); err != nil {
			return fmt.Errorf("export CSV after %d rows: %w", rows, err)
		}
	}
	w.Flush()
	if truncated {
		h.Set("X-Totalrec-Truncated", fmt.Sprintf("more than %d rows; narrow the search", s.opts.CSVMaxRows))
	}
	if err := w.Error(); err != nil {
		return fmt.Errorf("write CSV export: %w", err)
	}
	return nil
}

// cell defuses text a spreadsheet would run as a formula: a leading =, @, tab or
// carriage return, or a + or - not followed by a digit (phone numbers stay as
// they are), gets a leading apostrophe.
func cell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '@', '\t', '\r':
		return "'" + s
	case '+', '-':
		if len(s) == 1 || !strings.ContainsRune("0123456789", rune(s[1])) {
			return "'" + s
		}
	}
	return s
}
