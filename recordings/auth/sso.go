// Package auth holds Totalrec's credentials logic, free of storage and HTTP:
// password hashing (argon2id, password.go), random tokens and signed share
// links (token.go), sign-in throttling (throttle.go), and the single sign-on
// tokens the Totalrec FreePBX module issues when it embeds the Totalrec UI for a
// logged-in FreePBX administrator (this file).
//
// An SSO token is two base64url parts (no padding) joined by a dot:
//
//	base64url(payload) "." base64url(HMAC-SHA256(secret, base64url(payload)))
//
// where payload is the JSON object {"u": user, "exp": unix seconds, "n": nonce,
// "iat": unix seconds}; the nonce is 16 random bytes in lower-case hex. The secret is
// the sso_secret of Totalrec's configuration file, which the module reads too.
package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"time"
)

const (
	// MaxLifetime is the longest a token may be valid for, from iat to exp.
	MaxLifetime = 120 * time.Second
	// ClockSkew is how far the issuer's clock may be ahead of or behind ours.
	ClockSkew = 30 * time.Second
	// maxTokenLen bounds the work done on garbage input.
	maxTokenLen = 2048
)

// Sentinel errors; ParseSSO and VerifySSO return nothing else, so errors.Is on
// these is exhaustive.
var (
	// ErrTokenInvalid: malformed, badly signed, or with impossible times.
	ErrTokenInvalid = errors.New("sso: invalid token")
	// ErrTokenExpired: validly signed, but past its exp (or issued in the future).
	ErrTokenExpired = errors.New("sso: token expired")
	// ErrTokenReplayed: validly signed and current, but its nonce was already used.
	ErrTokenReplayed = errors.New("sso: token replayed")
)

// NonceStore remembers the nonces of accepted tokens until they expire, for
// VerifySSO. The daemon does not use one: it keeps used nonces in the catalogue
// (ParseSSO, then catalog.UseNonce), so that a restart or a second node does not
// forget them.
type NonceStore interface {
	// Seen records nonce, to be remembered until exp, and reports whether it was
	// already recorded. It must be safe for concurrent use.
	Seen(nonce string, exp time.Time) bool
}

// SSOClaims is what a valid token says.
type SSOClaims struct {
	User string
	// Scope is set on a token FreePBX's User Control Panel signs for an end user:
	// the extensions User Manager assigns to them ("100,101"). Such a token signs in
	// a user with that scope, never an administrator. Empty on the admin page's.
	Scope string
	Nonce string // 32 lower-case hex digits
	// Until is the last moment at which the token passes ParseSSO's time checks
	// (its exp plus ClockSkew): its nonce must be remembered at least that long.
	Until time.Time
}

type payload struct {
	User  string `json:"u"`
	Scope string `json:"s,omitempty"`
	Exp   int64  `json:"exp"`
	Nonce string `json:"n"`
	Iat   int64  `json:"iat"`
}

// ParseSSO checks token against secret at time now and returns what it says. The
// signature is checked first (in constant time), then the times: iat may be at
// most ClockSkew in the future, exp - iat at most MaxLifetime, and now at most
// ClockSkew past exp. It does not look at the nonce's history: the caller records
// Nonce as used — atomically, where every instance of the server sees it — and
// refuses the token with ErrTokenReplayed when it was already recorded.
func ParseSSO(token string, secret []byte, now time.Time) (SSOClaims, error) {
	if len(secret) == 0 || len(token) > maxTokenLen {
		return SSOClaims{}, ErrTokenInvalid
	}
	body, sig, ok := strings.Cut(token, ".")
	if !ok || body == "" || strings.Contains(sig, ".") {
		return SSOClaims{}, ErrTokenInvalid
	}
	gotSig, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil {
		return SSOClaims{}, ErrTokenInvalid
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(body))
	if !hmac.Equal(gotSig, mac.Sum(nil)) {
		return SSOClaims{}, ErrTokenInvalid
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return SSOClaims{}, ErrTokenInvalid
	}
	var p payload
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil || dec.More() {
		return SSOClaims{}, ErrTokenInvalid
	}
	if p.User == "" || len(p.Nonce) != 32 || !isHex(p.Nonce) || p.Iat <= 0 || p.Exp <= p.Iat {
		return SSOClaims{}, ErrTokenInvalid
	}
	iat, exp := time.Unix(p.Iat, 0), time.Unix(p.Exp, 0)
	if exp.Sub(iat) > MaxLifetime {
		return SSOClaims{}, ErrTokenInvalid
	}
	if iat.After(now.Add(ClockSkew)) || now.After(exp.Add(ClockSkew)) {
		return SSOClaims{}, ErrTokenExpired
	}
	return SSOClaims{User: p.User, Scope: p.Scope, Nonce: p.Nonce, Until: exp.Add(ClockSkew)}, nil
}

// VerifySSO is ParseSSO followed by recording the nonce in seen, so that a token
// is accepted once by whoever shares seen; it returns the user the token names.
func VerifySSO(token string, secret []byte, now time.Time, seen NonceStore) (string, error) {
	cl, err := ParseSSO(token, secret, now)
	if err != nil {
		return "", err
	}
	if seen != nil && seen.Seen(cl.Nonce, cl.Until) {
		return "", ErrTokenReplayed
	}
	return cl.User, nil
}

func isHex(s string) bool {
	_, err := hex.DecodeString(s)
	return err == nil && strings.ToLower(s) == s
}

// MemoryNonces is an in-memory NonceStore, for one process that verifies tokens
// itself (tests, the FreePBX module's interoperability test). It forgets a nonce once its expiry has
// passed (pruning on use), so its size is bounded by the tokens issued in one
// lifetime. It is safe for concurrent use.
type MemoryNonces struct {
	mu    sync.Mutex
	until map[string]time.Time
	now   func() time.Time
}

// NewMemoryNonces returns an empty MemoryNonces using the wall clock for pruning.
func NewMemoryNonces() *MemoryNonces {
	return &MemoryNonces{until: map[string]time.Time{}, now: time.Now}
}

// Seen implements NonceStore.
func (m *MemoryNonces) Seen(nonce string, exp time.Time) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	for n, t := range m.until {
		if now.After(t) {
			delete(m.until, n)
		}
	}
	if _, ok := m.until[nonce]; ok {
		return true
	}
	m.until[nonce] = exp
	return false
}

// Len returns how many nonces are remembered.
func (m *MemoryNonces) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.until)
}
