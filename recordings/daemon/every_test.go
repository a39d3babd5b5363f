package daemon

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

func TestEvery(t *testing.T) {
	t.Run("ticks", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		var n atomic.Int32
		done := make(chan struct{})
		go func() {
			every(ctx, 5*time.Millisecond, nil, func(context.Context) {
				if n.Add(1) == 3 {
					cancel()
				}
			})
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("every did not return when its context ended")
		}
		if got := n.Load(); got != 3 {
			t.Errorf("%d calls after the context ended at the third", got)
		}
	})
	t.Run("soon", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		soon := make(chan struct{}, 1)
		called := make(chan struct{}, 1)
		go every(ctx, time.Hour, soon, func(context.Context) { called <- struct{}{} })
		soon <- struct{}{}
		select {
		case <-called:
		case <-time.After(10 * time.Second):
			t.Fatal("a signal on soon did not call fn before the hour's tick")
		}
	})
}
