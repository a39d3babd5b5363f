package recordings

import "time"

// FileStat is what the scanner (package ingest) compares with a file on disk.
type FileStat struct {
	ID      int64
	Size    int64
	ModTime time.Time
	State   State
	// Archived: the file lives in the archive bucket, not on disk. A file of its
	// name on disk is the archiver's to remove, and its absence is no loss.
	Archived bool
}

// DirMark is a directory's fingerprint from the last scan: when it is unchanged the
// scanner can skip the directory.
type DirMark struct {
	Path        string // relative to the spool root; "" is the root
	ModTime     time.Time
	Files       int
	Fingerprint string
}
