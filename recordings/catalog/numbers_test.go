package catalog

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/totalrec/totalrec/recordings"
)

func TestNumberSuffix(t *testing.T) {
	tests := []struct{ in, want string }{
		{"201", "201"},
		{"6789", "6789"},
		{"+7 (912) 345-67-89", "9123456789"},
		{"89123456789", "9123456789"},
		{"8-912-345-67-89", "9123456789"},
		{"+44 20 7946 0958", "2079460958"},
		{"0044 20 7946 0958", "2079460958"},
		{"020 7946 0958", "2079460958"},
		{"01 23 45 67 89", "123456789"},
		{"0958", "0958"}, // a short number keeps its leading zero
		{"9 8 10 44 20 7946 0958", "2079460958"},
		{"тел. 555-01-23", "5550123"},
	}
	for _, tt := range tests {
		got, err := NumberSuffix(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("NumberSuffix(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "12", "+", "abc", "١٢٣٤٥٦"} {
		if _, err := NumberSuffix(bad); !errors.Is(err, recordings.ErrInvalid) {
			t.Errorf("NumberSuffix(%q) = %v, want ErrInvalid", bad, err)
		}
	}
}

func TestNumberKeys(t *testing.T) {
	got := NumberKeys("+79123456789", "", "201", "s", "89123456789", "201", strings.Repeat("1", 40)+"9")
	want := []string{"98765432197", "102", "98765432198", "9" + strings.Repeat("1", 31)}
	if !slices.Equal(got, want) {
		t.Errorf("numberKeys = %q, want %q", got, want)
	}
}

// FuzzNumberSuffix: any input either is refused as invalid or yields 3 to 10 ASCII
// digits that end the input's digits.
func FuzzNumberSuffix(f *testing.F) {
	for _, s := range []string{"+7 912 345-67-89", "12", "%_'", "0123456789", "\xff9999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := NumberSuffix(s)
		if err != nil {
			if !errors.Is(err, recordings.ErrInvalid) {
				t.Fatalf("NumberSuffix(%q) error %v is not ErrInvalid", s, err)
			}
			return
		}
		if len(got) < MinNumberDigits || len(got) > SignificantDigits || digitsOf(got) != got ||
			!strings.HasSuffix(digitsOf(s), got) {
			t.Fatalf("NumberSuffix(%q) = %q", s, got)
		}
	})
}
