package cdr

import (
	"context"
	"fmt"
)

// RenameRecordingFile points the CDR rows that name a moved recording at its new
// name: rows whose recordingfile is exactly from get to. With uniqueid set only that
// call's rows are touched (and the uniqueid index, when there is one, finds them).
// A table without a recordingfile column is left alone (0, nil). Running it twice is
// harmless: the second time no row names from. Besides CreateIndex this is the only
// method that writes; migrate-layout alone calls it.
func (r *Reader) RenameRecordingFile(ctx context.Context, uniqueid, from, to string) (int64, error) {
	if !r.has["recordingfile"] || from == "" || from == to {
		return 0, nil
	}
	q := fmt.Sprintf("UPDATE %s SET %s = ? WHERE %s = ?", quote(r.table), quote("recordingfile"), quote("recordingfile"))
	args := []any{to, from}
	if uniqueid != "" {
		q += fmt.Sprintf(" AND %s = ?", quote("uniqueid"))
		args = append(args, uniqueid)
	}
	res, err := r.db.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, fmt.Errorf("update cdr recordingfile: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("update cdr recordingfile: %w", err)
	}
	return n, nil
}
