package ingest

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

// Entry is one journalled recording.
type Entry struct {
	Path     string    `json:"path"` // relative to the spool root
	UniqueID string    `json:"uniqueid,omitempty"`
	At       time.Time `json:"at"`
}

const (
	journalFile   = "hook.jsonl"
	drainingGlob  = "hook.*.draining"
	maxEntryBytes = 4096
)

// Append writes e durably.
func (j Journal) Append(e Entry) error {
	if err := os.MkdirAll(j.Dir, 0o770); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	if len(b) >= maxEntryBytes {
		return fmt.Errorf("journal: entry of %d bytes is too long", len(b))
	}
	f, err := os.OpenFile(filepath.Join(j.Dir, journalFile), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o660)
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
	Done    int `json:"done"`
	Skipped int `json:"skipped"` // unreadable lines (a torn write at a crash)
}

// Drain hands every journalled entry to handle, oldest first. An entry whose handle
// fails stops the drain and stays journalled (with everything after it) for the next
// one; handle should treat a recording that no longer exists as done.
func (j Journal) Drain(ctx context.Context, handle func(context.Context, Entry) error) (DrainReport, error) {
	var rep DrainReport
	cur := filepath.Join(j.Dir, journalFile)
	if _, err := os.Stat(cur); err == nil {
		aside := filepath.Join(j.Dir, fmt.Sprintf("hook.%020d.draining", time.Now().UnixNano()))
		if err := os.Rename(cur, aside); err != nil {
			return rep, fmt.Errorf("drain journal: %w", err)
		}
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
			if len(line) > maxEntryBytes || json.Unmarshal(line, &e) != nil || e.Path == "" {
				rep.Skipped++ // a torn write at a crash, or a damaged file
			} else if err := handle(ctx, e); err != nil {
				return fmt.Errorf("drain journal: %s: %w", e.Path, err)
			} else {
				rep.Done++
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("drain journal: %w", err)
		}
	}
	f.Close()
	if err := os.Remove(name); err != nil {
		return fmt.Errorf("drain journal: %w", err)
	}
	return nil
}
