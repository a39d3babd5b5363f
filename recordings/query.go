package recordings

import "time"

// Sort orders search results.
type Sort string

const (
	SortTimeDesc     Sort = "time_desc" // newest first (the default)
	SortTimeAsc      Sort = "time_asc"
	SortDurationDesc Sort = "duration_desc"
	SortDurationAsc  Sort = "duration_asc"
)

// Query is a catalogue search. The zero value lists every live recording, newest first.
type Query struct {
	Since, Until time.Time // call time range, Since inclusive, Until exclusive; zero = open
	Number       string    // matches src, dst, cnum, did, and the name's dest and from (substring)
	Ext          string    // an extension: matches the name's dest/from and the CDR's src/dst/cnum exactly
	Types        []string  // name types, e.g. "in", "out", "q"
	Direction    Direction
	MinDuration  time.Duration
	MaxDuration  time.Duration // zero = no upper bound
	Disposition  string        // ANSWERED, NO ANSWER, ...
	Format       Format
	HideEmpty    bool // leave out empty recordings
	WithDeleted  bool // include rows whose file is deleted or missing
	LinkedID     string
	Sort         Sort
	Limit        int    // page size; the catalogue caps it
	After        string // opaque cursor from the previous Page.Next

	// Scope limits the matches to the recordings a user may see; nil means no
	// limit (commands and jobs). The web layer always sets it.
	Scope *Scope
}

// Page is one page of search results with keyset cursors.
type Page struct {
	Items       []Recording
	Next        string // cursor for the following page; "" on the last page
	Total       int    // number of matches, counted up to the catalogue's cap
	TotalCapped bool   // Total stopped at the cap: "more than Total"
}
