package catalog

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// maxWriterStmts bounds the writer's prepared statements. The bulk writes repeat a
// few shapes (a full chunk of upsertRows recordings, numberRowsPerInsert number
// keys, a single recording from the hook); parsing one of those multi-row
// statements costs SQLite about as much as running it.
const maxWriterStmts = 32

// writerStmts keeps statements prepared on the writing pool, keyed by their text.
// A statement cannot be prepared inside a write transaction (on SQLite the writing
// pool's one connection is the transaction's), so a shape met inside one is only
// noted, and prepared before the next transaction begins (prepareNoted).
type writerStmts struct {
	mu     sync.Mutex
	m      map[string]*sql.Stmt
	noted  map[string]bool
	closed bool
}

// stmt returns q prepared within tx when it has been prepared before; nil when not
// (the caller runs q unprepared), noting q to be prepared while there is room.
func (c *Catalog) stmt(ctx context.Context, tx *sql.Tx, q string) *sql.Stmt {
	c.stmts.mu.Lock()
	s, ok := c.stmts.m[q]
	if !ok && len(c.stmts.m)+len(c.stmts.noted) < maxWriterStmts {
		if c.stmts.noted == nil {
			c.stmts.noted = map[string]bool{}
		}
		c.stmts.noted[q] = true
	}
	c.stmts.mu.Unlock()
	if !ok {
		return nil
	}
	// On MySQL this prepares q on the transaction's connection if it is new to it.
	return tx.StmtContext(ctx, s)
}

// prepareNoted prepares the statements noted since the last call. It runs outside
// any transaction of its own, and without the cache's lock while it prepares: on
// SQLite, preparing waits for the writing connection, which another goroutine's
// transaction may hold while it looks a statement up. A statement that fails to
// prepare is run unprepared, as before.
func (c *Catalog) prepareNoted(ctx context.Context) {
	c.stmts.mu.Lock()
	noted := c.stmts.noted
	c.stmts.noted = nil
	c.stmts.mu.Unlock()
	for q := range noted {
		s, err := c.db.PrepareContext(context.WithoutCancel(ctx), q)
		if err != nil {
			c.log.Debug("prepare statement", "err", err)
			continue
		}
		c.stmts.mu.Lock()
		if _, dup := c.stmts.m[q]; dup || c.stmts.closed {
			s.Close()
		} else {
			if c.stmts.m == nil {
				c.stmts.m = map[string]*sql.Stmt{}
			}
			c.stmts.m[q] = s
		}
		c.stmts.mu.Unlock()
	}
}

// recurring says whether a statement over n rows has a shape that recurs, and is
// worth preparing once: a full chunk of full rows, or a single row (the hook's
// recording, one claim).
func recurring(n, full int) bool { return n == 1 || n == full }

// shaped runs statements in a transaction, prepared once and reused when repeat
// says their shape recurs (a full batch); other shapes are parsed each time, as they
// would otherwise fill the cache with one-offs. It is a sqlrows.Querier.
type shaped struct {
	c      *Catalog
	tx     *sql.Tx
	repeat bool
}

func (c *Catalog) shaped(tx *sql.Tx, repeat bool) shaped { return shaped{c, tx, repeat} }

func (s shaped) prepared(ctx context.Context, q string) *sql.Stmt {
	if !s.repeat {
		return nil
	}
	return s.c.stmt(ctx, s.tx, q)
}

func (s shaped) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if st := s.prepared(ctx, q); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return s.tx.ExecContext(ctx, q, args...)
}

func (s shaped) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if st := s.prepared(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return s.tx.QueryRowContext(ctx, q, args...)
}

func (s shaped) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := s.prepared(ctx, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return s.tx.QueryContext(ctx, q, args...)
}

// closeStmts closes the cached statements.
func (c *Catalog) closeStmts() error {
	c.stmts.mu.Lock()
	defer c.stmts.mu.Unlock()
	c.stmts.closed = true
	var err error
	for q, s := range c.stmts.m {
		err = errors.Join(err, s.Close())
		delete(c.stmts.m, q)
	}
	return err
}
