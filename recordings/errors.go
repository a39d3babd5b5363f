package recordings

import "errors"

// Sentinel errors that callers match with errors.Is. The web layer maps them to HTTP
// statuses in one place; the command line maps them to exit codes in one place.
var (
	// ErrNotFound: no recording (or row, or file) by that key.
	ErrNotFound = errors.New("not found")
	// ErrInvalid: the input is malformed; the message says which field and why.
	ErrInvalid = errors.New("invalid input")
	// ErrUnsupportedFormat: the audio format cannot be decoded here.
	ErrUnsupportedFormat = errors.New("unsupported audio format")
	// ErrOutsideRoot: a path would leave the spool root or pass through a symlink.
	ErrOutsideRoot = errors.New("path outside the spool root")
	// ErrRefused: a destructive operation refused for safety.
	ErrRefused = errors.New("refused for safety")
	// ErrExists: a user or token by that name is already there.
	ErrExists = errors.New("already exists")
	// ErrGone: the recording's file is deleted, or being deleted, by retention; it
	// cannot be held.
	ErrGone = errors.New("recording is gone")
	// ErrConflict: another writer changed the row first (a conversion whose
	// recording was claimed or rescanned meanwhile, a second start of one).
	ErrConflict = errors.New("changed meanwhile")
)
