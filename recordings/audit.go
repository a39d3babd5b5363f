package recordings

import "time"

// AuditEntry is one line of the audit trail: who did what, when, from where, to
// which recording. The trail is append-only: the catalogue inserts and reads
// totalrec_audit and has no statement that changes or deletes a row of it.
type AuditEntry struct {
	ID          int64
	At          time.Time
	Who         string // a user name, "token:NAME", "share:ID", or what a failed sign-in typed
	Addr        string // the client's address
	Action      string // login, login.failed, logout, play, download, export.csv, …
	RecordingID int64  // 0: not about one recording
	Detail      string
}

// AuditQuery selects audit entries, newest first, one page at a time.
type AuditQuery struct {
	Who, Action  string
	Since, Until time.Time // Since inclusive, Until exclusive; zero = open
	Before       int64     // the keyset cursor: entries with a smaller ID; 0 = from the newest
	Limit        int       // page size; DefaultLimit when 0, at most MaxLimit
}
