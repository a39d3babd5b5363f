package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

var secret = []byte("test-secret")

func sign(t *testing.T, key []byte, payload any) string {
	t.Helper()
	b, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	body := base64.RawURLEncoding.EncodeToString(b)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(body))
	return body + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

const nonce = "0123456789abcdef0123456789abcdef"

func tok(t *testing.T, user string, iat time.Time, life time.Duration, n string) string {
	return sign(t, secret, map[string]any{"u": user, "iat": iat.Unix(), "exp": iat.Add(life).Unix(), "n": n})
}

func TestVerifySSO(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	cases := []struct {
		name  string
		token string
		at    time.Time
		want  error
	}{
		{"valid", tok(t, "admin", now, time.Minute, nonce), now, nil},
		{"valid at the skew edge after exp", tok(t, "admin", now, time.Minute, nonce), now.Add(time.Minute + ClockSkew), nil},
		{"issued slightly in the future", tok(t, "admin", now.Add(20*time.Second), time.Minute, nonce), now, nil},
		{"expired", tok(t, "admin", now, time.Minute, nonce), now.Add(time.Minute + ClockSkew + time.Second), ErrTokenExpired},
		{"issued too far in the future", tok(t, "admin", now.Add(time.Minute), time.Minute, nonce), now, ErrTokenExpired},
		{"lifetime over the maximum", tok(t, "admin", now, MaxLifetime+time.Second, nonce), now, ErrTokenInvalid},
		{"exp before iat", tok(t, "admin", now, -time.Second, nonce), now, ErrTokenInvalid},
		{"empty user", tok(t, "", now, time.Minute, nonce), now, ErrTokenInvalid},
		{"short nonce", tok(t, "admin", now, time.Minute, "abcd"), now, ErrTokenInvalid},
		{"upper-case nonce", tok(t, "admin", now, time.Minute, "0123456789ABCDEF0123456789ABCDEF"), now, ErrTokenInvalid},
		{"non-hex nonce", tok(t, "admin", now, time.Minute, "zz23456789abcdef0123456789abcdef"), now, ErrTokenInvalid},
		{"unknown field", sign(t, secret, map[string]any{"u": "a", "iat": now.Unix(), "exp": now.Unix() + 60, "n": nonce, "admin": true}), now, ErrTokenInvalid},
		{"wrong types", sign(t, secret, map[string]any{"u": 1, "iat": "x", "exp": now.Unix() + 60, "n": nonce}), now, ErrTokenInvalid},
		{"other secret", sign(t, []byte("other"), map[string]any{"u": "a", "iat": now.Unix(), "exp": now.Unix() + 60, "n": nonce}), now, ErrTokenInvalid},
		{"not a token", "hello", now, ErrTokenInvalid},
		{"three parts", tok(t, "admin", now, time.Minute, nonce) + ".x", now, ErrTokenInvalid},
		{"padded base64", tok(t, "admin", now, time.Minute, nonce) + "=", now, ErrTokenInvalid},
		{"huge", string(make([]byte, 5000)), now, ErrTokenInvalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			user, err := VerifySSO(c.token, secret, c.at, NewMemoryNonces())
			if !errors.Is(err, c.want) || (c.want == nil && err != nil) {
				t.Fatalf("err %v, want %v", err, c.want)
			}
			if c.want == nil && user != "admin" {
				t.Errorf("user %q", user)
			}
			if c.want != nil && user != "" {
				t.Errorf("refused token still named user %q", user)
			}
		})
	}
}

func TestVerifySSOEmptySecret(t *testing.T) {
	now := time.Now()
	if _, err := VerifySSO(tok(t, "a", now, time.Minute, nonce), nil, now, nil); !errors.Is(err, ErrTokenInvalid) {
		t.Fatalf("empty secret: %v", err)
	}
}

func TestVerifySSOReplay(t *testing.T) {
	now := time.Now()
	seen := NewMemoryNonces()
	tk := tok(t, "admin", now, time.Minute, nonce)
	if _, err := VerifySSO(tk, secret, now, seen); err != nil {
		t.Fatal(err)
	}
	if _, err := VerifySSO(tk, secret, now, seen); !errors.Is(err, ErrTokenReplayed) {
		t.Fatalf("second use: %v", err)
	}
	// A refused (tampered) token must not burn a nonce.
	other := "fedcba9876543210fedcba9876543210"
	bad := sign(t, []byte("x"), map[string]any{"u": "a", "iat": now.Unix(), "exp": now.Unix() + 60, "n": other})
	if _, err := VerifySSO(bad, secret, now, seen); !errors.Is(err, ErrTokenInvalid) {
		t.Fatal(err)
	}
	if _, err := VerifySSO(tok(t, "admin", now, time.Minute, other), secret, now, seen); err != nil {
		t.Fatalf("nonce of a refused token was recorded: %v", err)
	}
}

func TestMemoryNoncesForget(t *testing.T) {
	clock := time.Unix(1000, 0)
	m := NewMemoryNonces()
	m.now = func() time.Time { return clock }
	if m.Seen("a", clock.Add(time.Minute)) {
		t.Fatal("new nonce reported seen")
	}
	if !m.Seen("a", clock.Add(time.Minute)) {
		t.Fatal("nonce forgotten too early")
	}
	clock = clock.Add(2 * time.Minute)
	m.Seen("b", clock.Add(time.Minute))
	if m.Len() != 1 {
		t.Fatalf("expired nonce kept: %d remembered", m.Len())
	}
	if m.Seen("a", clock.Add(time.Minute)) {
		t.Fatal("expired nonce still reported seen")
	}
}

func TestMemoryNoncesConcurrent(t *testing.T) {
	m := NewMemoryNonces()
	exp := time.Now().Add(time.Minute)
	var wg sync.WaitGroup
	var mu sync.Mutex
	first := 0
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 100; j++ {
				if !m.Seen(fmt.Sprint("n", j), exp) {
					mu.Lock()
					first++
					mu.Unlock()
				}
			}
		}(i)
	}
	wg.Wait()
	if first != 100 {
		t.Fatalf("%d first sightings, want 100", first)
	}
}

// TestParseSSOClaims: ParseSSO names the user and the nonce, and how long the
// nonce must be remembered; it keeps no history, so the caller's store decides
// replays.
func TestParseSSOClaims(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	tk := tok(t, "admin", now, time.Minute, nonce)
	for range 2 {
		cl, err := ParseSSO(tk, secret, now)
		if err != nil {
			t.Fatal(err)
		}
		if cl.User != "admin" || cl.Nonce != nonce || !cl.Until.Equal(now.Add(time.Minute+ClockSkew)) {
			t.Fatalf("claims %+v", cl)
		}
	}
	if _, err := ParseSSO(tk, secret, now.Add(time.Minute+ClockSkew+time.Second)); !errors.Is(err, ErrTokenExpired) {
		t.Fatalf("after Until: %v", err)
	}
}
