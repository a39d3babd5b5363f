package web

import (
	"net/url"
	"path"
	"strings"
)

// maxTarget bounds a redirect target.
const maxTarget = 2048

// tabNewline removes what browsers remove from anywhere in a URL before
// parsing it.
var tabNewline = strings.NewReplacer("\t", "", "\n", "", "\r", "")

// localTarget returns raw, normalised, when a browser would resolve it to a
// path on this origin, else fallback. It is the one check of every redirect
// target that comes from a request (?next= of the sign-in page, the sign-in
// form's next, the language links); under a base path, baseTarget adds that
// the path lies under it.
//
// It judges the URL as a browser reads it, not as written: browsers drop
// leading and trailing control characters and spaces and every tab, LF and CR
// ("/\t/evil.example" is "//evil.example", another host), and read a backslash
// in the path as a slash ("/\evil.example"). What is left must be a path
// starting with one slash. A path that would start with two once its percent
// escapes are decoded ("/%2F/evil.example", "/%09/evil.example") is refused
// too: a browser does not decode it, but a proxy or a later redirect might.
// Only printable ASCII is kept, so the target goes into a Location header
// as it is.
func localTarget(raw, fallback string) string {
	if len(raw) > maxTarget {
		return fallback
	}
	t := tabNewline.Replace(strings.Trim(raw, c0AndSpace))
	path, rest := t, ""
	if i := strings.IndexAny(t, "?#"); i >= 0 {
		path, rest = t[:i], t[i:]
	}
	path = strings.ReplaceAll(path, `\`, "/")
	t = path + rest
	for i := 0; i < len(t); i++ {
		if t[i] <= ' ' || t[i] >= 0x7f {
			return fallback
		}
	}
	if !isLocalPath(path) {
		return fallback
	}
	for range 4 {
		d, err := url.PathUnescape(path)
		if err != nil {
			return fallback
		}
		d = strings.ReplaceAll(tabNewline.Replace(strings.Trim(d, c0AndSpace)), `\`, "/")
		if !isLocalPath(d) {
			return fallback
		}
		if d == path {
			break
		}
		path = d
	}
	if strings.Contains(path, "%") {
		return fallback // still escaped after four rounds: nobody writes that
	}
	u, err := url.Parse(t)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return fallback
	}
	return t
}

// isLocalPath reports whether a normalised path is one on this origin: one
// leading slash, not two (a scheme-relative URL names a host).
func isLocalPath(p string) bool {
	return strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "//")
}

// c0AndSpace are the characters browsers trim from both ends of a URL.
const c0AndSpace = "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f" +
	"\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f "

// baseTarget is localTarget for a server under base: the target must also lie
// under base once dot segments and escapes are resolved as a browser or a
// proxy would ("/totalrec/../admin/" is FreePBX's, not ours), else fallback.
func baseTarget(raw, base, fallback string) string {
	t := localTarget(raw, "")
	if t == "" {
		return fallback
	}
	if base == "" {
		return t
	}
	p := t
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	// localTarget has checked that p decodes, in at most four rounds, to a path
	// without escapes.
	for range 4 {
		d, err := url.PathUnescape(p)
		if err != nil {
			return fallback
		}
		if d == p {
			break
		}
		p = d
	}
	clean := path.Clean(p)
	if clean != base && !strings.HasPrefix(clean, base+"/") {
		return fallback
	}
	return t
}
