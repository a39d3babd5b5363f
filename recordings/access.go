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
// Node limits it to the recordings of one PBX when several share the catalogue
// (extension 100 of one is not extension 100 of another); "" is every node's.
type ExtRange struct{ Lo, Hi, Node string }

// Scope is the set of extensions whose recordings someone may see. A recording is
// in scope when one of its parties (Parties: the extensions that took part in the
// call) is one of the scope's extensions on the recording's node, or when its
// node is one of Nodes. The zero Scope sees nothing.
type Scope struct {
	All    bool       // every recording, whatever its numbers
	Ranges []ExtRange // sorted by node, then as mergeRanges sorts; not overlapping
	Nodes  []string   // nodes whose every recording is in scope ("pbx2:*"), sorted
}

// AllScope is the scope of administrators.
var AllScope = Scope{All: true}

// ParseScope reads a scope: "all" (or "*"), or a comma-separated list of
// extensions and ranges such as "100-199, 205". Both ends of a range have the same
// number of digits and Lo ≤ Hi; the whole list covers at most MaxScopeExtensions.
// An entry may name the node it is limited to, "pbx1:100-199", and "pbx2:*" is
// every recording of node pbx2. An empty string is the empty scope.
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
		node, rest, onNode := strings.Cut(part, ":")
		if !onNode {
			node = ""
		} else {
			node, rest = strings.TrimSpace(node), strings.TrimSpace(rest)
			if !isNodeName(node) {
				return Scope{}, fmt.Errorf("scope %q: %q is not a node's name (letters, digits, '.', '_', '-'): %w", part, node, ErrInvalid)
			}
			if rest == "*" || rest == "all" {
				sc.Nodes = append(sc.Nodes, node)
				continue
			}
			part = rest
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
		sc.Ranges = append(sc.Ranges, ExtRange{Lo: lo, Hi: hi, Node: node})
	}
	sc.Ranges = mergeRanges(sc.Ranges)
	slices.Sort(sc.Nodes)
	sc.Nodes = slices.Compact(sc.Nodes)
	if n := sc.size(); n > MaxScopeExtensions {
		return Scope{}, fmt.Errorf("scope: covers %d extensions, at most %d: %w", n, MaxScopeExtensions, ErrInvalid)
	}
	return sc, nil
}

// String writes the scope as ParseScope reads it: "all", "" or
// "100-199,205,pbx1:300,pbx2:*".
func (s Scope) String() string {
	if s.All {
		return "all"
	}
	parts := make([]string, 0, len(s.Ranges)+len(s.Nodes))
	for _, r := range s.Ranges {
		p := r.Lo
		if r.Hi != r.Lo {
			p += "-" + r.Hi
		}
		if r.Node != "" {
			p = r.Node + ":" + p
		}
		parts = append(parts, p)
	}
	for _, n := range s.Nodes {
		parts = append(parts, n+":*")
	}
	return strings.Join(parts, ",")
}

// Empty reports whether the scope sees nothing.
func (s Scope) Empty() bool { return !s.All && len(s.Ranges) == 0 && len(s.Nodes) == 0 }

// Admits reports whether the scope lets someone see r: its node is one of the
// scope's nodes, or one of r's parties is one of the scope's extensions on r's
// node. The catalogue applies the same rule in SQL.
func (s Scope) Admits(r Recording) bool {
	if s.All || slices.Contains(s.Nodes, r.Node) {
		return true
	}
	for _, p := range Parties(r) {
		if s.ContainsOn(r.Node, p) {
			return true
		}
	}
	return false
}

// Contains reports whether number, all digits, is one of the scope's extensions
// on some node.
func (s Scope) Contains(number string) bool {
	if s.All {
		return true
	}
	for _, r := range s.Ranges {
		if r.holds(number) {
			return true
		}
	}
	return false
}

// ContainsOn reports whether number, all digits, is one of the scope's
// extensions on node (or node's every recording is in scope).
func (s Scope) ContainsOn(node, number string) bool {
	if s.All || slices.Contains(s.Nodes, node) {
		return true
	}
	for _, r := range s.Ranges {
		if (r.Node == "" || r.Node == node) && r.holds(number) {
			return true
		}
	}
	return false
}

func (r ExtRange) holds(number string) bool {
	return len(number) == len(r.Lo) && isDigits(number) && number >= r.Lo && number <= r.Hi
}

// ByNode splits the scope's ranges by the node they are limited to ("" for the
// ranges of every node), each part a scope of its own without a node.
func (s Scope) ByNode() map[string]Scope {
	out := map[string]Scope{}
	for _, r := range s.Ranges {
		g := out[r.Node]
		g.Ranges = append(g.Ranges, ExtRange{Lo: r.Lo, Hi: r.Hi})
		out[r.Node] = g
	}
	return out
}

// isNodeName reports whether s names a node: 1 to 64 letters, digits, '.', '_'
// or '-'.
func isNodeName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r == '-' || r == '.' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
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

// mergeRanges sorts ranges by node, length, then value, and joins those of one
// node that overlap or touch.
func mergeRanges(rs []ExtRange) []ExtRange {
	slices.SortFunc(rs, func(a, b ExtRange) int {
		if a.Node != b.Node {
			return strings.Compare(a.Node, b.Node)
		}
		if len(a.Lo) != len(b.Lo) {
			return len(a.Lo) - len(b.Lo)
		}
		return strings.Compare(a.Lo, b.Lo)
	})
	var out []ExtRange
	for _, r := range rs {
		if n := len(out); n > 0 && out[n-1].Node == r.Node && len(out[n-1].Hi) == len(r.Lo) && !after(out[n-1].Hi, r.Lo) {
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

// Parties returns the extensions that took part in r's call, as the PBX wrote
// them and not as a caller chose them; scope follows them. They are:
//
//   - the extensions in the CDR's channel and dstchannel (ChannelExtension): the
//     phones and Local channels the call went through;
//   - the name's destination when the dialplan chose it (PartyDestTypes: the
//     extension, queue, ring group, conference or page group called);
//   - the name's caller (from), the CDR's src and its caller ID number (cnum)
//     only for an internal call — the name's type is internal or out (FreePBX
//     names those after the calling extension), or both the channel and the
//     dstchannel are extensions'. A trunk's caller ID is text the caller
//     chooses: a caller ID "150" must not show a call to extension 150's scope.
//
// The CDR's dst and DID and the numbers of other name types are never parties.
// Each party is all digits, as written (no digits are picked out of other
// text). The result may hold duplicates.
func Parties(r Recording) []string {
	var out []string
	add := func(v string) {
		if isDigits(v) {
			out = append(out, v)
		}
	}
	ch, dst := ChannelExtension(r.CDR.Channel), ChannelExtension(r.CDR.DstChannel)
	add(ch)
	add(dst)
	if slices.Contains(partyDestTypes, r.Name.Type) {
		add(r.Name.Dest)
	}
	internal := slices.Contains(internalTypes, r.Name.Type)
	if internal || (ch != "" && dst != "") {
		if internal {
			add(r.Name.From)
		}
		add(r.CDR.Src)
		add(r.CDR.CNum)
	}
	return out
}

// partyDestTypes are the name types whose destination field the dialplan sets
// from its own configuration: an extension (in, exten, internal), a queue, a
// ring group, a conference room or a page group. The destination of out and
// external calls is a dialled outside number.
var partyDestTypes = []string{"in", "exten", "internal", "q", "rg", "conf", "meetme", "page"}

// internalTypes are the name types FreePBX gives calls placed by an extension:
// their caller fields name that extension.
var internalTypes = []string{"internal", "out"}

// channelTechs are the channel technologies whose resource is an extension:
// SIP phones (PJSIP, SIP, IAX2) and FreePBX's Local channels to an extension
// (Local/150@from-queue). DAHDI's resource is a channel number, not an extension.
var channelTechs = []string{"PJSIP", "SIP", "IAX2", "Local"}

// PartyDestTypes lists the name types whose destination is a party (Parties).
func PartyDestTypes() []string { return slices.Clone(partyDestTypes) }

// InternalTypes lists the name types of calls placed by an extension, whose
// caller fields are parties (Parties).
func InternalTypes() []string { return slices.Clone(internalTypes) }

// ChannelTechs lists the channel technologies ChannelExtension reads.
func ChannelTechs() []string { return slices.Clone(channelTechs) }

// ChannelExtension returns the extension in an Asterisk channel name —
// "PJSIP/150-00000001", "SIP/150-0000000a", "IAX2/150-1234" and
// "Local/150@from-queue-00000002;1" all give "150" — or "" for another
// technology or a resource that is not all digits (a trunk such as
// "PJSIP/trunk-00000086"). The resource is what follows the technology up to
// the first '-' or '@'. Channel names come from the PBX's configuration, never
// from a caller.
func ChannelExtension(ch string) string {
	tech, rest, ok := strings.Cut(ch, "/")
	if !ok || !slices.Contains(channelTechs, tech) {
		return ""
	}
	rest, _, _ = strings.Cut(rest, "-")
	rest, _, _ = strings.Cut(rest, "@")
	if !isDigits(rest) {
		return ""
	}
	return rest
}
