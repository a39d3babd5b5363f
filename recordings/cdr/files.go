package cdr

import (
	"context"
	"fmt"
	"time"
)

// RecordingFiles returns the distinct recordingfile values of the rows written at or
// after since, at most limit of them: the files FreePBX believes it recorded. A table
// without the column (FreePBX 2.9) yields none. The query is a range on calldate,
// which `totalrec doctor --fix` indexes.
func (r *Reader) RecordingFiles(ctx context.Context, since time.Time, limit int) ([]string, error) {
	if !r.has["recordingfile"] {
		return nil, nil
	}
	q := fmt.Sprintf("SELECT DISTINCT %[1]s FROM %[2]s WHERE %[3]s >= ? AND %[1]s <> '' LIMIT ?",
		quote("recordingfile"), quote(r.table), quote("calldate"))
	rows, err := r.db.QueryContext(ctx, q, since.In(r.loc).Format("2006-01-02 15:04:05"), limit)
	if err != nil {
		return nil, fmt.Errorf("list recording files: %w", err)
	}
	defer rows.Close()
	var files []string
	for rows.Next() {
		var f string
		if err := rows.Scan(&f); err != nil {
			return nil, fmt.Errorf("list recording files: %w", err)
		}
		files = append(files, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list recording files: %w", err)
	}
	return files, nil
}
