package web

import (
	"fmt"
	"net/http"
	"strings"
)

// The base path. Behind FreePBX's Apache the UI lives under a path such as
// /totalrec, on FreePBX's own origin. The routes (routes.go), the public paths
// (isPublic) and every middleware work on the path below the base: ServeHTTP
// strips the base before echo sees the request. Whatever the server sends back
// gets it again where it is made: s.path for redirects, links built in Go and
// cookie paths, the path template function for links written in templates,
// asset URLs, and <body data-base> for the script.

// checkBasePath accepts "" or "/seg[/seg…]", each segment letters, digits and
// ._~- and not only dots, with no trailing slash (config.Validate says the same
// to the administrator).
func checkBasePath(p string) error {
	if p == "" {
		return nil
	}
	ok := len(p) <= 200 && p[0] == '/'
	if ok {
		for _, seg := range strings.Split(p[1:], "/") {
			if seg == "" || strings.Trim(seg, ".") == "" || strings.Trim(seg, segmentChars) != "" {
				ok = false
				break
			}
		}
	}
	if !ok {
		return fmt.Errorf("base path %q: want \"\" or /seg[/seg…] of letters, digits and ._~-, without a trailing slash", p)
	}
	return nil
}

// segmentChars are the characters of a base path's segments: unreserved in
// URLs, plain in cookie paths and Apache's configuration.
const segmentChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._~-"

// path is p, a path of the route table ("/recordings/5"), as browsers reach it.
func (s *Server) path(p string) string { return s.base + p }

// cookiePath is the Path of the cookies that cover the whole UI.
func (s *Server) cookiePath() string {
	if s.base == "" {
		return "/"
	}
	return s.base
}

// target is a redirect target taken from a request (?next=, the sign-in form's
// next): a path under the base on this origin, else the search page.
func (s *Server) target(raw string) string {
	return baseTarget(raw, s.base, s.path("/"))
}

// ServeHTTP serves one request. Under a base path, a request for a path below
// it goes to the routes without the base; /healthz answers at the root too
// (the FreePBX module's check from the server), the root and the bare base
// redirect to the search page, and anything else is not Totalrec's.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.base == "" {
		s.echo.ServeHTTP(w, r)
		return
	}
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, s.base+"/"):
		if r.URL.RawPath != "" && !strings.HasPrefix(r.URL.RawPath, s.base+"/") {
			http.NotFound(w, r) // the base written with escapes: not a URL we make
			return
		}
		r2 := new(http.Request)
		*r2 = *r
		u := *r.URL
		u.Path = p[len(s.base):]
		if u.RawPath != "" {
			u.RawPath = u.RawPath[len(s.base):]
		}
		r2.URL = &u
		s.echo.ServeHTTP(w, r2)
	case p == "/healthz":
		s.echo.ServeHTTP(w, r)
	case (p == s.base || p == "/") && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		to := s.path("/")
		if r.URL.RawQuery != "" {
			to += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, to, http.StatusFound)
	default:
		http.Error(w, "404 not found: Totalrec is served under "+s.base+"/", http.StatusNotFound)
	}
}
