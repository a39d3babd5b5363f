package catalog

import (
	"context"
	"fmt"

	"github.com/totalrec/totalrec/internal/sqlrows"
	"github.com/totalrec/totalrec/recordings"
)

// Retention runs (totalrec_retention_runs, retention.go) as the runner stores them
// and the storage page and `retention status` read them.

// SaveRetentionRun stores a run and returns its id.
func (c *Catalog) SaveRetentionRun(ctx context.Context, r recordings.RetentionRun) (int64, error) {
	res, err := c.db.ExecContext(ctx, `INSERT INTO totalrec_retention_runs
		(node, started_at, finished_at, status, deleted_files, deleted_bytes, failed, report)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, r.Node, c.timeArg(r.Started), c.timeArg(r.Finished),
		clip(r.Status, lenShort), r.DeletedFiles, r.DeletedBytes, r.Failed, r.Report)
	if err != nil {
		return 0, fmt.Errorf("save retention run: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("save retention run: %w", err)
	}
	return id, nil
}

// UpdateRetentionRun stores r's finish time, status, failures and report over the
// run r.ID. It leaves the deleted counts alone: SettleDeletions keeps them.
func (c *Catalog) UpdateRetentionRun(ctx context.Context, r recordings.RetentionRun) error {
	_, err := c.db.ExecContext(ctx, `UPDATE totalrec_retention_runs SET finished_at = ?, status = ?, failed = ?, report = ?
		WHERE id = ?`, c.timeArg(r.Finished), clip(r.Status, lenShort), r.Failed, r.Report, r.ID)
	if err != nil {
		return fmt.Errorf("update retention run %d: %w", r.ID, err)
	}
	return nil
}

// RetentionRuns returns the last limit runs, newest first.
func (c *Catalog) RetentionRuns(ctx context.Context, limit int) ([]recordings.RetentionRun, error) {
	return c.queryRuns(ctx, `SELECT id, node, started_at, finished_at, status,
		deleted_files, deleted_bytes, failed, report FROM totalrec_retention_runs
		ORDER BY started_at DESC, id DESC LIMIT ?`, limit)
}

// UnfinishedRetentionRuns returns node's runs still marked running, oldest first.
// Called by a run that holds the retention lock, they are runs that were killed.
func (c *Catalog) UnfinishedRetentionRuns(ctx context.Context, node string) ([]recordings.RetentionRun, error) {
	return c.queryRuns(ctx, `SELECT id, node, started_at, finished_at, status,
		deleted_files, deleted_bytes, failed, report FROM totalrec_retention_runs
		WHERE node = ? AND status = 'running' ORDER BY id`, node)
}

func (c *Catalog) queryRuns(ctx context.Context, q string, args ...any) ([]recordings.RetentionRun, error) {
	out, err := sqlrows.All(ctx, c.rdb, scanRun, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list retention runs: %w", err)
	}
	return out, nil
}

func scanRun(row scanner) (recordings.RetentionRun, error) {
	var (
		r    recordings.RetentionRun
		s, f nullTime
	)
	err := row.Scan(&r.ID, &r.Node, &s, &f, &r.Status, &r.DeletedFiles, &r.DeletedBytes, &r.Failed, &r.Report)
	r.Started, r.Finished = s.T, f.T
	return r, err
}
