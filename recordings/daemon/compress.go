package daemon

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/compress"
	"github.com/totalrec/totalrec/recordings/ingest"
	"github.com/totalrec/totalrec/recordings/spool"
)

// compressEvery is how often the daemon looks for recordings to compress besides
// those the hook announces; compressDelay is how long after a hook it starts.
const (
	compressEvery = time.Minute
	compressDelay = 500 * time.Millisecond
)

// Codec is the form the configuration asks recordings to be compressed to, and
// whether to compress at all: not with compress = keep, nor when the codec's
// programs are missing (the error says which package to install).
func (env Env) Codec() (compress.Codec, error) {
	c, ok := compress.Codecs[recordings.Format(env.Config.Compress)]
	if !ok {
		return c, errNoCompression
	}
	return c, c.Available()
}

// errNoCompression: compress = keep.
var errNoCompression = errors.New("compression is off (compress = keep)")

// ReadyEvents is where recording.ready goes: the webhook events, held back while
// a recording's compression is to come, so that the event carries its final form.
func (env Env) ReadyEvents() ingest.ReadyEvents {
	ev := env.WebhookEvents()
	if _, err := env.Codec(); err != nil {
		return ev
	}
	return compress.ReadyGate{Next: ev, Store: env.Catalog}
}

// Compressor returns the compressor of env's configuration over tree, or the
// reason there is none.
func (env Env) Compressor(tree *spool.Tree) (*compress.Compressor, error) {
	codec, err := env.Codec()
	if err != nil {
		return nil, err
	}
	c := &compress.Compressor{
		Store: env.Catalog, Tree: tree, Codec: codec, Node: env.Config.Node, Spool: env.Config.Spool,
		Events: env.WebhookEvents(), KeepHeldOriginal: env.Config.CompressHeld != "replace",
		Log: env.Log.With("component", "compress"),
	}
	if env.CDR != nil { // a nil *cdr.Reader must stay a nil interface
		c.CDR = env.CDR
	}
	return c, nil
}

// compressLoop converts recordings after their calls: those the hook announces
// (soon), and every minute those sealed since. A pass is skipped while `totalrec
// compress` holds the lock.
func compressLoop(ctx context.Context, env Env, c *compress.Compressor, soon <-chan struct{}, scanning sync.Locker) error {
	log := env.Log.With("component", "compress")
	if c == nil {
		<-ctx.Done()
		return nil
	}
	c.Switch = scanning
	every(ctx, compressEvery, soon, func(ctx context.Context) {
		release, err := compress.Lock(env.Config.DataDir)
		if err != nil {
			log.Debug("compression pass skipped", slog.Any("error", err))
			return
		}
		defer release()
		r, err := c.Pass(ctx, 0, nil)
		switch {
		case ctx.Err() != nil:
		case err != nil:
			log.Error("compression failed", slog.Any("error", err))
		case r.Converted+r.Failed+r.Recovered > 0:
			log.Info("compressed", slog.Int("recordings", r.Converted), slog.Int("failed", r.Failed),
				slog.Int("recovered", r.Recovered), slog.Int64("bytes_before", r.BytesBefore), slog.Int64("bytes_after", r.BytesAfter))
		}
	})
	return nil
}
