package recordings

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Role is what a signed-in person may do besides listening.
type Role string

const (
	// RoleAdmin sees every recording and manages users, tokens and the audit trail.
	RoleAdmin Role = "admin"
	// RoleSupervisor sees the recordings of their scope and may share them by link.
	RoleSupervisor Role = "supervisor"
	// RoleUser sees the recordings of their scope.
	RoleUser Role = "user"
)

// ParseRole reads a role name.
func ParseRole(s string) (Role, error) {
	switch r := Role(strings.ToLower(strings.TrimSpace(s))); r {
	case RoleAdmin, RoleSupervisor, RoleUser:
		return r, nil
	}
	return "", fmt.Errorf("role %q: want admin, supervisor or user: %w", s, ErrInvalid)
}

// MaxScopeExtensions bounds how many extensions one scope may cover, counting
// every extension of every range.
const MaxScopeExtensions = 10000

// maxExtDigits is the longest extension a scope names.
const maxExtDigits = 16

// ExtRange is an inclusive range of extensions written with the same number of
// digits: {"100", "199"} is 100, 101, …, 199. A single extension has Lo == Hi.
type ExtRange struct{ Lo, Hi string }

// Scope is the set of extensions whose recordings someone may see. A recording is
// in scope when one of its numbers (the file name's destination and caller, the
// CDR's src, dst, caller ID number and DID), reduced to its digits, is one of the
// scope's extensions. The zero Scope sees nothing.
type Scope struct {
	All    bool       // every recording, whatever its numbers
	Ranges []ExtRange // sorted, not overlapping
}

// AllScope is the scope of administrators.
var AllScope = Scope{All: true}

// ParseScope reads a scope: "all" (or "*"), or a comma-separated list of
// extensions and ranges such as "100-199, 205". Both ends of a range have the same
// number of digits and Lo ≤ Hi; the whole list covers at most MaxScopeExtensions.
// An empty string is the empty scope.
func ParseScope(s string) (Scope, error) {
	s = strings.TrimSpace(s)
	if s == "all" || s == "*" {
		return AllScope, nil
	}
	var sc Scope
	if s == "" {
		return sc, nil
	}
	if len(s) > 4096 {
		return sc, fmt.Errorf("scope: longer than 4096 characters: %w", ErrInvalid)
	}
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(part, "-")
		lo, hi = strings.TrimSpace(lo), strings.TrimSpace(hi)
		if !isRange {
			hi = lo
		}
		if !isDigits(lo) || !isDigits(hi) || len(lo) > maxExtDigits {
			return Scope{}, fmt.Errorf("scope %q: want an extension or a range like 100-199: %w", part, ErrInvalid)
		}
		if len(lo) != len(hi) {
			return Scope{}, fmt.Errorf("scope %q: both ends need the same number of digits (write 1-9,10-99 for 1-99): %w", part, ErrInvalid)
		}
		if lo > hi {
			return Scope{}, fmt.Errorf("scope %q: the range runs backwards: %w", part, ErrInvalid)
		}
		sc.Ranges = append(sc.Ranges, ExtRange{Lo: lo, Hi: hi})
	}
	sc.Ranges = mergeRanges(sc.Ranges)
	if n := sc.size(); n > MaxScopeExtensions {
		return Scope{}, fmt.Errorf("scope: covers %d extensions, at most %d: %w", n, MaxScopeExtensions, ErrInvalid)
	}
	return sc, nil
}

// String writes the scope as ParseScope reads it: "all", "" or "100-199,205".
func (s Scope) String() string {
	if s.All {
		return "all"
	}
	parts := make([]string, len(s.Ranges))
	for i, r := range s.Ranges {
		parts[i] = r.Lo
		if r.Hi != r.Lo {
			parts[i] += "-" + r.Hi
		}
	}
	return strings.Join(parts, ",")
}

// Empty reports whether the scope sees nothing.
func (s Scope) Empty() bool { return !s.All && len(s.Ranges) == 0 }

// Contains reports whether the digits of number are one of the scope's extensions.
func (s Scope) Contains(number string) bool {
	if s.All {
		return true
	}
	for _, r := range s.Ranges {
		if len(number) == len(r.Lo) && isDigits(number) && number >= r.Lo && number <= r.Hi {
			return true
		}
	}
	return false
}

// Extensions lists every extension of the scope in order (nil for All).
func (s Scope) Extensions() []string {
	if s.All {
		return nil
	}
	var out []string
	for _, r := range s.Ranges {
		lo, _ := strconv.ParseUint(r.Lo, 10, 64)
		hi, _ := strconv.ParseUint(r.Hi, 10, 64)
		for n := lo; n <= hi && len(out) <= MaxScopeExtensions; n++ {
			d := strconv.FormatUint(n, 10)
			out = append(out, strings.Repeat("0", len(r.Lo)-len(d))+d)
		}
	}
	return out
}

// size counts the extensions of the ranges.
func (s Scope) size() uint64 {
	var n uint64
	for _, r := range s.Ranges {
		lo, _ := strconv.ParseUint(r.Lo, 10, 64)
		hi, _ := strconv.ParseUint(r.Hi, 10, 64)
		n += hi - lo + 1
	}
	return n
}

// mergeRanges sorts ranges by length then value and joins those that overlap or touch.
func mergeRanges(rs []ExtRange) []ExtRange {
	slices.SortFunc(rs, func(a, b ExtRange) int {
		if len(a.Lo) != len(b.Lo) {
			return len(a.Lo) - len(b.Lo)
		}
		return strings.Compare(a.Lo, b.Lo)
	})
	var out []ExtRange
	for _, r := range rs {
		if n := len(out); n > 0 && len(out[n-1].Hi) == len(r.Lo) && !after(out[n-1].Hi, r.Lo) {
			if r.Hi > out[n-1].Hi {
				out[n-1].Hi = r.Hi
			}
			continue
		}
		out = append(out, r)
	}
	return out
}

// after reports whether b > a+1: two ranges ending in a and starting at b do not touch.
func after(a, b string) bool {
	x, _ := strconv.ParseUint(a, 10, 64)
	y, _ := strconv.ParseUint(b, 10, 64)
	return y > x+1
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
