package cdr

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

// clearSpan is the call-time span of the recordings one ClearRecordingFiles
// statement covers, and clearSlack how far before and after it a CDR row's calldate
// may lie (a queue wait or a transfer puts the recording's start after the call's).
const (
	clearSpan  = 48 * time.Hour
	clearSlack = 24 * time.Hour
	clearNames = 600 // names per statement
)

// ClearRecordingFiles empties recordingfile in the CDR rows that name one of recs'
// files, which retention deleted, so that the PBX's own reports stop linking to
// them. A row is changed only when its recordingfile is exactly the file's name (as
// FreePBX 2.10+ writes it), its path relative to spoolDir, or its full path under
// spoolDir (as some 2.x dialplans write it), and — for a recording with a call time
// — its calldate lies within a day of that call time, which lets the calldate index
// find the rows. It returns the number of rows changed. A table without a
// recordingfile column is left alone (0, nil); clearing twice is harmless. Besides
// CreateIndex and RenameRecordingFile this is the only method that writes;
// retention calls it only when its policy sets clear_cdr_recordingfile.
func (r *Reader) ClearRecordingFiles(ctx context.Context, spoolDir string, recs []recordings.Recording) (int64, error) {
	if !r.has["recordingfile"] || len(recs) == 0 {
		return 0, nil
	}
	recs = slices.Clone(recs)
	slices.SortFunc(recs, func(a, b recordings.Recording) int { return a.CallTime.Compare(b.CallTime) })
	var total int64
	for start := 0; start < len(recs); {
		end := start + 1
		for end < len(recs) && end-start < clearNames/3 && recs[end].CallTime.Sub(recs[start].CallTime) <= clearSpan &&
			recs[end].CallTime.IsZero() == recs[start].CallTime.IsZero() {
			end++
		}
		n, err := r.clearGroup(ctx, spoolDir, recs[start:end])
		if err != nil {
			return total, fmt.Errorf("clear cdr recordingfile: %w", err)
		}
		total += n
		start = end
	}
	return total, nil
}

// clearGroup runs one UPDATE for recs, whose call times are all zero or all within
// clearSpan of each other.
func (r *Reader) clearGroup(ctx context.Context, spoolDir string, recs []recordings.Recording) (int64, error) {
	var names []string
	for _, rec := range recs {
		if rec.Path == "" {
			continue
		}
		for _, n := range []string{path.Base(rec.Path), rec.Path, path.Join(spoolDir, rec.Path)} {
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	if len(names) == 0 {
		return 0, nil
	}
	args := []any{""}
	for _, n := range names {
		args = append(args, n)
	}
	q := fmt.Sprintf("UPDATE %s SET %s = ? WHERE %s IN (?%s)", quote(r.table), quote("recordingfile"),
		quote("recordingfile"), strings.Repeat(", ?", len(names)-1))
	if first, last := recs[0].CallTime, recs[len(recs)-1].CallTime; !first.IsZero() {
		const layout = "2006-01-02 15:04:05"
		q += fmt.Sprintf(" AND %s >= ? AND %s <= ?", quote("calldate"), quote("calldate"))
		args = append(args, first.Add(-clearSlack).In(r.loc).Format(layout), last.Add(clearSlack).In(r.loc).Format(layout))
	}
	res, err := r.db.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
