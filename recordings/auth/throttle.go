package auth

import (
	"net/netip"
	"strings"
	"sync"
	"time"
)

// Throttle slows down password guessing. Each key (SignIns uses a user name
// with an address, and an address) may fail Free times; after that every
// further failure doubles the wait before the next attempt, from Base up to
// Max. A success resets the key, and so does a pause of Max without failures.
// It lives in memory: a restart forgets it, which costs an attacker a restart
// per few guesses. It is safe for concurrent use.
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

// SignIns throttles password sign-ins. Failures count per user name and
// address together, and per address; never per user name alone, which would
// let anyone who knows a name lock its owner out from everywhere: an attacker
// slows down only himself. A pair may fail PairFree times before the backoff
// starts, an address AddrFree times over all the names it tries (more, so that
// an office behind one NAT address does not slow down at the first typos). A
// success clears its pair, not its address: an attacker with an account of his
// own cannot reset his address's count by signing in between guesses.
type SignIns struct {
	pair, addr *Throttle
}

// Allowances of NewSignIns.
const (
	PairFree = 5
	AddrFree = 20
)

// NewSignIns returns SignIns with PairFree and AddrFree free failures, each
// further failure doubling the wait from 1 s up to 15 min.
func NewSignIns() *SignIns {
	pair, addr := NewThrottle(), NewThrottle()
	pair.Free, addr.Free = PairFree, AddrFree
	return &SignIns{pair: pair, addr: addr}
}

// signInKeys are the keys of a sign-in as user from addr.
func signInKeys(user, addr string) (pair, address string) {
	a := addrKey(addr)
	return strings.ToLower(user) + "\x00" + a, a
}

// addrKey is the throttled unit of a client address: an IPv4 address, or the
// /64 of an IPv6 one (one host usually holds a whole /64 and may pick any
// address in it).
func addrKey(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	ip = ip.Unmap()
	if ip.Is4() {
		return ip.String()
	}
	p, _ := ip.WithZone("").Prefix(64)
	return p.String()
}

// Wait returns how long a sign-in as user from addr must wait at now; 0: go ahead.
func (s *SignIns) Wait(user, addr string, now time.Time) time.Duration {
	pair, address := signInKeys(user, addr)
	return max(s.pair.Wait(pair, now), s.addr.Wait(address, now))
}

// Fail records a failed sign-in as user from addr at now.
func (s *SignIns) Fail(user, addr string, now time.Time) {
	pair, address := signInKeys(user, addr)
	s.pair.Fail(pair, now)
	s.addr.Fail(address, now)
}

// Succeed forgets the failures of user from addr (not those of addr).
func (s *SignIns) Succeed(user, addr string) {
	pair, _ := signInKeys(user, addr)
	s.pair.Reset(pair)
}
