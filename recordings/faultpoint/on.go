//go:build faultinject

package faultpoint

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
)

// armed is the point to kill at and the hit to kill on, read once.
var (
	armOnce sync.Once
	point   string
	at      int64
	hits    atomic.Int64

	traceMu sync.Mutex
	trace   *os.File
)

// Hit counts a hit of name and, when it is the armed point's Nth, kills the
// process with SIGKILL.
func Hit(name string) {
	armOnce.Do(arm)
	if trace != nil {
		traceMu.Lock()
		trace.WriteString(name + "\n")
		traceMu.Unlock()
	}
	if name != point || hits.Add(1) != at {
		return
	}
	fmt.Fprintf(os.Stderr, "faultpoint: SIGKILL at %s hit %d\n", name, at)
	syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {} // the signal is on its way; nothing after the point may run
}

// arm reads TOTALREC_FAULT_KILL_AT and TOTALREC_FAULT_TRACE. A malformed value
// is a test's mistake: it is said on stderr and the process exits 99, so that a
// run that was meant to crash does not silently run through.
func arm() {
	if f := os.Getenv("TOTALREC_FAULT_TRACE"); f != "" {
		var err error
		if trace, err = os.OpenFile(f, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644); err != nil {
			fmt.Fprintf(os.Stderr, "faultpoint: TOTALREC_FAULT_TRACE: %v\n", err)
			os.Exit(99)
		}
	}
	v := os.Getenv("TOTALREC_FAULT_KILL_AT")
	if v == "" {
		return
	}
	name, n, ok := strings.Cut(v, ":")
	count, err := strconv.ParseInt(n, 10, 64)
	if !ok || name == "" || err != nil || count < 1 {
		fmt.Fprintf(os.Stderr, "faultpoint: TOTALREC_FAULT_KILL_AT=%q is not name:N with N >= 1\n", v)
		os.Exit(99)
	}
	point, at = name, count
}
