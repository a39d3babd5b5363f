package web

import (
	"context"
	"sync"

	"github.com/totalrec/totalrec/recordings"
)

// prewarmQueue is how many recordings may wait for their checkpoints beside the
// one being built. The hook announces a recording per finished call; a queue this
// long absorbs a burst of hangups, and a longer one would only build checkpoints
// no one has asked for yet.
const prewarmQueue = 64

// prewarmer builds checkpoints in the background, one recording at a time, on the
// one goroutine it owns: newPrewarmer starts it, close cancels it and waits for it.
// The queue is bounded: a recording that finds it full is dropped, and one already
// waiting is not queued twice. Dropping loses nothing but time: a seek into that
// recording decodes from the start (the same bytes), and asks for the checkpoints
// again. A build under way when close is called runs to its end (one decoding pass
// of one file) before close returns.
type prewarmer struct {
	build func(context.Context, recordings.Recording)
	queue chan recordings.Recording

	mu      sync.Mutex
	waiting map[int64]bool // recordings in the queue
	closed  bool

	cancel context.CancelFunc
	done   chan struct{}
}

func newPrewarmer(size int, build func(context.Context, recordings.Recording)) *prewarmer {
	ctx, cancel := context.WithCancel(context.Background())
	p := &prewarmer{build: build, queue: make(chan recordings.Recording, size), waiting: map[int64]bool{},
		cancel: cancel, done: make(chan struct{})}
	go p.run(ctx)
	return p
}

// add queues rec and reports whether it did: false when rec is already waiting,
// when the queue is full, or after close.
func (p *prewarmer) add(rec recordings.Recording) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || p.waiting[rec.ID] {
		return false
	}
	select {
	case p.queue <- rec:
		p.waiting[rec.ID] = true
		return true
	default:
		return false
	}
}

func (p *prewarmer) run(ctx context.Context) {
	defer close(p.done)
	for {
		select {
		case <-ctx.Done():
			return
		case rec := <-p.queue:
			p.mu.Lock()
			delete(p.waiting, rec.ID)
			p.mu.Unlock()
			if ctx.Err() != nil {
				return
			}
			p.build(ctx, rec)
		}
	}
}

// close stops the worker and waits for it; what is still queued is not built.
// It may be called more than once.
func (p *prewarmer) close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.cancel()
	<-p.done
}
