package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/cdr"
	"github.com/totalrec/totalrec/recordings/daemon"
	"github.com/totalrec/totalrec/recordings/spool"
)

// check is one line of the doctor's report.
type check struct {
	Name   string `json:"name"`
	Status string `json:"status"` // ok, warn, fail, fixed, info
	Detail string `json:"detail"`
}

type doctorOptions struct {
	fix        bool
	json       bool
	minFreePct float64
	days       int
}

func newDoctorCommand(opts *globalOptions) *cobra.Command {
	var do doctorOptions
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check the CDR indexes, the spool, free disk and orphaned recordings",
		Long: `doctor checks what makes call recording slow or unreliable on a FreePBX box:
the CDR table's indexes on calldate, uniqueid, linkedid and recordingfile (FreePBX
installs lack some of them, and CDR searches then scan the whole table), the
spool's permissions, free disk, and recordings whose file is gone or whose CDR row
never came. With --fix it creates the missing CDR indexes, online where the server
allows. It exits non-zero when a check fails.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDoctor(cmd.Context(), opts, do)
		},
	}
	cmd.Flags().BoolVar(&do.fix, "fix", false, "create the missing CDR indexes")
	cmd.Flags().BoolVar(&do.json, "json", false, "print JSON")
	cmd.Flags().IntVar(&do.days, "days", 7, "look this many days back for CDR rows whose recording is not in the spool")
	cmd.Flags().Float64Var(&do.minFreePct, "min-free", 10, "fail when the spool's file system has less than this percentage free")
	return cmd
}

func runDoctor(ctx context.Context, opts *globalOptions, do doctorOptions) error {
	a, err := opts.openApp(ctx, true)
	if err != nil {
		return err
	}
	defer a.Close()
	var checks []check
	add := func(name, status, format string, args ...any) {
		checks = append(checks, check{Name: name, Status: status, Detail: fmt.Sprintf(format, args...)})
	}
	checkSpool(a.cfg.Spool, do.minFreePct, add)
	if err := checkCatalogue(ctx, a, add); err != nil {
		return err
	}
	if err := checkCompression(ctx, a, add); err != nil {
		return err
	}
	if err := checkArchive(ctx, a, add); err != nil {
		return err
	}
	if a.cdr == nil {
		add("cdr", "info", "no CDR database configured: recordings are searchable by their names only")
	} else {
		if err := checkCDRIndexes(ctx, a.cdr, do.fix, add); err != nil {
			return err
		}
		if err := checkCDRFiles(ctx, a, time.Now().AddDate(0, 0, -do.days), add); err != nil {
			return err
		}
	}
	failed := 0
	for _, c := range checks {
		if c.Status == "fail" {
			failed++
		}
	}
	if do.json {
		if err := writeJSON(opts.stdout, map[string]any{"checks": checks, "failed": failed}); err != nil {
			return err
		}
	} else {
		tw := tabwriter.NewWriter(opts.stdout, 0, 0, 2, ' ', 0)
		for _, c := range checks {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", c.Status, c.Name, c.Detail)
		}
		tw.Flush()
	}
	if failed > 0 {
		return problemsError{n: failed}
	}
	return nil
}

func checkSpool(dir string, minFreePct float64, add func(name, status, format string, args ...any)) {
	fi, err := os.Stat(dir)
	if err != nil {
		add("spool", "fail", "%v", err)
		return
	}
	if !fi.IsDir() {
		add("spool", "fail", "%s is not a directory", dir)
		return
	}
	f, err := os.Open(dir)
	if err == nil {
		_, err = f.Readdirnames(1)
		f.Close()
	}
	if err != nil && err.Error() != "EOF" {
		add("spool permissions", "fail", "cannot list %s: %v (run totalrec as the asterisk user or a member of its group)", dir, err)
	} else {
		owner := ""
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			owner = fmt.Sprintf(" owner %d:%d", st.Uid, st.Gid)
		}
		add("spool permissions", "ok", "%s readable, mode %#o%s", dir, fi.Mode().Perm(), owner)
	}
	var sfs syscall.Statfs_t
	if err := syscall.Statfs(dir, &sfs); err != nil {
		add("free disk", "warn", "statfs %s: %v", dir, err)
		return
	}
	total := float64(sfs.Blocks) * float64(sfs.Bsize)
	free := float64(sfs.Bavail) * float64(sfs.Bsize)
	pct := 100 * free / max(total, 1)
	status := "ok"
	if pct < minFreePct {
		status = "fail"
	} else if pct < 2*minFreePct {
		status = "warn"
	}
	add("free disk", status, "%s free of %s (%.1f%%) on the spool's file system", humanBytes(int64(free)), humanBytes(int64(total)), pct)
}

func checkCatalogue(ctx context.Context, a *app, add func(name, status, format string, args ...any)) error {
	st, err := a.cat.Stats(ctx)
	if err != nil {
		return fmt.Errorf("doctor: %w", err)
	}
	add("catalogue", "ok", "%d recordings (%s on disk) in %s", st.Recordings, humanBytes(st.Bytes), a.cat.Dialect())
	if fit, ok, err := a.cat.CacheFit(ctx); err != nil {
		add("buffer pool", "warn", "%v", err)
	} else if ok {
		if short, suggest := fit.Advice(); short {
			add("buffer pool", "warn", "innodb_buffer_pool_size is %s, the catalogue's number keys and indexes %s: searches by a busy number read from disk; set innodb_buffer_pool_size = %dM in the server's configuration (RAM allowing)",
				humanBytes(fit.BufferPool), humanBytes(fit.WorkingSet), suggest>>20)
		} else {
			add("buffer pool", "ok", "innodb_buffer_pool_size %s holds the catalogue's number keys and indexes (%s)",
				humanBytes(fit.BufferPool), humanBytes(fit.WorkingSet))
		}
	}
	if n := st.ByState[recordings.StateMissing]; n > 0 {
		add("orphaned rows", "warn", "%d catalogued recordings whose file is gone from the spool (deleted outside Totalrec?)", n)
	} else {
		add("orphaned rows", "ok", "every catalogued file is on disk as of the last scan")
	}
	if n := st.ByCDRStatus[recordings.CDRGaveUp]; n > 0 {
		add("recordings without CDR", "warn", "%d recordings whose CDR row never came (searchable by their file names only)", n)
	}
	if n := st.ByState[recordings.StateCorrupt]; n > 0 {
		add("corrupt files", "warn", "%d recordings whose header is not what their extension promises (totalrec search --format … lists them)", n)
	}
	if n := st.ByState[recordings.StateWriting]; n > 0 {
		add("open recordings", "info", "%d recordings still being written (or left unfinished by a crash)", n)
	}
	return nil
}

func checkCDRIndexes(ctx context.Context, r *cdr.Reader, fix bool, add func(name, status, format string, args ...any)) error {
	have, err := r.Indexes(ctx)
	if err != nil {
		return fmt.Errorf("doctor: %w", err)
	}
	for _, col := range cdr.IndexColumns() {
		name := "cdr index " + col
		indexed, exists := have[col]
		switch {
		case !exists:
			add(name, "info", "column %s is absent from %s (an older FreePBX table): nothing to index", col, r.Table())
		case indexed:
			add(name, "ok", "%s.%s is indexed", r.Table(), col)
		case fix:
			if err := r.CreateIndex(ctx, col); err != nil {
				add(name, "fail", "could not create the index: %v", err)
				continue
			}
			add(name, "fixed", "created index totalrec_%s on %s", col, r.Table())
		default:
			add(name, "fail", "%s.%s has no index: CDR searches and playback lookups scan the whole table (run totalrec doctor --fix)", r.Table(), col)
		}
	}
	return nil
}

// checkCDRFiles looks for the other kind of orphan: CDR rows that name a recording
// the spool does not have (a call never bridged under MixMonitor's b option, or a
// file deleted behind FreePBX's back). FreePBX's reports show those as dead links.
func checkCDRFiles(ctx context.Context, a *app, since time.Time, add func(name, status, format string, args ...any)) error {
	const limit = 100000
	files, err := a.cdr.RecordingFiles(ctx, since, limit)
	if err != nil {
		return fmt.Errorf("doctor: %w", err)
	}
	if !a.cdr.Has("recordingfile") {
		add("cdr orphans", "info", "%s has no recordingfile column: nothing to cross-check", a.cdr.Table())
		return nil
	}
	var missing []string
	for _, f := range files {
		ok, err := catalogued(ctx, a, f)
		if err != nil {
			return err
		}
		if !ok {
			missing = append(missing, f)
		}
	}
	if len(missing) == 0 {
		add("cdr orphans", "ok", "all %d recordings named by CDR rows since %s are catalogued", len(files), since.Format("2006-01-02"))
		return nil
	}
	ex := missing[:min(3, len(missing))]
	add("cdr orphans", "warn", "%d of %d recordings named by CDR rows since %s are not in the spool, e.g. %s",
		len(missing), len(files), since.Format("2006-01-02"), strings.Join(ex, ", "))
	return nil
}

// catalogued finds a CDR recordingfile in the catalogue: in the day directory its
// name's date points to, or flat in the spool root. CDR rows may say ".wav49" for
// the file Asterisk writes as ".WAV".
func catalogued(ctx context.Context, a *app, file string) (bool, error) {
	file = path.Base(file)
	if base, ok := strings.CutSuffix(file, ".wav49"); ok {
		file = base + ".WAV"
	}
	var dirs []string
	if n, ok := spool.ParseName(file, a.loc); ok && !n.Time.IsZero() {
		dirs = append(dirs, n.Time.In(a.loc).Format("2006/01/02"))
	}
	dirs = append(dirs, "")
	for _, d := range dirs {
		r, err := a.cat.GetByPath(ctx, a.cfg.Node, path.Join(d, file))
		if errors.Is(err, recordings.ErrNotFound) {
			continue
		}
		if err != nil {
			return false, fmt.Errorf("doctor: %w", err)
		}
		return r.State != recordings.StateMissing && r.State != recordings.StateDeleted, nil
	}
	return false, nil
}

// checkCompression says whether recordings are compressed after the call: off,
// missing its programs (a warning: they are kept as written), or on, with the
// recordings whose conversion failed.
// checkArchive checks the archive tier: the bucket answers, takes the
// credentials and exists, and no move was left open.
func checkArchive(ctx context.Context, a *app, add func(name, status, format string, args ...any)) error {
	bucket, err := a.env().Bucket(ctx)
	switch {
	case errors.Is(err, daemon.ErrNoArchive):
		add("archive", "info", "no archive tier: every recording stays on this disk (archive_endpoint is empty)")
		return nil
	case err == nil:
		err = bucket.Check(ctx)
	}
	if err != nil {
		add("archive", "fail", "%v", err)
		return nil
	}
	local, archived, err := a.cat.ArchiveFigures(ctx, a.cfg.Node)
	if err != nil {
		return err
	}
	open, err := a.cat.ArchiveEntries(ctx, a.cfg.Node, recordings.ArchiveUploaded, recordings.ArchiveRestoring)
	if err != nil {
		return err
	}
	if len(open) > 0 {
		add("archive", "warn", "%d moves to or from %s were cut short; the next archive pass finishes them", len(open), bucket)
		return nil
	}
	add("archive", "ok", "%s answers; %d recordings (%s) there, %d (%s) on this disk; recordings older than %s move",
		bucket, archived.Files, humanBytes(archived.Bytes), local.Files, humanBytes(local.Bytes), formatDays(a.cfg.Archive.After))
	return nil
}

func checkCompression(ctx context.Context, a *app, add func(name, status, format string, args ...any)) error {
	codec, err := a.env().Codec()
	switch {
	case a.cfg.Compress == "keep":
		add("compress", "info", "recordings are kept as Asterisk wrote them (compress = keep)")
		return nil
	case err != nil:
		add("compress", "warn", "recordings are not compressed: %v", err)
		return nil
	}
	failed, err := a.cat.Conversions(ctx, a.cfg.Node, recordings.ConversionFailed)
	if err != nil {
		return err
	}
	if len(failed) > 0 {
		add("compress", "warn", "%d recordings failed their conversion to %s and are kept as written (totalrec compress lists them); the first: %s", len(failed), codec.Format, failed[0].Detail)
		return nil
	}
	note := ""
	if codec.Format == recordings.FormatOpus {
		note = "; FreePBX's own CDR report and UCP cannot play Opus (compress = mp3 if they must)"
	}
	add("compress", "ok", "recordings are compressed to %s after the call (%s, %s)%s", codec.Format, codec.Encoder, codec.Decoder, note)
	return nil
}
