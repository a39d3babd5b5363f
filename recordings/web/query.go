package web

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/totalrec/totalrec/recordings"
)

// searchForm is a search as the URL carries it: the raw parameter values, kept
// to fill the form again and to build links, and the query they mean.
type searchForm struct {
	Since, Until   string
	Number, Ext    string
	Text           string // a part of the caller name, account code or userfield
	Types          []string
	Direction      string
	MinDur, MaxDur string
	Disposition    string
	Format         string
	RecordedBy     string // the policy that recorded it
	Node           string // the PBX that recorded it
	HideEmpty      bool
	Deleted        bool
	Sort           string
	Limit          int
	After          string
	Back           []string // cursors of the pages before this one (the search page's "previous")
	Page           int      // this page's number, from 1: where its rows are among the matches
	query          recordings.Query
}

// Limits of what a search URL may hold, besides a search's own (recordings.MaxTypes,
// MaxLimit).
const (
	maxParam    = 256 // characters in one parameter value
	maxBack     = 30  // cursors kept for "previous"; older pages are reached from the first
	maxDuration = 1000 * time.Hour
	maxPage     = 1000000 // the page number a URL may say
)

// phoneChars are what a number or extension may be typed with; only the digits
// count in the search.
const phoneChars = "0123456789+-(). *#"

// parseSearch reads a search from URL parameters; every mistake is a 400 that
// names the parameter. Empty recordings are hidden unless hide_empty says no.
func parseSearch(v url.Values, now time.Time, loc *time.Location) (searchForm, error) {
	f := searchForm{HideEmpty: true, Limit: recordings.DefaultLimit, Page: 1}
	for name, vals := range v {
		for _, s := range vals {
			if !utf8.ValidString(s) {
				return f, badRequest(name, "not UTF-8")
			}
			if utf8.RuneCountInString(s) > maxParam {
				return f, badRequest(name, "longer than %d characters", maxParam)
			}
		}
	}
	get := func(name string) string { return strings.TrimSpace(v.Get(name)) }
	f.Since, f.Until, f.Number, f.Ext = get("since"), get("until"), get("number"), get("ext")
	f.Direction, f.MinDur, f.MaxDur = get("direction"), get("min_duration"), get("max_duration")
	f.Disposition, f.Format, f.Sort, f.After = strings.ToUpper(get("disposition")), get("format"), get("sort"), get("after")
	if strings.Trim(f.Number, phoneChars) != "" {
		return f, badRequest("number", "%q is not a phone number: digits, with + ( ) - . and spaces if you like", f.Number)
	}
	if strings.Trim(f.Ext, phoneChars) != "" {
		return f, badRequest("ext", "%q is not an extension", f.Ext)
	}
	q := &f.query
	f.Text = get("text")
	q.Number, q.Ext, q.Text, q.After = f.Number, f.Ext, f.Text, f.After
	var err error
	if f.Since != "" {
		if q.Since, err = parseWhen(f.Since, now, loc); err != nil {
			return f, badRequest("since", "%q is not a time: use 2026-11-26 10:15, 26.11.2026 10:15, today, yesterday or an age like 7d", f.Since)
		}
	}
	if f.Until != "" {
		if q.Until, err = parseWhen(f.Until, now, loc); err != nil {
			return f, badRequest("until", "%q is not a time: use 2026-11-26 10:15, 26.11.2026 10:15, today, yesterday or an age like 7d", f.Until)
		}
	}
	if q.MinDuration, err = parseDur("min_duration", f.MinDur); err != nil {
		return f, err
	}
	if q.MaxDuration, err = parseDur("max_duration", f.MaxDur); err != nil {
		return f, err
	}
	for _, t := range v["type"] {
		for _, t := range strings.Split(t, ",") {
			if t = strings.TrimSpace(t); t == "" {
				continue
			}
			if !slices.Contains(f.Types, t) {
				f.Types = append(f.Types, t)
			}
		}
	}
	if f.Sort == "" {
		f.Sort = string(recordings.SortTimeDesc)
	}
	q.Types, q.Direction, q.Disposition = f.Types, recordings.Direction(f.Direction), f.Disposition
	q.Format, q.Sort = recordings.Format(f.Format), recordings.Sort(f.Sort)
	f.RecordedBy = get("recorded_by")
	q.RecordedBy = f.RecordedBy
	f.Node = get("node")
	q.Node = f.Node
	// The closed sets and the number of types are checked where every search is,
	// whoever asks: a *recordings.QueryError naming the parameter.
	if err := q.Validate(); err != nil {
		return f, err
	}
	if s := get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > recordings.MaxLimit {
			return f, badRequest("limit", "%q is not a number from 1 to %d", s, recordings.MaxLimit)
		}
		f.Limit = n
	}
	q.Limit = f.Limit
	if vals := v["hide_empty"]; len(vals) > 0 {
		// The search form sends hide_empty=0 before its checkbox's hide_empty=1,
		// so that an unticked box still says "show": the last value wins.
		if f.HideEmpty, err = parseBool("hide_empty", vals[len(vals)-1]); err != nil {
			return f, err
		}
	}
	q.HideEmpty = f.HideEmpty
	if s := get("deleted"); s != "" {
		if f.Deleted, err = parseBool("deleted", s); err != nil {
			return f, err
		}
	}
	q.WithDeleted = f.Deleted
	if s := get("page"); s != "" && f.After != "" {
		// Only a position: a wrong one mislabels the rows, it cannot change them.
		if n, err := strconv.Atoi(s); err == nil && n > 1 && n <= maxPage {
			f.Page = n
		}
	}
	for _, b := range strings.Split(get("back"), ".") {
		if b != "" {
			f.Back = append(f.Back, b)
		}
	}
	if len(f.Back) > maxBack {
		f.Back = f.Back[len(f.Back)-maxBack:]
	}
	return f, nil
}

// parseDur reads a call length bound; "" is no bound.
func parseDur(param, s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	// Bound the digits before ParseDuration multiplies them into nanoseconds.
	if strings.Trim(s, "0123456789") == "" && len(s) > 8 {
		return 0, badRequest(param, "%q is too long a duration", s)
	}
	d, err := recordings.ParseDuration(s)
	if err != nil {
		return 0, badRequest(param, "%q is not a duration: use seconds (90), 1:30 or 1m30s", s)
	}
	if d > maxDuration {
		return 0, badRequest(param, "%q is longer than %d hours", s, int(maxDuration.Hours()))
	}
	return d, nil
}

func parseBool(param, s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "on", "yes":
		return true, nil
	case "0", "false", "off", "no", "":
		return false, nil
	}
	return false, badRequest(param, "%q is not 1 or 0", s)
}

// values is the search as URL parameters, without the cursors: the base of
// every link the page builds (sorting, paging, presets, exports).
func (f searchForm) values() url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("since", f.Since)
	set("until", f.Until)
	set("number", f.Number)
	set("ext", f.Ext)
	set("text", f.Text)
	for _, t := range f.Types {
		v.Add("type", t)
	}
	set("direction", f.Direction)
	set("min_duration", f.MinDur)
	set("max_duration", f.MaxDur)
	set("disposition", f.Disposition)
	set("format", f.Format)
	set("recorded_by", f.RecordedBy)
	set("node", f.Node)
	if !f.HideEmpty {
		v.Set("hide_empty", "0")
	}
	if f.Deleted {
		v.Set("deleted", "1")
	}
	if f.Sort != string(recordings.SortTimeDesc) {
		v.Set("sort", f.Sort)
	}
	if f.Limit != recordings.DefaultLimit {
		v.Set("limit", strconv.Itoa(f.Limit))
	}
	return v
}

// dottedLayouts are the day-first dates the Russian forms show (lang.DateInput);
// every form accepts them whatever its language: the dots say which is which.
var dottedLayouts = []string{"02.01.2006 15:04", "02.01.2006 15:04:05", "02.01.2006", "2.1.2006 15:04", "2.1.2006"}

// parseWhen reads a time from a form: a day-first date with dots, or anything
// recordings.ParseWhen reads.
func parseWhen(s string, now time.Time, loc *time.Location) (time.Time, error) {
	for _, layout := range dottedLayouts {
		if t, err := time.ParseInLocation(layout, strings.TrimSpace(s), loc); err == nil {
			return t, nil
		}
	}
	return recordings.ParseWhen(s, now, loc)
}
