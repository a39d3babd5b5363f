package archive

import (
	"context"
	"fmt"
	"io"
	"io/fs"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/archive/s3"
	"github.com/totalrec/totalrec/recordings/spool"
)

// File is a recording's bytes opened for reading, wherever they live.
type File interface {
	io.ReaderAt
	io.Closer
}

// Objects opens archived recordings' objects (*s3.Bucket satisfies it).
type Objects interface {
	OpenObject(ctx context.Context, key string) (*s3.Object, error)
}

// Source opens recordings where the catalogue says they live: the spool, or the
// archive bucket (nil: none configured).
type Source struct {
	Tree    *spool.Tree
	Objects Objects
	// Node is the node whose spool Tree is: another node's recordings on disk
	// are not in it.
	Node string
}

// Open opens rec's file or object and returns its size. A file or object that
// is not there matches fs.ErrNotExist.
func (s Source) Open(ctx context.Context, rec recordings.Recording) (File, int64, error) {
	if rec.Storage != recordings.StorageS3 {
		if rec.Node != s.Node {
			return nil, 0, fmt.Errorf("recording %d is on node %s's disk, not this one's: %w", rec.ID, rec.Node, fs.ErrNotExist)
		}
		f, fi, err := s.Tree.OpenFile(rec.Path)
		if err != nil {
			return nil, 0, err
		}
		return f, fi.Size, nil
	}
	if s.Objects == nil {
		return nil, 0, fmt.Errorf("recording %d is in the archive bucket, and no archive is configured here: %w", rec.ID, recordings.ErrRefused)
	}
	obj, err := s.Objects.OpenObject(ctx, recordings.ObjectKey(rec.Node, rec.Path))
	if err != nil {
		return nil, 0, err
	}
	return obj, obj.Size(), nil
}
