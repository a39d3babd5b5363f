package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/totalrec/totalrec/recordings/daemon"
	"github.com/totalrec/totalrec/recordings/ingest"
	"github.com/totalrec/totalrec/recordings/spool"
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
		enc := json.NewEncoder(opts.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	printOddities(opts.stderr, res.Oddities, so.oddities)
	printScanSummary(opts.stdout, res, a.cfg.DataDir)
	return nil
}

// scanProgress shows a scan job's progress on a terminal.
type scanProgress struct{ p *progress }

func (s scanProgress) Scanning(p ingest.Progress) {
	s.p.update("scanning %s: %d files in %d directories", p.Current, p.Files, p.Dirs)
}
func (s scanProgress) Linking() { s.p.update("linking recordings to CDR rows") }
func (s scanProgress) Done()    { s.p.done() }

func printOddities(w io.Writer, odd []spool.Oddity, limit int) {
	for i, o := range odd {
		if i == limit {
			fmt.Fprintf(w, "... and %d more oddities (--json lists all)\n", len(odd)-limit)
			break
		}
		fmt.Fprintf(w, "oddity: %s: %s\n", o.Path, o.What)
	}
}

func printScanSummary(w io.Writer, res daemon.ScanResult, dataDir string) {
	r := res.Scan
	size := ""
	if r.DirsSkipped == 0 {
		size = " (" + humanBytes(r.Bytes) + ")"
	}
	fmt.Fprintf(w, "scanned %d files%s in %d directories (%d unchanged) in %s: %d new, %d changed, %d missing; %d empty, %d still being written, %d corrupt, %d unrecognised names, %d oddities\n",
		r.Files, size, r.Dirs, r.DirsSkipped, r.Elapsed.Round(1e6), r.New, r.Changed, r.Missing, r.Empty, r.Writing, r.Corrupt, r.Unnamed, r.Oddities)
	if j := res.Journal; j.Done+j.Skipped > 0 {
		fmt.Fprintf(w, "journal: %d recordings announced while the daemon was away catalogued, %d unreadable entries skipped\n", j.Done, j.Skipped)
	}
	for _, r := range res.Journal.SetAside {
		name := r.Path
		if name == "" {
			name = r.File
		}
		fmt.Fprintf(w, "journal: set aside %s (%s); kept in %s\n", name, r.Error, filepath.Join(daemon.JournalDir(dataDir), "rejected.jsonl"))
	}
	if c := res.CDR; c != nil {
		fmt.Fprintf(w, "CDR: %d linked, %d waiting for their row, %d gave up, %d lookup errors\n", c.Linked, c.Retry, c.GaveUp, c.Errors)
	}
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
