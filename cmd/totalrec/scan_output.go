package main

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/totalrec/totalrec/recordings/daemon"
	"github.com/totalrec/totalrec/recordings/hook"
	"github.com/totalrec/totalrec/recordings/ingest"
	"github.com/totalrec/totalrec/recordings/spool"
)

// scanProgress shows a scan job's progress on a terminal.
type scanProgress struct{ p *progress }

func (s scanProgress) Scanning(p ingest.Progress) {
	s.p.update("scanning %s: %d files in %d directories", p.Current, p.Files, p.Dirs)
}

func (s scanProgress) Linking() { s.p.update("linking recordings to CDR rows") }

func (s scanProgress) Done() { s.p.done() }

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
		fmt.Fprintf(w, "journal: set aside %s (%s); kept in %s\n", name, r.Error, filepath.Join(hook.JournalDir(dataDir), "rejected.jsonl"))
	}
	if c := res.CDR; c != nil {
		fmt.Fprintf(w, "CDR: %d linked, %d waiting for their row, %d gave up, %d lookup errors\n", c.Linked, c.Retry, c.GaveUp, c.Errors)
	}
}
