package daemon

import (
	"context"
	"time"
)

// every is the daemon's periodic loop: it calls fn each interval, and at once for
// each signal on soon (nil: none), until ctx ends. A call under way when ctx ends
// gets ctx and finishes first; there is no call after.
func every(ctx context.Context, interval time.Duration, soon <-chan struct{}, fn func(context.Context)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-soon:
		}
		if ctx.Err() != nil {
			return
		}
		fn(ctx)
	}
}
