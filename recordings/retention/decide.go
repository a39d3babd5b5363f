package retention

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

// Rules a Decision names. Deleting rules: max_age (and its scoped forms such as
// "max_age.ext.101"), empty and watermark. The others say why a recording stays.
const (
	RuleHold      = "hold"      // on legal hold: overrides every rule
	RuleWriting   = "writing"   // MixMonitor has not closed the file
	RuleGrace     = "grace"     // written within the grace period (or in the future)
	RuleGone      = "gone"      // the file is not on disk; nothing to delete
	RuleNever     = "never"     // a rule says keep whatever the age
	RuleYoung     = "young"     // younger than its maximum age
	RuleNoRule    = "no_rule"   // no rule applies
	RuleEmpty     = "empty"     // an empty recording past empty_after
	RuleMaxAge    = "max_age"   // older than the default maximum age
	RuleWatermark = "watermark" // among the oldest, deleted to get the disk back under the watermark
)

// Decision is what the policy does with one recording.
type Decision struct {
	Recording recordings.Recording
	Delete    bool
	Rule      string
	Reason    string
	// Held is the rule that would delete a held recording were it not on hold; ""
	// when the hold protects it from nothing today.
	Held string
}

// Disk is what the runner measured before deciding: the file system holding the
// spool and the bytes of the live recordings in it.
type Disk struct {
	Total, Free int64 // bytes of the file system
	Spool       int64 // bytes of the live recordings
}

// Cutoff is the position (call time, id) of the last recording the watermark
// deletes: every eligible recording at or before it goes. The zero Cutoff deletes
// nothing; All deletes every eligible recording (the watermark cannot be met).
type Cutoff struct {
	CallTime time.Time
	ID       int64
	All      bool
}

func (c Cutoff) covers(r recordings.Recording) bool {
	if c.All {
		return true
	}
	if c.ID == 0 {
		return false
	}
	if !r.CallTime.Equal(c.CallTime) {
		return r.CallTime.Before(c.CallTime)
	}
	return r.ID <= c.ID
}

// Evaluator decides recordings one at a time. It holds no I/O and no clock: the same
// policy, now and cutoff give the same decision for the same recording.
type Evaluator struct {
	Policy Policy
	Now    time.Time
	Cutoff Cutoff
}

// Decide applies the rules to r in this order, the first that matches deciding:
// not on disk, legal hold, still being written, within grace (mtime within Grace of
// now, or in the future), empty past EmptyAfter, its maximum age, then the watermark
// cutoff for recordings no rule protects.
func (e Evaluator) Decide(r recordings.Recording) Decision {
	d := e.decide(r, false)
	if r.Held && d.Rule == RuleHold {
		if w := e.decide(r, true); w.Delete {
			d.Held = w.Rule
		}
	}
	return d
}

func (e Evaluator) decide(r recordings.Recording, ignoreHold bool) Decision {
	keep := func(rule, format string, args ...any) Decision {
		return Decision{Recording: r, Rule: rule, Reason: fmt.Sprintf(format, args...)}
	}
	del := func(rule, format string, args ...any) Decision {
		return Decision{Recording: r, Delete: true, Rule: rule, Reason: fmt.Sprintf(format, args...)}
	}
	p := e.Policy
	switch {
	case !live(r.State):
		return keep(RuleGone, "file is %s", r.State)
	case r.Held && !ignoreHold:
		return keep(RuleHold, "on legal hold")
	case r.State == recordings.StateWriting:
		return keep(RuleWriting, "still being written")
	case e.Now.Sub(r.ModTime) < p.Grace:
		return keep(RuleGrace, "written %s, within the %s grace", r.ModTime.UTC().Format(time.RFC3339), formatDuration(p.Grace))
	case p.EmptyAfter > 0 && (r.State == recordings.StateEmpty || r.Size <= EmptySize) && e.Now.Sub(r.ModTime) >= p.EmptyAfter:
		return del(RuleEmpty, "empty (%d bytes), last written more than %s ago", r.Size, formatDuration(p.EmptyAfter))
	}
	age, rule := p.ageFor(r)
	switch {
	case age.Never:
		return keep(RuleNever, "%s = never", rule)
	case age.IsSet() && e.Now.Sub(r.CallTime) > age.D:
		return del(rule, "call on %s is older than %s", r.CallTime.UTC().Format("2006-01-02"), age)
	case p.Watermark() && e.Cutoff.covers(r) && onDisk(r):
		return del(RuleWatermark, "among the oldest recordings deleted to meet the disk watermark")
	case age.IsSet():
		return keep(RuleYoung, "younger than %s (%s)", age, rule)
	}
	return keep(RuleNoRule, "no rule applies")
}

// ageFor returns the maximum age that applies to r and the rule naming it. The most
// specific scope that matches wins — extension, queue, DID, type, direction, then
// the default — and within a scope, when several names match, the longest age (an
// explicit never above all) wins: keeping is the safe side of a tie.
func (p Policy) ageFor(r recordings.Recording) (Age, string) {
	n, c := r.Name, r.CDR
	isQueue := n.Type == "q" || c.LastApp == "Queue"
	isIn := r.Direction == recordings.DirIn || n.Type == "in" || n.Type == "external"
	scopes := []struct {
		name string
		m    map[string]Age
		keys []string
	}{
		{"ext", p.ByExt, []string{n.Dest, n.From, c.Src, c.Dst, c.CNum}},
		{"queue", p.ByQueue, []string{pick(n.Type == "q", n.Dest), pick(isQueue, c.Dst)}},
		{"did", p.ByDID, []string{c.DID, pick(isIn, n.Dest)}},
		{"type", p.ByType, []string{n.Type}},
		{"direction", p.ByDirection, []string{string(r.Direction)}},
	}
	for _, s := range scopes {
		var best Age
		bestKey := ""
		for _, k := range s.keys {
			a, ok := s.m[k]
			if k == "" || !ok {
				continue
			}
			if !best.IsSet() || a.Never || (!best.Never && a.D > best.D) {
				best, bestKey = a, k
			}
		}
		if best.IsSet() {
			return best, "max_age." + s.name + "." + bestKey
		}
	}
	return p.MaxAge, RuleMaxAge
}

func pick(ok bool, s string) string {
	if ok {
		return s
	}
	return ""
}

// live reports whether the state says the file is on disk.
func live(s recordings.State) bool {
	switch s {
	case recordings.StateOK, recordings.StateWriting, recordings.StateCorrupt, recordings.StateEmpty:
		return true
	}
	return false
}

// WatermarkEligible reports whether the watermark may delete what d keeps: only
// recordings kept because they are young or because no rule applies.
func WatermarkEligible(d Decision) bool {
	return !d.Delete && (d.Rule == RuleYoung || d.Rule == RuleNoRule) && onDisk(d.Recording)
}

// onDisk reports whether r's file takes room on this disk: an archived
// recording's does not, and the watermark never deletes it.
func onDisk(r recordings.Recording) bool { return r.Storage != recordings.StorageS3 }

// Need returns how many bytes the watermark must free given the disk figures and the
// bytes the other rules already free; 0 when the disk is within the watermark.
func (p Policy) Need(disk Disk, freed int64) int64 {
	var need int64
	if p.MinFree > 0 && disk.Total > 0 {
		want := int64(p.MinFree / 100 * float64(disk.Total))
		need = max(need, want-disk.Free)
	}
	if p.MaxSpool > 0 {
		need = max(need, disk.Spool-p.MaxSpool)
	}
	return max(need-freed, 0)
}

// Apply decides every recording in recs at time now: the pure form of a run, for
// tests and small catalogues. Decisions come back in the order of recs. The
// watermark deletes the oldest eligible recordings (by call time, then id) until
// the bytes freed by all rules cover Policy.Need.
func Apply(recs []recordings.Recording, p Policy, now time.Time, disk Disk) []Decision {
	e := Evaluator{Policy: p, Now: now}
	out := make([]Decision, len(recs))
	var freed int64
	for i, r := range recs {
		out[i] = e.Decide(r)
		if out[i].Delete {
			freed += r.Size
		}
	}
	need := p.Need(disk, freed)
	if !p.Watermark() || need == 0 {
		return out
	}
	order := make([]int, len(recs))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		return cmp.Or(recs[a].CallTime.Compare(recs[b].CallTime), cmp.Compare(recs[a].ID, recs[b].ID))
	})
	w := NewWatermark(need)
	for _, i := range order {
		if !w.Add(out[i]) {
			break
		}
	}
	e.Cutoff = w.Cutoff()
	for i, r := range recs {
		out[i] = e.Decide(r)
	}
	return out
}

// Watermark finds the Cutoff: fed decisions made without a cutoff, oldest first, it
// counts the bytes of the eligible ones until need is covered.
type Watermark struct {
	need   int64
	cutoff Cutoff
	Count  int
	Bytes  int64
}

// NewWatermark starts a search for a cutoff that frees need bytes.
func NewWatermark(need int64) *Watermark { return &Watermark{need: need} }

// Add takes the next decision in (call time, id) order and reports whether more are
// wanted.
func (w *Watermark) Add(d Decision) bool {
	if w.need <= 0 {
		return false
	}
	if WatermarkEligible(d) {
		w.need -= d.Recording.Size
		w.Count++
		w.Bytes += d.Recording.Size
		w.cutoff = Cutoff{CallTime: d.Recording.CallTime, ID: d.Recording.ID}
	}
	return w.need > 0
}

// Cutoff returns the position found; when need was never covered, every eligible
// recording goes (All) — the watermark does what it can.
func (w *Watermark) Cutoff() Cutoff {
	if w.need > 0 && w.Count > 0 {
		return Cutoff{All: true}
	}
	return w.cutoff
}

// Short reports whether the eligible recordings were not enough to meet the watermark.
func (w *Watermark) Short() bool { return w.need > 0 }
