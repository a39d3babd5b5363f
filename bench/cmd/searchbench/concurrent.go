package main

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/totalrec/totalrec/bench/internal/callgen"
	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/catalog"
)

// concurrency asks questions 1–6 through catalog.Search from one client, then from
// clients at once, each client cycling through them from its own starting point,
// for d each (the one client for oneFor when it is set), and prints latency percentiles, throughput and errors of both: the
// baseline is the one client of the same run.
func concurrency(ctx context.Context, cat *catalog.Catalog, m callgen.Model, clients int, d, oneFor time.Duration) error {
	var mix []recordings.Query
	for _, q := range questions(m)[:6] {
		mix = append(mix, q.query)
	}
	fmt.Printf("C concurrent search: %d recordings on %s, questions 1-6 in turn, %s per run\n", m.N, cat.Dialect(), d)
	if oneFor <= 0 {
		oneFor = d
	}
	one, err := askConcurrently(ctx, cat, mix, 1, oneFor)
	if err != nil {
		return err
	}
	one.print() // at once: bench/hook/run starts when the many clients do
	many, err := askConcurrently(ctx, cat, mix, clients, d)
	if err != nil {
		return err
	}
	many.print()
	fmt.Printf("C %d clients vs 1: throughput %.2fx, p95 %s\n", clients, many.perSecond()/one.perSecond(),
		times(many.pct(0.95), one.pct(0.95)))
	return nil
}

// print writes the run's line of figures.
func (r loadRun) print() {
	fmt.Printf("C %3d clients: %6d searches, %7.1f/s, p50 %8s p95 %8s p99 %8s, %d errors\n",
		r.clients, len(r.durs), r.perSecond(), ms(r.pct(0.5)), ms(r.pct(0.95)), ms(r.pct(0.99)), r.errors)
}

// loadRun is what one run of askConcurrently measured.
type loadRun struct {
	timing
	clients int
	elapsed time.Duration
	errors  int
}

func (l loadRun) perSecond() float64 { return float64(len(l.durs)) / l.elapsed.Seconds() }

// askConcurrently runs clients goroutines asking the queries in turn until d has
// passed, and collects every latency.
func askConcurrently(ctx context.Context, cat *catalog.Catalog, mix []recordings.Query, clients int, d time.Duration) (loadRun, error) {
	var (
		mu  sync.Mutex
		out = loadRun{clients: clients}
		wg  sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(d)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var durs []time.Duration
			errs := 0
			for i := c; time.Now().Before(deadline); i++ {
				t := time.Now()
				if _, err := cat.Search(ctx, mix[i%len(mix)]); err != nil {
					errs++
					continue
				}
				durs = append(durs, time.Since(t))
			}
			mu.Lock()
			out.durs = append(out.durs, durs...)
			out.errors += errs
			mu.Unlock()
		}()
	}
	wg.Wait()
	out.elapsed = time.Since(start)
	if len(out.durs) == 0 {
		return out, fmt.Errorf("%d clients: no search answered in %s (%d errors)", clients, d, out.errors)
	}
	slices.Sort(out.durs)
	return out, nil
}
