package recordings

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseWhen reads a point in time the way people type one into a search: "today",
// "yesterday", "now", a relative age such as "7d", "12h" or "90m" (that long before
// now), a date "2026-11-26", a date and time "2026-11-26 10:15" or "2026-11-26T10:15:30",
// or RFC 3339 with a zone. Dates without a zone are in loc, the PBX's time zone.
func ParseWhen(s string, now time.Time, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	now = now.In(loc)
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	switch strings.ToLower(s) {
	case "now":
		return now, nil
	case "today":
		return midnight, nil
	case "yesterday":
		return midnight.AddDate(0, 0, -1), nil
	}
	if n := len(s); n >= 2 {
		if v, err := strconv.Atoi(s[:n-1]); err == nil && v >= 0 {
			switch s[n-1] {
			case 'd':
				return now.AddDate(0, 0, -v), nil
			case 'h':
				return now.Add(-time.Duration(v) * time.Hour), nil
			case 'm':
				return now.Add(-time.Duration(v) * time.Minute), nil
			}
		}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02", "2006-01-02 15:04", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%w: %q is not a time: use 2026-11-26, \"2026-11-26 10:15\", today, yesterday or an age like 7d", ErrInvalid, s)
}

// ParseDuration reads a call length: seconds ("90"), a Go duration ("1m30s") or
// minutes and seconds ("1:30").
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if v, err := strconv.Atoi(s); err == nil && v >= 0 {
		return time.Duration(v) * time.Second, nil
	}
	if m, sec, ok := strings.Cut(s, ":"); ok {
		mv, err1 := strconv.Atoi(m)
		sv, err2 := strconv.Atoi(sec)
		if err1 == nil && err2 == nil && mv >= 0 && sv >= 0 && sv < 60 {
			return time.Duration(mv)*time.Minute + time.Duration(sv)*time.Second, nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return d, nil
	}
	return 0, fmt.Errorf("%w: %q is not a duration: use seconds (90), 1:30 or 1m30s", ErrInvalid, s)
}
