package cdr

import (
	"context"
	"fmt"
	"time"

	"github.com/totalrec/totalrec/internal/sqlrows"
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
	files, err := sqlrows.All(ctx, r.db, func(s sqlrows.Scanner) (string, error) {
		var f string
		err := s.Scan(&f)
		return f, err
	}, q, since.In(r.loc).Format("2006-01-02 15:04:05"), limit)
	if err != nil {
		return nil, fmt.Errorf("list recording files: %w", err)
	}
	return files, nil
}
