package retention

import (
	"io/fs"
	"sync"

	"github.com/totalrec/totalrec/recordings/faultpoint"
	"github.com/totalrec/totalrec/recordings/spool"
)

// dirRun is one directory of a run. Its batches may be deleted by several workers
// at once: they share one directory handle and, on the fast path, one listing. The
// last batch to finish, once the producer has sent them all, closes the handle and
// prunes the directory.
type dirRun struct {
	st   *runState
	dir  string
	fast bool

	open    sync.Once
	d       *spool.Dir
	openErr error
	types   map[string]fs.FileMode // the fast path's listing; nil on the checked path

	mu      sync.Mutex
	pending int  // batches sent and not finished
	sent    bool // the producer sent the last batch
	touched bool // a batch was deleted
}

func (dr *dirRun) add() {
	dr.mu.Lock()
	dr.pending++
	dr.mu.Unlock()
}

// finished ends one batch; ended says the producer sent them all.
func (dr *dirRun) finished() { dr.settle(-1, false) }
func (dr *dirRun) ended()    { dr.settle(0, true) }

func (dr *dirRun) settle(delta int, sent bool) {
	dr.mu.Lock()
	dr.pending += delta
	dr.sent = dr.sent || sent
	last := dr.sent && dr.pending == 0
	dr.mu.Unlock()
	if !last {
		return
	}
	if dr.d != nil {
		dr.d.Close()
	}
	if dr.touched {
		faultpoint.Hit("retention.prune.before")
		n := dr.st.r.prune(dr.dir)
		dr.st.mu.Lock()
		dr.st.rep.DirsPruned += n
		dr.st.mu.Unlock()
	}
}

// handle opens the directory once and, on the fast path, lists it once: the batches
// check each name against the listing instead of a stat per file.
func (dr *dirRun) handle() (*spool.Dir, map[string]fs.FileMode, error) {
	dr.open.Do(func() {
		dr.d, dr.openErr = dr.st.r.Tree.OpenDir(dr.dir)
		if dr.openErr == nil && dr.fast {
			if types, err := dr.d.Types(); err == nil {
				dr.types = types
			}
		}
		faultpoint.Hit("retention.dir.opened")
	})
	return dr.d, dr.types, dr.openErr
}
