package retention

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Defaults of the settings a policy file may leave out.
const (
	DefaultGrace    = 15 * time.Minute
	DefaultMaxShare = 50.0 // percent of all live recordings one run may delete
	// MinGrace is the shortest grace a policy may set: a file MixMonitor touched less
	// than this long ago is never deleted, whatever the policy says.
	MinGrace = time.Minute
	// EmptySize is the size at or below which a recording holds no audio: a bare
	// 44-byte WAV header.
	EmptySize = 44
)

// Age is a maximum age. The zero Age is "not set"; Never is an explicit "keep
// whatever the age".
type Age struct {
	D     time.Duration
	Never bool
}

// IsSet reports whether the age says anything.
func (a Age) IsSet() bool { return a.Never || a.D > 0 }

func (a Age) String() string {
	if a.Never {
		return "never"
	}
	return formatDuration(a.D)
}

// Policy is a retention policy. The zero Policy deletes nothing (Empty reports it),
// and callers refuse to run one. Ages count from a recording's call time; the grace
// and empty delays count from its file's mtime.
type Policy struct {
	MaxAge      Age            // default maximum age
	ByExt       map[string]Age // per extension: the name's dest/from or the CDR's src/dst/cnum
	ByQueue     map[string]Age // per queue: a "q" recording's dest, or a CDR row that ended in Queue()
	ByDID       map[string]Age // per DID: the CDR's did, or an inbound recording's dest
	ByType      map[string]Age // per name type: in, out, internal, q, rg, …
	ByDirection map[string]Age // per direction: in, out, internal

	EmptyAfter time.Duration // delete empty recordings this long after their last write; 0 = never
	MinFree    float64       // watermark: percent of the file system that must stay free; 0 = off
	MaxSpool   int64         // watermark: bytes the spool may hold; 0 = off
	Grace      time.Duration // files written within it are never deleted
	MaxShare   float64       // percent of live recordings above which a run refuses
	// ClearCDR empties cdr.recordingfile in the CDR rows naming a deleted recording,
	// so that the PBX's own reports stop linking to it; by default the CDR is left
	// untouched. It is not a rule: it deletes nothing.
	ClearCDR bool

	Source string // where the policy was read from, for messages
}

// Empty reports whether the policy names no rule that can delete anything.
func (p Policy) Empty() bool {
	if (p.MaxAge.IsSet() && !p.MaxAge.Never) || p.EmptyAfter > 0 || p.Watermark() {
		return false
	}
	for _, m := range []map[string]Age{p.ByExt, p.ByQueue, p.ByDID, p.ByType, p.ByDirection} {
		for _, a := range m {
			if !a.Never {
				return false
			}
		}
	}
	return true
}

// Scoped reports whether an age applies per extension, queue, DID, type or
// direction: the decisions then read the recordings' names and CDR fields.
func (p Policy) Scoped() bool {
	return len(p.ByExt)+len(p.ByQueue)+len(p.ByDID)+len(p.ByType)+len(p.ByDirection) > 0
}

// Watermark reports whether a disk watermark is configured.
func (p Policy) Watermark() bool { return p.MinFree > 0 || p.MaxSpool > 0 }

// Longest returns the longest finite maximum age of any rule, and whether every
// recording is covered by a finite age: a default is set and no rule says never.
// A day directory older than Longest holds only recordings that some age rule
// deletes (unless held or within grace).
func (p Policy) Longest() (time.Duration, bool) {
	if !p.MaxAge.IsSet() || p.MaxAge.Never {
		return 0, false
	}
	longest := p.MaxAge.D
	for _, m := range []map[string]Age{p.ByExt, p.ByQueue, p.ByDID, p.ByType, p.ByDirection} {
		for _, a := range m {
			if a.Never {
				return 0, false
			}
			longest = max(longest, a.D)
		}
	}
	return longest, true
}

// String describes the policy in words, one rule per line, the way plan prints it
// before anything else.
func (p Policy) String() string {
	var b strings.Builder
	if p.Source != "" {
		fmt.Fprintf(&b, "retention policy from %s:\n", p.Source)
	}
	if p.Empty() {
		b.WriteString("  no rule: nothing is deleted\n")
		return b.String()
	}
	if p.MaxAge.Never {
		b.WriteString("  recordings are kept whatever their age, unless a rule below says otherwise\n")
	} else if p.MaxAge.IsSet() {
		fmt.Fprintf(&b, "  delete recordings whose call is older than %s\n", p.MaxAge)
	}
	for _, s := range []struct {
		what string
		m    map[string]Age
	}{{"extension", p.ByExt}, {"queue", p.ByQueue}, {"DID", p.ByDID}, {"type", p.ByType}, {"direction", p.ByDirection}} {
		for _, k := range sortedKeys(s.m) {
			a := s.m[k]
			if a.Never {
				fmt.Fprintf(&b, "  keep %s %s recordings whatever their age (no watermark either)\n", s.what, k)
			} else {
				fmt.Fprintf(&b, "  delete %s %s recordings older than %s\n", s.what, k, a)
			}
		}
	}
	if p.EmptyAfter > 0 {
		fmt.Fprintf(&b, "  delete empty recordings (%d bytes or less) %s after their last write\n", EmptySize, formatDuration(p.EmptyAfter))
	}
	if p.MinFree > 0 {
		fmt.Fprintf(&b, "  when less than %g%% of the disk is free, delete the oldest recordings until it is\n", p.MinFree)
	}
	if p.MaxSpool > 0 {
		fmt.Fprintf(&b, "  when the spool holds more than %s, delete the oldest recordings until it does not\n", formatSize(p.MaxSpool))
	}
	fmt.Fprintf(&b, "  never delete a recording on legal hold, still being written, or written in the last %s\n", formatDuration(p.Grace))
	fmt.Fprintf(&b, "  refuse a run that would delete more than %g%% of all recordings\n", p.MaxShare)
	if p.ClearCDR {
		b.WriteString("  clear cdr.recordingfile in the CDR rows naming a deleted recording\n")
	}
	return b.String()
}

func sortedKeys(m map[string]Age) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// formatDuration writes d in the largest unit that divides it: 365d, 12h, 90m.
func formatDuration(d time.Duration) string {
	for _, u := range []struct {
		d    time.Duration
		name string
	}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}} {
		if d >= u.d && d%u.d == 0 {
			return fmt.Sprintf("%d%s", d/u.d, u.name)
		}
	}
	return d.String()
}

// formatSize writes n in the largest binary unit that divides it: 500G, 1536M.
func formatSize(n int64) string {
	for _, u := range []struct {
		n    int64
		name string
	}{{1 << 40, "T"}, {1 << 30, "G"}, {1 << 20, "M"}, {1 << 10, "K"}} {
		if n >= u.n && n%u.n == 0 {
			return fmt.Sprintf("%d%s", n/u.n, u.name)
		}
	}
	return fmt.Sprintf("%d bytes", n)
}
