package evidence

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"os"

	"github.com/totalrec/totalrec/recordings"
)

// PublicKeyFile is the public key's name in a manifest directory.
const PublicKeyFile = "manifest-key.pub.pem"

// GenerateKey makes a new Ed25519 key at path, readable by its owner only, and
// returns its public half. A key already at path is never replaced: manifests
// signed with it could no longer be checked against a new one.
func GenerateKey(path string) (ed25519.PublicKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate manifest key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("generate manifest key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("generate manifest key: %s: %w", path, recordings.ErrExists)
	}
	if err != nil {
		return nil, fmt.Errorf("generate manifest key: %w", err)
	}
	if err := pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("generate manifest key: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("generate manifest key: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("generate manifest key: %w", err)
	}
	return pub, nil
}

// LoadKey reads the private key at path. A key that others than its owner may
// read is refused: whoever can read it can sign a forged manifest.
func LoadKey(path string) (ed25519.PrivateKey, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("load manifest key: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("load manifest key: %s is readable by others (mode %v); chmod 600 it: %w", path, fi.Mode().Perm(), recordings.ErrRefused)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load manifest key: %w", err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("load manifest key: %s holds no PEM private key: %w", path, recordings.ErrInvalid)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("load manifest key: %w", err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("load manifest key: %s is not an Ed25519 key: %w", path, recordings.ErrInvalid)
	}
	return priv, nil
}

// PublicPEM is pub as a PEM "PUBLIC KEY" block, the form openssl reads.
func PublicPEM(pub ed25519.PublicKey) []byte {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		panic(err) // an ed25519.PublicKey always marshals
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// ParsePublicPEM reads a public key written by PublicPEM.
func ParsePublicPEM(b []byte) (ed25519.PublicKey, error) {
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PUBLIC KEY" {
		return nil, fmt.Errorf("read public key: no PEM public key: %w", recordings.ErrInvalid)
	}
	k, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("read public key: %w", err)
	}
	pub, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("read public key: not an Ed25519 key: %w", recordings.ErrInvalid)
	}
	return pub, nil
}

// Fingerprint names pub briefly, as ssh-keygen -l names keys: "SHA256:" and the
// unpadded base64 of the SHA-256 of the raw key.
func Fingerprint(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return "SHA256:" + base64.RawStdEncoding.EncodeToString(sum[:])
}
