package daemon

import (
	"context"

	"github.com/totalrec/totalrec/recordings/hook"
	"github.com/totalrec/totalrec/recordings/ingest"
	"github.com/totalrec/totalrec/recordings/spool"
)

// ScanResult is what one scan job did; `scan --json` prints it.
type ScanResult struct {
	Spool    string               `json:"spool"`
	Journal  hook.DrainReport     `json:"journal"`
	Scan     ingest.Report        `json:"scan"`
	CDR      *ingest.EnrichReport `json:"cdr,omitempty"`
	Oddities []spool.Oddity       `json:"oddities"`
}

// Progress is told how a scan job is going, for a terminal to show.
type Progress interface {
	Scanning(p ingest.Progress) // after each directory
	Linking()                   // enrichment starts
	Done()                      // the scan, or the enrichment, ended
}

// Scan is the scan job: `scan`, `demo` and the daemon run it alike. It drains the
// hook journal, scans the spool (every directory with full), then links new
// recordings to their CDR rows when a CDR database is configured. prog may be nil.
func Scan(ctx context.Context, env Env, full bool, prog Progress) (ScanResult, error) {
	if prog == nil {
		prog = noProgress{}
	}
	cfg := env.Config
	tree, err := spool.OpenTree(cfg.Spool)
	if err != nil {
		return ScanResult{}, err
	}
	defer tree.Close()
	res := ScanResult{Spool: cfg.Spool, Oddities: []spool.Oddity{}}
	events := env.ReadyEvents()
	s := &ingest.Scanner{
		Tree: tree, Cat: env.Catalog, Node: cfg.Node, Loc: env.Loc, CDR: env.CDR != nil,
		Log: env.Log.With("component", "scan"), Events: events,
		OnDir:    prog.Scanning,
		OnOddity: func(o spool.Oddity) { res.Oddities = append(res.Oddities, o) },
	}
	// Recordings the hook journalled while no daemon listened come first: they are
	// catalogued even when their directory is skipped as unchanged.
	if res.Journal, err = drainJournal(ctx, cfg.DataDir, cfg.Spool, s, env.Log); err != nil {
		return res, err
	}
	res.Scan, err = s.Scan(ctx, full)
	prog.Done()
	if err != nil {
		return res, err
	}
	if env.CDR != nil {
		prog.Linking()
		e := &ingest.Enricher{Cat: env.Catalog, CDR: env.CDR, Window: cfg.CDRWindow, Log: env.Log.With("component", "enrich"), Events: events}
		er, err := e.RunAll(ctx)
		prog.Done()
		if err != nil {
			return res, err
		}
		res.CDR = &er
	}
	return res, nil
}

type noProgress struct{}

func (noProgress) Scanning(ingest.Progress) {}
func (noProgress) Linking()                 {}
func (noProgress) Done()                    {}
