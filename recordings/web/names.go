package web

import (
	"mime"
	"path"
	"strings"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

// downloadName is the name a downloaded recording gets: its call time in the
// PBX's zone, type, caller and callee, and ext — for example
// 2026-11-26_10-15-30_in_+442012345678_100.wav. Every part is reduced to
// characters that are safe in a file name on any system.
func downloadName(r recordings.Recording, loc *time.Location, ext string) string {
	typ := r.Name.Type
	if typ == "" || typ == "other" {
		typ = string(r.Direction)
	}
	parts := []string{r.CallTime.In(loc).Format("2006-01-02_15-04-05")}
	for _, p := range []string{typ, r.Caller(), r.Callee()} {
		if p = safeName(p, 32); p != "" {
			parts = append(parts, p)
		}
	}
	if ext = safeName(ext, 8); ext == "" {
		ext = "bin"
	}
	return strings.Join(parts, "_") + "." + ext
}

// originalExt is the recording's file extension as Asterisk wrote it.
func originalExt(r recordings.Recording) string {
	if r.Name.Ext != "" {
		return r.Name.Ext
	}
	return strings.TrimPrefix(path.Ext(r.Path), ".")
}

// safeName keeps letters, digits, '+', '-' and '.', turns anything else into '-',
// and cuts the result to n bytes.
func safeName(s string, n int) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '+', r == '-':
			b.WriteRune(r)
		case r == '.' && b.Len() > 0:
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
		if b.Len() >= n {
			break
		}
	}
	return strings.Trim(b.String(), "-.")
}

// contentDisposition is an attachment or inline header value for name.
func contentDisposition(kind, name string) string {
	return mime.FormatMediaType(kind, map[string]string{"filename": name})
}
