package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/auth"
)

// Accounts is what the web layer needs of the access tables (catalog.Catalog
// satisfies it).
type Accounts interface {
	AddUser(ctx context.Context, u recordings.User) (recordings.User, error)
	EnsureUser(ctx context.Context, u recordings.User) (recordings.User, error)
	UserByName(ctx context.Context, name string) (recordings.User, error)
	UserByID(ctx context.Context, id int64) (recordings.User, error)
	Users(ctx context.Context) ([]recordings.User, error)
	UpdateUser(ctx context.Context, u recordings.User) error
	SetPassword(ctx context.Context, id int64, hash string) error

	CreateSession(ctx context.Context, s recordings.Session) error
	SessionUser(ctx context.Context, idHash string) (recordings.Session, recordings.User, error)
	TouchSession(ctx context.Context, idHash string, at time.Time) error
	DeleteSession(ctx context.Context, idHash string) error

	TokenByHash(ctx context.Context, hash string) (recordings.APIToken, error)
	TouchToken(ctx context.Context, id int64, at time.Time) error

	AddShare(ctx context.Context, sh recordings.Share) (recordings.Share, error)
	GetShare(ctx context.Context, id int64) (recordings.Share, error)
	SharesOf(ctx context.Context, recordingID int64, now time.Time) ([]recordings.Share, error)
	RevokeShare(ctx context.Context, id int64) error
	Key(ctx context.Context, name string, gen func() []byte) ([]byte, error)
	UseNonce(ctx context.Context, nonce string, until, now time.Time) (bool, error)

	Audit(ctx context.Context, e recordings.AuditEntry) error
	AuditLog(ctx context.Context, q recordings.AuditQuery) ([]recordings.AuditEntry, int64, error)
}

// Cookie names.
const (
	sessionCookie = "totalrec_session"
	loginCookie   = "totalrec_login" // the sign-in form's CSRF token, before there is a session
	csrfField     = "csrf"
	csrfHeader    = "X-CSRF-Token"
)

// principal is who a request acts for: a signed-in user, or an API token.
type principal struct {
	Name    string // the user's name, or "token:NAME"
	Role    recordings.Role
	Scope   recordings.Scope
	UserID  int64               // 0 for a token
	Session *recordings.Session // nil for a token
	key     string              // identifies the session or token, for de-duplicating audit entries
}

func (p *principal) isAdmin() bool { return p.Role == recordings.RoleAdmin }

func (p *principal) canShare() bool {
	return p.Role == recordings.RoleAdmin || p.Role == recordings.RoleSupervisor
}

// scope is the principal's scope; administrators see everything whatever is stored.
func (p *principal) scope() recordings.Scope {
	if p.isAdmin() {
		return recordings.AllScope
	}
	return p.Scope
}

const principalKey = "principal"

func principalOf(c echo.Context) *principal {
	p, _ := c.Get(principalKey).(*principal)
	return p
}

// errUnauthorized is a request without valid credentials.
var errUnauthorized = &publicError{status: http.StatusUnauthorized, code: "unauthorized", message: "sign in first, or send an API token"}

// errForbidden is a request its principal may not make.
var errForbidden = &publicError{status: http.StatusForbidden, code: "forbidden", message: "not allowed"}

// errCSRF is a state-changing request without its session's CSRF token.
var errCSRF = &publicError{status: http.StatusForbidden, code: "csrf", message: "the form has expired; reload the page and try again"}

// authenticate finds the request's principal: an API token in an Authorization
// header (API paths only), else the session cookie. A request without valid
// credentials goes on without a principal; requireSignIn decides.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		// FreePBX's module authenticates its one route itself (api_retention.go).
		if h := c.Request().Header.Get("Authorization"); h != "" && isAPI(c) && !strings.HasPrefix(h, moduleAuthScheme) {
			p, err := s.tokenPrincipal(c.Request().Context(), h)
			if err != nil {
				return err
			}
			c.Set(principalKey, p)
			return next(c)
		}
		if ck, err := c.Request().Cookie(sessionCookie); err == nil && ck.Value != "" {
			p, err := s.sessionPrincipal(c.Request().Context(), ck.Value)
			if err != nil {
				return err
			}
			if p != nil {
				c.Set(principalKey, p)
			} else {
				s.clearSessionCookie(c)
			}
		}
		return next(c)
	}
}

// tokenPrincipal checks a "Bearer …" header. The token is read through the
// token cache (lookup_cache.go); its expiry is checked on every request.
func (s *Server) tokenPrincipal(ctx context.Context, header string) (*principal, error) {
	tok, ok := strings.CutPrefix(header, "Bearer ")
	if !ok || len(tok) > 200 {
		return nil, errUnauthorized
	}
	hash := auth.HashToken(strings.TrimSpace(tok))
	t, err := s.tokenByHash(ctx, hash)
	if errors.Is(err, recordings.ErrNotFound) {
		return nil, errUnauthorized
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	if !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt) {
		return nil, &publicError{status: http.StatusUnauthorized, code: "token_expired", message: "the API token has expired"}
	}
	if now.Sub(t.LastUsed) > time.Minute {
		if err := s.acc.TouchToken(ctx, t.ID, now); err != nil {
			s.log.Warn("record token use", "token", t.Name, "error", err)
		} else {
			t.LastUsed = now
			s.lookups.tokens.update(hash, t)
		}
	}
	return &principal{Name: "token:" + t.Name, Role: recordings.RoleUser, Scope: t.Scope, key: fmt.Sprintf("t%d", t.ID)}, nil
}

// sessionPrincipal checks a session cookie's value; nil when the session is
// unknown, expired or its user disabled (an expired one is deleted).
func (s *Server) sessionPrincipal(ctx context.Context, id string) (*principal, error) {
	if len(id) > 100 {
		return nil, nil
	}
	hash := auth.HashToken(id)
	sess, u, err := s.acc.SessionUser(ctx, hash)
	if errors.Is(err, recordings.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	if u.Disabled || now.Sub(sess.SeenAt) > s.idle || now.Sub(sess.CreatedAt) > s.max {
		if err := s.acc.DeleteSession(ctx, hash); err != nil {
			return nil, err
		}
		return nil, nil
	}
	// seen_at moves at most once a minute: a playing recording's Range requests
	// do not each write.
	if now.Sub(sess.SeenAt) > time.Minute {
		if err := s.acc.TouchSession(ctx, hash, now); err != nil {
			return nil, err
		}
	}
	return &principal{Name: u.Name, Role: u.Role, Scope: u.Scope, UserID: u.ID, Session: &sess, key: "s" + hash[:16]}, nil
}

// publicPaths are reachable without signing in; everything else needs a principal.
func isPublic(path string) bool {
	switch path {
	case "/healthz", "/login", "/logout", "/sso", "/login/once":
		return true
	case "/api/v1/retention": // administrators, or FreePBX's module by its signed token
		return true
	}
	if strings.HasPrefix(path, "/node/") { // other nodes, by a token signed with the nodes' secret
		return true
	}
	return strings.HasPrefix(path, "/static/") || strings.HasPrefix(path, "/share/")
}

// requireSignIn turns away requests without a principal: 401 on the API, a
// redirect to the sign-in page elsewhere. Paths are private unless isPublic
// names them, so that a new route is never open by accident.
func (s *Server) requireSignIn(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if principalOf(c) != nil || isPublic(c.Request().URL.Path) {
			return next(c)
		}
		if isAPI(c) || c.Request().Method != http.MethodGet {
			return errUnauthorized
		}
		to := s.path("/login")
		if next := localTarget(c.Request().URL.RequestURI(), ""); next != "" {
			to += "?next=" + url.QueryEscape(s.path(next))
		}
		return c.Redirect(http.StatusSeeOther, to)
	}
}

// adminOnly lets administrators through.
func (s *Server) adminOnly(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if p := principalOf(c); p == nil || !p.isAdmin() {
			return errForbidden
		}
		return next(c)
	}
}

// checkCSRF refuses a state-changing request that does not carry its session's
// CSRF token (form field "csrf" or header X-CSRF-Token); the sign-in form
// carries the token of its own cookie instead.
// tokenPOSTs are the routes an API token may POST to: pausing a live call's
// recording, the button a CRM shows its agents. Every other change needs a
// session.
var tokenPOSTs = map[string]bool{"/api/v1/calls/pause": true}

func (s *Server) checkCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		sent := c.Request().Header.Get(csrfHeader)
		if sent == "" {
			sent = c.FormValue(csrfField)
		}
		var want string
		p := principalOf(c)
		if p != nil && p.Session == nil && tokenPOSTs[c.Path()] {
			// A token arrives in a header no other site can make a browser send:
			// there is no request to forge.
			return next(c)
		}
		if p != nil && p.Session != nil {
			want = p.Session.CSRF
		} else if c.Request().URL.Path == "/login" {
			if ck, err := c.Request().Cookie(loginCookie); err == nil {
				want = ck.Value
			}
		}
		if want == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(want)) != 1 {
			return errCSRF
		}
		return next(c)
	}
}

// secure reports whether cookies get the Secure attribute: the request came
// over TLS, or public_url says the users reach Totalrec over https (a proxy in
// front terminates TLS), or a proxy on this machine (FreePBX's Apache, see
// install.sh) says so in X-Forwarded-Proto. From anywhere else the header is
// ignored.
func (s *Server) secure(c echo.Context) bool {
	r := c.Request()
	if r.TLS != nil || (s.publicURL != nil && s.publicURL.Scheme == "https") {
		return true
	}
	return strings.EqualFold(r.Header.Get(echo.HeaderXForwardedProto), "https") && fromLoopback(r.RemoteAddr)
}

// fromLoopback reports whether a connection's peer address is on this machine.
func fromLoopback(remoteAddr string) bool {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// cookie returns a cookie with the attributes the package documentation explains.
func (s *Server) cookie(c echo.Context, name, value, path string, maxAge int) *http.Cookie {
	ck := &http.Cookie{Name: name, Value: value, Path: path, MaxAge: maxAge, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.secure(c)}
	if ck.Secure && s.crossSiteFrame {
		ck.SameSite, ck.Partitioned = http.SameSiteNoneMode, true
	}
	return ck
}

func (s *Server) clearSessionCookie(c echo.Context) {
	c.SetCookie(s.cookie(c, sessionCookie, "", s.cookiePath(), -1))
}

// startSession signs u in: a new session row and its cookie.
func (s *Server) startSession(c echo.Context, u recordings.User) error {
	id, now := auth.NewSecret(32), s.now()
	sess := recordings.Session{IDHash: auth.HashToken(id), UserID: u.ID, CSRF: auth.NewSecret(32), Addr: c.RealIP(),
		CreatedAt: now, SeenAt: now}
	if err := s.acc.CreateSession(c.Request().Context(), sess); err != nil {
		return err
	}
	c.SetCookie(s.cookie(c, sessionCookie, id, s.cookiePath(), 0))
	return nil
}
