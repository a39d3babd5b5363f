package web

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/auth"
)

// loginView is the sign-in page's data.
type loginView struct {
	CSRF, Next, Error string
}

// loginPage is GET /login: the sign-in form, with a fresh CSRF token in a cookie
// and a hidden field (double submit: there is no session yet).
func (s *Server) loginPage(c echo.Context) error {
	next := s.target(c.QueryParam("next"))
	if principalOf(c) != nil {
		return c.Redirect(http.StatusSeeOther, next)
	}
	return s.renderLogin(c, http.StatusOK, next, "")
}

func (s *Server) renderLogin(c echo.Context, status int, next, msg string) error {
	tok := auth.NewSecret(32)
	c.SetCookie(s.cookie(c, loginCookie, tok, s.path("/login"), 3600))
	l := langOf(c)
	return c.Render(status, "login", s.newPage(c, l.T("login.title"), loginView{CSRF: tok, Next: next, Error: msg}))
}

// login is POST /login: a local user's name and password. Failures count per
// name and address, and per address (auth.SignIns), never per name alone: one
// who guesses slows down himself, not the user he names. Every attempt is
// audited.
func (s *Server) login(c echo.Context) error {
	ctx, l := c.Request().Context(), langOf(c)
	name, pw, next := strings.TrimSpace(c.FormValue("name")), c.FormValue("password"), s.target(c.FormValue("next"))
	now, addr := s.now(), c.RealIP()
	if wait := s.signIns.Wait(name, addr, now); wait > 0 {
		secs := int(math.Ceil(wait.Seconds()))
		if err := s.audit(c, actThrottled, 0, fmt.Sprintf("retry in %d s", secs), name); err != nil {
			return err
		}
		c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
		return s.renderLogin(c, http.StatusTooManyRequests, next, l.F("login.throttled", secs))
	}
	u, err := s.acc.UserByName(ctx, name)
	why := ""
	switch {
	case errors.Is(err, recordings.ErrNotFound):
		auth.VerifyNobody(pw)
		why = "no such user"
	case err != nil:
		return err
	case u.Source != recordings.SourceLocal || u.PasswordHash == "":
		auth.VerifyNobody(pw)
		why = "no password sign-in for this user"
	default:
		if err := auth.VerifyPassword(pw, u.PasswordHash); err != nil {
			why = "wrong password"
			if !errors.Is(err, auth.ErrMismatch) {
				s.log.Warn("verify password", "user", u.Name, "error", err)
			}
		} else if u.Disabled {
			why = "disabled"
		}
	}
	if why != "" {
		s.signIns.Fail(name, addr, now)
		if err := s.audit(c, actLoginFailed, 0, why, name); err != nil {
			return err
		}
		return s.renderLogin(c, http.StatusUnauthorized, next, l.T("login.failed"))
	}
	s.signIns.Succeed(name, addr)
	if err := s.startSession(c, u); err != nil {
		return err
	}
	c.SetCookie(s.cookie(c, loginCookie, "", s.path("/login"), -1))
	if err := s.audit(c, actLogin, 0, "password", u.Name); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, next)
}

// logout is POST /logout: the session ends on the server and in the browser.
// The session is deleted even when the client does not wait for the answer.
func (s *Server) logout(c echo.Context) error {
	if p := principalOf(c); p != nil && p.Session != nil {
		ctx, cancel := detached(c)
		defer cancel()
		if err := s.acc.DeleteSession(ctx, p.Session.IDHash); err != nil {
			return err
		}
		if err := s.audit(c, actLogout, 0, ""); err != nil {
			return err
		}
	}
	s.clearSessionCookie(c)
	return c.Redirect(http.StatusSeeOther, s.path("/login"))
}

// ssoPrefix names the users that FreePBX single sign-on creates, apart from
// local users (whose names cannot hold ':').
const ssoPrefix = "freepbx:"

// sso is GET /sso?token=…: the FreePBX module's signed token for its logged-in
// administrator. Each token signs in once: its nonce is recorded in the
// catalogue (useNonce), so neither a restart nor a second server on the same
// catalogue accepts it again. The administrator becomes user "freepbx:NAME",
// role admin.
func (s *Server) sso(c echo.Context) error {
	if len(s.ssoSecret) == 0 {
		return &publicError{status: http.StatusNotFound, code: "sso_off", message: "single sign-on is off: sso_secret is not set"}
	}
	now := s.now()
	cl, err := auth.ParseSSO(c.QueryParam("token"), s.ssoSecret, now)
	if err == nil {
		err = s.useNonce(c.Request().Context(), cl, now)
	}
	if errors.Is(err, auth.ErrTokenInvalid) || errors.Is(err, auth.ErrTokenExpired) || errors.Is(err, auth.ErrTokenReplayed) {
		if aerr := s.audit(c, actLoginFailed, 0, "sso: "+err.Error(), ssoPrefix+"?"); aerr != nil {
			return aerr
		}
		return &publicError{status: http.StatusForbidden, code: "sso_invalid",
			message: "the sign-on link is invalid, expired or already used; reload the FreePBX page", err: err}
	}
	if err != nil {
		return err
	}
	u, err := s.ssoUser(c.Request().Context(), cl)
	if err != nil {
		return err
	}
	if u.Disabled || u.Source != recordings.SourceFreePBX {
		if err := s.audit(c, actLoginFailed, 0, "sso: user disabled", u.Name); err != nil {
			return err
		}
		return errForbidden
	}
	if err := s.startSession(c, u); err != nil {
		return err
	}
	if err := s.audit(c, actLogin, 0, "freepbx sso", u.Name); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, s.path("/"))
}

// ucpPrefix names the users FreePBX's User Control Panel signs in: end users with
// the scope of their extensions, apart from the administrators of ssoPrefix.
const ucpPrefix = "ucp:"

// ssoUser is the user a valid sign-on token names: a FreePBX administrator (all
// recordings), or, for a token with a scope, a UCP user seeing the recordings of the
// extensions User Manager assigns them, kept in step with each sign-in.
func (s *Server) ssoUser(ctx context.Context, cl auth.SSOClaims) (recordings.User, error) {
	if cl.Scope == "" {
		return s.acc.EnsureUser(ctx, recordings.User{Name: ssoPrefix + cl.User, Role: recordings.RoleAdmin,
			Scope: recordings.AllScope, Source: recordings.SourceFreePBX})
	}
	scope, err := recordings.ParseScope(cl.Scope)
	if err != nil || scope.All || len(scope.Ranges) == 0 {
		return recordings.User{}, &publicError{status: http.StatusForbidden, code: "sso_invalid",
			message: "the sign-on link names no extensions", err: err}
	}
	u, err := s.acc.EnsureUser(ctx, recordings.User{Name: ucpPrefix + cl.User, Role: recordings.RoleUser,
		Scope: scope, Source: recordings.SourceFreePBX})
	if err != nil || u.Disabled || u.Source != recordings.SourceFreePBX {
		return u, err
	}
	if u.Role != recordings.RoleUser || u.Scope.String() != scope.String() {
		u.Role, u.Scope = recordings.RoleUser, scope
		if err := s.acc.UpdateUser(ctx, u); err != nil {
			return u, err
		}
	}
	return u, nil
}

// useNonce marks the token's nonce used, or refuses the token as replayed.
// The nonce is kept a clock skew longer than this server would accept the
// token, for another server on the catalogue whose clock is behind.
func (s *Server) useNonce(ctx context.Context, cl auth.SSOClaims, now time.Time) error {
	fresh, err := s.acc.UseNonce(ctx, cl.Nonce, cl.Until.Add(auth.ClockSkew), now)
	if err != nil {
		return fmt.Errorf("sso: %w", err)
	}
	if !fresh {
		return auth.ErrTokenReplayed
	}
	return nil
}

// loginOnce is GET /login/once?token=…: a one-time link from Server.LoginLink.
// A spent, expired or unknown link gets the sign-in form (403) saying so, and,
// on a server that prints such links (the demo), how to get a new one.
func (s *Server) loginOnce(c echo.Context) error {
	name, ok, issued := s.takeOnce(c.QueryParam("token"))
	if !ok {
		l := langOf(c)
		msg := l.T("login.once.spent")
		if issued {
			msg += " " + l.T("login.once.demo")
		}
		return s.renderLogin(c, http.StatusForbidden, s.path("/"), msg)
	}
	u, err := s.acc.UserByName(c.Request().Context(), name)
	if err != nil {
		return err
	}
	if u.Disabled {
		return errForbidden
	}
	if err := s.startSession(c, u); err != nil {
		return err
	}
	if err := s.audit(c, actLogin, 0, "one-time link", u.Name); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, s.path("/"))
}
