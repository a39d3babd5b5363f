package daemon

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/totalrec/totalrec/recordings/archive"
	"github.com/totalrec/totalrec/recordings/archive/s3"
	"github.com/totalrec/totalrec/recordings/spool"
)

// archiveEvery is how often, at most, the daemon moves recordings old enough to
// the bucket: every scan interval when that is shorter.
const archiveEvery = 10 * time.Minute

// ErrNoArchive: no archive tier is configured (archive_endpoint is empty).
var ErrNoArchive = errors.New("no archive tier is configured (archive_endpoint is empty)")

// Bucket opens the archive tier's bucket of env's configuration. It does not
// contact the server: Check does.
func (env Env) Bucket(ctx context.Context) (*s3.Bucket, error) {
	a := env.Config.Archive
	if !a.Enabled() {
		return nil, ErrNoArchive
	}
	return s3.Open(ctx, s3.Config{
		Endpoint: a.Endpoint, Bucket: a.Bucket, Prefix: a.Prefix, Region: a.Region,
		AccessKey: a.AccessKey, SecretKey: a.SecretKey, CAFile: a.CAFile,
		Insecure: strings.HasPrefix(a.Endpoint, "http://"),
	})
}

// WithBucket hands the configuration's bucket to use, when an archive tier is
// configured (a nil bucket must never reach an interface); without one it does
// nothing. A configuration it cannot open is an error.
func (env Env) WithBucket(ctx context.Context, use func(*s3.Bucket)) error {
	bucket, err := env.Bucket(ctx)
	switch {
	case errors.Is(err, ErrNoArchive):
		return nil
	case err != nil:
		return err
	}
	use(bucket)
	return nil
}

// Archiver returns the archiver of env's configuration over tree and bucket.
func (env Env) Archiver(tree *spool.Tree, bucket *s3.Bucket) *archive.Archiver {
	return &archive.Archiver{
		Store: env.Catalog, Tree: tree, Bucket: bucket, Node: env.Config.Node,
		After: env.Config.Archive.After, KeepRestored: env.Config.Archive.KeepRestored, MinFree: env.Config.Archive.MinFree,
		Log: env.Log.With("component", "archive"),
	}
}

// archiveLoop moves recordings old enough to the bucket, every archiveEvery. A
// pass is skipped while `totalrec archive` holds the lock; a bucket that cannot be
// reached is reported, and the next pass tries again.
func archiveLoop(ctx context.Context, env Env, a *archive.Archiver, scanning sync.Locker) error {
	if a == nil {
		<-ctx.Done()
		return nil
	}
	log := env.Log.With("component", "archive")
	a.Switch = scanning
	every(ctx, min(archiveEvery, env.Config.ScanInterval), nil, func(ctx context.Context) {
		release, err := archive.Lock(env.Config.DataDir)
		if err != nil {
			log.Debug("archive pass skipped", slog.Any("error", err))
			return
		}
		defer release()
		r, err := a.Pass(ctx, 0, nil)
		switch {
		case ctx.Err() != nil:
		case err != nil:
			log.Error("archive pass failed", slog.Any("error", err))
		case r.Archived+r.Failed+r.Recovered > 0:
			log.Info("archived", slog.Int("recordings", r.Archived), slog.Int64("bytes", r.Bytes),
				slog.Int("failed", r.Failed), slog.Int("recovered", r.Recovered))
		}
	})
	return nil
}
