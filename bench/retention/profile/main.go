// Command profile runs retention (plan, then run) on a spool and its catalogue the
// way `totalrec retention run` does, with CPU and heap profiles and the Go heap's
// peak, for finding where the benchmark's time and memory go:
//
//	go run ./bench/retention/profile -spool DIR -db sqlite:FILE -policy FILE \
//	    -cpuprofile cpu.pprof -memprofile heap.pprof
//	go tool pprof -sample_index=alloc_space -top heap.pprof
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"sync/atomic"
	"time"

	"github.com/totalrec/totalrec/recordings/catalog"
	"github.com/totalrec/totalrec/recordings/retention"
	"github.com/totalrec/totalrec/recordings/spool"
)

func main() {
	spoolDir := flag.String("spool", "", "spool root")
	dsn := flag.String("db", "", "catalogue DSN (sqlite:FILE or a MySQL DSN)")
	policyFile := flag.String("policy", "", "retention policy file")
	workers := flag.Int("workers", retention.DefaultWorkers, "parallel batches")
	batch := flag.Int("batch", retention.DefaultBatch, "files per batch")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile here")
	memProfile := flag.String("memprofile", "", "write a heap profile (allocations since start) here")
	flag.Parse()
	if *spoolDir == "" || *dsn == "" || *policyFile == "" {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*spoolDir, *dsn, *policyFile, *workers, *batch, *cpuProfile, *memProfile); err != nil {
		fmt.Fprintln(os.Stderr, "profile:", err)
		os.Exit(1)
	}
}

func run(spoolDir, dsn, policyFile string, workers, batch int, cpuProfile, memProfile string) error {
	ctx := context.Background()
	p, err := retention.LoadFile(policyFile)
	if err != nil {
		return err
	}
	cat, err := catalog.Open(ctx, dsn, nil)
	if err != nil {
		return err
	}
	defer cat.Close()
	tree, err := spool.OpenTree(spoolDir)
	if err != nil {
		return err
	}
	defer tree.Close()
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		for {
			select {
			case <-done:
				return
			case <-time.After(100 * time.Millisecond):
			}
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
		}
	}()
	r := &retention.Runner{Store: cat, Tree: tree, Loc: time.UTC, Policy: p, Now: time.Now(), Workers: workers, Batch: batch}
	start := time.Now()
	plan, err := r.Plan(ctx)
	if err != nil {
		return err
	}
	planned := time.Since(start)
	rep, err := r.Run(ctx, plan)
	close(done)
	if err != nil {
		return err
	}
	fmt.Printf("plan %s, run %s: deleted %d files, %d gone, %d failed, %d fast batches; peak Go heap in use %.1f MB\n",
		planned.Round(time.Millisecond), (time.Since(start) - planned).Round(time.Millisecond),
		rep.Deleted.Files, rep.Gone, rep.Failed, rep.FastBatches, float64(peak.Load())/(1<<20))
	if memProfile != "" {
		f, err := os.Create(memProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		return pprof.Lookup("allocs").WriteTo(f, 0)
	}
	return nil
}
