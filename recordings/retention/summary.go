package retention

import (
	"fmt"
	"slices"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

// Count is a number of recordings and their bytes.
type Count struct {
	Files int64 `json:"files"`
	Bytes int64 `json:"bytes"`
}

func (c *Count) add(size int64) {
	c.Files++
	c.Bytes += size
}

// Protected is a held recording that a rule would delete but for its hold.
type Protected struct {
	ID   int64  `json:"id"`
	Path string `json:"path"`
	Rule string `json:"rule"`
}

// maxProtected bounds the protected recordings a Summary lists one by one.
const maxProtected = 1000

// Summary adds decisions up: what goes, per rule and per day of the call, what
// stays and why. Its size depends on the number of rules and days, not of
// recordings (Protected lists at most maxProtected).
type Summary struct {
	Total     Count            `json:"total"`     // live recordings considered
	Delete    Count            `json:"delete"`    // to be deleted
	Keep      Count            `json:"keep"`      // kept
	ByRule    map[string]Count `json:"by_rule"`   // deletions per rule
	ByDay     map[string]Count `json:"by_day"`    // deletions per call day, YYYY-MM-DD in loc
	KeptBy    map[string]Count `json:"kept_by"`   // kept, per reason (hold, grace, young, …)
	Protected []Protected      `json:"protected"` // held recordings a rule would otherwise delete
	// ProtectedMore counts the protected recordings past the listed ones.
	ProtectedMore int64 `json:"protected_more,omitempty"`
}

// NewSummary returns an empty Summary.
func NewSummary() Summary {
	return Summary{ByRule: map[string]Count{}, ByDay: map[string]Count{}, KeptBy: map[string]Count{}, Protected: []Protected{}}
}

// Add counts one decision; days are calendar days of the call time in loc.
func (s *Summary) Add(d Decision, loc *time.Location) {
	r := d.Recording
	if !live(r.State) {
		return
	}
	s.Total.add(r.Size)
	if !d.Delete {
		s.Keep.add(r.Size)
		c := s.KeptBy[d.Rule]
		c.add(r.Size)
		s.KeptBy[d.Rule] = c
		if d.Held != "" {
			if len(s.Protected) < maxProtected {
				s.Protected = append(s.Protected, Protected{ID: r.ID, Path: r.Path, Rule: d.Held})
			} else {
				s.ProtectedMore++
			}
		}
		return
	}
	s.Delete.add(r.Size)
	c := s.ByRule[d.Rule]
	c.add(r.Size)
	s.ByRule[d.Rule] = c
	day := r.CallTime.In(loc).Format("2006-01-02")
	c = s.ByDay[day]
	c.add(r.Size)
	s.ByDay[day] = c
}

// Days returns the keys of ByDay, oldest first.
func (s Summary) Days() []string {
	days := make([]string, 0, len(s.ByDay))
	for d := range s.ByDay {
		days = append(days, d)
	}
	slices.Sort(days)
	return days
}

// CheckShare refuses (recordings.ErrRefused) a plan that deletes more than the
// policy's MaxShare of the live recordings: a clock jump or a typo in an age must
// not wipe the spool. force skips the check.
func (p Policy) CheckShare(s Summary, force bool) error {
	if force || s.Delete.Files == 0 || p.MaxShare >= 100 {
		return nil
	}
	share := 100 * float64(s.Delete.Files) / float64(s.Total.Files)
	if share > p.MaxShare {
		return fmt.Errorf("delete %d of %d recordings (%.1f%%): more than max_share %g%%; check the clock and the policy, then run again with --force: %w",
			s.Delete.Files, s.Total.Files, share, p.MaxShare, recordings.ErrRefused)
	}
	return nil
}
