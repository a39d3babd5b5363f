package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost parameters. They are stored with every hash, so
// that raising them later leaves old hashes verifiable.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
}

// DefaultParams follow RFC 9106's second recommendation (64 MiB, 3 passes).
var DefaultParams = Params{Memory: 64 * 1024, Time: 3, Threads: 2}

// Bounds on what a stored hash may ask for, so that a tampered row cannot make
// a sign-in allocate gigabytes.
const (
	maxMemory  = 1 << 20 // KiB: 1 GiB
	maxTime    = 16
	saltLen    = 16
	keyLen     = 32
	MinPassLen = 8 // characters
	maxPassLen = 1024
)

// ErrMismatch: the password does not match the hash.
var ErrMismatch = errors.New("password does not match")

// hashSlots bounds concurrent hashing: each one holds Params.Memory.
var hashSlots = make(chan struct{}, 4)

func derive(password string, salt []byte, p Params) []byte {
	hashSlots <- struct{}{}
	defer func() { <-hashSlots }()
	return argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, keyLen)
}

// CheckPassword says why a new password is refused, or nil.
func CheckPassword(password string) error {
	switch n := utf8.RuneCountInString(password); {
	case !utf8.ValidString(password):
		return errors.New("the password is not valid UTF-8")
	case n < MinPassLen:
		return fmt.Errorf("the password has %d characters, at least %d are needed", n, MinPassLen)
	case len(password) > maxPassLen:
		return fmt.Errorf("the password is longer than %d bytes", maxPassLen)
	}
	return nil
}

// HashPassword hashes password with argon2id and a random salt, in the PHC
// string format: $argon2id$v=19$m=65536,t=3,p=2$<salt>$<hash>.
func HashPassword(password string, p Params) (string, error) {
	if err := CheckPassword(password); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(derive(password, salt, p))), nil
}

// VerifyPassword checks password against an encoded hash, comparing in constant
// time. A malformed hash is an error other than ErrMismatch.
func VerifyPassword(password, encoded string) error {
	p, salt, want, err := decodeHash(encoded)
	if err != nil {
		return err
	}
	if len(password) > maxPassLen {
		return ErrMismatch
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return ErrMismatch
	}
	return nil
}

func decodeHash(encoded string) (Params, []byte, []byte, error) {
	var p Params
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, errors.New("verify password: not an argon2id hash")
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, fmt.Errorf("verify password: argon2 version %q", parts[2])
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil ||
		p.Memory < 8 || p.Memory > maxMemory || p.Time < 1 || p.Time > maxTime || p.Threads < 1 {
		return p, nil, nil, fmt.Errorf("verify password: parameters %q", parts[3])
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	key, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(key) < 16 || len(key) > 64 {
		return p, nil, nil, errors.New("verify password: malformed salt or hash")
	}
	return p, salt, key, nil
}

var (
	dummyOnce sync.Once
	dummyHash string
)

// VerifyNobody spends the time of a VerifyPassword on a password that matches
// nothing, so that "no such user" answers as slowly as "wrong password".
func VerifyNobody(password string) {
	dummyOnce.Do(func() { dummyHash, _ = HashPassword("no user has this password", DefaultParams) })
	_ = VerifyPassword(password, dummyHash)
}

// CheckUserName says why a local user name is refused, or nil: 1 to 64
// letters, digits, '.', '_', '-' or '@'. A ':' is kept for names Totalrec
// makes itself ("freepbx:admin", "token:crm").
func CheckUserName(name string) error {
	if name == "" || len(name) > 64 {
		return errors.New("a user name has 1 to 64 characters")
	}
	for _, r := range name {
		if !(r == '.' || r == '_' || r == '-' || r == '@' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return fmt.Errorf("a user name holds letters, digits, '.', '_', '-' and '@', not %q", r)
		}
	}
	return nil
}
