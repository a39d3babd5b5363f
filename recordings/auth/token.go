package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// APITokenPrefix starts every API token, so that a leaked one is recognisable.
const APITokenPrefix = "trk_"

// NewSecret returns n random bytes as base64url without padding.
func NewSecret(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("read random bytes: %v", err)) // crypto/rand does not fail on supported systems
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// NewKey returns a 32-byte random key.
func NewKey() []byte {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("read random bytes: %v", err))
	}
	return b
}

// HashToken is how session IDs and API tokens are stored: hex SHA-256. They are
// 32 random bytes, so a plain hash is as strong as a slow one.
func HashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// NewAPIToken returns a fresh API token and its hash.
func NewAPIToken() (token, hash string) {
	token = APITokenPrefix + NewSecret(32)
	return token, HashToken(token)
}

// ErrShareInvalid: a share link that is malformed, badly signed or expired.
var ErrShareInvalid = errors.New("invalid or expired share link")

// SignShare returns the token of share link id, valid until exp:
// "<id>.<exp unix>.<base64url HMAC-SHA256(key, "share/<id>/<exp>")>".
func SignShare(key []byte, id int64, exp time.Time) string {
	msg := strconv.FormatInt(id, 10) + "." + strconv.FormatInt(exp.Unix(), 10)
	return msg + "." + base64.RawURLEncoding.EncodeToString(shareMAC(key, msg))
}

// VerifyShare checks a share token's signature (in constant time) and expiry at
// now, and returns the share ID and expiry it names.
func VerifyShare(key []byte, token string, now time.Time) (int64, time.Time, error) {
	if len(token) > 200 {
		return 0, time.Time{}, ErrShareInvalid
	}
	i := strings.LastIndexByte(token, '.')
	if i < 0 {
		return 0, time.Time{}, ErrShareInvalid
	}
	msg, sig := token[:i], token[i+1:]
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, shareMAC(key, msg)) {
		return 0, time.Time{}, ErrShareInvalid
	}
	idText, expText, ok := strings.Cut(msg, ".")
	id, err1 := strconv.ParseInt(idText, 10, 64)
	unix, err2 := strconv.ParseInt(expText, 10, 64)
	if !ok || err1 != nil || err2 != nil || id <= 0 {
		return 0, time.Time{}, ErrShareInvalid
	}
	exp := time.Unix(unix, 0)
	if !now.Before(exp) {
		return 0, time.Time{}, ErrShareInvalid
	}
	return id, exp, nil
}

func shareMAC(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("share/" + strings.ReplaceAll(msg, ".", "/")))
	return m.Sum(nil)
}
