package catalog

import (
	"context"
	"fmt"
)

// CacheFit is how MariaDB's buffer pool compares with what searches read.
type CacheFit struct {
	BufferPool int64 // innodb_buffer_pool_size, bytes
	// WorkingSet is the bytes a search may touch anywhere in the catalogue's time
	// range: every number key (totalrec_numbers, data and index) and the recordings'
	// secondary indexes. Rows fetched for a page are few and not counted.
	WorkingSet int64
}

// CacheFit reads the buffer pool's size and the catalogue's working set from the
// server's statistics (estimates, as information_schema gives them). On SQLite,
// which leaves caching to the operating system, it returns ok = false.
func (c *Catalog) CacheFit(ctx context.Context) (fit CacheFit, ok bool, err error) {
	if c.dialect != DialectMySQL {
		return fit, false, nil
	}
	err = c.rdb.QueryRowContext(ctx, `SELECT @@innodb_buffer_pool_size,
		COALESCE(SUM(CASE WHEN table_name = 'totalrec_numbers' THEN data_length + index_length ELSE index_length END), 0)
		FROM information_schema.tables
		WHERE table_schema = DATABASE() AND table_name IN ('totalrec_numbers', 'totalrec_recordings')`).
		Scan(&fit.BufferPool, &fit.WorkingSet)
	if err != nil {
		return fit, false, fmt.Errorf("buffer pool: %w", err)
	}
	return fit, true, nil
}

// Advice says whether the buffer pool is far below the working set (less than half
// of it: searches on a busy key then read most of their index pages from disk) and
// the size to set: the working set rounded up to 128 MiB, MariaDB's unit.
func (f CacheFit) Advice() (short bool, suggest int64) {
	const unit = 128 << 20
	suggest = (f.WorkingSet + unit - 1) / unit * unit
	return f.BufferPool < f.WorkingSet/2, max(suggest, unit)
}
