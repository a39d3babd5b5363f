package spool

import (
	"strconv"
	"strings"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

// typeWords are the first fields FreePBX 2.10–17 write before <dest>-<from>. "conf" and
// "page" are the 2.10/2.11 conference and paging forms; 12–17 write those with a number
// first instead (see parsePrefix).
var typeWords = map[string]bool{
	"out": true, "in": true, "internal": true, "external": true, "exten": true,
	"q": true, "rg": true, "force": true, "generic": true, "parked": true,
	"ondemand": true, "conf": true, "page": true,
}

// ParseName reads what a recording's file name says about its call. base is the file's
// base name; the date and time in the name are read in loc, the PBX's time zone (nil
// means UTC). ok is false for a shape ParseName does not know: the Name then holds only
// Type "other" and the extension, and the caller falls back on the file's mtime.
//
// Names are read from the right, because only the tail has a fixed shape:
// [<sysname>-]<epoch>.<seq> is the uniqueid, before it HHMMSS and YYYYMMDD, and whatever
// is left is <type>-<dest>-<from>. dest is the first field after the type and from is
// all the rest, so a '-' inside a field lands in from: FreePBX strips '-' from the
// one-touch destination, and from is a caller ID number, the field most likely to carry
// one. A name without an extension (ending in the uniqueid) has Ext "".
func ParseName(base string, loc *time.Location) (recordings.Name, bool) {
	if loc == nil {
		loc = time.UTC
	}
	stem, ext := base, ""
	if i := strings.LastIndexByte(base, '.'); i >= 0 {
		stem, ext = base[:i], base[i+1:]
	}
	if n, ok := parseStem(stem, loc); ok {
		n.Ext = ext
		return n, true
	}
	// "…-1788970278.1657" with no extension: the last dot belongs to the uniqueid.
	if ext != "" && allDigits(ext) {
		if n, ok := parseStem(base, loc); ok {
			return n, true
		}
	}
	return recordings.Name{Type: "other", Ext: ext}, false
}

// parseStem reads a name without its extension.
func parseStem(s string, loc *time.Location) (recordings.Name, bool) {
	if rest, ok := strings.CutPrefix(s, "meetme-conf-rec-"); ok {
		return parseMeetme(rest, loc)
	}
	if rest, ok := strings.CutPrefix(s, "auto-"); ok {
		if n, ok := parseAuto(rest, loc); ok {
			return n, true
		}
	}
	p := stampAt(s)
	if p < 0 {
		return recordings.Name{}, false
	}
	t, ok := stampTime(s[p:p+15], loc)
	if !ok {
		return recordings.Name{}, false
	}
	prefix := ""
	if p > 0 {
		prefix = s[:p-1]
	}
	n := parsePrefix(prefix, p == 0)
	n.Time, n.UniqueID = t, s[p+16:]
	return n, true
}

// stampAt returns where the rightmost "YYYYMMDD-HHMMSS" sits that starts the name or
// follows a '-', and is followed by "-" and a valid uniqueid; -1 when there is none.
func stampAt(s string) int {
	for p := len(s) - 17; p >= 0; p-- {
		if p > 0 && s[p-1] != '-' {
			continue
		}
		if s[p+8] != '-' || s[p+15] != '-' || !allDigits(s[p:p+8]) || !allDigits(s[p+9:p+15]) {
			continue
		}
		if _, ok := uniqueEpoch(s[p+16:]); ok {
			return p
		}
	}
	return -1
}

// stampTime reads "YYYYMMDD-HHMMSS" in loc, refusing dates that cannot exist and years
// before 1970 (no PBX wrote those; a zero-ish year is a parse accident).
func stampTime(v string, loc *time.Location) (time.Time, bool) {
	num := func(a, b int) int { n, _ := strconv.Atoi(v[a:b]); return n }
	y, mo, d := num(0, 4), num(4, 6), num(6, 8)
	h, mi, sec := num(9, 11), num(11, 13), num(13, 15)
	if y < 1970 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false
	}
	if d > time.Date(y, time.Month(mo)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(mo), d, h, mi, sec, 0, loc), true
}

// parsePrefix reads what stands before the date: <type>-<dest>-<from> in 2.10–17, a
// conference or paging form, or one of the 2.5–2.9 flat forms. flat says the date
// starts the name (2.5–2.9 inbound to an extension). A prefix of no known form still
// yields Type "other": the date and uniqueid after it are trustworthy all the same.
func parsePrefix(prefix string, flat bool) recordings.Name {
	if flat {
		return recordings.Name{Type: "exten"}
	}
	word, rest, _ := strings.Cut(prefix, "-")
	switch {
	case typeWords[word]:
		dest, from, _ := strings.Cut(rest, "-")
		return recordings.Name{Type: word, Dest: dest, From: from}
	case word != "" && allDigits(word):
		// 12–17 conference: <room>-<room>-<policy>; paging: <group>-<from>-<policy>.
		// The policy is the last field, so a '-' inside <from> stays in From. Equal
		// first fields make a conference; anything else is paging.
		second := rest
		if i := strings.LastIndexByte(rest, '-'); i >= 0 {
			second = rest[:i]
		}
		if second == word {
			return recordings.Name{Type: "conf", Dest: word, From: second}
		}
		return recordings.Name{Type: "page", Dest: word, From: second}
	case strings.HasPrefix(prefix, "OUT"):
		return recordings.Name{Type: "out", From: prefix[3:]}
	case len(prefix) > 1 && prefix[0] == 'g' && isDial(prefix[1:], true):
		return recordings.Name{Type: "rg", Dest: prefix[1:]}
	case len(prefix) > 1 && prefix[0] == 'q' && isDial(prefix[1:], false):
		return recordings.Name{Type: "q", Dest: prefix[1:]}
	}
	return recordings.Name{Type: "other"}
}

// parseMeetme reads "<room>-<uniqueid>" after "meetme-conf-rec-". The room is the first
// field, so a system-name prefix stays with the uniqueid. The name has no date: the
// uniqueid's epoch is the channel's creation time.
func parseMeetme(s string, loc *time.Location) (recordings.Name, bool) {
	room, uid, ok := strings.Cut(s, "-")
	if !ok || room == "" {
		return recordings.Name{}, false
	}
	epoch, ok := uniqueEpoch(uid)
	if !ok {
		return recordings.Name{}, false
	}
	t, ok := unixTime(epoch, loc)
	if !ok {
		return recordings.Name{}, false
	}
	return recordings.Name{Type: "meetme", Dest: room, Time: t, UniqueID: uid}, true
}

// parseAuto reads "<epoch>-<rest>" after "auto-", Asterisk's one-touch automixmon name.
// rest is TOUCH_MIXMONITOR when set (kept as UniqueID when it is one), otherwise
// "<caller>-<callee>", each a caller ID number or a channel name with '/' turned into
// '-'. Only a rest of exactly two fields is split into From and Dest; channel names
// make any other split a guess.
func parseAuto(s string, loc *time.Location) (recordings.Name, bool) {
	epoch, rest, _ := strings.Cut(s, "-")
	t, ok := unixTime(epoch, loc)
	if !ok {
		return recordings.Name{}, false
	}
	n := recordings.Name{Type: "auto", Time: t}
	if _, isUID := uniqueEpoch(rest); isUID {
		n.UniqueID = rest
	} else if from, dest, ok := strings.Cut(rest, "-"); ok && from != "" && dest != "" && !strings.Contains(dest, "-") {
		n.From, n.Dest = from, dest
	}
	return n, true
}

// uniqueEpoch checks an Asterisk uniqueid, "<epoch>.<seq>" or "<sysname>-<epoch>.<seq>"
// when asterisk.conf sets systemname, and returns its epoch digits.
func uniqueEpoch(uid string) (string, bool) {
	dot := strings.LastIndexByte(uid, '.')
	if dot < 0 || !allDigits(uid[dot+1:]) {
		return "", false
	}
	head := uid[:dot]
	epoch := head
	if i := strings.LastIndexByte(head, '-'); i >= 0 {
		if i == 0 {
			return "", false
		}
		epoch = head[i+1:]
	}
	return epoch, allDigits(epoch)
}

// unixTime reads decimal epoch seconds; more than 12 digits is not a timestamp.
func unixTime(epoch string, loc *time.Location) (time.Time, bool) {
	if len(epoch) > 12 || !allDigits(epoch) {
		return time.Time{}, false
	}
	sec, err := strconv.ParseInt(epoch, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(sec, 0).In(loc), true
}

// allDigits reports whether s is non-empty and all ASCII digits.
func allDigits(s string) bool {
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

// isDial reports whether s is a non-empty dial string: digits, '*', '#', '+', and
// '-' between list members when dash is set (2.5–2.9 ring-group lists).
func isDial(s string, dash bool) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c == '*' || c == '#' || c == '+' || dash && c == '-') {
			return false
		}
	}
	return true
}

// FormatOf names the audio format an extension promises. Only "WAV" against "wav" is
// case-significant (upper case is wav49, as in Asterisk); other extensions match in
// any case. An extension Asterisk's format modules do not write is FormatUnknown.
func FormatOf(ext string) recordings.Format {
	if ext == "WAV" {
		return recordings.FormatWAV49
	}
	switch strings.ToLower(ext) {
	case "wav":
		return recordings.FormatWAV
	case "wav49":
		return recordings.FormatWAV49
	case "wav16":
		return recordings.FormatWAV16
	case "gsm":
		return recordings.FormatGSM
	case "ulaw", "ul", "mu", "pcm", "ulw":
		return recordings.FormatULaw
	case "alaw", "al", "alw":
		return recordings.FormatALaw
	case "sln", "slin", "raw":
		return recordings.FormatSLN
	case "sln16":
		return recordings.FormatSLN16
	case "g722":
		return recordings.FormatG722
	case "g729":
		return recordings.FormatG729
	case "opus":
		return recordings.FormatOpus
	case "mp3":
		return recordings.FormatMP3
	}
	return recordings.FormatUnknown
}
