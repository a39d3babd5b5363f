package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/archive/s3"
	"github.com/totalrec/totalrec/recordings/catalog"
	"github.com/totalrec/totalrec/recordings/evidence"
	"github.com/totalrec/totalrec/recordings/retention"
	"github.com/totalrec/totalrec/recordings/spool"
	"github.com/totalrec/totalrec/recordings/subject"
)

type subjectOptions struct {
	json  bool
	out   string
	apply bool
	cdr   bool
}

func newSubjectCommand(opts *globalOptions) *cobra.Command {
	var so subjectOptions
	cmd := &cobra.Command{
		Use:   "subject",
		Short: "A data subject's requests about one phone number: find, export, erase",
		Long: `subject answers the requests of the person behind a phone number (GDPR
articles 15 and 17). NUMBER is matched on its last digits (at least 9; a full
number with its country or trunk prefix is matched on its last 10), in every
number of a call the catalogue and the CDR table hold.

find lists every recording and CDR row the number took part in; export writes
them, audio included, to one ZIP; erase deletes the recordings' audio, empties
what the catalogue says about their calls' parties and, with --cdr, the number
in the CDR table, and signs a certificate of what it removed with the manifest
key. erase is a dry run unless --apply. A recording on legal hold, or still being
recorded, is kept and listed as retained, with the reason.`,
		Args: cobra.NoArgs,
	}
	find := &cobra.Command{
		Use:     "find NUMBER",
		Short:   "List every recording and CDR row of a number",
		Example: `  totalrec subject find +7 916 123-45-67`,
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSubjectFind(cmd.Context(), opts, so, strings.Join(args, ""))
		},
	}
	find.Flags().BoolVar(&so.json, "json", false, "print JSON")
	export := &cobra.Command{
		Use:     "export NUMBER --out FILE.zip",
		Short:   "Write every recording and CDR row of a number to one ZIP",
		Example: `  totalrec subject export 89161234567 --out subject-request-17.zip`,
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSubjectExport(cmd.Context(), opts, so, strings.Join(args, ""))
		},
	}
	export.Flags().StringVar(&so.out, "out", "", "the ZIP to write (required; never replaced)")
	erase := &cobra.Command{
		Use:   "erase NUMBER [--apply] [--cdr]",
		Short: "Erase a number's recordings and data (a dry run unless --apply)",
		Example: `  totalrec subject erase 89161234567            # what would be erased, and kept
  sudo totalrec subject erase 89161234567 --apply --cdr`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSubjectErase(cmd.Context(), opts, so, strings.Join(args, ""))
		},
	}
	erase.Flags().BoolVar(&so.apply, "apply", false, "erase (without it, only show what would be erased)")
	erase.Flags().BoolVar(&so.cdr, "cdr", false, "also empty the number in the CDR table (asteriskcdrdb.cdr)")
	erase.Flags().BoolVar(&so.json, "json", false, "print JSON")
	cmd.AddCommand(find, export, erase)
	return cmd
}

// subjectRun is what a subject's request works with.
type subjectRun struct {
	a    *app
	tree *spool.Tree
	s    *subject.Subject
}

// openSubject opens what a subject's request needs, and finds number.
func openSubject(ctx context.Context, opts *globalOptions, number string) (*subjectRun, subject.Found, error) {
	a, err := opts.openApp(ctx, true)
	if err != nil {
		return nil, subject.Found{}, err
	}
	tree, err := spool.OpenTree(a.cfg.Spool)
	if err != nil {
		a.Close()
		return nil, subject.Found{}, err
	}
	r := &subjectRun{a: a, tree: tree, s: &subject.Subject{Store: a.cat, Tree: tree, Node: a.cfg.Node, Suffix: catalog.NumberSuffix, Events: a.env().WebhookEvents()}}
	if a.cdr != nil {
		r.s.CDR = a.cdr
	}
	if err := a.env().WithBucket(ctx, func(b *s3.Bucket) { r.s.Objects = b }); err != nil {
		r.Close()
		return nil, subject.Found{}, err
	}
	f, err := r.s.Find(ctx, number)
	if err != nil {
		r.Close()
		return nil, f, subjectError(err)
	}
	return r, f, nil
}

func (r *subjectRun) Close() {
	r.tree.Close()
	r.a.Close()
}

// subjectFound is what find prints as JSON.
type subjectFound struct {
	subject.Found
	Recordings []recordings.RecordingJSON `json:"recordings"`
	CDR        []recordings.CDR           `json:"cdr_rows"`
}

func runSubjectFind(ctx context.Context, opts *globalOptions, so subjectOptions, number string) error {
	run, f, err := openSubject(ctx, opts, number)
	if err != nil {
		return err
	}
	defer run.Close()
	if so.json {
		out := subjectFound{Found: f, Recordings: []recordings.RecordingJSON{}, CDR: nonNil(f.CDR)}
		out.Retained = nonNil(out.Retained)
		for _, r := range f.Recordings {
			out.Recordings = append(out.Recordings, recordings.NewRecordingJSON(r, run.a.loc))
		}
		return writeJSON(opts.stdout, out)
	}
	printSubject(opts.stdout, f, run.a.loc)
	return nil
}

func runSubjectExport(ctx context.Context, opts *globalOptions, so subjectOptions, number string) error {
	if so.out == "" {
		return usagef("export: --out FILE.zip is required")
	}
	run, f, err := openSubject(ctx, opts, number)
	if err != nil {
		return err
	}
	defer run.Close()
	a, s := run.a, run.s
	out, err := os.OpenFile(so.out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("export: %s exists; it is not replaced: %w", so.out, recordings.ErrRefused)
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := s.Export(ctx, out, number, f, a.loc, time.Now()); err != nil {
		out.Close()
		os.Remove(so.out)
		return err
	}
	if err := out.Close(); err != nil {
		os.Remove(so.out)
		return fmt.Errorf("export: %w", err)
	}
	if err := opts.auditCLI(ctx, a, "subject.export", subject.AuditDetail(f, len(f.Recordings), len(f.CDR))); err != nil {
		return err
	}
	fmt.Fprintf(opts.stdout, "wrote %s: %d recordings and %d CDR rows of the number ending %s\n", so.out, len(f.Recordings), len(f.CDR), f.Digits)
	return nil
}

func runSubjectErase(ctx context.Context, opts *globalOptions, so subjectOptions, number string) error {
	run, f, err := openSubject(ctx, opts, number)
	if err != nil {
		return err
	}
	defer run.Close()
	a, s := run.a, run.s
	if so.cdr && a.cdr == nil {
		return usagef("erase: --cdr, but no CDR database is configured (cdr_db)")
	}
	if !so.apply {
		if so.json {
			return writeJSON(opts.stdout, map[string]any{"dry_run": true, "digits": f.Digits,
				"recordings": len(f.Recordings) - len(f.Retained), "retained": nonNil(f.Retained), "cdr_rows": len(f.CDR), "cdr": so.cdr})
		}
		printSubject(opts.stdout, f, a.loc)
		cdr := "the CDR table is left alone (--cdr empties the number there)"
		if so.cdr {
			cdr = fmt.Sprintf("%d CDR rows would have the number emptied", len(f.CDR))
		}
		fmt.Fprintf(opts.stdout, "dry run: %d recordings would be erased, %d kept; %s. Nothing was changed: --apply erases.\n",
			len(f.Recordings)-len(f.Retained), len(f.Retained), cdr)
		return nil
	}
	// The certificate is signed, so the key is read before anything is erased.
	key, err := evidence.LoadKey(a.cfg.ManifestKeyPath())
	if err != nil {
		return fmt.Errorf("erase: the certificate is signed with the manifest key (run as root, or totalrec seal --init first): %w", err)
	}
	release, err := retention.Lock(a.cfg.DataDir)
	if err != nil {
		return fmt.Errorf("erase: %w", err)
	}
	defer release()
	// Found again under the lock: the erasure removes what is there now.
	if f, err = s.Find(ctx, number); err != nil {
		return subjectError(err)
	}
	cert, err := s.Erase(ctx, f, opts.operator(), a.cfg.Node, so.cdr, time.Now())
	if err != nil {
		return err
	}
	file, err := subject.CertificatesIn(a.cfg.DataDir, evidence.Dir(a.cfg.DataDir, a.cfg.Node)).Write(cert, key)
	if err != nil {
		return err
	}
	if err := opts.auditCLI(ctx, a, "subject.erase", subject.AuditDetail(f, len(cert.Erased), int(cert.CDRRows))+
		fmt.Sprintf(" retained=%d failed=%d certificate=%s", len(cert.Retained), len(cert.Failed), filepath.Base(file))); err != nil {
		return err
	}
	if so.json {
		if err := writeJSON(opts.stdout, map[string]any{"certificate": cert, "file": file}); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(opts.stdout, "erased %d recordings of the number ending %s; kept %d", len(cert.Erased), f.Digits, len(cert.Retained))
		for _, r := range cert.Retained {
			fmt.Fprintf(opts.stdout, "\n  kept %d: %s", r.ID, r.Reason)
		}
		if !cert.CDRKept {
			fmt.Fprintf(opts.stdout, "\nemptied the number in %d CDR rows", cert.CDRRows)
		}
		fmt.Fprintf(opts.stdout, "\nsigned certificate: %s (signature %s.sig)\n", file, file)
	}
	if len(cert.Failed) > 0 {
		for _, e := range cert.Failed {
			fmt.Fprintf(opts.stderr, "recording %d: %s\n", e.ID, e.Error)
		}
		return partialError{failed: len(cert.Failed)}
	}
	return nil
}

// subjectError makes a number too short a usage error.
func subjectError(err error) error {
	if errors.Is(err, subject.ErrTooShort) || errors.Is(err, recordings.ErrInvalid) {
		return usagef("%v", err)
	}
	return err
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
