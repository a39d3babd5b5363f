package web

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/totalrec/totalrec/recordings/auth"
)

// Access configures sign-in, sessions and framing.
type Access struct {
	// SSOSecret checks the FreePBX module's single sign-on tokens; "" turns
	// /sso off.
	SSOSecret string
	// PublicURL is how browsers reach Totalrec, e.g. https://pbx.example.com:8443/;
	// "" when unknown. An https URL makes cookies Secure (TLS ends at a proxy).
	PublicURL string
	// FrameAncestors are the origins allowed to show Totalrec in a frame besides
	// itself. Empty: http and https on the standard ports of PublicURL's host, or
	// of the host the request names when PublicURL is empty — where FreePBX's
	// own pages are served.
	FrameAncestors []string
	// SessionIdle and SessionMax end a session after that long without a request,
	// and that long after sign-in; zero means DefaultSessionIdle, DefaultSessionMax.
	SessionIdle time.Duration
	SessionMax  time.Duration
}

// Session timeouts.
const (
	DefaultSessionIdle = 30 * time.Minute
	DefaultSessionMax  = 12 * time.Hour
)

// accessState is the server's part that signs people in.
type accessState struct {
	acc            Accounts
	ssoSecret      []byte
	publicURL      *url.URL // nil when unknown
	ancestors      []string // explicit frame-ancestors origins; nil: derived per request
	crossSiteFrame bool     // a framing origin is another site: cookies must be SameSite=None
	idle, max      time.Duration
	signIns        *auth.SignIns
	plays          playLog
	onceMu         sync.Mutex
	once           map[string]onceLogin // one-time sign-in links by token hash
	onceIssued     bool                 // LoginLink was called: a spent link can say how to get a new one
	keyMu          sync.Mutex
	shareSecret    []byte
}

// onceLogin is a one-time sign-in link: the user it signs in, until when.
type onceLogin struct {
	user string
	exp  time.Time
}

var originRE = regexp.MustCompile(`^https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?$|^https?://\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$`)

func (s *Server) initAccess(acc Accounts, o Access) error {
	s.acc, s.ssoSecret = acc, []byte(o.SSOSecret)
	s.idle, s.max = o.SessionIdle, o.SessionMax
	if s.idle <= 0 {
		s.idle = DefaultSessionIdle
	}
	if s.max <= 0 {
		s.max = DefaultSessionMax
	}
	s.signIns, s.once = auth.NewSignIns(), map[string]onceLogin{}
	if o.PublicURL != "" {
		u, err := url.Parse(o.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("public url %q: want http(s)://host[:port]/", o.PublicURL)
		}
		s.publicURL = u
	}
	for _, a := range o.FrameAncestors {
		a = strings.TrimRight(strings.TrimSpace(a), "/")
		if !originRE.MatchString(a) {
			return fmt.Errorf("frame ancestor %q: want an origin such as https://pbx.example.com", a)
		}
		s.ancestors = append(s.ancestors, a)
	}
	if s.ancestors == nil && s.publicURL != nil {
		s.ancestors = standardOrigins(s.publicURL.Hostname())
	}
	if s.publicURL != nil {
		for _, a := range s.ancestors {
			u, _ := url.Parse(a)
			if u.Scheme != s.publicURL.Scheme || u.Hostname() != s.publicURL.Hostname() {
				s.crossSiteFrame = true
			}
		}
	}
	return nil
}

// standardOrigins are http and https on the standard ports of host.
func standardOrigins(host string) []string {
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return []string{"http://" + host, "https://" + host}
}

// validHost reports whether host is a host name or address as a Host header may
// name it: 1–253 letters, digits, dots and hyphens, or 2–45 hex digits, colons
// and dots in brackets. (A loop, not a regular expression: a counted repetition
// compiles to hundreds of states at every process start, the hook's included.)
func validHost(host string) bool {
	if inner, ok := strings.CutPrefix(host, "["); ok {
		inner, ok = strings.CutSuffix(inner, "]")
		return ok && len(inner) >= 2 && len(inner) <= 45 && allIn(inner, "0123456789abcdefABCDEF:.")
	}
	return len(host) >= 1 && len(host) <= 253 && allIn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")
}

// allIn reports whether every byte of s is one of set's.
func allIn(s, set string) bool {
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(set, s[i]) < 0 {
			return false
		}
	}
	return true
}

// frameAncestors is the CSP frame-ancestors source list for a request.
func (s *Server) frameAncestors(c echo.Context) string {
	list := s.ancestors
	if list == nil {
		host := c.Request().Host
		if h, _, ok := strings.Cut(host, ":"); ok && !strings.HasPrefix(host, "[") {
			host = h
		} else if i := strings.LastIndex(host, "]:"); i > 0 {
			host = host[:i+1]
		}
		if validHost(host) {
			list = standardOrigins(strings.Trim(host, "[]"))
		}
	}
	return strings.TrimSpace("'self' " + strings.Join(list, " "))
}

// LoginLink returns a path (under the base path) that signs the browser in as
// user once, within ttl.
// `totalrec demo` prints one with its URL.
func (s *Server) LoginLink(user string, ttl time.Duration) (string, error) {
	if user == "" {
		return "", errors.New("login link: no user")
	}
	tok := auth.NewSecret(32)
	s.onceMu.Lock()
	defer s.onceMu.Unlock()
	s.once[auth.HashToken(tok)] = onceLogin{user: user, exp: s.now().Add(ttl)}
	s.onceIssued = true
	return s.path("/login/once?token=" + tok), nil
}

// takeOnce consumes a one-time link and returns the user it names; issued says
// whether this server makes such links at all (the demo's).
func (s *Server) takeOnce(tok string) (user string, ok, issued bool) {
	h := auth.HashToken(tok)
	s.onceMu.Lock()
	defer s.onceMu.Unlock()
	o, ok := s.once[h]
	delete(s.once, h)
	if !ok || !s.now().Before(o.exp) {
		return "", false, s.onceIssued
	}
	return o.user, true, s.onceIssued
}
