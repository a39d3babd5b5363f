package recordings

import "time"

// ConversionState says how far the compression of one recording has got. The
// steps are ordered so that a crash at any point leaves one playable file that the
// catalogue names (package compress says how each state is finished or undone).
type ConversionState string

const (
	ConversionPending  ConversionState = "pending"  // encoding into a work file; nothing switched
	ConversionVerified ConversionState = "verified" // the work file decoded and checked; To* filled in
	ConversionSwitched ConversionState = "switched" // the catalogue names the new file; the original may remain
	ConversionKept     ConversionState = "kept"     // done, but the original stays while the recording is held
	ConversionDone     ConversionState = "done"     // the original is gone
	ConversionFailed   ConversionState = "failed"   // the encoder or the check refused it; the original is kept and named
	ConversionSkipped  ConversionState = "skipped"  // the new file was no smaller (a short call): the original is kept and named
)

// Conversion is the compression of one recording after the call: from the file
// MixMonitor wrote to the file the catalogue names afterwards. Its hashes carry the
// recording's seal (the original's SHA-256) on to the form it is kept in.
type Conversion struct {
	ID         int64 // the recording's
	Node       string
	State      ConversionState
	FromPath   string
	FromFormat Format
	FromSize   int64
	FromSHA256 string
	ToPath     string
	ToFormat   Format
	ToSize     int64
	ToSHA256   string
	Duration   time.Duration // of the decoded new form
	Work       string        // the work file's name in the recording's directory
	Detail     string        // why it failed
	StartedAt  time.Time
	SwitchedAt time.Time // when the catalogue first named the new file
	FinishedAt time.Time
	Listed     string // the day of the manifest that lists the conversion; "" before
}
