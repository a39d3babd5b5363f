package recordings

import (
	"errors"
	"testing"
)

func TestParseScope(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		err      bool
	}{
		{"all", "all", false},
		{"*", "all", false},
		{"", "", false},
		{"100-199, 205", "100-199,205", false},
		{"205,100-150,140-199", "100-199,205", false},
		{"100-149,150-199", "100-199", false},
		{"0100-0199", "0100-0199", false},
		{"1-9,10-99", "1-9,10-99", false},
		{"1-99", "", true},
		{"199-100", "", true},
		{"10a", "", true},
		{"100-", "", true},
		{"10000-99999", "", true}, // more than MaxScopeExtensions
		{"pbx1:100-199, 205, pbx2:*, pbx1:150-250", "205,pbx1:100-250,pbx2:*", false},
		{"pbx2:all,pbx2:*", "pbx2:*", false},
		{"pbx 1:100", "", true},
		{":100", "", true},
		{"pbx1:", "", true},
	} {
		s, err := ParseScope(tc.in)
		if (err != nil) != tc.err || (err == nil && s.String() != tc.want) {
			t.Errorf("ParseScope(%q) = %q, %v", tc.in, s, err)
		}
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseScope(%q): %v is not ErrInvalid", tc.in, err)
		}
	}
	s, _ := ParseScope("100-102,0205")
	if got := s.Extensions(); len(got) != 4 || got[0] != "100" || got[3] != "0205" {
		t.Errorf("Extensions = %v", got)
	}
	for n, want := range map[string]bool{"100": true, "102": true, "103": false, "0205": true, "205": false, "1000": false, "": false} {
		if s.Contains(n) != want {
			t.Errorf("Contains(%q) = %v", n, !want)
		}
	}
	n, _ := ParseScope("pbx1:100-199,205,pbx2:*")
	for _, tc := range []struct {
		node, number string
		want         bool
	}{{"pbx1", "150", true}, {"pbx3", "150", false}, {"", "150", false}, {"pbx3", "205", true}, {"pbx2", "999", true}} {
		if got := n.ContainsOn(tc.node, tc.number); got != tc.want {
			t.Errorf("ContainsOn(%q, %q) = %v", tc.node, tc.number, got)
		}
	}
	if n.Empty() || !n.Admits(Recording{Node: "pbx2"}) || n.Admits(Recording{Node: "pbx1"}) {
		t.Error("a node's scope: Empty, or Admits a recording of no party on pbx1, or not every recording of pbx2")
	}
	if !(Scope{}).Empty() || AllScope.Empty() || !AllScope.Contains("x") {
		t.Error("the zero scope sees something, or All does not see everything")
	}
}
