package ingest

import (
	"context"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

// ScanStore is what a Scanner needs of the catalogue (catalog.Catalog satisfies
// it): the directory marks of incremental scans, the rows of one directory, and
// the writes a scan makes.
type ScanStore interface {
	Dirs(ctx context.Context, node string) (map[string]recordings.DirMark, error)
	SaveDirs(ctx context.Context, node string, marks []recordings.DirMark) error
	DeleteDirs(ctx context.Context, node string, paths []string) error
	DirFiles(ctx context.Context, node, dir string) (map[string]recordings.FileStat, error)
	LiveDirsUnder(ctx context.Context, node, dir string) ([]string, error)
	Upsert(ctx context.Context, recs []recordings.Recording) (inserted, updated int, err error)
	GetByPath(ctx context.Context, node, path string) (recordings.Recording, error)
	MarkMissing(ctx context.Context, ids []int64, now time.Time) error
	// ConversionFiles are the files an open conversion owns (package compress):
	// not recordings of their own.
	ConversionFiles(ctx context.Context, node string) (map[string]bool, error)
}

// EnrichStore is what an Enricher needs of the catalogue (catalog.Catalog
// satisfies it): the recordings due a CDR lookup, and the outcome of each.
type EnrichStore interface {
	PendingCDR(ctx context.Context, due time.Time, limit int) ([]recordings.Recording, error)
	SetCDR(ctx context.Context, id int64, status recordings.CDRStatus, cdr recordings.CDR, attempts int, next time.Time) error
}
