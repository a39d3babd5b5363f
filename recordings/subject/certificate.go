package subject

import (
	"context"
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
	"time"

	"github.com/totalrec/totalrec/recordings"
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

// SignPending signs every pending certificate that check vouches for with key,
// moves it to Signed, and returns the files signed. The pending directory is
// writable by FreePBX's user, which root's key must not sign for blindly: a
// certificate check refuses is renamed to NAME.refused, with the reason in
// refused, and never signed.
func (cs Certificates) SignPending(key ed25519.PrivateKey, check func(name string, c Certificate) error) (signed []string, refused []error, err error) {
	entries, err := os.ReadDir(cs.Pending)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("sign pending erasure certificates: %w", err)
	}
	var out []string
	for _, e := range entries {
		if !e.Type().IsRegular() || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		pending := filepath.Join(cs.Pending, e.Name())
		b, err := os.ReadFile(pending)
		if err != nil {
			return out, refused, fmt.Errorf("sign pending erasure certificates: %w", err)
		}
		var c Certificate
		cerr := json.Unmarshal(b, &c)
		if cerr == nil && c.Format != CertificateFormat {
			cerr = fmt.Errorf("not a %s", CertificateFormat)
		}
		if cerr == nil {
			cerr = check(e.Name(), c)
		}
		if cerr != nil {
			refused = append(refused, fmt.Errorf("erasure certificate %s not signed: %w", e.Name(), cerr))
			if err := os.Rename(pending, pending+".refused"); err != nil {
				return out, refused, fmt.Errorf("sign pending erasure certificates: %w", err)
			}
			continue
		}
		file, err := cs.sign(e.Name(), b, key)
		if err != nil {
			return out, refused, err
		}
		if err := os.Remove(pending); err != nil {
			return out, refused, fmt.Errorf("sign pending erasure certificates: %w", err)
		}
		out = append(out, file)
	}
	return out, refused, nil
}

// CheckStore is what vouching for a pending certificate needs of the catalogue.
type CheckStore interface {
	Get(ctx context.Context, id int64) (recordings.Recording, error)
	SealOf(ctx context.Context, id int64) (recordings.Seal, error)
	AuditLog(ctx context.Context, q recordings.AuditQuery) ([]recordings.AuditEntry, int64, error)
}

// auditSlack is how far from a certificate's issue time its audit entry may be.
const auditSlack = 10 * time.Minute

// CheckPending vouches for a pending certificate of node against the catalogue,
// so that a file dropped in the pending directory is not enough to get a false
// erasure signed: the erasure it certifies is in
// the audit trail (subject.erase by its author, naming the subject's hash and
// the certificate's file, near its issue time), every recording it says erased
// has lost its file and its party data and has the sealed hash it names, and
// every recording it says retained exists.
func CheckPending(ctx context.Context, store CheckStore, node, name string, c Certificate) error {
	if c.Node != node {
		return fmt.Errorf("it is node %q's, not %q's", c.Node, node)
	}
	issued, err := time.Parse(time.RFC3339, c.Issued)
	if err != nil {
		return fmt.Errorf("issued_at %q: %w", c.Issued, err)
	}
	if len(c.Subject) < 16 {
		return errors.New("no subject hash")
	}
	entries, _, err := store.AuditLog(ctx, recordings.AuditQuery{Action: "subject.erase", Who: strings.TrimPrefix(c.By, "web:"),
		Since: issued.Add(-auditSlack), Until: issued.Add(auditSlack), Limit: recordings.MaxLimit})
	if err != nil {
		return err
	}
	audited := false
	for _, e := range entries {
		if strings.Contains(e.Detail, "subject="+c.Subject[:16]) && strings.Contains(e.Detail, "certificate="+name) {
			audited = true
		}
	}
	if !audited {
		return fmt.Errorf("no subject.erase by %q in the audit trail names it", c.By)
	}
	for _, e := range c.Erased {
		r, err := store.Get(ctx, e.ID)
		if err != nil {
			return fmt.Errorf("erased recording %d: %w", e.ID, err)
		}
		if (r.State != recordings.StateDeleted && r.State != recordings.StateMissing) || r.Path != recordings.ErasedPath(e.ID) {
			return fmt.Errorf("recording %d is not erased (%s, %s)", e.ID, r.State, r.Path)
		}
		if e.SHA256 == "" {
			continue
		}
		if s, err := store.SealOf(ctx, e.ID); err != nil || s.SHA256 != e.SHA256 {
			return fmt.Errorf("recording %d: the certificate's SHA-256 is not its seal's", e.ID)
		}
	}
	for _, k := range c.Retained {
		if _, err := store.Get(ctx, k.ID); err != nil {
			return fmt.Errorf("retained recording %d: %w", k.ID, err)
		}
	}
	return nil
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
