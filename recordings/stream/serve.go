package stream

import (
	"net/http"
	"strings"
	"time"
)

// ServeHTTP writes c as the response to r through http.ServeContent, which
// answers Range (single, suffix, open-ended and multipart), If-Range, the other
// conditional headers and HEAD, and 416 for unsatisfiable ranges. etag must
// change whenever the bytes of c can (recording, modification time, size, output
// format); it is sent as a strong entity tag, quoted here unless it already is,
// and an empty etag sends none. The content is private to the signed-in user,
// so shared caches must not store it.
func ServeHTTP(w http.ResponseWriter, r *http.Request, c Content, name string, modtime time.Time, etag string) {
	h := w.Header()
	h.Set("Content-Type", c.ContentType)
	h.Set("Accept-Ranges", "bytes")
	h.Set("Cache-Control", "private")
	if etag != "" {
		if !strings.HasPrefix(etag, `"`) {
			etag = `"` + etag + `"`
		}
		h.Set("ETag", etag)
	}
	http.ServeContent(w, r, name, modtime, c.R)
}
