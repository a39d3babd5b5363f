// Package web is Totalrec's web interface and JSON API: a search page, a player
// page, downloads and exports, and /api/v1, served by echo.
//
// # Shape
//
// routes.go holds the one route table; every handler lives in a file of its own.
// Templates (templates/*.html) and static files (static/) are embedded, the
// templates parsed once in New, the static files served under URLs that carry
// their checksum (/static/<sum>/<name>) with a year-long immutable cache. Pages
// are rendered on the server; the little JavaScript there is (static/*.js) only
// drives the player and a few conveniences, and the pages work without it except
// for the waveform. Nothing is loaded from another origin: the UI works on a PBX
// with no internet.
//
// # Base path
//
// Options.BasePath ("/totalrec" behind FreePBX's Apache, which install.sh sets
// up) puts the whole UI and API under a path. ServeHTTP (base.go) strips it
// before routing, so the route table, isPublic and the middlewares see the
// same paths with or without one; everything sent back gets it where it is
// made: s.path for redirects and links built in Go, the path and asset
// template functions, cookie paths (cookiePath), and <body data-base> for the
// script, which builds no other URL. Redirect targets from requests must lie
// under the base (baseTarget). /healthz also answers at the root.
//
// # What reaches the disk
//
// A request names recordings by catalogue ID only. The file is reached as
// ID → catalogue row → path relative to the spool root → directory handle
// (spool.Tree.OpenDir) → file (spool.Dir.OpenFile), which refuses symlinks,
// anything outside the root and files with more than one hard link (409
// hard_link). No request parameter is ever joined into a path.
// The checkpoints cache (cache.go) names its files by recording ID, size and
// modification time only.
//
// # Errors
//
// Handlers return errors; one echo HTTPErrorHandler (errors.go) turns them into
// {"error": {"code": …, "message": …}} for /api/ and an error page elsewhere,
// mapping recordings.ErrNotFound to 404, ErrInvalid to 400,
// ErrUnsupportedFormat to 415, stream.ErrDamaged to 422 (damaged_recording),
// spool.ErrHardLink to 409 (hard_link), ErrOutsideRoot to 403, ErrRefused to
// 409 and anything else to 500 with a generic message (the detail is logged,
// never sent).
//
// # Streaming and timeouts
//
// Audio, original files, ZIP and CSV exports can take longer than any fixed
// write timeout. Their routes carry a middleware that turns the server's write
// timeout into an idle timeout: every write pushes the deadline StreamIdle
// further, so a stream lives as long as the client keeps reading.
//
// # Access
//
// Every request but a few public paths (isPublic in auth.go: sign-in, single
// sign-on, static files, health, share links) needs a principal: a session
// (cookie totalrec_session, auth.go, login.go) or, on /api/, an API token. New
// routes are private by default. Every POST carries its session's CSRF token.
// Handlers reach recordings only through scope.go, which passes the
// principal's extension scope to the catalogue: the Catalog interface has no
// unscoped lookup of a recording (its RetentionFigures read every live row, for
// the admin-only storage figures, and return none to a request), and out of
// scope is 404 like a missing ID. Plays, downloads,
// exports, sign-ins and changes are audited (audit_log.go) before anything is
// sent, with a context that outlives the request (a client that goes away is
// logged at debug, not as an error). A redirect target taken from a request
// passes localTarget (redirect.go) and, under a base path, baseTarget; every CSV is written by csvWriter (csv.go),
// which defuses cells a spreadsheet would evaluate. docs/api.md explains the
// cookie attributes (SameSite for the FreePBX iframe), throttling,
// frame-ancestors and the audit granularity; docs/security.md the threat model.
package web
