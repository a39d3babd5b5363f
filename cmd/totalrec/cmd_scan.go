package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/totalrec/totalrec/recordings/daemon"
)

type scanOptions struct {
	full     bool
	json     bool
	noCDR    bool
	oddities int
}

func newScanCommand(opts *globalOptions) *cobra.Command {
	var so scanOptions
	cmd := &cobra.Command{
		Use:   "scan",
		Short: "Bring the catalogue in line with the spool, then link new recordings to their CDR rows",
		Long: `scan walks the spool, catalogues new and changed recordings, marks those whose
file is gone as missing, and links recordings to their CDR rows. Directories that
have not changed since the last scan are skipped unless --full is given.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runScan(cmd.Context(), opts, so)
		},
	}
	cmd.Flags().BoolVar(&so.full, "full", false, "list every directory and re-probe every changed file")
	cmd.Flags().BoolVar(&so.json, "json", false, "print the report as JSON")
	cmd.Flags().BoolVar(&so.noCDR, "no-cdr", false, "skip CDR enrichment")
	cmd.Flags().IntVar(&so.oddities, "show-oddities", 50, "print at most this many oddities")
	return cmd
}

func runScan(ctx context.Context, opts *globalOptions, so scanOptions) error {
	a, err := opts.openApp(ctx, !so.noCDR)
	if err != nil {
		return err
	}
	defer a.Close()
	res, err := daemon.Scan(ctx, a.env(), so.full, scanProgress{newProgress(opts.stderr)})
	if err != nil {
		return err
	}
	if so.json {
		return writeJSON(opts.stdout, res)
	}
	printOddities(opts.stderr, res.Oddities, so.oddities)
	printScanSummary(opts.stdout, res, a.cfg.DataDir)
	return nil
}
