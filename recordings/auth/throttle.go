package auth

import (
	"sync"
	"time"
)

// Throttle slows down password guessing. Each key (a user name, an address)
// may fail Free times; after that every further failure doubles the wait before
// the next attempt, from Base up to Max. A success resets the key, and so does
// a pause of Max without failures. It lives in
// memory: a restart forgets it, which costs an attacker a restart per few
// guesses. It is safe for concurrent use.
type Throttle struct {
	Free int
	Base time.Duration
	Max  time.Duration

	mu    sync.Mutex
	state map[string]*failures
}

type failures struct {
	n     int
	until time.Time // no attempt before this
	last  time.Time
}

// NewThrottle returns a Throttle with 5 free failures, a 1 s base and a 15 min cap.
func NewThrottle() *Throttle {
	return &Throttle{Free: 5, Base: time.Second, Max: 15 * time.Minute}
}

// maxKeys bounds the memory of a Throttle; beyond it, keys idle for Max are dropped.
const maxKeys = 10000

// Wait returns how long key must wait before its next attempt at now; 0: go ahead.
func (t *Throttle) Wait(key string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.state[key]
	if f == nil || !now.Before(f.until) {
		return 0
	}
	return f.until.Sub(now)
}

// Fail records a failed attempt of key at now and returns the wait it now has.
func (t *Throttle) Fail(key string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.state == nil {
		t.state = map[string]*failures{}
	}
	if len(t.state) >= maxKeys {
		for k, f := range t.state {
			if now.Sub(f.last) > t.Max {
				delete(t.state, k)
			}
		}
	}
	f := t.state[key]
	if f == nil {
		f = &failures{}
		t.state[key] = f
	}
	if now.Sub(f.last) > t.Max {
		f.n = 0 // quiet for a while: start afresh
	}
	f.n++
	f.last = now
	if f.n <= t.Free {
		return 0
	}
	wait := t.Base << min(f.n-t.Free-1, 30)
	if wait > t.Max || wait <= 0 {
		wait = t.Max
	}
	f.until = now.Add(wait)
	return wait
}

// Reset forgets key's failures.
func (t *Throttle) Reset(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.state, key)
}
