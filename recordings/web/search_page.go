package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/totalrec/totalrec/recordings"
)

// searchView is the search page's data.
type searchView struct {
	Form       searchForm
	SinceInput string // the range as the language writes it (lang.DateInput)
	UntilInput string
	// DatePlaceholder shows the language's way of writing a time.
	DatePlaceholder string
	Error           string // why the search could not run; the form is shown again
	Rows            []row
	Total           int
	TotalCapped     bool
	Position        string // "51–100 of 1,810 recordings"; "" without rows
	Presets         []link
	TimeSort        link
	DurSort         link
	Prev, Next      string
	CSV, ZIP        string
	Selection       string // the search's query, which a hold form sends back
	ZIPTooMany      bool
	ZIPNone         bool // nothing matches: nothing to download
	Types           []option
	Directions      []option
	Disps           []option
}

// link is an anchor: its text, address and whether it is the current one.
type link struct {
	Label, URL string
	Active     bool
	Arrow      string
}

// option is one <option> of a select.
type option struct {
	Value, Label string
	Selected     bool
}

// row is one search result in the table.
type row struct {
	ID                 int64
	Time               string
	Node               string // the PBX, when several share the catalogue
	Type, TypeLabel    string
	Direction          string
	From, FromName, To string
	Duration           string
	Disposition        string
	DispClass          string
	Format             string
	State, StateLabel  string
	Listed             bool // on disk and holding audio: offer play and download
	URL, Download      string
	Audio              string // what the row's own player plays
}

// recordingTypes are the name types offered in the search form's type list.
var recordingTypes = []string{"in", "out", "internal", "external", "q", "rg", "ondemand", "force", "conf", "page", "meetme", "auto", "other"}

func (s *Server) searchPage(c echo.Context) error {
	l := langOf(c)
	now := s.now().In(s.loc)
	v := searchView{}
	status := http.StatusOK
	f, err := parseSearch(c.QueryParams(), now, s.loc)
	v.Form = f
	if err == nil {
		var p recordings.Page
		p, err = s.search(c, f.query)
		if err == nil {
			v.fill(f, p, l, now, s.loc, s.opts.ZipMaxFiles, s.base)
		}
	}
	if err != nil {
		st, _, msg := classify(err)
		if st != http.StatusBadRequest {
			return err
		}
		status, v.Error = st, msg
	}
	v.formOptions(f, l, now, s.loc, s.base)
	return c.Render(status, "search", s.newPage(c, l.T("search.title"), v))
}

// fill turns a page of results into rows and the paging and export links, all
// under base (base.go).
func (v *searchView) fill(f searchForm, p recordings.Page, l *lang, now time.Time, loc *time.Location, zipMax int, base string) {
	v.Total, v.TotalCapped = p.Total, p.TotalCapped
	for _, r := range p.Items {
		v.Rows = append(v.Rows, newRow(r, l, now, loc, base))
	}
	if len(p.Items) > 0 {
		from := (f.Page-1)*f.Limit + 1
		key := "results.range"
		if p.TotalCapped {
			key = "results.range.capped"
		}
		v.Position = l.F(key, l.Number(from), l.Number(from+len(p.Items)-1), l.Number(p.Total))
	}
	query := f.values()
	if p.Next != "" {
		back := f.Back
		if f.After != "" {
			back = append(back[:len(back):len(back)], f.After)
		}
		v.Next = base + pageURL(query, p.Next, back, f.Page+1)
	}
	if f.After != "" {
		// Previous is the page whose cursor is on top of the stack; an empty
		// stack means the first page.
		if n := len(f.Back); n > 0 {
			v.Prev = base + pageURL(query, f.Back[n-1], f.Back[:n-1], f.Page-1)
		} else {
			v.Prev = base + pageURL(query, "", nil, 1)
		}
	}
	v.CSV = base + "/api/v1/exports/recordings.csv?" + query.Encode()
	v.ZIP = base + "/api/v1/exports/recordings.zip?" + query.Encode()
	v.ZIPTooMany, v.ZIPNone = p.Total > zipMax, p.Total == 0
	v.Selection = query.Encode()
}

// newRow is a recording as a row of a table, its links under base.
func newRow(r recordings.Recording, l *lang, now time.Time, loc *time.Location, base string) row {
	typ := r.Name.Type
	w := row{
		ID: r.ID, Node: r.Node, Time: l.Short(r.CallTime.In(loc), now), Type: typ, TypeLabel: l.T("type." + typ),
		Direction: string(r.Direction), From: r.Caller(), FromName: r.CDR.CNam, To: r.Callee(),
		Duration: clock(r.Duration), Disposition: r.CDR.Disposition, Format: string(r.Format),
		DispClass: strings.ToLower(strings.ReplaceAll(r.CDR.Disposition, " ", "-")),
		State:     string(r.State), StateLabel: l.T("state." + string(r.State)),
		URL: base + "/recordings/" + strconv.FormatInt(r.ID, 10),
	}
	if w.From == "" {
		w.From = "—"
	}
	if w.To == "" {
		w.To = "—"
	}
	switch r.State {
	case recordings.StateOK, recordings.StateWriting, recordings.StateCorrupt:
		w.Listed = true
		w.Download = base + "/api/v1/recordings/" + strconv.FormatInt(r.ID, 10) + "/original"
		w.Audio = base + "/api/v1/recordings/" + strconv.FormatInt(r.ID, 10) + "/audio"
	}
	return w
}

// pageURL is the search page at cursor after with the cursor stack back, page
// number n, as a route's path (the caller puts the base before it).
func pageURL(base url.Values, after string, back []string, n int) string {
	v := url.Values{}
	for k, vals := range base {
		v[k] = vals
	}
	if after != "" {
		v.Set("after", after)
	}
	if len(back) > 0 {
		v.Set("back", strings.Join(back, "."))
	}
	if after != "" && n > 1 {
		v.Set("page", strconv.Itoa(n))
	}
	if len(v) == 0 {
		return "/"
	}
	return "/?" + v.Encode()
}

// formOptions fills the select lists, the presets and the sort links (under base).
func (v *searchView) formOptions(f searchForm, l *lang, now time.Time, loc *time.Location, base string) {
	// The form shows times the language's way; the presets' URLs say them in ISO.
	const layout = "2006-01-02T15:04"
	var since, until time.Time
	if t, err := parseWhen(f.Since, now, loc); err == nil && f.Since != "" {
		since, v.SinceInput = t, l.DateInput(t.In(loc), true)
	}
	if t, err := parseWhen(f.Until, now, loc); err == nil && f.Until != "" {
		until, v.UntilInput = t, l.DateInput(t.In(loc), true)
	}
	v.DatePlaceholder = l.T("filter.date.hint")
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	query := f.values()
	for _, p := range []struct {
		key          string
		since, until time.Time
	}{
		{"preset.today", midnight, time.Time{}},
		{"preset.yesterday", midnight.AddDate(0, 0, -1), midnight},
		{"preset.7days", midnight.AddDate(0, 0, -6), time.Time{}},
		{"preset.30days", midnight.AddDate(0, 0, -29), time.Time{}},
	} {
		q := url.Values{}
		for k, vals := range query {
			q[k] = vals
		}
		q.Set("since", p.since.Format(layout))
		q.Del("until")
		if !p.until.IsZero() {
			q.Set("until", p.until.Format(layout))
		}
		v.Presets = append(v.Presets, link{Label: l.T(p.key), URL: base + "/?" + q.Encode(),
			Active: since.Equal(p.since) && until.Equal(p.until)})
	}
	v.TimeSort = sortLink(query, f.Sort, "time", l.T("col.time"))
	v.DurSort = sortLink(query, f.Sort, "duration", l.T("col.duration"))
	v.TimeSort.URL, v.DurSort.URL = base+v.TimeSort.URL, base+v.DurSort.URL

	v.Types = []option{{"", l.T("filter.any"), len(f.Types) == 0}}
	for _, t := range recordingTypes {
		v.Types = append(v.Types, option{t, l.T("type." + t), len(f.Types) > 0 && f.Types[0] == t})
	}
	v.Directions = []option{{"", l.T("filter.any"), f.Direction == ""}}
	for _, d := range recordings.Directions() {
		v.Directions = append(v.Directions, option{string(d), l.T("dir." + string(d)), f.Direction == string(d)})
	}
	v.Disps = []option{{"", l.T("filter.any"), f.Disposition == ""}}
	for _, d := range recordings.Dispositions() {
		v.Disps = append(v.Disps, option{d, l.T("disp." + d), f.Disposition == d})
	}
}

// sortLink is a column header that sorts by col, descending first, and flips the
// order when col is already the sort; its URL is a route's path.
func sortLink(base url.Values, current, col, label string) link {
	desc, asc := col+"_desc", col+"_asc"
	next, arrow := desc, ""
	switch current {
	case desc:
		next, arrow = asc, "▼"
	case asc:
		next, arrow = desc, "▲"
	}
	q := url.Values{}
	for k, vals := range base {
		q[k] = vals
	}
	q.Set("sort", next)
	if next == string(recordings.SortTimeDesc) {
		q.Del("sort")
	}
	u := "/"
	if len(q) > 0 {
		u = "/?" + q.Encode()
	}
	return link{Label: label, URL: u, Active: arrow != "", Arrow: arrow}
}
