package recordings

import "time"

// Hold is a legal hold on one recording.
type Hold struct {
	ID          int64
	RecordingID int64
	Path        string // the recording's path, filled by the catalogue's Holds
	Reason      string
	Who         string
	Since       time.Time
	Until       time.Time // zero: until removed
}

// RetentionRun is one retention run as stored: its outcome and its report (JSON
// written by the retention runner, opaque to the catalogue). A run is stored when it starts, with status
// running, and updated after each batch: while it runs, and when it was killed,
// Finished is the time of its last update. Its deleted counts only grow, by
// the catalogue's SettleDeletions, in the transactions that settle its claims.
type RetentionRun struct {
	ID           int64
	Node         string
	Started      time.Time
	Finished     time.Time
	Status       string // running, done, partial, refused, interrupted, failed
	DeletedFiles int64
	DeletedBytes int64
	Failed       int64
	Report       string
}
