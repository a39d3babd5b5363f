package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/archive"
	"github.com/totalrec/totalrec/recordings/daemon"
	"github.com/totalrec/totalrec/recordings/spool"
)

func newArchiveCommand(opts *globalOptions) *cobra.Command {
	var ao passOptions
	cmd := &cobra.Command{
		Use:   "archive",
		Short: "Move recordings older than archive_after to the S3 archive bucket now (the daemon does it on a timer)",
		Long: `archive moves the recordings whose files are older than archive_after (30d by
default) from the spool to the S3-compatible bucket that archive_endpoint and
archive_bucket name: what the daemon does on a timer, run by hand.

Each file is uploaded with its SHA-256 and its call's metadata, read back from the
bucket and checked, and only then does the catalogue name the object and the local
file go. A file whose hash is not the one sealed for it is not archived (verify
reports it). Moves a crash interrupted are finished first. Archived recordings play,
download and show their waveform as before, read from the bucket with ranged
requests; retention deletes them from the bucket.

  totalrec archive --dry-run        what would move, and nothing moves
  totalrec archive restore 123      bring recording 123 back to disk
  totalrec archive restore --day 2026-11-02
  totalrec archive status           how much is on disk and in the bucket`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runArchive(cmd.Context(), opts, ao)
		},
	}
	ao.flags(cmd, "archive", "archived")
	cmd.AddCommand(newArchiveRestoreCommand(opts), newArchiveStatusCommand(opts))
	return cmd
}

// archiveSetup is what the archive commands work with: the app, the spool and
// the bucket, checked.
type archiveSetup struct {
	a        *app
	tree     *spool.Tree
	archiver *archive.Archiver
}

func (s *archiveSetup) Close() {
	if s.tree != nil {
		s.tree.Close()
	}
	s.a.Close()
}

func setupArchive(ctx context.Context, opts *globalOptions) (*archiveSetup, error) {
	a, err := opts.openApp(ctx, false)
	if err != nil {
		return nil, err
	}
	s := &archiveSetup{a: a}
	bucket, err := a.env().Bucket(ctx)
	if errors.Is(err, daemon.ErrNoArchive) {
		s.Close()
		return nil, fmt.Errorf("%w: set archive_endpoint, archive_bucket, archive_access_key and archive_secret_key", recordings.ErrRefused)
	}
	if err == nil {
		err = bucket.Check(ctx)
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	if s.tree, err = spool.OpenTree(a.cfg.Spool); err != nil {
		s.Close()
		return nil, err
	}
	s.archiver = a.env().Archiver(s.tree, bucket)
	return s, nil
}

// archiveReport is what archive did.
type archiveReport struct {
	Bucket string         `json:"bucket"`
	Sealed int            `json:"sealed"`
	Report archive.Report `json:"report"`
}

func runArchive(ctx context.Context, opts *globalOptions, ao passOptions) error {
	if err := ao.check(); err != nil {
		return err
	}
	s, err := setupArchive(ctx, opts)
	if err != nil {
		return err
	}
	defer s.Close()
	a, ar := s.a, s.archiver
	if ao.dryRun {
		return archiveDryRun(ctx, opts, s, ao)
	}
	release, err := archive.Lock(a.cfg.DataDir)
	if err != nil {
		return err
	}
	defer release()
	rep := archiveReport{Bucket: ar.Bucket.String()}
	bar := newProgress(opts.stderr)
	if rep.Sealed, err = sealFinal(ctx, a, s.tree, bar); err != nil {
		return err
	}
	rep.Report, err = ar.Pass(ctx, ao.limit, func(r archive.Report) {
		bar.update("archiving: %d recordings, %s, %d failed", r.Archived, humanBytes(r.Bytes), r.Failed)
	})
	bar.done()
	if err != nil {
		return err
	}
	if ao.json {
		if err := writeJSON(opts.stdout, rep); err != nil {
			return err
		}
	} else {
		r := rep.Report
		fmt.Fprintf(opts.stdout, "archived %d recordings (%s) to %s\n", r.Archived, humanBytes(r.Bytes), rep.Bucket)
		if r.Recovered > 0 {
			fmt.Fprintf(opts.stdout, "finished %d moves an earlier run left open\n", r.Recovered)
		}
		if r.Changed > 0 {
			fmt.Fprintf(opts.stdout, "left %d recordings that changed, were claimed by retention or left the spool meanwhile\n", r.Changed)
		}
		if rep.Sealed > 0 {
			fmt.Fprintf(opts.stdout, "sealed %d recordings first\n", rep.Sealed)
		}
		if r.Failed > 0 {
			fmt.Fprintf(opts.stdout, "%d recordings stay on disk (they could not be archived):\n", r.Failed)
			for _, e := range r.Errors {
				fmt.Fprintf(opts.stdout, "  %s\n", e)
			}
		}
	}
	if rep.Report.Failed > 0 {
		return partialError{failed: rep.Report.Failed}
	}
	return nil
}

// archiveDryRun lists what a pass would archive, without sealing or moving anything.
func archiveDryRun(ctx context.Context, opts *globalOptions, s *archiveSetup, ao passOptions) error {
	ar := s.archiver
	now := time.Now()
	var total recordings.ArchiveCount
	for after := int64(0); ao.limit == 0 || total.Files < int64(ao.limit); {
		page, err := s.a.cat.Archivable(ctx, s.a.cfg.Node, now.Add(-ar.After), now, after, 500)
		if err != nil {
			return err
		}
		for _, c := range page {
			if ao.limit > 0 && total.Files >= int64(ao.limit) {
				break
			}
			total.Files++
			total.Bytes += c.Size
			after = c.ID
		}
		if len(page) < 500 {
			break
		}
	}
	if ao.json {
		return writeJSON(opts.stdout, map[string]any{"dry_run": true, "bucket": ar.Bucket.String(), "total": total})
	}
	fmt.Fprintf(opts.stdout, "dry run: %d recordings (%s) older than %s would move to %s; nothing was changed\n",
		total.Files, humanBytes(total.Bytes), formatDays(ar.After), ar.Bucket.String())
	fmt.Fprintln(opts.stdout, "Recordings not sealed yet (the daemon seals each a few minutes after its call) are not counted.")
	return nil
}

func newArchiveRestoreCommand(opts *globalOptions) *cobra.Command {
	var day string
	cmd := &cobra.Command{
		Use:   "restore [ID...] [--day YYYY-MM-DD]",
		Short: "Bring archived recordings back to disk",
		Long: `restore copies archived recordings back into the spool, checks each against the
SHA-256 it was archived with, gives it back its modification time, and then removes
its object from the bucket. A restored recording stays on disk for
archive_keep_restored (30d by default) before it may be archived again.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runArchiveRestore(cmd.Context(), opts, args, day)
		},
	}
	cmd.Flags().StringVar(&day, "day", "", "restore every archived recording of this day directory (YYYY-MM-DD)")
	return cmd
}

func runArchiveRestore(ctx context.Context, opts *globalOptions, args []string, day string) error {
	if (len(args) == 0) == (day == "") {
		return usagef("give recording IDs or --day, not both")
	}
	var dir string
	if day != "" {
		t, err := time.Parse(time.DateOnly, day)
		if err != nil {
			return usagef("--day %q: want YYYY-MM-DD", day)
		}
		dir = t.Format("2006/01/02")
	}
	ids := make([]int64, 0, len(args))
	for _, arg := range args {
		id, err := strconv.ParseInt(arg, 10, 64)
		if err != nil || id <= 0 {
			return usagef("%q is not a recording ID", arg)
		}
		ids = append(ids, id)
	}
	s, err := setupArchive(ctx, opts)
	if err != nil {
		return err
	}
	defer s.Close()
	release, err := archive.Lock(s.a.cfg.DataDir)
	if err != nil {
		return err
	}
	defer release()
	var recs []recordings.Recording
	if dir != "" {
		if recs, err = s.a.cat.ArchivedIn(ctx, s.a.cfg.Node, dir); err != nil {
			return err
		}
	}
	for _, id := range ids {
		rec, err := s.a.cat.Get(ctx, id)
		if err != nil {
			return err
		}
		recs = append(recs, rec)
	}
	var rep archive.Report
	if err := s.archiver.Recover(ctx, &rep); err != nil {
		return err
	}
	bar := newProgress(opts.stderr)
	var restored, failed int
	var bytes int64
	for _, rec := range recs {
		if rec.Storage != recordings.StorageS3 {
			// Never archived, or restored already (perhaps by a run that was cut
			// short, which Recover above finished).
			fmt.Fprintf(opts.stdout, "  %d  %s: on disk already\n", rec.ID, rec.Path)
			continue
		}
		if err := s.archiver.Restore(ctx, rec); err != nil {
			bar.done()
			fmt.Fprintf(opts.stdout, "  %d  %s: %v\n", rec.ID, rec.Path, err)
			failed++
			continue
		}
		restored++
		bytes += rec.Size
		bar.update("restoring: %d of %d recordings, %s", restored, len(recs), humanBytes(bytes))
	}
	bar.done()
	fmt.Fprintf(opts.stdout, "restored %d recordings (%s) to the spool; %d failed\n", restored, humanBytes(bytes), failed)
	if failed > 0 {
		return partialError{failed: failed}
	}
	return nil
}

func newArchiveStatusCommand(opts *globalOptions) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status",
		Short: "How many recordings are on disk and how many in the archive bucket",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			a, err := opts.openApp(ctx, false)
			if err != nil {
				return err
			}
			defer a.Close()
			local, archived, err := a.cat.ArchiveFigures(ctx, a.cfg.Node)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(opts.stdout, map[string]any{"local": local, "archived": archived,
					"archive_enabled": a.cfg.Archive.Enabled()})
			}
			fmt.Fprintf(opts.stdout, "on disk:   %d recordings, %s\n", local.Files, humanBytes(local.Bytes))
			fmt.Fprintf(opts.stdout, "archived:  %d recordings, %s\n", archived.Files, humanBytes(archived.Bytes))
			if !a.cfg.Archive.Enabled() {
				fmt.Fprintln(opts.stdout, "no archive tier is configured (archive_endpoint is empty)")
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// formatDays writes a duration of whole days as "30d".
func formatDays(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	}
	return d.String()
}
