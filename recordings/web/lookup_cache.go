package web

import (
	"context"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/totalrec/totalrec/recordings"
)

// lookupTTL is how long an API token or a recording, once read from the
// catalogue, is taken as read. A player or a CRM fetches one recording as many
// Range requests, each with the same token; remembering them spares each
// request a hash lookup and a recording lookup in the catalogue. The price is
// that a token revoked with `totalrec token rm` (another process) still
// works for up to lookupTTL, and that a recording deleted by retention within
// lookupTTL is answered 404 file_missing (its file is gone) rather than 410.
// Nothing in this server removes tokens or deletes recordings; misses and
// errors are never remembered, so a new token or recording works at once.
const lookupTTL = 2 * time.Second

// lookupCacheMax bounds each cache: past it, expired entries go, and if none
// has expired the cache starts again empty.
const lookupCacheMax = 4096

// ttlCache is a small map whose entries expire lookupTTL after they were put.
// Its zero value is empty and ready. Times come from the server's clock.
type ttlCache[K comparable, V any] struct {
	mu      sync.Mutex
	entries map[K]ttlEntry[V]
}

type ttlEntry[V any] struct {
	v     V
	until time.Time
}

// get returns k's value if it was put less than lookupTTL before now.
func (c *ttlCache[K, V]) get(k K, now time.Time) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok || !now.Before(e.until) {
		var zero V
		return zero, false
	}
	return e.v, true
}

// put remembers v for k until lookupTTL after now.
func (c *ttlCache[K, V]) put(k K, v V, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = make(map[K]ttlEntry[V])
	}
	if len(c.entries) >= lookupCacheMax {
		for k, e := range c.entries {
			if !now.Before(e.until) {
				delete(c.entries, k)
			}
		}
		if len(c.entries) >= lookupCacheMax {
			clear(c.entries)
		}
	}
	c.entries[k] = ttlEntry[V]{v: v, until: now.Add(lookupTTL)}
}

// update replaces k's value, keeping when it expires; a missing k stays missing.
func (c *ttlCache[K, V]) update(k K, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[k]; ok {
		e.v = v
		c.entries[k] = e
	}
}

// lookups are the server's short-lived memory of catalogue reads (lookupTTL).
type lookups struct {
	tokens ttlCache[string, recordings.APIToken] // by token hash
	recs   ttlCache[recordingKey, recordings.Recording]
}

// recordingKey names a recording as seen through one scope: a recording read
// under one scope is never answered under another.
type recordingKey struct {
	id    int64
	scope string // recordings.Scope.String(), which ParseScope reads back
}

// tokenByHash is Accounts.TokenByHash through the token cache.
func (s *Server) tokenByHash(ctx context.Context, hash string) (recordings.APIToken, error) {
	if t, ok := s.lookups.tokens.get(hash, s.now()); ok {
		return t, nil
	}
	t, err := s.acc.TokenByHash(ctx, hash)
	if err == nil {
		s.lookups.tokens.put(hash, t, s.now())
	}
	return t, err
}

// getRecordingCached is getRecording through the recording cache, for the
// requests that only read a recording's file (its audio), which come many to a
// playback.
func (s *Server) getRecordingCached(c echo.Context) (recordings.Recording, error) {
	id, err := recordingParam(c)
	if err != nil {
		return recordings.Recording{}, err
	}
	k := recordingKey{id: id, scope: scopeOf(c).String()}
	if rec, ok := s.lookups.recs.get(k, s.now()); ok {
		return rec, nil
	}
	rec, err := s.getRecording(c)
	if err == nil {
		s.lookups.recs.put(k, rec, s.now())
	}
	return rec, err
}
