package web

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/totalrec/totalrec/recordings"
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
	q.After, q.Limit = "", recordings.MaxLimit
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
	w := newCSVWriter(c.Response())
	w.Write(csvHeader...)
	rows, truncated := 0, false
	for {
		for _, r := range p.Items {
			if rows == s.opts.CSVMaxRows {
				truncated = true
				break
			}
			w.Write(strconv.FormatInt(r.ID, 10), r.CallTime.In(s.loc).Format(time.RFC3339), r.Name.Type, string(r.Direction),
				r.Caller(), r.Callee(), r.CDR.Src, r.CDR.Dst, r.CDR.CNum, r.CDR.CNam, r.CDR.DID,
				r.CDR.Disposition, strconv.FormatFloat(r.Duration.Seconds(), 'f', 1, 64), strconv.Itoa(r.CDR.Billsec),
				string(r.Format), strconv.FormatInt(r.Size, 10), string(r.State), r.Name.UniqueID, r.LinkedID, r.Path)
			rows++
		}
		if truncated || p.Next == "" {
			break
		}
		if err := w.Flush(); err != nil {
			return fmt.Errorf("export CSV after %d rows: %w", rows, err)
		}
		q.After = p.Next
		if p, err = s.search(c, q); err != nil {
			return fmt.Errorf("export CSV after %d rows: %w", rows, err)
		}
	}
	err = w.Flush()
	if truncated {
		h.Set("X-Totalrec-Truncated", fmt.Sprintf("more than %d rows; narrow the search", s.opts.CSVMaxRows))
	}
	if err != nil {
		return fmt.Errorf("export CSV after %d rows: %w", rows, err)
	}
	return nil
}
