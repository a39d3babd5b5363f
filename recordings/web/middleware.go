package web

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// contentSecurityPolicy allows scripts, styles, audio and fetches from this origin
// only, and no inline script or style: every script is an embedded static file.
// frame-ancestors follows per request (Server.frameAncestors).
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"media-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors "

// securityHeaders sets the headers every response carries. Pages may be framed
// by this origin and the FreePBX origins (Access.FrameAncestors); a share page,
// made to be embedded in a CRM, by any origin, and it sends no Referer (its
// path is its credential). Browsers that know frame-ancestors ignore
// X-Frame-Options; older ones keep to the same origin.
func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		if strings.HasPrefix(c.Request().URL.Path, "/share/") {
			h.Set("Content-Security-Policy", contentSecurityPolicy+"*")
			h.Set("Referrer-Policy", "no-referrer")
			return next(c)
		}
		h.Set("Content-Security-Policy", contentSecurityPolicy+s.frameAncestors(c))
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "SAMEORIGIN")
		return next(c)
	}
}

// recoverPanic turns a panicking handler into a 500 and a log line.
func (s *Server) recoverPanic(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				err = fmt.Errorf("handler panicked: %v", r)
			}
		}()
		return next(c)
	}
}

// accessLog writes one structured line per request, after the error handler has
// answered a failed one so that the line has the status actually sent. A share
// link's path is its credential: the line has the route (/share/:token/audio)
// instead. Query strings, which carry sign-on tokens, are never logged.
func (s *Server) accessLog(next echo.HandlerFunc) echo.HandlerFunc {
	log := s.log
	return func(c echo.Context) error {
		start := time.Now()
		if err := next(c); err != nil {
			c.Error(err)
		}
		res, req := c.Response(), c.Request()
		level := slog.LevelInfo
		if res.Status >= 500 {
			level = slog.LevelWarn
		}
		path := req.URL.Path
		if strings.HasPrefix(path, "/share/") {
			if path = c.Path(); !strings.HasPrefix(path, "/share/") {
				path = "/share/…" // no route matched
			}
		}
		log.LogAttrs(req.Context(), level, "request",
			slog.String("method", req.Method), slog.String("path", path),
			slog.Int("status", res.Status), slog.Int64("bytes", res.Size),
			slog.Duration("latency", time.Since(start)), slog.String("remote_ip", c.RealIP()))
		return nil
	}
}

// streaming lets a response run as long as it keeps moving: instead of the
// server's fixed write timeout, each write must finish within StreamIdle.
func (s *Server) streaming(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		res := c.Response()
		rc := http.NewResponseController(res.Writer)
		if err := rc.SetWriteDeadline(time.Now().Add(StreamIdle)); err != nil {
			// A writer without deadlines (httptest's recorder): nothing to extend.
			return next(c)
		}
		res.Writer = &idleWriter{ResponseWriter: res.Writer, rc: rc}
		return next(c)
	}
}

// idleWriter pushes the write deadline forward before every write.
type idleWriter struct {
	http.ResponseWriter
	rc *http.ResponseController
}

func (w *idleWriter) Write(p []byte) (int, error) {
	_ = w.rc.SetWriteDeadline(time.Now().Add(StreamIdle))
	return w.ResponseWriter.Write(p)
}

func (w *idleWriter) Flush() { _ = w.rc.Flush() }

func (w *idleWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
