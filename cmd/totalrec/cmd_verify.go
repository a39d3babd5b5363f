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
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/archive/s3"
	"github.com/totalrec/totalrec/recordings/evidence"
	"github.com/totalrec/totalrec/recordings/spool"
)

type verifyOptions struct {
	day, since string
	pubkey     bool
	key        string
	bundle     string
	json       bool
}

func newVerifyCommand(opts *globalOptions) *cobra.Command {
	var vo verifyOptions
	cmd := &cobra.Command{
		Use:   "verify [ID]",
		Short: "Check the recordings against their signed manifests, and export evidence bundles",
		Long: `verify recomputes the SHA-256 of every recording the manifests list and checks
each manifest's checksum, signature and link to the previous day. It reports every
recording altered or missing (gone without a recorded deletion), every recording
no manifest lists though one should, and every manifest missing, altered or
wrongly signed, and exits 1 when it finds any.

With an ID it checks that recording and its day's manifest; with --bundle it then
writes the recording's chain-of-custody bundle, a ZIP that anyone can check with
sha256sum and openssl (its VERIFY.txt says how).

The public key comes from --key, else from the manifest directory; --pubkey prints
it. Check it against a copy kept away from this machine: whoever controls the
machine controls the key file beside the manifests.`,
		Example: `  totalrec verify                      # every day, every recording
  totalrec verify --since 2026-11-01
  totalrec verify 1234 --bundle call-1234.zip
  totalrec verify --pubkey`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runVerify(cmd.Context(), opts, vo, args)
		},
	}
	cmd.Flags().StringVar(&vo.day, "day", "", "check the manifest of this UTC day (2026-11-30) and the recordings it lists")
	cmd.Flags().StringVar(&vo.since, "since", "", "check every day from this one on")
	cmd.Flags().BoolVar(&vo.pubkey, "pubkey", false, "print the public key that checks the manifests, and stop")
	cmd.Flags().StringVar(&vo.key, "key", "", "the public key (PEM) to check with, e.g. a copy kept off this machine")
	cmd.Flags().StringVar(&vo.bundle, "bundle", "", "with ID: write its chain-of-custody bundle (ZIP) to this file")
	cmd.Flags().BoolVar(&vo.json, "json", false, "print the report as JSON")
	return cmd
}

func runVerify(ctx context.Context, opts *globalOptions, vo verifyOptions, args []string) error {
	sel, err := vo.selection(args)
	if err != nil {
		return err
	}
	if vo.pubkey {
		l, err := opts.loadConfig()
		if err != nil {
			return err
		}
		pub, err := publicKey(vo.key, evidence.Dir(l.Config.DataDir, l.Config.Node), l.Config.ManifestKeyPath())
		if err != nil {
			return err
		}
		fmt.Fprintf(opts.stdout, "%sfingerprint %s\n", evidence.PublicPEM(pub), evidence.Fingerprint(pub))
		return nil
	}
	a, err := opts.openApp(ctx, false)
	if err != nil {
		return err
	}
	defer a.Close()
	dir := evidence.Dir(a.cfg.DataDir, a.cfg.Node)
	pub, err := publicKey(vo.key, dir, a.cfg.ManifestKeyPath())
	if err != nil {
		return err
	}
	tree, err := spool.OpenTree(a.cfg.Spool)
	if err != nil {
		return err
	}
	defer tree.Close()
	bar := newProgress(opts.stderr)
	v := &evidence.Verifier{Store: a.cat, Tree: tree, Dir: dir, Node: a.cfg.Node, Pub: pub,
		Progress: func(r evidence.Report) {
			bar.update("verifying: %d recordings read, %d problems", r.Recordings, len(r.Problems))
		}}
	if err := a.env().WithBucket(ctx, func(b *s3.Bucket) { v.Objects = b }); err != nil {
		return err
	}
	rep, err := v.Verify(ctx, sel)
	bar.done()
	if errors.Is(err, evidence.ErrNotListed) {
		return fmt.Errorf("%w: a recording is listed by the manifest of the day it was sealed, written after that UTC day ends (totalrec seal)", err)
	}
	if err != nil {
		return err
	}
	if vo.json {
		if rep.Problems == nil {
			rep.Problems = []evidence.Problem{}
		}
		if err := writeJSON(opts.stdout, rep); err != nil {
			return err
		}
	} else {
		printVerifyReport(opts.stdout, rep, evidence.Fingerprint(pub))
	}
	if len(rep.Problems) > 0 {
		if vo.bundle != "" {
			fmt.Fprintln(opts.stderr, "no bundle written: the recording does not verify")
		}
		return problemsError{n: len(rep.Problems), what: "problem found"}
	}
	if vo.bundle != "" {
		if rep.Recordings != 1 {
			return fmt.Errorf("write bundle: recording %d's audio is deleted (its deletion is in the manifests): %w", sel.ID, recordings.ErrGone)
		}
		return writeBundle(ctx, opts, a, v, sel.ID, vo.bundle)
	}
	return nil
}

func (vo verifyOptions) selection(args []string) (evidence.Selection, error) {
	var sel evidence.Selection
	for _, d := range []struct{ flag, v string }{{"--day", vo.day}, {"--since", vo.since}} {
		if _, err := time.Parse("2006-01-02", d.v); d.v != "" && err != nil {
			return sel, usagef("%s: %q is not a day (2026-11-30)", d.flag, d.v)
		}
	}
	sel.Day, sel.Since = vo.day, vo.since
	given := 0
	for _, set := range []bool{vo.day != "", vo.since != "", len(args) == 1} {
		if set {
			given++
		}
	}
	if given > 1 {
		return sel, usagef("give one of ID, --day and --since")
	}
	if len(args) == 1 {
		id, err := strconv.ParseInt(args[0], 10, 64)
		if err != nil || id <= 0 {
			return sel, usagef("%q is not a recording ID", args[0])
		}
		sel.ID = id
	}
	if vo.bundle != "" && sel.ID == 0 {
		return sel, usagef("--bundle needs a recording ID")
	}
	return sel, nil
}

// publicKey reads the key to check with: --key, else the manifest directory's
// copy, else the private key's public half when this user may read it.
func publicKey(file, dir, private string) (ed25519.PublicKey, error) {
	if file == "" {
		file = filepath.Join(dir, evidence.PublicKeyFile)
		if _, err := os.Stat(file); errors.Is(err, fs.ErrNotExist) {
			if k, err := evidence.LoadKey(private); err == nil {
				return k.Public().(ed25519.PublicKey), nil
			}
			return nil, fmt.Errorf("no public key at %s: nothing is sealed yet (totalrec seal --init makes the key): %w", file, recordings.ErrNotFound)
		}
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read the public key: %w", err)
	}
	return evidence.ParsePublicPEM(b)
}

// writeBundle writes recording id's bundle to path, never over an existing
// file, and audits the export.
func writeBundle(ctx context.Context, opts *globalOptions, a *app, v *evidence.Verifier, id int64, path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("write bundle: %s exists; it is not replaced: %w", path, recordings.ErrRefused)
	}
	if err != nil {
		return fmt.Errorf("write bundle: %w", err)
	}
	if err := v.Bundle(ctx, f, id, time.Now()); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return fmt.Errorf("write bundle: %w", err)
	}
	if err := a.cat.Audit(ctx, recordings.AuditEntry{Who: opts.operator(), Addr: "local", Action: "evidence.export",
		RecordingID: id, Detail: path}); err != nil {
		return err
	}
	fmt.Fprintf(opts.stdout, "wrote %s: recording %d's chain-of-custody bundle (VERIFY.txt inside says how to check it)\n", path, id)
	return nil
}

func printVerifyReport(w io.Writer, rep evidence.Report, fingerprint string) {
	if len(rep.Problems) > 0 {
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "PROBLEM\tDAY\tID\tPATH\tDETAIL")
		for _, p := range rep.Problems {
			id := "-"
			if p.ID != 0 {
				id = strconv.FormatInt(p.ID, 10)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", p.Kind, dash(p.Day), id, dash(p.Path), p.Detail)
		}
		tw.Flush()
	}
	verdict := "no problems"
	if n := len(rep.Problems); n > 0 {
		verdict = fmt.Sprintf("%d problems", n)
	}
	fmt.Fprintf(w, "checked %d manifests (key %s) and %d recordings; %d deleted as recorded; %s\n",
		rep.Days, fingerprint, rep.Recordings, rep.Deleted, verdict)
}
