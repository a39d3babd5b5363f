package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/cdr"
	"github.com/totalrec/totalrec/recordings/daemon"
	"github.com/totalrec/totalrec/recordings/demo"
)

type demoOptions struct {
	dir         string
	days        int
	callsPerDay int
	seed        uint64
	fresh       bool
	json        bool
	noServe     bool
	listen      string
}

// demoMarker names the file that says a directory holds a demo Totalrec built, so
// that --fresh never removes anything else.
const demoMarker = ".totalrec-demo"

func newDemoCommand(opts *globalOptions) *cobra.Command {
	var do demoOptions
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Build a demo PBX spool and CDR table, catalogue them and serve the web interface",
		Long: `demo builds a realistic FreePBX spool (about two months of calls, real speech in
every format Asterisk records, empty recordings of unanswered legs, transfers, a
legacy flat corner) and a matching CDR table in SQLite, then runs totalrec on them
exactly as on a PBX, and serves the web interface on it until interrupted
(--no-serve prints the result and exits). It needs no database server and no
FreePBX. The demo lives in --dir and is reused on the next run; --fresh builds it
anew. Like install.sh, it creates the CDR indexes doctor asks for. It writes the
demo's settings to totalrec.conf in --dir and prints commands that use them, with
the full path of this program unless "totalrec" on $PATH is this program (a
program "go run" built and deletes on exit is first copied into --dir).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDemo(cmd.Context(), opts, do)
		},
	}
	f := cmd.Flags()
	f.StringVar(&do.dir, "dir", "", "where to build the demo (default: the user cache directory's totalrec-demo)")
	f.IntVar(&do.days, "days", 60, "days of call history")
	f.IntVar(&do.callsPerDay, "calls-per-day", 40, "calls on a busy weekday")
	f.Uint64Var(&do.seed, "seed", 24, "random seed: the same seed builds the same PBX")
	f.BoolVar(&do.fresh, "fresh", false, "remove a previous demo and build it again")
	f.BoolVar(&do.json, "json", false, "print the result as JSON")
	f.BoolVar(&do.noServe, "no-serve", false, "print the result and exit instead of serving the web interface")
	f.StringVar(&do.listen, "listen", "127.0.0.1:8080", "address the web interface listens on")
	return cmd
}

func runDemo(ctx context.Context, opts *globalOptions, do demoOptions) error {
	dir, err := demoDir(opts, do.dir)
	if err != nil {
		return err
	}
	if do.days < 1 || do.days > 3650 || do.callsPerDay < 1 || do.callsPerDay > 100000 {
		return usagef("--days must be 1-3650 and --calls-per-day 1-100000")
	}
	if do.fresh {
		if err := removeDemo(dir); err != nil {
			return err
		}
	}
	spoolDir := filepath.Join(dir, "monitor")
	cdrFile := filepath.Join(dir, "asteriskcdrdb.sqlite")
	prog := newProgress(opts.stderr)
	var built *demo.Summary
	if _, err := os.Stat(filepath.Join(dir, demoMarker)); errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		prog.update("building a demo PBX in %s", dir)
		s, err := buildDemo(ctx, spoolDir, cdrFile, do, func(recs, done, days int) {
			prog.step("%s", buildProgress(recs, done, days))
		})
		prog.done()
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, demoMarker), []byte("built by totalrec demo\n"), 0o644); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		built = &s
	}
	// The demo is an ordinary installation whose settings point into dir, unless the
	// command line says otherwise.
	for name, v := range map[string]*string{"spool": &opts.spool, "db": &opts.db, "cdr-db": &opts.cdrDB, "data-dir": &opts.dataDir} {
		if !opts.set[name] {
			*v = map[string]string{"spool": spoolDir, "db": "sqlite:" + filepath.Join(dir, "totalrec.db"), "cdr-db": "sqlite:" + cdrFile, "data-dir": dir}[name]
			opts.set[name] = true
		}
	}
	a, err := opts.openApp(ctx, true)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := indexDemoCDR(ctx, a); err != nil {
		return err
	}
	res, err := daemon.Scan(ctx, a.env(), false, scanProgress{prog})
	if err != nil {
		return err
	}
	page, err := a.cat.Search(ctx, recordings.Query{HideEmpty: true, Limit: 10})
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	hint, err := newDemoHints(dir, a.cfg)
	if err != nil {
		return err
	}
	if do.json {
		if err := writeJSON(opts.stdout, map[string]any{"dir": dir, "config": hint.config, "built": built, "scan": res, "latest": recordings.NewPageJSON(page, a.loc)}); err != nil {
			return err
		}
		return serveDemo(ctx, opts, a, do, hint, opts.stderr)
	}
	w := opts.stdout
	if built != nil {
		fmt.Fprintf(w, "built a demo PBX in %s: %d calls, %d recordings (%d empty, %d with unrecognised names), %s, %d CDR rows\n",
			dir, built.Calls, built.Recordings, built.Empty, built.Other, humanBytes(built.Bytes), built.CDRRows)
	} else {
		fmt.Fprintf(w, "using the demo PBX in %s (--fresh builds it anew)\n", dir)
	}
	printScanSummary(w, res, a.cfg.DataDir)
	fmt.Fprintln(w, "\nlatest recordings:")
	printPage(w, page, a.loc)
	fmt.Fprintf(w, "\nto search and check the demo from a shell (its settings are in %s):\n", hint.config)
	fmt.Fprintf(w, "  %s\n", hint.command("search", "--since", "30d", "--number", demoNumber(page)))
	fmt.Fprintf(w, "  %s\n", hint.command("doctor"))
	return serveDemo(ctx, opts, a, do, hint, w)
}

// serveDemo serves the catalogued demo until interrupted, printing its URL to w;
// with --no-serve it does nothing. The demo was just scanned: the periodic scan
// starts at the first interval.
func serveDemo(ctx context.Context, opts *globalOptions, a *app, do demoOptions, hint demoHints, w io.Writer) error {
	if do.noServe {
		return nil
	}
	if err := ensureDemoAdmin(ctx, a); err != nil {
		return err
	}
	return daemon.Run(ctx, a.env(), daemon.Options{Listen: do.listen, ScanEvery: a.cfg.ScanInterval, Version: version, LoginAs: demoAdmin, Ready: func(url string) {
		fmt.Fprintf(w, "\nopen %s in a browser to search and play the demo (Ctrl-C stops it)\n", url)
		fmt.Fprintf(w, "the link signs you in once as the administrator %q; to give it a password:\n", demoAdmin)
		fmt.Fprintf(w, "  %s\n", hint.command("user", "passwd", demoAdmin))
	}})
}

// buildProgress is the progress line of a demo being built: "building about
// 2,000 recordings… 40 %", the total foreseen from the days done so far.
func buildProgress(recs, done, days int) string {
	if done <= 0 || days <= 0 {
		return "building recordings…"
	}
	total := recs * days / done
	if total >= 1000 {
		total = (total + 50) / 100 * 100
	}
	return fmt.Sprintf("building about %s recordings… %d %%", groupThousands(total), done*100/days)
}

// groupThousands writes n as 12,345.
func groupThousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// buildDemo writes the demo spool and its CDR table in a new SQLite file,
// calling progress after each day.
func buildDemo(ctx context.Context, spoolDir, cdrFile string, do demoOptions, progress func(recs, done, days int)) (demo.Summary, error) {
	db, err := sql.Open("sqlite", cdrFile)
	if err != nil {
		return demo.Summary{}, fmt.Errorf("demo: %w", err)
	}
	defer db.Close()
	return demo.Build(ctx, demo.Options{Spool: spoolDir, CDR: db, CDRDialect: cdr.SQLite, Days: do.days,
		CallsPerDay: do.callsPerDay, Seed: do.seed, Now: time.Now(), Loc: time.Local, Progress: progress})
}

func demoDir(opts *globalOptions, dir string) (string, error) {
	if dir != "" {
		return filepath.Abs(dir)
	}
	if d := opts.getenv("TOTALREC_DATA_DIR"); d != "" {
		return filepath.Join(d, "demo"), nil
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("demo: no --dir and no cache directory: %w", err)
	}
	return filepath.Join(cache, "totalrec-demo"), nil
}

// removeDemo deletes a directory only when it holds a demo's marker.
func removeDemo(dir string) error {
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, demoMarker)); err != nil {
		return fmt.Errorf("demo --fresh: %s exists but was not built by totalrec demo; not removing it: %w", dir, recordings.ErrRefused)
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("demo --fresh: %w", err)
	}
	return nil
}

// demoAdmin is the administrator `totalrec demo` signs in.
const demoAdmin = "demo"

// ensureDemoAdmin makes (or keeps) the demo's administrator. It has no password
// until someone sets one: the demo signs it in with a one-time link.
func ensureDemoAdmin(ctx context.Context, a *app) error {
	_, err := a.cat.EnsureUser(ctx, recordings.User{Name: demoAdmin, Role: recordings.RoleAdmin, Scope: recordings.AllScope})
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	return nil
}
