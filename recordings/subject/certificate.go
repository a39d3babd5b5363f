package subject

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Certificates are written where the signing key is readable: signed into
// Signed (the manifest directory's erasures/), with the signature beside as
// .sig. The daemon, which runs as FreePBX's user, cannot read root's key: an
// erasure from the web interface leaves its certificate in Pending, and the next
// `totalrec seal` (root) signs it and moves it to Signed.
type Certificates struct {
	Signed  string
	Pending string
}

// Write stores cert, signed with key when there is one, pending otherwise, and
// returns its file.
func (cs Certificates) Write(cert Certificate, key ed25519.PrivateKey) (string, error) {
	b, err := json.MarshalIndent(cert, "", "  ")
	if err != nil {
		return "", fmt.Errorf("write the erasure certificate: %w", err)
	}
	b = append(b, '\n')
	// The time, the subject and a random tail: two erasures in one second never
	// share a file.
	tail := make([]byte, 4)
	rand.Read(tail)
	name := strings.ReplaceAll(cert.Issued, ":", "") + "-" + cert.Subject[:12] + "-" + hex.EncodeToString(tail) + ".json"
	if key == nil {
		if err := os.MkdirAll(cs.Pending, 0o750); err != nil {
			return "", fmt.Errorf("write the erasure certificate: %w", err)
		}
		file := filepath.Join(cs.Pending, name)
		if err := os.WriteFile(file, b, 0o640); err != nil {
			return "", fmt.Errorf("write the erasure certificate: %w", err)
		}
		return file, nil
	}
	return cs.sign(name, b, key)
}

func (cs Certificates) sign(name string, b []byte, key ed25519.PrivateKey) (string, error) {
	if err := os.MkdirAll(cs.Signed, 0o755); err != nil {
		return "", fmt.Errorf("sign the erasure certificate: %w", err)
	}
	file := filepath.Join(cs.Signed, name)
	for _, f := range []struct {
		path string
		data []byte
	}{{file, b}, {file + ".sig", ed25519.Sign(key, b)}} {
		if err := os.WriteFile(f.path, f.data, 0o644); err != nil {
			return "", fmt.Errorf("sign the erasure certificate: %w", err)
		}
	}
	return file, nil
}

// SignPending signs every pending certificate with key, moves it to Signed, and
// returns the files signed.
func (cs Certificates) SignPending(key ed25519.PrivateKey) ([]string, error) {
	entries, err := os.ReadDir(cs.Pending)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sign pending erasure certificates: %w", err)
	}
	var out []string
	for _, e := range entries {
		if !e.Type().IsRegular() || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		pending := filepath.Join(cs.Pending, e.Name())
		b, err := os.ReadFile(pending)
		if err != nil {
			return out, fmt.Errorf("sign pending erasure certificates: %w", err)
		}
		var c Certificate
		if err := json.Unmarshal(b, &c); err != nil || c.Format != CertificateFormat {
			return out, fmt.Errorf("sign pending erasure certificates: %s is not one", pending)
		}
		file, err := cs.sign(e.Name(), b, key)
		if err != nil {
			return out, err
		}
		if err := os.Remove(pending); err != nil {
			return out, fmt.Errorf("sign pending erasure certificates: %w", err)
		}
		out = append(out, file)
	}
	return out, nil
}

// CertificatesIn is where a node's certificates go under the data directory,
// beside its manifest directory evidenceDir.
func CertificatesIn(dataDir, evidenceDir string) Certificates {
	return Certificates{Signed: filepath.Join(evidenceDir, "erasures"), Pending: filepath.Join(dataDir, "erasures-pending")}
}

// AuditDetail describes a request for the audit trail without the number: the
// first 16 hex digits of DigitsHash, and what the request touched.
func AuditDetail(f Found, recs, cdrRows int) string {
	return fmt.Sprintf("subject=%s recordings=%d cdr_rows=%d", DigitsHash(f.Digits)[:16], recs, cdrRows)
}
