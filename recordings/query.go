package recordings

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Sort orders search results.
type Sort string

const (
	SortTimeDesc     Sort = "time_desc" // newest first (the default)
	SortTimeAsc      Sort = "time_asc"
	SortDurationDesc Sort = "duration_desc"
	SortDurationAsc  Sort = "duration_asc"
)

// Search limits: what one Query may ask for, whoever asks. The API, the search page
// and the command line refuse more; the catalogue caps Limit and refuses the rest.
const (
	DefaultLimit  = 50   // results per page when Limit is 0
	MaxLimit      = 1000 // results per page at most
	MaxTypes      = 16   // name types in one search: as many as there are
	MaxFilterText = 256  // characters of a number or extension filter
)

// QueryError is a search its caller got wrong: Field names what is wrong (a filter,
// as the API's parameter names it, or the cursor), Problem says how, in words for
// whoever typed the search. It matches ErrInvalid.
type QueryError struct{ Field, Problem string }

func (e *QueryError) Error() string { return e.Field + ": " + e.Problem }

// Is makes a QueryError match ErrInvalid.
func (e *QueryError) Is(target error) bool { return target == ErrInvalid }

// Invalidf returns a QueryError for field.
func Invalidf(field, format string, args ...any) error {
	return &QueryError{Field: field, Problem: fmt.Sprintf(format, args...)}
}

// Query is a catalogue search. The zero value lists every live recording, newest first.
type Query struct {
	Since, Until time.Time // call time range, Since inclusive, Until exclusive; zero = open
	// Number matches the end of a number, not any part of it: a recording matches
	// when its CDR src, dst, cnum or did, or its name's dest or from, ends with
	// Number's digits (at least 3; a full number with its prefix keeps only its last
	// 10: catalog.NumberSuffix says how).
	Number string
	Ext    string // an extension: matches the name's dest/from and the CDR's src/dst/cnum exactly
	// Text matches a part of the CDR's caller name, account code or userfield,
	// in any case (on SQLite, only ASCII letters fold).
	Text        string
	Types       []string // name types, e.g. "in", "out", "q"
	Direction   Direction
	MinDuration time.Duration
	MaxDuration time.Duration // zero = no upper bound
	Disposition string        // ANSWERED, NO ANSWER, ...
	Format      Format
	HideEmpty   bool // leave out empty recordings
	WithDeleted bool // include rows whose file is deleted or missing
	LinkedID    string
	RecordedBy  string // the policy that recorded it (Consent.RecordedBy)
	Node        string // the PBX that recorded it, when several share the catalogue
	Sort        Sort
	Limit       int    // page size; the catalogue caps it
	After       string // opaque cursor from the previous Page.Next

	// Scope limits the matches to the recordings a user may see (those with a
	// party in it: Scope.Admits); nil means no limit (commands and jobs). The
	// web layer always sets it.
	Scope *Scope
}

// Page is one page of search results with keyset cursors.
type Page struct {
	Items       []Recording
	Next        string // cursor for the following page; "" on the last page
	Total       int    // number of matches, counted up to the catalogue's cap
	TotalCapped bool   // Total stopped at the cap: "more than Total"
}

// The values a Query's closed-set filters take.
var (
	// nameTypes are the recording types file names carry (Name.Type).
	nameTypes = []string{"in", "out", "internal", "external", "exten", "q", "rg", "force", "generic",
		"parked", "ondemand", "conf", "page", "meetme", "auto", "other"}
	// dispositions are the CDR dispositions Asterisk writes.
	dispositions = []string{"ANSWERED", "NO ANSWER", "BUSY", "FAILED", "CONGESTION"}
	// formats are the audio formats the catalogue records.
	formats = []Format{FormatWAV, FormatWAV16, FormatWAV49, FormatGSM, FormatULaw, FormatALaw,
		FormatSLN, FormatSLN16, FormatG722, FormatG729, FormatUnknown}
	// directions are the directions a search may ask for.
	directions = []Direction{DirIn, DirOut, DirInternal}
	// sorts are the search orders.
	sorts = []Sort{SortTimeDesc, SortTimeAsc, SortDurationDesc, SortDurationAsc}
)

// Directions are the directions a search may ask for, in the order forms offer them.
func Directions() []Direction { return slices.Clone(directions) }

// Dispositions are the CDR dispositions a search may ask for, in the order forms
// offer them.
func Dispositions() []string { return slices.Clone(dispositions) }

// Validate checks the closed-set filters against the values they can take, so
// that a misspelt one is an error rather than a search that matches nothing.
// Every search goes through it, whoever asks (the catalogue's Search calls it);
// the error, a *QueryError, names the field, the value and what it may be.
// Empty fields are no filter.
func (q Query) Validate() error {
	if len(q.Types) > MaxTypes {
		return Invalidf("type", "more than %d types", MaxTypes)
	}
	for _, t := range q.Types {
		if !slices.Contains(nameTypes, t) {
			return invalidValue("type", t, nameTypes)
		}
	}
	if q.Direction != DirUnknown && !slices.Contains(directions, q.Direction) {
		return invalidValue("direction", q.Direction, directions)
	}
	if q.Disposition != "" && !slices.Contains(dispositions, q.Disposition) {
		return invalidValue("disposition", q.Disposition, dispositions)
	}
	if q.Format != "" && !slices.Contains(formats, q.Format) {
		return invalidValue("format", q.Format, formats)
	}
	if q.Sort != "" && !slices.Contains(sorts, q.Sort) {
		return invalidValue("sort", q.Sort, sorts)
	}
	if !ValidRecordedBy(q.RecordedBy) {
		return invalidValue("recorded_by", q.RecordedBy, []string{RecordedForced, RecordedPolicy, RecordedOnDemand})
	}
	if len(q.Node) > 64 {
		return &QueryError{Field: "node", Problem: "a node's name has at most 64 characters"}
	}
	return nil
}

// invalidValue says that value is not one of allowed. The value is clipped: it is
// input, and may be anything.
func invalidValue[T ~string](field string, value T, allowed []T) error {
	v := string(value)
	if r := []rune(v); len(r) > 40 {
		v = string(r[:40]) + "…"
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	return Invalidf(field, "%q is not one of %s", v, strings.Join(names, ", "))
}
