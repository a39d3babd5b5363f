package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/auth"
)

// Share links: /share/<id>.<expiry>.<HMAC> plays one recording without signing
// in, until the expiry or until revoked. The HMAC key is made once and kept in
// the catalogue (totalrec_keys), so links survive restarts and work on every
// node; the share row decides revocation.

// shareTTLs are the lifetimes the player page offers.
var shareTTLs = []struct {
	key string
	d   time.Duration
}{{"1h", time.Hour}, {"1d", 24 * time.Hour}, {"7d", 7 * 24 * time.Hour}, {"30d", 30 * 24 * time.Hour}}

// shareLink is an active share as the player page lists it.
type shareLink struct {
	ID      int64  `json:"id"`
	URL     string `json:"url"`
	Expires string `json:"expires"`
	Revoke  string `json:"revoke"`
	Creator string `json:"creator"`
}

func (s *Server) shareKey(ctx context.Context) ([]byte, error) {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if s.shareSecret == nil {
		k, err := s.acc.Key(ctx, "share", auth.NewKey)
		if err != nil {
			return nil, err
		}
		s.shareSecret = k
	}
	return s.shareSecret, nil
}

// baseURL is the origin browsers reach this server at: public_url's, else the
// request's scheme and host (s.path adds the base path).
func (s *Server) baseURL(c echo.Context) string {
	if s.publicURL != nil {
		return s.publicURL.Scheme + "://" + s.publicURL.Host
	}
	return c.Scheme() + "://" + c.Request().Host
}

// sharesFor lists a recording's active share links for the player page.
func (s *Server) sharesFor(c echo.Context, recID int64) ([]shareLink, error) {
	ctx := c.Request().Context()
	shares, err := s.acc.SharesOf(ctx, recID, s.now())
	if err != nil {
		return nil, err
	}
	key, err := s.shareKey(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]shareLink, len(shares))
	for i, sh := range shares {
		out[i] = s.newShareLink(c, key, sh)
	}
	return out, nil
}

func (s *Server) newShareLink(c echo.Context, key []byte, sh recordings.Share) shareLink {
	l := langOf(c)
	return shareLink{ID: sh.ID, URL: s.baseURL(c) + s.path("/share/"+auth.SignShare(key, sh.ID, sh.ExpiresAt)),
		Expires: l.F("share.expires", l.DateTime(sh.ExpiresAt.In(s.loc))), Creator: sh.CreatedBy,
		Revoke: s.path(fmt.Sprintf("/shares/%d/revoke", sh.ID))}
}

// addShare is POST /recordings/{id}/shares (administrators and supervisors,
// for a recording in their scope): a new link, valid for the form's ttl.
func (s *Server) addShare(c echo.Context) error {
	p := principalOf(c)
	if !p.canShare() || p.Session == nil {
		return errForbidden
	}
	rec, err := s.getRecording(c)
	if err != nil {
		return err
	}
	var ttl time.Duration
	for _, t := range shareTTLs {
		if t.key == c.FormValue("ttl") {
			ttl = t.d
		}
	}
	if ttl == 0 {
		return badRequest("ttl", "want 1h, 1d, 7d or 30d")
	}
	// Whole seconds: the link carries the expiry in Unix seconds.
	sh, err := s.acc.AddShare(c.Request().Context(), recordings.Share{RecordingID: rec.ID, CreatedBy: p.Name,
		ExpiresAt: s.now().Add(ttl).Truncate(time.Second)})
	if err != nil {
		return err
	}
	if err := s.audit(c, actShareAdd, rec.ID, fmt.Sprintf("share=%d expires=%s", sh.ID, sh.ExpiresAt.UTC().Format(time.RFC3339))); err != nil {
		return err
	}
	if strings.Contains(c.Request().Header.Get("Accept"), "application/json") {
		// The player page's script adds the link without leaving the page,
		// which would stop the playback.
		key, err := s.shareKey(c.Request().Context())
		if err != nil {
			return err
		}
		return c.JSON(http.StatusCreated, s.newShareLink(c, key, sh))
	}
	return c.Redirect(http.StatusSeeOther, s.path(fmt.Sprintf("/recordings/%d#shares", rec.ID)))
}

// revokeShare is POST /shares/{sid}/revoke, by whoever may share the recording.
func (s *Server) revokeShare(c echo.Context) error {
	p, ctx := principalOf(c), c.Request().Context()
	if !p.canShare() || p.Session == nil {
		return errForbidden
	}
	id, err := strconv.ParseInt(c.Param("sid"), 10, 64)
	if err != nil || id <= 0 {
		return badRequest("sid", "not a share ID")
	}
	sh, err := s.acc.GetShare(ctx, id)
	if err != nil {
		return err
	}
	if _, err := s.opts.Catalog.GetScoped(ctx, sh.RecordingID, p.scope()); err != nil {
		return err
	}
	if err := s.acc.RevokeShare(ctx, id); err != nil && !errors.Is(err, recordings.ErrNotFound) {
		return err
	}
	if err := s.audit(c, actShareRevoke, sh.RecordingID, fmt.Sprintf("share=%d", id)); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, s.path(fmt.Sprintf("/recordings/%d#shares", sh.RecordingID)))
}

// errShareGone is every failure of a share link: bad signature, expired,
// revoked, or its recording gone. They look alike on purpose.
var errShareGone = &publicError{status: http.StatusNotFound, code: "not_found",
	message: "this link is invalid, has expired or was revoked", err: recordings.ErrNotFound}

// sharedRecording checks the {token} of a share path and returns its share and
// recording.
func (s *Server) sharedRecording(c echo.Context) (recordings.Share, recordings.Recording, error) {
	ctx, now := c.Request().Context(), s.now()
	key, err := s.shareKey(ctx)
	if err != nil {
		return recordings.Share{}, recordings.Recording{}, err
	}
	id, exp, err := auth.VerifyShare(key, c.Param("token"), now)
	if err != nil {
		return recordings.Share{}, recordings.Recording{}, errShareGone
	}
	sh, err := s.acc.GetShare(ctx, id)
	if errors.Is(err, recordings.ErrNotFound) || err == nil && (!sh.RevokedAt.IsZero() ||
		sh.ExpiresAt.Unix() != exp.Unix() || !now.Before(sh.ExpiresAt)) {
		return sh, recordings.Recording{}, errShareGone
	}
	if err != nil {
		return sh, recordings.Recording{}, err
	}
	rec, err := s.opts.Catalog.GetScoped(ctx, sh.RecordingID, recordings.AllScope)
	if errors.Is(err, recordings.ErrNotFound) {
		return sh, rec, errShareGone
	}
	return sh, rec, err
}

// sharePage is GET /share/{token}: a bare player for one recording, made to sit
// in an iframe.
func (s *Server) sharePage(c echo.Context) error {
	sh, rec, err := s.sharedRecording(c)
	if err != nil {
		return err
	}
	l := langOf(c)
	v := struct {
		Heading, When, Duration, Expires, AudioURL string
	}{
		Heading: l.F("player.heading", l.T("type."+rec.Name.Type), orDash(rec.Caller()), orDash(rec.Callee())),
		When:    l.DateTime(rec.CallTime.In(s.loc)), Duration: clock(rec.Duration),
		Expires: l.DateTime(sh.ExpiresAt.In(s.loc)), AudioURL: s.path("/share/" + c.Param("token") + "/audio"),
	}
	c.Response().Header().Set("Cache-Control", "private, no-store")
	return c.Render(http.StatusOK, "share", s.newPage(c, l.T("share.heading"), v))
}

// shareAudio is GET and HEAD /share/{token}/audio: the recording as the player
// plays it, audited as share.play once per link and address per playDedupe.
func (s *Server) shareAudio(c echo.Context) error {
	sh, rec, err := s.sharedRecording(c)
	if err != nil {
		return err
	}
	who := fmt.Sprintf("share:%d", sh.ID)
	return s.serveAudio(c, rec, false, func() error {
		if c.Request().Method == http.MethodHead {
			return nil
		}
		return s.auditOnce(c, who+"|"+c.RealIP(), actSharePlay, rec.ID, "by "+sh.CreatedBy, who)
	})
}
