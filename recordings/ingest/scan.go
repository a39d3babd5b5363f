package ingest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/faultpoint"
	"github.com/totalrec/totalrec/recordings/spool"
)

// dirtyMark is the fingerprint of a directory that must be listed again on the next
// scan whatever its mtime: it held a file still being written.
const dirtyMark = "writing"

// Scanner brings the catalogue in line with one spool tree.
type Scanner struct {
	Tree     *spool.Tree
	Cat      ScanStore
	Node     string
	Loc      *time.Location // the PBX's local time zone, for the dates in file names
	CDR      bool           // a CDR database is configured: new rows start as pending enrichment
	Log      *slog.Logger
	Now      func() time.Time
	Batch    int                // rows per catalogue transaction; default 1000
	OnDir    func(Progress)     // called after each directory; nil = no progress
	OnOddity func(spool.Oddity) // called for each oddity; nil = only counted
	// Events, when set and CDR is false, is told by IngestFile of each recording it
	// catalogues: with no CDR to wait for, it is ready at once.
	Events ReadyEvents
}

// Progress is the running count a terminal shows.
type Progress struct {
	Dirs, Files int
	Current     string
}

// Report summarises one scan.
type Report struct {
	Dirs        int           `json:"dirs"`
	DirsSkipped int           `json:"dirs_unchanged"`
	Files       int           `json:"files"`
	New         int           `json:"new"`
	Changed     int           `json:"changed"`
	Missing     int           `json:"missing"`
	Empty       int           `json:"empty"`
	Writing     int           `json:"writing"`
	Corrupt     int           `json:"corrupt"`
	Unnamed     int           `json:"unrecognised_names"`
	Oddities    int           `json:"oddities"`
	Bytes       int64         `json:"bytes_listed"` // of the files in the directories listed
	Elapsed     time.Duration `json:"elapsed_ns"`
}

// Scan walks the tree. With full set every directory is listed and every file whose
// size or mtime changed is probed again; otherwise unchanged directories are skipped.
func (s *Scanner) Scan(ctx context.Context, full bool) (Report, error) {
	start := s.now()
	var rep Report
	marks, err := s.Cat.Dirs(ctx, s.Node)
	if err != nil {
		return rep, fmt.Errorf("scan: %w", err)
	}
	children := childrenOf(marks)
	w := newBatchWriter(ctx, s)
	defer w.close()
	seen := map[string]bool{}
	vanished := map[string]bool{} // directories with live rows that are gone from disk
	var newMarks []recordings.DirMark
	stack := []string{""}
	for len(stack) > 0 {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		dir := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		mark, subdirs, err := s.scanDir(ctx, dir, marks, children, full, w, &rep)
		if err != nil {
			if dir == "" {
				return rep, fmt.Errorf("scan: %w", err)
			}
			// A directory removed since its parent was listed is not seen: its
			// rows become missing. One that cannot be read is left as it was.
			if !errors.Is(err, fs.ErrNotExist) {
				seen[dir] = true
			}
			s.oddity(&rep, spool.Oddity{Path: dir, What: err.Error()})
			continue
		}
		seen[dir] = true
		if !sameTime(marks[dir].ModTime, mark.ModTime) || full {
			// Listed again: catalogued directories below it that its listing no
			// longer leads to are gone, whether or not a scan ever marked them.
			if err := s.vanishedBelow(ctx, dir, subdirs, vanished); err != nil {
				return rep, err
			}
		}
		newMarks = append(newMarks, mark)
		// Depth-first in reverse name order pops the oldest year first.
		sort.Sort(sort.Reverse(sort.StringSlice(subdirs)))
		stack = append(stack, subdirs...)
		if s.OnDir != nil {
			s.OnDir(Progress{Dirs: rep.Dirs, Files: rep.Files, Current: dir})
		}
		if len(newMarks) >= 256 {
			if err := w.flush(); err != nil {
				return rep, err
			}
			if err := s.Cat.SaveDirs(ctx, s.Node, newMarks); err != nil {
				return rep, fmt.Errorf("scan: %w", err)
			}
			newMarks = newMarks[:0]
		}
	}
	faultpoint.Hit("scan.flush.before")
	if err := w.flush(); err != nil {
		return rep, err
	}
	faultpoint.Hit("scan.flush.after")
	if err := s.Cat.SaveDirs(ctx, s.Node, newMarks); err != nil {
		return rep, fmt.Errorf("scan: %w", err)
	}
	faultpoint.Hit("scan.dirs.saved")
	if err := s.forgetVanishedDirs(ctx, marks, seen, vanished, &rep); err != nil {
		return rep, err
	}
	rep.Elapsed = s.now().Sub(start)
	return rep, nil
}

// scanDir lists one directory when it changed (or always with full) and queues its
// new and changed files. It returns the directory's mark and its subdirectories.
func (s *Scanner) scanDir(ctx context.Context, dir string, marks map[string]recordings.DirMark, children map[string][]string, full bool, w *batchWriter, rep *Report) (recordings.DirMark, []string, error) {
	d, err := s.Tree.OpenDir(dir)
	if err != nil {
		return recordings.DirMark{}, nil, err
	}
	defer d.Close()
	rep.Dirs++
	mt, err := d.ModTime()
	if err != nil {
		return recordings.DirMark{}, nil, err
	}
	if old, ok := marks[dir]; ok && !full && sameTime(old.ModTime, mt) && old.Fingerprint != dirtyMark {
		rep.DirsSkipped++
		rep.Files += old.Files
		return old, children[dir], nil
	}
	l, err := d.List()
	if err != nil {
		return recordings.DirMark{}, nil, err
	}
	faultpoint.Hit("scan.dir.listed")
	for _, o := range l.Oddities {
		s.oddity(rep, o)
	}
	known, err := s.Cat.DirFiles(ctx, s.Node, dir)
	if err != nil {
		return recordings.DirMark{}, nil, fmt.Errorf("scan %q: %w", dir, err)
	}
	mark := recordings.DirMark{Path: dir, ModTime: mt, Files: len(l.Files)}
	var (
		probe []spool.File
		owned map[string]bool // the files of open conversions, read once a new file is seen
	)
	for _, f := range l.Files {
		rep.Files++
		rep.Bytes += f.Size
		old, ok := known[f.Name]
		delete(known, f.Name)
		if ok && old.Archived {
			continue // the local copy of an archived recording: the archiver's to remove
		}
		if ok && old.Size == f.Size && sameTime(old.ModTime, f.ModTime) && old.State != recordings.StateMissing && old.State != recordings.StateWriting {
			continue
		}
		if !ok {
			// A compressor's work file, or a file a conversion owns, is not a
			// recording. The conversions are read after the listing and the rows:
			// a file renamed into place before the listing was journalled before
			// its rename.
			if spool.IsWorkFile(f.Name) {
				continue
			}
			if owned == nil {
				if owned, err = s.Cat.ConversionFiles(ctx, s.Node); err != nil {
					return recordings.DirMark{}, nil, fmt.Errorf("scan %q: %w", dir, err)
				}
			}
			if owned[path.Join(dir, f.Name)] {
				continue
			}
		}
		if ok {
			rep.Changed++
		} else {
			rep.New++
		}
		probe = append(probe, f)
	}
	for _, rec := range s.inspectAll(d, probe) {
		if rec.State == recordings.StateWriting {
			mark.Fingerprint = dirtyMark
		}
		count(rep, rec)
		w.add(rec)
	}
	var gone []int64
	for _, fs := range known {
		if fs.State != recordings.StateMissing && fs.State != recordings.StateDeleted && !fs.Archived {
			gone = append(gone, fs.ID)
		}
	}
	if len(gone) > 0 {
		faultpoint.Hit("scan.missing.before")
		if err := s.Cat.MarkMissing(ctx, gone, s.now()); err != nil {
			return recordings.DirMark{}, nil, fmt.Errorf("scan %q: %w", dir, err)
		}
		rep.Missing += len(gone)
		faultpoint.Hit("scan.missing.after")
	}
	return mark, l.Subdirs, nil
}

// vanishedBelow adds to vanished the directories below dir that hold live rows but
// are not under any of dir's subdirectories as just listed.
func (s *Scanner) vanishedBelow(ctx context.Context, dir string, subdirs []string, vanished map[string]bool) error {
	below, err := s.Cat.LiveDirsUnder(ctx, s.Node, dir)
	if err != nil {
		return fmt.Errorf("scan: %w", err)
	}
	listed := map[string]bool{}
	for _, d := range subdirs {
		listed[d] = true
	}
	for _, d := range below {
		rest := strings.TrimPrefix(d, prefixOf(dir))
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			rest = rest[:i]
		}
		if !listed[prefixOf(dir)+rest] {
			vanished[d] = true
		}
	}
	return nil
}

// prefixOf is dir's path prefix for its children: "" for the root, else "dir/".
func prefixOf(dir string) string {
	if dir == "" {
		return ""
	}
	return dir + "/"
}

// forgetVanishedDirs marks the rows of directories that no longer exist as missing:
// directories with a mark that the scan did not see, and those vanished lists.
func (s *Scanner) forgetVanishedDirs(ctx context.Context, marks map[string]recordings.DirMark, seen, vanished map[string]bool, rep *Report) error {
	var gone []string
	for p := range marks {
		if !seen[p] {
			gone = append(gone, p)
		}
	}
	for p := range vanished {
		if _, marked := marks[p]; !marked && !seen[p] {
			gone = append(gone, p)
		}
	}
	for _, p := range gone {
		known, err := s.Cat.DirFiles(ctx, s.Node, p)
		if err != nil {
			return fmt.Errorf("scan: %w", err)
		}
		var ids []int64
		for _, fs := range known {
			if fs.State != recordings.StateMissing && fs.State != recordings.StateDeleted && !fs.Archived {
				ids = append(ids, fs.ID)
			}
		}
		if err := s.Cat.MarkMissing(ctx, ids, s.now()); err != nil {
			return fmt.Errorf("scan: %w", err)
		}
		rep.Missing += len(ids)
	}
	if len(gone) == 0 {
		return nil
	}
	faultpoint.Hit("scan.vanished.marked")
	if err := s.Cat.DeleteDirs(ctx, s.Node, gone); err != nil {
		return fmt.Errorf("scan: %w", err)
	}
	return nil
}

func (s *Scanner) oddity(rep *Report, o spool.Oddity) {
	rep.Oddities++
	if s.OnOddity != nil {
		s.OnOddity(o)
	}
}

func (s *Scanner) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func count(rep *Report, rec recordings.Recording) {
	switch rec.State {
	case recordings.StateEmpty:
		rep.Empty++
	case recordings.StateWriting:
		rep.Writing++
	case recordings.StateCorrupt:
		rep.Corrupt++
	}
	if rec.Name.Type == "other" {
		rep.Unnamed++
	}
}

// childrenOf indexes the known directories by their parent, so that an unchanged
// directory's subdirectories are visited without listing it.
func childrenOf(marks map[string]recordings.DirMark) map[string][]string {
	c := map[string][]string{}
	for p := range marks {
		if p == "" {
			continue
		}
		parent := path.Dir(p)
		if parent == "." {
			parent = ""
		}
		c[parent] = append(c[parent], p)
	}
	return c
}

// sameTime compares a file time with one the catalogue stored, which keeps
// microseconds.
func sameTime(stored, onDisk time.Time) bool {
	return stored.Equal(onDisk.Truncate(time.Microsecond))
}
