package catalog

import (
	"fmt"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/totalrec/totalrec/internal/sqlrows"
	"github.com/totalrec/totalrec/recordings"
)

// recordingCols is the SELECT list that scanRecording reads, in order.
const recordingCols = `r.id, r.node, r.storage, r.path, r.size, r.mtime, r.format, r.duration_ms,
	r.state, r.name_type, r.name_dest, r.name_from, r.name_time, r.uniqueid, r.linkedid,
	r.call_time, r.direction, r.cdr_status, r.cdr_attempts, r.cdr_calldate, r.cdr_src,
	r.cdr_dst, r.cdr_cnum, r.cdr_cnam, r.cdr_did, r.cdr_channel, r.cdr_dstchannel,
	r.cdr_lastapp, r.cdr_disposition, r.cdr_duration, r.cdr_billsec, r.cdr_uniqueid,
	r.cdr_accountcode, r.cdr_userfield, r.cdr_recordingfile, r.held, r.deleted_at, r.deleted_reason`

// scanner is *sql.Row or *sql.Rows.
type scanner = sqlrows.Scanner

// scanFunc adapts a function to the scanner interface.
type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// scanInt64 reads a one-column row of an integer.
func scanInt64(s scanner) (int64, error) {
	var v int64
	err := s.Scan(&v)
	return v, err
}

// scanString reads a one-column row of text.
func scanString(s scanner) (string, error) {
	var v string
	err := s.Scan(&v)
	return v, err
}

func scanRecording(s scanner) (recordings.Recording, error) {
	var (
		r                                     recordings.Recording
		mtime, nameTime, callTime, cdrDate, d nullTime
		durMS                                 int64
		held                                  int
	)
	err := s.Scan(&r.ID, &r.Node, &r.Storage, &r.Path, &r.Size, &mtime, &r.Format, &durMS,
		&r.State, &r.Name.Type, &r.Name.Dest, &r.Name.From, &nameTime, &r.Name.UniqueID, &r.LinkedID,
		&callTime, &r.Direction, &r.CDRStatus, &r.CDRAttempts, &cdrDate, &r.CDR.Src,
		&r.CDR.Dst, &r.CDR.CNum, &r.CDR.CNam, &r.CDR.DID, &r.CDR.Channel, &r.CDR.DstChannel,
		&r.CDR.LastApp, &r.CDR.Disposition, &r.CDR.Duration, &r.CDR.Billsec, &r.CDR.UniqueID,
		&r.CDR.AccountCode, &r.CDR.UserField, &r.CDR.RecordingFile, &held, &d, &r.DeletedReason)
	if err != nil {
		return r, err
	}
	r.ModTime, r.Name.Time, r.CallTime, r.CDR.CallDate, r.DeletedAt = mtime.T, nameTime.T, callTime.T, cdrDate.T, d.T
	r.Duration = time.Duration(durMS) * time.Millisecond
	r.Held = held != 0
	r.Name.Ext = strings.TrimPrefix(path.Ext(r.Path), ".")
	if r.CDRStatus == recordings.CDRLinked {
		r.CDR.LinkedID = r.LinkedID
	}
	return r, nil
}

// Column sizes. Text longer than its column is cut (at a rune boundary) rather than
// refused: names and CDR values come from outside and must not stop a scan. Paths and
// node names are refused instead, because a cut path names another file.
const (
	maxPath  = 1024 // bytes
	maxNode  = 64   // bytes
	lenShort = 16
	lenType  = 32
	lenDisp  = 32
	lenID    = 150
	lenText  = 255
)

// clip makes s valid UTF-8 and at most n runes long.
func clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// checkNode refuses node names that do not fit their column.
func checkNode(node string) error {
	if len(node) > maxNode {
		return fmt.Errorf("node: longer than %d bytes: %w", maxNode, recordings.ErrInvalid)
	}
	return nil
}

// checkPath refuses anything but a clean, relative, slash-separated path inside the root.
func checkPath(p string) error {
	switch {
	case p == "" || p == ".":
		return fmt.Errorf("path: empty: %w", recordings.ErrInvalid)
	case len(p) > maxPath:
		return fmt.Errorf("path: longer than %d bytes: %w", maxPath, recordings.ErrInvalid)
	case strings.HasPrefix(p, "/") || strings.Contains(p, "\x00"):
		return fmt.Errorf("path %q: not relative and slash-separated: %w", p, recordings.ErrInvalid)
	case path.Clean(p) != p || p == ".." || strings.HasPrefix(p, "../"):
		return fmt.Errorf("path %q: not clean or leaves the root: %w", p, recordings.ErrInvalid)
	}
	return nil
}

// dirOf returns the directory column of a path: "" for the root.
func dirOf(p string) string {
	d := path.Dir(p)
	if d == "." {
		return ""
	}
	return d
}

// checkTime refuses a time that a MySQL DATETIME cannot hold.
func checkTime(field string, t time.Time) error {
	if t.IsZero() || (!t.Before(minTime) && !t.After(maxTime)) {
		return nil
	}
	return fmt.Errorf("%s: %s out of range: %w", field, t.Format(time.RFC3339), recordings.ErrInvalid)
}

// liveStates are the states whose file is on disk.
var liveStates = []recordings.State{
	recordings.StateOK, recordings.StateWriting, recordings.StateCorrupt, recordings.StateEmpty,
}

// isLive reports whether s says the file is on disk.
func isLive(s recordings.State) bool {
	for _, l := range liveStates {
		if s == l {
			return true
		}
	}
	return false
}

// cdrArgs returns the CDR columns' values, in cdrCols order.
func (c *Catalog) cdrArgs(d recordings.CDR) []any {
	return []any{
		c.timeArg(d.CallDate), clip(d.Src, lenText), clip(d.Dst, lenText), clip(d.CNum, lenText),
		clip(d.CNam, lenText), clip(d.DID, lenText), clip(d.Channel, lenText),
		clip(d.DstChannel, lenText), clip(d.LastApp, lenText), clip(d.Disposition, lenDisp),
		d.Duration, d.Billsec, clip(d.UniqueID, lenID), clip(d.AccountCode, lenText),
		clip(d.UserField, lenText), clip(d.RecordingFile, lenText),
	}
}

// cdrCols are the columns copied from a CDR row.
var cdrCols = []string{
	"cdr_calldate", "cdr_src", "cdr_dst", "cdr_cnum", "cdr_cnam", "cdr_did", "cdr_channel",
	"cdr_dstchannel", "cdr_lastapp", "cdr_disposition", "cdr_duration", "cdr_billsec",
	"cdr_uniqueid", "cdr_accountcode", "cdr_userfield", "cdr_recordingfile",
}
