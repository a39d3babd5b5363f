package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/evidence"
	"github.com/totalrec/totalrec/recordings/spool"
	"github.com/totalrec/totalrec/recordings/subject"
)

type sealOptions struct {
	init bool
	json bool
	now  string
}

func newSealCommand(opts *globalOptions) *cobra.Command {
	var so sealOptions
	cmd := &cobra.Command{
		Use:   "seal",
		Short: "Seal finished recordings and write the signed manifest of every day that has ended",
		Long: `seal makes recordings tamper-evident. It hashes (SHA-256) every finished
recording the daemon has not sealed yet, then writes the manifest of each UTC day
that has ended since the last one: every recording sealed and every sealed
recording deleted that day, chained to the previous day's manifest and signed with
the Ed25519 manifest key (manifest_key; default manifest.key in the data
directory). The nightly job runs it as root, the only user who may read the key.

--init makes the key when there is none and prints its public half, which is what
anyone checking the manifests needs (totalrec verify --pubkey prints it later).
A key that is gone while manifests signed with it exist is never replaced
silently: restore it from a backup.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runSeal(cmd.Context(), opts, so)
		},
	}
	cmd.Flags().BoolVar(&so.init, "init", false, "make the manifest key if there is none, print its public key, and stop")
	cmd.Flags().BoolVar(&so.json, "json", false, "print the report as JSON")
	cmd.Flags().StringVar(&so.now, "now", "", "seal as if it were this RFC 3339 time (tests)")
	cmd.Flags().MarkHidden("now")
	return cmd
}

// sealReport is what seal did.
type sealReport struct {
	Hashed      evidence.HashReport   `json:"hashed"`
	Manifests   []recordings.Manifest `json:"manifests"`
	Fingerprint string                `json:"key_fingerprint"`
	// Certificates are the erasure certificates the web interface left for the
	// key's owner, signed now.
	Certificates []string `json:"certificates_signed,omitempty"`
	// Refused are the pending certificates the catalogue and the audit trail do
	// not bear out: never signed, and renamed NAME.refused.
	Refused []string `json:"certificates_refused,omitempty"`
	NewKey  bool     `json:"new_key,omitempty"`
}

func runSeal(ctx context.Context, opts *globalOptions, so sealOptions) error {
	now, err := parseNow(so.now)
	if err != nil {
		return err
	}
	if so.init {
		l, err := opts.loadConfig()
		if err != nil {
			return err
		}
		pub, made, err := initManifestKey(l.Config.ManifestKeyPath())
		if err != nil {
			return err
		}
		if err := writePublicKey(evidence.Dir(l.Config.DataDir, l.Config.Node), pub); err != nil {
			return err
		}
		if made {
			fmt.Fprintf(opts.stderr, "made the manifest key %s\n", l.Config.ManifestKeyPath())
		}
		fmt.Fprintf(opts.stdout, "%sfingerprint %s\n", evidence.PublicPEM(pub), evidence.Fingerprint(pub))
		return nil
	}
	a, err := opts.openApp(ctx, false)
	if err != nil {
		return err
	}
	defer a.Close()
	tree, err := spool.OpenTree(a.cfg.Spool)
	if err != nil {
		return err
	}
	defer tree.Close()
	var rep sealReport
	key, err := evidence.LoadKey(a.cfg.ManifestKeyPath())
	if errors.Is(err, fs.ErrNotExist) {
		key, err = firstManifestKey(ctx, a, a.cfg.ManifestKeyPath())
		rep.NewKey = err == nil
	}
	if err != nil {
		return err
	}
	pub := key.Public().(ed25519.PublicKey)
	rep.Fingerprint = evidence.Fingerprint(pub)

	bar := newProgress(opts.stderr)
	h := &evidence.Hasher{Store: a.cat, Tree: tree, Node: a.cfg.Node, Log: a.log,
		Progress: func(r evidence.HashReport) {
			bar.update("sealing: %d recordings, %s hashed", r.Sealed, humanBytes(r.Bytes))
		}}
	if so.now == "" {
		h.Clock = time.Now
	}
	rep.Hashed, err = h.Pass(ctx, now, true)
	bar.done()
	if err != nil {
		return err
	}
	s := &evidence.Sealer{Store: a.cat, Dir: evidence.Dir(a.cfg.DataDir, a.cfg.Node), Node: a.cfg.Node, Key: key}
	rep.Manifests, err = s.SealDue(ctx, now)
	if err != nil {
		return err
	}
	check := func(name string, c subject.Certificate) error {
		return subject.CheckPending(ctx, a.cat, a.cfg.Node, name, c)
	}
	var refused []error
	if rep.Certificates, refused, err = subject.CertificatesIn(a.cfg.DataDir, s.Dir).SignPending(key, check); err != nil {
		return err
	}
	for _, r := range refused {
		rep.Refused = append(rep.Refused, r.Error())
	}
	if so.json {
		if err := writeJSON(opts.stdout, rep); err != nil {
			return err
		}
	} else {
		printSealReport(opts.stdout, rep, s.Dir)
	}
	for _, r := range rep.Refused {
		fmt.Fprintf(opts.stderr, "%s (left as .refused)\n", r)
	}
	if rep.Hashed.Unreadable > 0 {
		fmt.Fprintf(opts.stderr, "%d recordings could not be read (see the log); they are tried again next time\n", rep.Hashed.Unreadable)
	}
	if n := rep.Hashed.Unreadable + len(rep.Refused); n > 0 {
		return partialError{failed: n}
	}
	return nil
}

// firstManifestKey makes the key when no manifest exists yet. Once manifests
// exist, a missing key is a lost key: a new one would sign a chain nobody can
// tell from a forgery, so it is refused.
func firstManifestKey(ctx context.Context, a *app, path string) (ed25519.PrivateKey, error) {
	ms, err := a.cat.Manifests(ctx, a.cfg.Node)
	if err != nil {
		return nil, err
	}
	if len(ms) > 0 {
		return nil, fmt.Errorf("the manifest key %s is gone, and %d manifests signed with it exist: restore it from a backup (a new key would break the chain): %w",
			path, len(ms), recordings.ErrRefused)
	}
	if _, _, err := initManifestKey(path); err != nil {
		return nil, err
	}
	return evidence.LoadKey(path)
}

// initManifestKey makes the key at path unless there is one, and returns its
// public half and whether it is new.
func initManifestKey(path string) (ed25519.PublicKey, bool, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, false, fmt.Errorf("make the manifest key: %w", err)
	}
	pub, err := evidence.GenerateKey(path)
	if err == nil {
		return pub, true, nil
	}
	if !errors.Is(err, recordings.ErrExists) {
		return nil, false, err
	}
	key, err := evidence.LoadKey(path)
	if err != nil {
		return nil, false, err
	}
	return key.Public().(ed25519.PublicKey), false, nil
}

// writePublicKey puts the public key where verify and the web interface read it.
func writePublicKey(dir string, pub ed25519.PublicKey) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write the public key: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, evidence.PublicKeyFile), evidence.PublicPEM(pub), 0o644); err != nil {
		return fmt.Errorf("write the public key: %w", err)
	}
	return nil
}

func printSealReport(w io.Writer, rep sealReport, dir string) {
	if rep.NewKey {
		fmt.Fprintf(w, "made a new manifest key, %s: publish its public key (totalrec verify --pubkey)\n", rep.Fingerprint)
	}
	fmt.Fprintf(w, "sealed %d recordings (%s hashed); %d not finished yet\n", rep.Hashed.Sealed, humanBytes(rep.Hashed.Bytes), rep.Hashed.Waiting)
	for _, c := range rep.Certificates {
		fmt.Fprintf(w, "signed the erasure certificate %s\n", c)
	}
	if len(rep.Manifests) == 0 {
		fmt.Fprintln(w, "no day is due for a manifest")
		return
	}
	for _, m := range rep.Manifests {
		fmt.Fprintf(w, "manifest %s: %d sealed, %d deleted, sha256 %s\n", m.Day, m.Sealed, m.Deleted, m.SHA256)
	}
	fmt.Fprintf(w, "manifests in %s, signed by %s\n", dir, rep.Fingerprint)
}

// parseNow reads a hidden --now flag: the present, or the time it names.
func parseNow(s string) (time.Time, error) {
	if s == "" {
		return time.Now(), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t, usagef("--now: %q is not an RFC 3339 time", s)
	}
	return t, nil
}
