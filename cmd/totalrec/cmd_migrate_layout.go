package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/totalrec/totalrec/recordings/retention"
	"github.com/totalrec/totalrec/recordings/spool"
)

// journalFile holds the moves of the batch under way, fsynced before any rename, so
// that a migration killed mid-batch finishes that batch when run again.
const journalFile = "migrate-layout.journal"

// migrateBatch is the number of moves per journal write and catalogue pass.
const migrateBatch = 500

type migrateOptions struct {
	apply bool
	dry   bool
	list  bool
	json  bool
}

func newMigrateLayoutCommand(opts *globalOptions) *cobra.Command {
	var mo migrateOptions
	cmd := &cobra.Command{
		Use:   "migrate-layout",
		Short: "Move a flat FreePBX 2.5-2.9 spool into YYYY/MM/DD directories",
		Long: `migrate-layout moves the recordings lying directly in the spool root into
YYYY/MM/DD directories, by the date in their name (the file's mtime when the name
has none), and updates the catalogue and cdr.recordingfile to match. It is a dry
run unless --apply is given. A name already taken in the day directory gets a -1,
-2, … suffix before its extension: nothing is overwritten. Moves are journalled in
the data directory before they happen: a migration killed midway finishes when run
again.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if mo.apply && mo.dry {
				return usagef("--apply and --dry-run exclude each other")
			}
			return runMigrateLayout(cmd.Context(), opts, mo)
		},
	}
	cmd.Flags().BoolVar(&mo.apply, "apply", false, "move the files (default: dry run)")
	cmd.Flags().BoolVar(&mo.dry, "dry-run", false, "only show what would move (the default)")
	cmd.Flags().BoolVar(&mo.list, "list", false, "list every move")
	cmd.Flags().BoolVar(&mo.json, "json", false, "print the summary as JSON")
	return cmd
}

// move is one file's move, relative to the spool root.
type move struct{ From, To string }

// migrateReport is what migrate-layout prints.
type migrateReport struct {
	Applied    bool  `json:"applied"`
	Files      int   `json:"files"`       // flat files considered
	Moved      int   `json:"moved"`       // moved (or, in a dry run, would move)
	Renamed    int   `json:"renamed"`     // given a suffix because the name was taken
	ByMtime    int   `json:"by_mtime"`    // dated by mtime: the name holds no date
	Recovered  int   `json:"recovered"`   // finished from the journal of an interrupted run
	Catalogued int   `json:"catalogued"`  // catalogue rows moved
	CDRRows    int64 `json:"cdr_rows"`    // cdr rows whose recordingfile was updated
	Failed     int   `json:"failed"`      // could not move; left in place
	Days       int   `json:"directories"` // day directories used
}

type migrator struct {
	a      *app
	tree   *spool.Tree
	root   *spool.Dir
	spool  string // absolute spool root, for recordingfile values that hold a full path
	jpath  string
	rep    migrateReport
	out    func(move)
	taken  map[string]bool // names chosen in this run, per target path
	failed func(string, error)
}

func runMigrateLayout(ctx context.Context, opts *globalOptions, mo migrateOptions) error {
	a, err := opts.openApp(ctx, true)
	if err != nil {
		return err
	}
	defer a.Close()
	release, err := retention.Lock(a.cfg.DataDir)
	if err != nil {
		return err
	}
	defer release()
	tree, err := spool.OpenTree(a.cfg.Spool)
	if err != nil {
		return err
	}
	defer tree.Close()
	root, err := tree.OpenDir("")
	if err != nil {
		return err
	}
	defer root.Close()
	abs, _ := filepath.Abs(a.cfg.Spool)
	m := &migrator{a: a, tree: tree, root: root, spool: abs, jpath: filepath.Join(a.cfg.DataDir, journalFile),
		taken: map[string]bool{}, out: func(move) {},
		failed: func(p string, err error) { fmt.Fprintf(opts.stderr, "migrate-layout: %s: %v\n", p, err) }}
	m.rep.Applied = mo.apply
	if mo.list {
		m.out = func(mv move) { fmt.Fprintf(opts.stdout, "%s -> %s\n", mv.From, mv.To) }
	}
	if mo.apply {
		if err := m.recover(ctx); err != nil {
			return err
		}
	}
	if err := m.migrate(ctx, mo.apply); err != nil {
		return err
	}
	if mo.json {
		writeJSON(opts.stdout, m.rep)
	} else {
		verb := "would move"
		if mo.apply {
			verb = "moved"
		}
		r := m.rep
		fmt.Fprintf(opts.stdout, "%s %d of %d flat files into %d day directories (%d renamed to avoid a name taken, %d dated by mtime); %d catalogue rows and %d CDR rows updated; %d recovered from an interrupted run; %d failed\n",
			verb, r.Moved, r.Files, r.Days, r.Renamed, r.ByMtime, r.Catalogued, r.CDRRows, r.Recovered, r.Failed)
		if !mo.apply && r.Moved > 0 {
			fmt.Fprintln(opts.stdout, "dry run: nothing moved; run with --apply to move")
		}
	}
	if m.rep.Failed > 0 {
		return partialError{failed: m.rep.Failed}
	}
	return nil
}

// migrate plans the flat files' moves and, with apply, makes them batch by batch.
func (m *migrator) migrate(ctx context.Context, apply bool) error {
	l, err := m.root.List()
	if err != nil {
		return err
	}
	m.rep.Files = len(l.Files)
	days := map[string]bool{}
	var batch []move
	for _, f := range l.Files {
		name, ok := spool.ParseName(f.Name, m.a.loc)
		t := name.Time
		if !ok || t.IsZero() {
			t = f.ModTime.In(m.a.loc)
			m.rep.ByMtime++
		}
		dir := t.In(m.a.loc).Format("2006/01/02")
		ext := ""
		if name.Ext != "" {
			ext = "." + name.Ext
		}
		to, err := m.freeName(dir, f.Name, ext)
		if err != nil {
			m.rep.Failed++
			m.failed(f.Name, err)
			continue
		}
		if path.Base(to) != f.Name {
			m.rep.Renamed++
		}
		days[dir] = true
		mv := move{From: f.Name, To: to}
		m.out(mv)
		if !apply {
			m.rep.Moved++
			continue
		}
		batch = append(batch, mv)
		if len(batch) == migrateBatch {
			if err := m.apply(ctx, batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	m.rep.Days = len(days)
	if len(batch) > 0 {
		return m.apply(ctx, batch)
	}
	return nil
}

// freeName returns dir/name, or dir/<stem>-N<ext> with the smallest N whose name is
// neither on disk nor chosen earlier in this run. ext is the name's extension as
// ParseName reads it ("" for "…-1259230530.17", whose dot is the uniqueid's).
func (m *migrator) freeName(dir, name, ext string) (string, error) {
	stem := strings.TrimSuffix(name, ext)
	for n := 0; n < 1000; n++ {
		cand := name
		if n > 0 {
			cand = stem + "-" + strconv.Itoa(n) + ext
		}
		p := dir + "/" + cand
		if m.taken[p] {
			continue
		}
		d, err := m.tree.OpenDir(dir)
		if errors.Is(err, fs.ErrNotExist) {
			m.taken[p] = true
			return p, nil
		}
		if err != nil {
			return "", err
		}
		_, err = d.Lstat(cand)
		d.Close()
		if errors.Is(err, fs.ErrNotExist) {
			m.taken[p] = true
			return p, nil
		}
	}
	return "", fmt.Errorf("no free name for %s in %s", name, dir)
}

// apply journals a batch, makes its moves and updates the catalogue and the CDR.
func (m *migrator) apply(ctx context.Context, batch []move) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := m.writeJournal(batch); err != nil {
		return err
	}
	for _, mv := range batch {
		m.finish(ctx, mv, false)
	}
	return m.clearJournal()
}

// finish brings one journalled move to its end: the file at To, the catalogue row
// and the CDR rows pointing there. It is safe to repeat after a crash at any point.
func (m *migrator) finish(ctx context.Context, mv move, recovering bool) {
	_, errFrom := m.root.Lstat(mv.From)
	dir, name := path.Dir(mv.To), path.Base(mv.To)
	switch {
	case errFrom == nil:
		if err := m.tree.MkdirAll(dir, 0o755); err != nil {
			m.rep.Failed++
			m.failed(mv.From, err)
			return
		}
		d, err := m.tree.OpenDir(dir)
		if err == nil {
			err = m.root.RenameTo(mv.From, d, name)
			d.Close()
		}
		if err != nil {
			m.rep.Failed++
			m.failed(mv.From, err)
			return
		}
	case !errors.Is(errFrom, fs.ErrNotExist):
		m.rep.Failed++
		m.failed(mv.From, errFrom)
		return
	}
	if d, err := m.tree.OpenDir(dir); err == nil {
		_, err = d.Lstat(name)
		d.Close()
		if err != nil {
			return // neither at From nor at To: nothing to record
		}
	} else {
		return
	}
	if recovering {
		m.rep.Recovered++
	} else {
		m.rep.Moved++
	}
	if moved, err := m.a.cat.MovePath(ctx, m.a.cfg.Node, mv.From, mv.To); err != nil {
		m.failed(mv.From, err)
	} else if moved {
		m.rep.Catalogued++
	}
	if m.a.cdr == nil {
		return
	}
	n, _ := spool.ParseName(mv.From, m.a.loc)
	for _, v := range [][2]string{{mv.From, name}, {m.spool + "/" + mv.From, m.spool + "/" + mv.To}} {
		rows, err := m.a.cdr.RenameRecordingFile(ctx, n.UniqueID, v[0], v[1])
		if err != nil {
			m.failed(mv.From, err)
		}
		m.rep.CDRRows += rows
	}
}

func (m *migrator) writeJournal(batch []move) error {
	f, err := os.OpenFile(m.jpath, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return fmt.Errorf("write migration journal: %w", err)
	}
	w := bufio.NewWriter(f)
	for _, mv := range batch {
		fmt.Fprintf(w, "%s\t%s\n", mv.From, mv.To)
	}
	if err := errors.Join(w.Flush(), f.Sync(), f.Close()); err != nil {
		return fmt.Errorf("write migration journal: %w", err)
	}
	return syncDir(filepath.Dir(m.jpath))
}

func (m *migrator) clearJournal() error {
	if err := os.Remove(m.jpath); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("clear migration journal: %w", err)
	}
	return syncDir(filepath.Dir(m.jpath))
}

// recover finishes the batch of an interrupted run, if its journal is there.
func (m *migrator) recover(ctx context.Context) error {
	b, err := os.ReadFile(m.jpath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read migration journal: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		from, to, ok := strings.Cut(line, "\t")
		if !ok || strings.Contains(from, "/") || !fs.ValidPath(to) {
			continue // a torn last line: its rename never started
		}
		m.finish(ctx, move{From: from, To: to}, true)
	}
	return m.clearJournal()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
