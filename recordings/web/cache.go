package web

import (
	"container/list"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/totalrec/totalrec/recordings/stream"
)

// checkpointCache keeps each recording's checkpoints and waveform peaks — one
// decoding pass over the file — in memory (the most recent memEntries) and, when
// a directory is given, on disk as <dir>/<id>-<size>-<mtime ns>.cp, so that a
// restart does not decode everything again. A file that grows or changes gets a
// new key; the older files of the same recording are removed when the new one is
// written. Builds of the same key run once; concurrent callers wait for it.
type checkpointCache struct {
	dir string
	log *slog.Logger

	mu       sync.Mutex
	mem      map[cacheKey]*list.Element // of *cacheEntry
	order    *list.List                 // most recent first
	building map[cacheKey]*build
}

// memEntries bounds the checkpoints kept in memory: about 200 KB per hour of GSM.
const memEntries = 256

type cacheKey struct {
	id, size, mtime int64
}

type cacheEntry struct {
	key cacheKey
	cp  *stream.Checkpoints
}

type build struct {
	done chan struct{}
	cp   *stream.Checkpoints
	err  error
}

func newCheckpointCache(dir string, log *slog.Logger) (*checkpointCache, error) {
	c := &checkpointCache{log: log, mem: map[cacheKey]*list.Element{}, order: list.New(), building: map[cacheKey]*build{}}
	if dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			log.Warn("checkpoints cache kept in memory only", slog.String("dir", dir), slog.Any("error", err))
			return c, nil
		}
		c.dir = dir
	}
	return c, nil
}

func (k cacheKey) file() string {
	return strconv.FormatInt(k.id, 10) + "-" + strconv.FormatInt(k.size, 10) + "-" + strconv.FormatInt(k.mtime, 10) + ".cp"
}

// lookup returns the cached checkpoints for k, or nil.
func (c *checkpointCache) lookup(k cacheKey) *stream.Checkpoints {
	c.mu.Lock()
	if e, ok := c.mem[k]; ok {
		c.order.MoveToFront(e)
		c.mu.Unlock()
		return e.Value.(*cacheEntry).cp
	}
	c.mu.Unlock()
	if c.dir == "" {
		return nil
	}
	b, err := os.ReadFile(filepath.Join(c.dir, k.file()))
	if err != nil {
		return nil
	}
	cp := new(stream.Checkpoints)
	if err := cp.UnmarshalBinary(b); err != nil {
		c.log.Warn("discard cached checkpoints", slog.Int64("recording", k.id), slog.Any("error", err))
		os.Remove(filepath.Join(c.dir, k.file()))
		return nil
	}
	c.remember(k, cp)
	return cp
}

// get returns the checkpoints for k, building them with fn once when none are
// cached.
func (c *checkpointCache) get(k cacheKey, fn func() (*stream.Checkpoints, error)) (*stream.Checkpoints, error) {
	if cp := c.lookup(k); cp != nil {
		return cp, nil
	}
	c.mu.Lock()
	if b, ok := c.building[k]; ok {
		c.mu.Unlock()
		<-b.done
		return b.cp, b.err
	}
	b := &build{done: make(chan struct{})}
	c.building[k] = b
	c.mu.Unlock()

	b.cp, b.err = fn()
	if b.err == nil {
		c.remember(k, b.cp)
		c.store(k, b.cp)
	}
	c.mu.Lock()
	delete(c.building, k)
	c.mu.Unlock()
	close(b.done)
	return b.cp, b.err
}

// forget drops k, whose checkpoints turned out unusable.
func (c *checkpointCache) forget(k cacheKey) {
	c.mu.Lock()
	if e, ok := c.mem[k]; ok {
		c.order.Remove(e)
		delete(c.mem, k)
	}
	c.mu.Unlock()
	if c.dir != "" {
		os.Remove(filepath.Join(c.dir, k.file()))
	}
}

func (c *checkpointCache) remember(k cacheKey, cp *stream.Checkpoints) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.mem[k]; ok {
		c.order.MoveToFront(e)
		return
	}
	c.mem[k] = c.order.PushFront(&cacheEntry{key: k, cp: cp})
	for c.order.Len() > memEntries {
		e := c.order.Back()
		c.order.Remove(e)
		delete(c.mem, e.Value.(*cacheEntry).key)
	}
}

// store writes cp to disk, replacing the recording's older entries. A failure
// is logged: the cache is an optimisation.
func (c *checkpointCache) store(k cacheKey, cp *stream.Checkpoints) {
	if c.dir == "" {
		return
	}
	if err := c.write(k, cp); err != nil {
		c.log.Warn("cache checkpoints", slog.Int64("recording", k.id), slog.Any("error", err))
	}
}

func (c *checkpointCache) write(k cacheKey, cp *stream.Checkpoints) error {
	b, err := cp.MarshalBinary()
	if err != nil {
		return fmt.Errorf("encode checkpoints: %w", err)
	}
	old, _ := filepath.Glob(filepath.Join(c.dir, strconv.FormatInt(k.id, 10)+"-*.cp"))
	tmp, err := os.CreateTemp(c.dir, ".cp-*")
	if err != nil {
		return fmt.Errorf("write checkpoints: %w", err)
	}
	_, err = tmp.Write(b)
	err = errors.Join(err, tmp.Close())
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(c.dir, k.file()))
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write checkpoints: %w", err)
	}
	for _, o := range old {
		if filepath.Base(o) != k.file() {
			os.Remove(o)
		}
	}
	return nil
}
