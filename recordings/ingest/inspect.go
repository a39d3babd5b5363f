package ingest

import (
	"context"
	"fmt"
	"os"
	"path"
	"sync"
	"sync/atomic"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/spool"
)

// inspect builds the catalogue row of one file: what its name says and what its
// header says. It never fails: a file that cannot be read is catalogued as corrupt
// with the reason, so that it shows up rather than disappears.
func (s *Scanner) inspect(d *spool.Dir, f spool.File) recordings.Recording {
	name, _ := spool.ParseName(f.Name, s.Loc)
	rec := recordings.Recording{
		Node:      s.Node,
		Storage:   "local",
		Path:      path.Join(d.Path(), f.Name),
		Size:      f.Size,
		ModTime:   f.ModTime.UTC(),
		Format:    spool.FormatOf(name.Ext),
		Name:      name,
		Direction: name.Direction(),
		CDRStatus: recordings.CDRDisabled,
	}
	if s.CDR {
		rec.CDRStatus = recordings.CDRPending
	}
	lf := &lazyFile{d: d, name: f.Name}
	pr, err := spool.Probe(lf, f.Size, rec.Format)
	lf.close()
	if err != nil {
		rec.State = recordings.StateCorrupt
		s.Log.Warn("probe failed", "path", rec.Path, "error", err)
	} else {
		rec.State, rec.Duration = pr.State, pr.Duration
		if pr.Detail != "" && pr.State != recordings.StateOK {
			s.Log.Debug("probe", "path", rec.Path, "state", pr.State, "detail", pr.Detail)
		}
	}
	// A name without a time (an unknown shape) dates the call by the file: MixMonitor
	// closes the file at hangup, so the call started about one duration earlier.
	rec.CallTime = name.Time.UTC()
	if name.Time.IsZero() {
		rec.CallTime = rec.ModTime.Add(-rec.Duration)
	}
	return rec
}

// probeWorkers is how many headers inspectAll reads at once. On a cold cache a
// header read waits for the disk; several in flight let the device's queue work.
const probeWorkers = 8

// inspectAll inspects the files of one directory, several at a time, and returns
// their rows in the files' order.
func (s *Scanner) inspectAll(d *spool.Dir, files []spool.File) []recordings.Recording {
	recs := make([]recordings.Recording, len(files))
	if len(files) < 2*probeWorkers {
		for i, f := range files {
			recs[i] = s.inspect(d, f)
		}
		return recs
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range probeWorkers {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(files); i = int(next.Add(1) - 1) {
				recs[i] = s.inspect(d, files[i])
			}
		})
	}
	wg.Wait()
	return recs
}

// lazyFile opens the file on the first read, so that probing a raw format whose
// duration follows from its size costs no open at all.
type lazyFile struct {
	d    *spool.Dir
	name string
	once sync.Once
	f    *os.File
	err  error
}

func (l *lazyFile) ReadAt(p []byte, off int64) (int, error) {
	l.once.Do(func() { l.f, l.err = l.d.OpenFile(l.name) })
	if l.err != nil {
		return 0, fmt.Errorf("read header: %w", l.err)
	}
	return l.f.ReadAt(p, off)
}

func (l *lazyFile) close() {
	if l.f != nil {
		l.f.Close()
	}
}

// batchWriter collects rows and upserts them a transaction at a time, on a
// goroutine of its own, so that listing and probing the next directories overlaps
// with the database's work. flush waits until everything queued is committed.
type batchWriter struct {
	s    *Scanner
	recs []recordings.Recording
	jobs chan writeJob
	err  error // the first failed batch; later batches are dropped
	wg   sync.WaitGroup
}

type writeJob struct {
	recs []recordings.Recording
	done chan error // non-nil on a flush: receives the first error so far
}

func newBatchWriter(ctx context.Context, s *Scanner) *batchWriter {
	w := &batchWriter{s: s, jobs: make(chan writeJob, 2)}
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		for j := range w.jobs {
			if w.err == nil && len(j.recs) > 0 {
				if _, _, err := s.Cat.Upsert(ctx, j.recs); err != nil {
					w.err = fmt.Errorf("catalogue %d recordings: %w", len(j.recs), err)
				}
			}
			if j.done != nil {
				j.done <- w.err
			}
		}
	}()
	return w
}

func (w *batchWriter) add(rec recordings.Recording) {
	w.recs = append(w.recs, rec)
	n := w.s.Batch
	if n <= 0 {
		n = 2000
	}
	if len(w.recs) >= n {
		w.jobs <- writeJob{recs: w.recs}
		w.recs = make([]recordings.Recording, 0, n)
	}
}

// flush commits everything added so far and reports the first error.
func (w *batchWriter) flush() error {
	done := make(chan error, 1)
	w.jobs <- writeJob{recs: w.recs, done: done}
	w.recs = nil
	return <-done
}

// close stops the writer goroutine after what is queued.
func (w *batchWriter) close() {
	close(w.jobs)
	w.wg.Wait()
}
