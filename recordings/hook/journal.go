package hook

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/totalrec/totalrec/recordings/faultpoint"
)

// Journal is the durable queue `totalrec hook` falls back to when the daemon cannot
// take a finished recording: one JSON line per recording, appended and fsynced before
// the hook returns, so that nothing is lost while the daemon or the database is
// down. The daemon drains it at start and on every scan.
//
// Appends go to hook.jsonl with O_APPEND; a line is far shorter than PIPE_BUF, so
// concurrent hooks never interleave. Draining first renames the file aside
// (atomically), so appends during a drain go to a fresh file, and removes the
// renamed file only after every line in it was handled: a crash mid-drain repeats
// lines, never drops them, and ingesting a file twice is harmless.
type Journal struct {
	Dir string
}

// Entry is one journalled recording: Path when the hook knew the spool, else File, the
// absolute name MixMonitor gave (the hook could not read its configuration), for the
// drain to resolve against the spool it knows.
type Entry struct {
	Path     string    `json:"path,omitempty"` // relative to the spool root
	File     string    `json:"file,omitempty"` // absolute, when Path could not be known
	UniqueID string    `json:"uniqueid,omitempty"`
	At       time.Time `json:"at"`
}

// name is what reports call the entry.
func (e Entry) name() string {
	if e.Path != "" {
		return e.Path
	}
	return e.File
}

const (
	journalFile   = "hook.jsonl"
	drainingGlob  = "hook.*.draining"
	rejectedFile  = "rejected.jsonl"
	maxEntryBytes = 4096
)

// ErrUnusable marks a handler's error as one that retrying cannot cure (the entry
// names no file of the spool, say): the entry is set aside instead of stopping the
// drain. Any other error is taken as passing (the catalogue is down) and stops it.
var ErrUnusable = errors.New("journal entry cannot be applied")

// Rejected is an entry set aside by a drain, kept in rejected.jsonl for inspection.
type Rejected struct {
	Entry
	Error string    `json:"error"`
	When  time.Time `json:"set_aside_at"`
}

// Append writes e durably.
func (j Journal) Append(e Entry) error {
	return j.appendLine(journalFile, e)
}

// appendLine appends v as one fsynced JSON line to the journal directory's file name.
func (j Journal) appendLine(name string, v any) error {
	if err := os.MkdirAll(j.Dir, 0o770); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	if len(b) >= maxEntryBytes {
		return fmt.Errorf("journal: entry of %d bytes is too long", len(b))
	}
	f, err := os.OpenFile(filepath.Join(j.Dir, name), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o660)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("journal: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("journal: %w", err)
	}
	return f.Close()
}

// DrainReport counts what a drain did.
type DrainReport struct {
	Done     int        `json:"done"`
	Skipped  int        `json:"skipped"`             // unreadable lines (a torn write at a crash)
	SetAside []Rejected `json:"set_aside,omitempty"` // entries moved to rejected.jsonl
}

// Drain hands every journalled entry to handle, oldest first. An entry whose handle
// fails with ErrUnusable is moved to rejected.jsonl and the drain goes on: one bad
// entry never stops ingest. Any other failure stops the drain and the entry stays
// journalled (with everything after it) for the next one. handle should treat a
// recording that no longer exists as done.
func (j Journal) Drain(ctx context.Context, handle func(context.Context, Entry) error) (DrainReport, error) {
	var rep DrainReport
	cur := filepath.Join(j.Dir, journalFile)
	if _, err := os.Stat(cur); err == nil {
		aside := filepath.Join(j.Dir, fmt.Sprintf("hook.%020d.draining", time.Now().UnixNano()))
		if err := os.Rename(cur, aside); err != nil {
			return rep, fmt.Errorf("drain journal: %w", err)
		}
		faultpoint.Hit("journal.drain.renamed")
	} else if !errors.Is(err, os.ErrNotExist) {
		return rep, fmt.Errorf("drain journal: %w", err)
	}
	files, err := filepath.Glob(filepath.Join(j.Dir, drainingGlob))
	if err != nil {
		return rep, fmt.Errorf("drain journal: %w", err)
	}
	sort.Strings(files) // the names carry the time they were set aside
	for _, name := range files {
		if err := j.drainFile(ctx, name, handle, &rep); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

func (j Journal) drainFile(ctx context.Context, name string, handle func(context.Context, Entry) error, rep *DrainReport) error {
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("drain journal: %w", err)
	}
	defer f.Close()
	br := bufio.NewReader(f)
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			var e Entry
			if len(line) > maxEntryBytes || json.Unmarshal(line, &e) != nil || e.name() == "" {
				rep.Skipped++ // a torn write at a crash, or a damaged file
			} else if err := handle(ctx, e); errors.Is(err, ErrUnusable) {
				r := Rejected{Entry: e, Error: err.Error(), When: time.Now().UTC()}
				if err := j.appendLine(rejectedFile, r); err != nil {
					return fmt.Errorf("drain journal: set aside %s: %w", e.name(), err)
				}
				rep.SetAside = append(rep.SetAside, r)
			} else if err != nil {
				return fmt.Errorf("drain journal: %s: %w", e.name(), err)
			} else {
				rep.Done++
			}
			faultpoint.Hit("journal.entry.handled")
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("drain journal: %w", err)
		}
	}
	f.Close()
	faultpoint.Hit("journal.file.remove.before")
	if err := os.Remove(name); err != nil {
		return fmt.Errorf("drain journal: %w", err)
	}
	return nil
}
