package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/compress"
	"github.com/totalrec/totalrec/recordings/evidence"
	"github.com/totalrec/totalrec/recordings/spool"
)

// passOptions are the flags of the commands that run one of the daemon's passes
// by hand (compress, archive).
type passOptions struct {
	limit  int
	json   bool
	dryRun bool
}

// flags adds the pass's flags to cmd: verb and done name what the pass does to a
// recording ("convert", "converted, by format").
func (po *passOptions) flags(cmd *cobra.Command, verb, done string) {
	cmd.Flags().IntVar(&po.limit, "limit", 0, verb+" at most this many recordings (0: all)")
	cmd.Flags().BoolVar(&po.json, "json", false, "print the report as JSON")
	cmd.Flags().BoolVar(&po.dryRun, "dry-run", false, "list what would be "+done+" and change nothing")
}

func (po passOptions) check() error {
	if po.limit < 0 {
		return usagef("--limit %d: want 0 or more", po.limit)
	}
	return nil
}

// sealFinal seals what is final before a pass (only sealed recordings are
// converted or archived), showing its progress on bar, and returns how many
// recordings it sealed.
func sealFinal(ctx context.Context, a *app, tree *spool.Tree, bar *progress) (int, error) {
	h := &evidence.Hasher{Store: a.cat, Tree: tree, Node: a.cfg.Node, Log: a.log, Clock: time.Now,
		Progress: func(r evidence.HashReport) { bar.update("sealing: %d recordings", r.Sealed) }}
	hr, err := h.Pass(ctx, time.Now(), true)
	bar.done()
	return hr.Sealed, err
}

func newCompressCommand(opts *globalOptions) *cobra.Command {
	var co passOptions
	cmd := &cobra.Command{
		Use:   "compress",
		Short: "Compress finished recordings now (the daemon does it after each call)",
		Long: `compress converts finished recordings to the form the compress setting names
(opus, the default, or mp3) with the reference encoders (opus-tools, lame): what the
daemon does after each call, run by hand, for instance over the recordings made
before compression was turned on.

Each new file is decoded and checked (as long as the original to within 20 ms, no
second silent that was not) before the catalogue and the CDR are switched to it, and
the original is removed only after that; a held recording's original stays until its
holds end (compress_held = keep-original). A recording that fails the check is kept
as it is, with the reason recorded. Conversions a crash interrupted are finished or
undone first. Recordings are sealed (SHA-256) before they are converted, so that
verify can follow each from its original to its new form.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCompress(cmd.Context(), opts, co)
		},
	}
	co.flags(cmd, "convert", "converted, by format,")
	return cmd
}

// compressReport is what compress did.
type compressReport struct {
	Format string           `json:"format"`
	Sealed int              `json:"sealed"`
	Report compress.Report  `json:"report"`
	Failed []failedCompress `json:"failed"`
}

type failedCompress struct {
	ID     int64  `json:"id"`
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

func runCompress(ctx context.Context, opts *globalOptions, co passOptions) error {
	if err := co.check(); err != nil {
		return err
	}
	a, err := opts.openApp(ctx, true)
	if err != nil {
		return err
	}
	defer a.Close()
	tree, err := spool.OpenTree(a.cfg.Spool)
	if err != nil {
		return err
	}
	defer tree.Close()
	c, err := a.env().Compressor(tree)
	if err != nil {
		return fmt.Errorf("%w: %w", recordings.ErrRefused, err)
	}
	if co.dryRun {
		return compressDryRun(ctx, opts, a, c, co)
	}
	release, err := compress.Lock(a.cfg.DataDir)
	if err != nil {
		return err
	}
	defer release()

	rep := compressReport{Format: string(c.Codec.Format), Failed: []failedCompress{}}
	bar := newProgress(opts.stderr)
	if rep.Sealed, err = sealFinal(ctx, a, tree, bar); err != nil {
		return err
	}
	c.Log = a.log
	rep.Report, err = c.Pass(ctx, co.limit, func(r compress.Report) {
		bar.update("compressing: %d converted, %d failed, %s → %s", r.Converted, r.Failed, humanBytes(r.BytesBefore), humanBytes(r.BytesAfter))
	})
	bar.done()
	if err != nil {
		return err
	}
	open, err := a.cat.Conversions(ctx, a.cfg.Node, recordings.ConversionFailed)
	if err != nil {
		return err
	}
	for _, v := range open {
		rep.Failed = append(rep.Failed, failedCompress{ID: v.ID, Path: v.FromPath, Reason: v.Detail})
	}
	if co.json {
		if err := writeJSON(opts.stdout, rep); err != nil {
			return err
		}
	} else {
		printCompressReport(opts, rep)
	}
	if rep.Report.Failed > 0 {
		return partialError{failed: rep.Report.Failed}
	}
	return nil
}

// compressDryRun lists the sealed recordings a pass would convert, by format,
// without sealing or converting anything.
func compressDryRun(ctx context.Context, opts *globalOptions, a *app, c *compress.Compressor, co passOptions) error {
	type figures struct {
		Recordings int     `json:"recordings"`
		Bytes      int64   `json:"bytes"`
		Seconds    float64 `json:"audio_seconds"`
	}
	by := map[recordings.Format]*figures{}
	var total figures
	for after := int64(0); co.limit == 0 || total.Recordings < co.limit; {
		page, err := a.cat.Compressible(ctx, a.cfg.Node, after, 500)
		if err != nil {
			return err
		}
		for _, r := range page {
			if co.limit > 0 && total.Recordings >= co.limit {
				break
			}
			f := by[r.Format]
			if f == nil {
				f = &figures{}
				by[r.Format] = f
			}
			for _, g := range []*figures{f, &total} {
				g.Recordings++
				g.Bytes += r.Size
				g.Seconds += r.Duration.Seconds()
			}
			after = r.ID
		}
		if len(page) < 500 {
			break
		}
	}
	if co.json {
		return writeJSON(opts.stdout, map[string]any{"dry_run": true, "format": c.Codec.Format, "total": total, "formats": by})
	}
	fmt.Fprintf(opts.stdout, "dry run: %d recordings (%s, %.1f hours of audio) would be converted to %s; nothing was changed\n",
		total.Recordings, humanBytes(total.Bytes), total.Seconds/3600, c.Codec.Format)
	for _, f := range slices.Sorted(maps.Keys(by)) {
		fmt.Fprintf(opts.stdout, "  %-6s %6d recordings  %9s\n", f, by[f].Recordings, humanBytes(by[f].Bytes))
	}
	fmt.Fprintln(opts.stdout, "Recordings not sealed yet (the daemon seals each a few minutes after its call) are not counted.")
	return nil
}

func printCompressReport(opts *globalOptions, rep compressReport) {
	r := rep.Report
	ratio := ""
	if r.BytesBefore > 0 {
		ratio = fmt.Sprintf(" (%.1f%% of the originals)", 100*float64(r.BytesAfter)/float64(r.BytesBefore))
	}
	fmt.Fprintf(opts.stdout, "compressed %d recordings to %s: %s → %s%s\n", r.Converted, rep.Format,
		humanBytes(r.BytesBefore), humanBytes(r.BytesAfter), ratio)
	if r.Skipped > 0 {
		fmt.Fprintf(opts.stdout, "kept %d recordings as they are: their compressed form was no smaller (short calls)\n", r.Skipped)
	}
	if r.Recovered > 0 {
		fmt.Fprintf(opts.stdout, "finished %d conversions an earlier run left open\n", r.Recovered)
	}
	if rep.Sealed > 0 {
		fmt.Fprintf(opts.stdout, "sealed %d recordings first\n", rep.Sealed)
	}
	if len(rep.Failed) > 0 {
		fmt.Fprintf(opts.stdout, "%d recordings are kept as they are (they failed their conversion):\n", len(rep.Failed))
		for _, f := range rep.Failed {
			fmt.Fprintf(opts.stdout, "  %d  %s: %s\n", f.ID, f.Path, f.Reason)
		}
	}
}
