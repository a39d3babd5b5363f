package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/totalrec/totalrec/recordings"
)

// Audit actions. The audit trail gets one entry per sign-in (ok or failed),
// sign-out, play, download and export, and per change of users, tokens and
// share links. A play is one entry per recording per session (or token) per
// playDedupe: a browser fetches one recording in many Range requests.
const (
	actLogin       = "login"
	actLoginFailed = "login.failed"
	actThrottled   = "login.throttled"
	actLogout      = "logout"
	actPlay        = "play"
	actDownload    = "download"
	actExportCSV   = "export.csv"
	actExportZIP   = "export.zip"
	actExportAudit = "export.audit"
	actUserAdd     = "user.add"
	actUserUpdate  = "user.update"
	actUserPasswd  = "user.passwd"
	actShareAdd    = "share.add"
	actShareRevoke = "share.revoke"
	actSharePlay   = "share.play"
)

// auditActions are the actions the audit page's filter offers: the web's above
// and those the command line writes (cmd/totalrec: user, token, hold and
// retention).
var auditActions = []string{
	actLogin, actLoginFailed, actThrottled, actLogout, actPlay, actDownload,
	actExportCSV, actExportZIP, actExportAudit, actUserAdd, actUserUpdate, actUserPasswd, "user.rm",
	"token.add", "token.rm", actShareAdd, actShareRevoke, actSharePlay, actHoldAdd, actHoldRm,
	"retention.start", "retention.run", "retention.interrupted",
	actSettingsRetention, actSettingsWebhookAdd, actSettingsWebhookRm, actSettingsLanguage,
}

// playDedupe is how long repeated requests for one recording's audio by one
// session count as one play.
const playDedupe = time.Hour

// detachedTimeout bounds a write that outlives its request (detached).
const detachedTimeout = 5 * time.Second

// detached is the context of a write that must happen although the client may
// go away meanwhile — an audit entry, a sign-out: the request's values without
// its cancellation, for at most detachedTimeout.
func detached(c echo.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(c.Request().Context()), detachedTimeout)
}

// audit appends an entry for the request's principal (or who, when given).
// A request whose access cannot be recorded fails: nothing is served unaudited.
// The entry is written even if the client has gone away: whatever was about to
// be sent to it, or changed for it, is on the record either way.
func (s *Server) audit(c echo.Context, action string, recordingID int64, detail string, who ...string) error {
	name := ""
	if p := principalOf(c); p != nil {
		name = p.Name
	}
	if len(who) > 0 {
		name = who[0]
	}
	ctx, cancel := detached(c)
	defer cancel()
	return s.acc.Audit(ctx, recordings.AuditEntry{At: s.now(), Who: name, Addr: c.RealIP(),
		Action: action, RecordingID: recordingID, Detail: detail})
}

// auditOnce audits action on a recording unless the same key did so within
// playDedupe. A failed entry does not count: the next request tries again.
func (s *Server) auditOnce(c echo.Context, key, action string, recordingID int64, detail string, who ...string) error {
	k := key + "|" + action
	if !s.plays.first(k, recordingID, s.now()) {
		return nil
	}
	if err := s.audit(c, action, recordingID, detail, who...); err != nil {
		s.plays.forget(k, recordingID)
		return err
	}
	return nil
}

// fromStart reports whether a request reads a resource from its first byte: no
// Range, or a Range starting at 0. Later pieces of one download are not audited again.
func fromStart(c echo.Context) bool {
	rg := c.Request().Header.Get("Range")
	return rg == "" || strings.HasPrefix(rg, "bytes=0-")
}

// playLog remembers which key played which recording when, in memory.
type playLog struct {
	mu   sync.Mutex
	seen map[playKey]time.Time
}

type playKey struct {
	key string
	id  int64
}

// first reports whether key's play of id at now is the first within playDedupe,
// and records it.
func (l *playLog) first(key string, id int64, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.seen == nil {
		l.seen = map[playKey]time.Time{}
	}
	k := playKey{key, id}
	if t, ok := l.seen[k]; ok && now.Sub(t) < playDedupe {
		return false
	}
	if len(l.seen) > 100000 {
		for k, t := range l.seen {
			if now.Sub(t) >= playDedupe {
				delete(l.seen, k)
			}
		}
	}
	l.seen[k] = now
	return true
}

// forget drops key's play of id, so that the next one is first again.
func (l *playLog) forget(key string, id int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.seen, playKey{key, id})
}

// auditAudio records a play (once per playDedupe) or a WAV download of a
// recording; HEAD requests are not accesses.
func (s *Server) auditAudio(c echo.Context, id int64, download bool) error {
	if c.Request().Method == http.MethodHead {
		return nil
	}
	if download {
		return s.auditDownload(c, id, "wav")
	}
	p := principalOf(c)
	return s.auditOnce(c, p.key, actPlay, id, "")
}

// auditDownload records a download of a recording in format what, once per
// download (not per Range piece).
func (s *Server) auditDownload(c echo.Context, id int64, what string) error {
	if c.Request().Method == http.MethodHead || !fromStart(c) {
		return nil
	}
	return s.audit(c, actDownload, id, what)
}

// exportDetail describes an export for the audit trail: how many recordings and
// the query that chose them.
func exportDetail(n int, capped bool, query string) string {
	more := ""
	if capped {
		more = "+"
	}
	return fmt.Sprintf("count=%d%s query=%s", n, more, query)
}
