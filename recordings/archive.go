package recordings

import "time"

// Where a recording's file lives (Recording.Storage).
const (
	StorageLocal = "local" // in the spool, on this node's disk
	StorageS3    = "s3"    // an object in the archive bucket; not on disk
)

// ObjectKey is the archive bucket's key of node's recording at p (relative to the
// spool root): the spool path, under the node's name when several PBXs share a
// bucket.
func ObjectKey(node, p string) string {
	if node == "" {
		return p
	}
	return node + "/" + p
}

// ArchiveState says how far moving one recording to the archive bucket, or back,
// has got. Each state is what a crash leaves, and package archive says how the next
// pass finishes it: a recording always has one readable copy that the catalogue
// names.
type ArchiveState string

const (
	// ArchiveUploaded: the object is in the bucket and verified, and the catalogue
	// names it; the local file may still be there, to be removed.
	ArchiveUploaded ArchiveState = "uploaded"
	// ArchiveArchived: the object alone holds the recording.
	ArchiveArchived ArchiveState = "archived"
	// ArchiveRestoring: the file is back on disk and the catalogue names it; the
	// object may still be there, to be removed.
	ArchiveRestoring ArchiveState = "restoring"
	// ArchiveRestored: the file alone holds the recording again, kept on disk
	// until KeepLocalUntil.
	ArchiveRestored ArchiveState = "restored"
)

// ArchiveEntry is the archive tier's journal of one recording.
type ArchiveEntry struct {
	ID     int64 // the recording's
	Node   string
	Key    string // the object's key in the bucket, without the bucket's prefix
	SHA256 string // of the file as it was uploaded
	Size   int64
	State  ArchiveState
	// ArchivedAt is when the object was verified; RestoredAt when the file came back.
	ArchivedAt time.Time
	RestoredAt time.Time
	// KeepLocalUntil keeps a restored recording on disk, out of the archiver's
	// reach, until then.
	KeepLocalUntil time.Time
}

// ArchiveCandidate is a recording the archiver may move to the bucket, with the
// SHA-256 its file must have: its seal's, or its compressed form's.
type ArchiveCandidate struct {
	Recording
	SHA256 string
}

// ArchiveCount is a number of recordings and their bytes.
type ArchiveCount struct {
	Files int64 `json:"files"`
	Bytes int64 `json:"bytes"`
}
