package ingest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"

	"github.com/totalrec/totalrec/recordings"
)

// IngestFile catalogues one file the moment MixMonitor closes it, without waiting for
// the next scan. rel is the file's path relative to the spool root. It is idempotent:
// the same file ingested twice (a transfer runs the post-command once per leg) is one
// row. A file that is not there (MixMonitor's b option leaves none for a call that
// was never bridged) is recordings.ErrNotFound.
func (s *Scanner) IngestFile(ctx context.Context, rel string) (recordings.Recording, error) {
	rel = path.Clean(rel)
	dir, name := path.Split(rel)
	dir = path.Clean(dir)
	if dir == "." {
		dir = ""
	}
	d, err := s.Tree.OpenDir(dir)
	if err != nil {
		return recordings.Recording{}, fmt.Errorf("ingest %s: %w", rel, notFound(err))
	}
	defer d.Close()
	f, err := d.Stat(name)
	if err != nil {
		return recordings.Recording{}, fmt.Errorf("ingest %s: %w", rel, notFound(err))
	}
	rec := s.inspect(d, f)
	if _, _, err := s.Cat.Upsert(ctx, []recordings.Recording{rec}); err != nil {
		return rec, fmt.Errorf("ingest %s: %w", rel, err)
	}
	got, err := s.Cat.GetByPath(ctx, s.Node, rec.Path)
	if err != nil || s.CDR || s.Events == nil || got.State == recordings.StateWriting {
		return got, err
	}
	// Announced after the upsert: a crash in between fails the call, and the hook
	// journals the file, whose replay comes back here with the same event ID.
	if err := s.Events.RecordingReady(ctx, got); err != nil {
		return got, fmt.Errorf("ingest %s: %w", rel, err)
	}
	return got, nil
}

// notFound makes a missing file or directory recordings.ErrNotFound, which is what a
// recording deleted (or a day's directory removed) since it was announced is.
func notFound(err error) error {
	if errors.Is(err, fs.ErrNotExist) && !errors.Is(err, recordings.ErrNotFound) {
		return fmt.Errorf("%w: %w", recordings.ErrNotFound, err)
	}
	return err
}
