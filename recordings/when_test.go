package recordings

import (
	"errors"
	"testing"
	"time"
)

func TestParseWhen(t *testing.T) {
	loc := time.FixedZone("MSK", 3*3600)
	now := time.Date(2026, 11, 26, 10, 15, 0, 0, loc)
	tests := []struct {
		in   string
		want time.Time
	}{
		{"now", now},
		{"today", time.Date(2026, 11, 26, 0, 0, 0, 0, loc)},
		{"Yesterday", time.Date(2026, 11, 25, 0, 0, 0, 0, loc)},
		{"7d", now.AddDate(0, 0, -7)},
		{"12h", now.Add(-12 * time.Hour)},
		{"90m", now.Add(-90 * time.Minute)},
		{"2026-11-01", time.Date(2026, 11, 1, 0, 0, 0, 0, loc)},
		{"2026-11-01 08:30", time.Date(2026, 11, 1, 8, 30, 0, 0, loc)},
		{"2026-11-01T08:30:05", time.Date(2026, 11, 1, 8, 30, 5, 0, loc)},
		{"2026-11-01T08:30:05Z", time.Date(2026, 11, 1, 8, 30, 5, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseWhen(tt.in, now, loc)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	for _, bad := range []string{"", "soon", "2026-13-01", "-3d", "7x", "2026-11-01 25:00"} {
		if _, err := ParseWhen(bad, now, loc); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseWhen(%q) = %v, want ErrInvalid", bad, err)
		}
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"90", 90 * time.Second}, {"1:30", 90 * time.Second}, {"1m30s", 90 * time.Second}, {"0", 0}, {"2h", 2 * time.Hour},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "-5", "1:75", "abc", "-1m"} {
		if _, err := ParseDuration(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseDuration(%q) = %v, want ErrInvalid", bad, err)
		}
	}
}
