package catalog

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

// Readers search while one writer upserts and enriches; nothing fails with "database
// is locked" and every reader sees a consistent count (a committed batch or not).
func TestConcurrentReadsWhileWriting(t *testing.T) {
	each(t, func(t *testing.T, c *Catalog) {
		ctx := context.Background()
		const batches, perBatch, readers = 20, 25, 4
		var wg sync.WaitGroup
		errs := make(chan error, readers+2)
		done := make(chan struct{})

		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(done)
			for b := range batches {
				var recs []recordings.Recording
				for i := range perBatch {
					recs = append(recs, rec(fmt.Sprintf("2026/11/26/b%d-%d.wav", b, i), b*perBatch+i))
				}
				if _, _, err := c.Upsert(ctx, recs); err != nil {
					errs <- fmt.Errorf("upsert: %w", err)
					return
				}
				due, err := c.PendingCDR(ctx, time.Now(), 5)
				if err != nil {
					errs <- err
					return
				}
				for _, r := range due {
					err := c.SetCDR(ctx, r.ID, recordings.CDRLinked, recordings.CDR{CallDate: r.CallTime, Src: "74951234567"}, 1, time.Time{})
					if err != nil {
						errs <- fmt.Errorf("set cdr: %w", err)
						return
					}
				}
			}
		}()
		for range readers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-done:
						return
					default:
					}
					page, err := c.Search(ctx, recordings.Query{Limit: 10})
					if err != nil {
						errs <- fmt.Errorf("search: %w", err)
						return
					}
					if page.Total%perBatch != 0 {
						errs <- fmt.Errorf("saw a half-written batch: total %d", page.Total)
						return
					}
					if _, err := c.Search(ctx, recordings.Query{Number: "1234567"}); err != nil {
						errs <- fmt.Errorf("search number: %w", err)
						return
					}
					if _, err := c.DirFiles(ctx, "", "2026/11/26"); err != nil {
						errs <- fmt.Errorf("dir files: %w", err)
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		page, err := c.Search(ctx, recordings.Query{})
		if err != nil || page.Total != batches*perBatch {
			t.Errorf("final total %d, %v; want %d", page.Total, err, batches*perBatch)
		}
	})
}

// Simultaneous first sign-ins of one FreePBX administrator: every EnsureUser gets
// the one user, none an error, on SQLite and MariaDB (a check-then-insert that
// loses the race meets the duplicate key, which both dialects report as recordings.ErrExists).
func TestConcurrentEnsureUser(t *testing.T) {
	each(t, func(t *testing.T, c *Catalog) {
		ctx := context.Background()
		for round := range 5 {
			name := fmt.Sprintf("freepbx:admin%d", round)
			const n = 8
			var wg sync.WaitGroup
			ids := make(chan int64, n)
			errs := make(chan error, n)
			start := make(chan struct{})
			for range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					u, err := c.EnsureUser(ctx, recordings.User{Name: name, Role: recordings.RoleAdmin, Scope: recordings.AllScope, Source: recordings.SourceFreePBX})
					if err != nil {
						errs <- err
						return
					}
					ids <- u.ID
				}()
			}
			close(start)
			wg.Wait()
			close(errs)
			close(ids)
			for err := range errs {
				t.Errorf("round %d: EnsureUser: %v", round, err)
			}
			seen := map[int64]bool{}
			for id := range ids {
				seen[id] = true
			}
			if len(seen) != 1 {
				t.Errorf("round %d: %d users made for one name", round, len(seen))
			}
		}
	})
}
