package daemon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/ami"
	"github.com/totalrec/totalrec/recordings/archive"
	"github.com/totalrec/totalrec/recordings/archive/s3"
	"github.com/totalrec/totalrec/recordings/catalog"
	"github.com/totalrec/totalrec/recordings/cdr"
	"github.com/totalrec/totalrec/recordings/compress"
	"github.com/totalrec/totalrec/recordings/config"
	"github.com/totalrec/totalrec/recordings/evidence"
	"github.com/totalrec/totalrec/recordings/hook"
	"github.com/totalrec/totalrec/recordings/ingest"
	"github.com/totalrec/totalrec/recordings/nodes"
	"github.com/totalrec/totalrec/recordings/pause"
	"github.com/totalrec/totalrec/recordings/spool"
	"github.com/totalrec/totalrec/recordings/subject"
	"github.com/totalrec/totalrec/recordings/web"
	"github.com/totalrec/totalrec/recordings/webhook"
)

// Env is what the daemon and the scan job work with, opened by the command that
// runs them, which closes them after.
type Env struct {
	Config  config.Config // the effective configuration
	Catalog *catalog.Catalog
	CDR     *cdr.Reader    // nil when no CDR database is configured
	Loc     *time.Location // the PBX's zone
	Log     *slog.Logger
}

// WebhookEvents returns the producer of webhook events for env's catalogue.
// Share links (media_url) are not wired yet: events carry none.
func (env Env) WebhookEvents() *webhook.Events {
	return webhook.NewEvents(env.Catalog, webhook.Options{Location: env.Loc, Log: env.Log.With("component", "webhook")})
}

// peaksRate is the rate compressed recordings are decoded at for their
// waveform: ample for 100 ms peaks.
const peaksRate = 8000

// Options say how Run runs: what `serve` and `demo` ask of it.
type Options struct {
	Listen      string // the HTTP address
	ScanAtStart bool
	ScanEvery   time.Duration
	NoScan      bool             // no scan at all, at start or periodic
	Version     string           // shown by the web interface
	Ready       func(url string) // called once the listener is open
	LoginAs     string           // the ready URL signs this user in once (totalrec demo)
}

// HTTP server timeouts. WriteTimeout bounds pages and API answers; the
// streaming routes (audio, original files, exports) replace it with an idle
// timeout (web.StreamIdle) so that an hour-long recording still plays.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 2 * time.Minute
	shutdownTimeout   = 10 * time.Second
)

// Run is the daemon: the web server, the hook socket, the periodic scan,
// enrichment, session pruning and webhook delivery, as a group of context-aware
// loops. It returns when ctx is cancelled (nil: a normal stop, also while it is
// still starting) or when one of them fails. A second daemon on the same data
// directory is refused (recordings.ErrRefused).
func Run(ctx context.Context, env Env, o Options) error {
	err := run(ctx, env, o)
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		return nil
	}
	return err
}

func run(ctx context.Context, env Env, o Options) error {
	cfg := env.Config
	release, err := lockDaemon(cfg.DataDir)
	if err != nil {
		return err
	}
	defer release()
	tree, err := spool.OpenTree(cfg.Spool)
	if err != nil {
		return err
	}
	defer tree.Close()
	// The manager interface pauses recordings (the feature code, the web
	// interface's button); it connects, and reconnects, on its own.
	var pauser *pause.Pauser
	manager := func(ctx context.Context) error { <-ctx.Done(); return nil }
	if cfg.AMIUser != "" {
		client := &ami.Client{Addr: cfg.AMIAddress, User: cfg.AMIUser, Secret: cfg.AMISecret, Log: env.Log.With("component", "ami")}
		pauser = &pause.Pauser{Store: env.Catalog, AMI: client, Node: cfg.Node}
		manager = func(ctx context.Context) error { client.Run(ctx); return nil }
	}
	// The archive tier: recordings older than archive_after move to the bucket,
	// and are read from it.
	// The bucket is not contacted here: the archive loop's passes say when it
	// cannot be used, and the daemon starts serving meanwhile.
	var (
		archiver *archive.Archiver
		bucket   *s3.Bucket
	)
	if err := env.WithBucket(ctx, func(b *s3.Bucket) { bucket, archiver = b, env.Archiver(tree, b) }); err != nil {
		return err
	}
	wo := web.Options{
		Catalog: env.Catalog, Spool: tree, Location: env.Loc, Logger: env.Log.With("component", "web"), Version: o.Version,
		CacheDir: filepath.Join(cfg.DataDir, "cache", "checkpoints"), Access: webAccess(cfg),
		Storage:  web.Storage{Node: cfg.Node, PolicyFile: cfg.RetentionPolicy},
		Evidence: web.Evidence{Dir: evidence.Dir(cfg.DataDir, cfg.Node), Node: cfg.Node},
		Subjects: web.SubjectRequests{
			Subject:      &subject.Subject{Store: env.Catalog, Tree: tree, Node: cfg.Node, Suffix: catalog.NumberSuffix, Events: env.WebhookEvents()},
			Certificates: subject.CertificatesIn(cfg.DataDir, evidence.Dir(cfg.DataDir, cfg.Node)),
			ManifestKey:  cfg.ManifestKeyPath(), Node: cfg.Node, DataDir: cfg.DataDir,
		},
		BasePath: cfg.BasePath, HoldEvents: env.WebhookEvents(), WebhookEvents: webhook.EventTypes,
		Pauser: pauser,
		Decode: func(ctx context.Context, format recordings.Format, f *os.File, w io.Writer) error {
			c, ok := compress.Codecs[format]
			if !ok {
				return fmt.Errorf("decode %s: %w", format, recordings.ErrUnsupportedFormat)
			}
			return c.Decode(ctx, f, peaksRate, w)
		},
	}
	if bucket != nil { // a nil *s3.Bucket must stay a nil interface
		wo.Archive, wo.Subjects.Subject.Objects = bucket, bucket
	}
	// Several PBXs, one catalogue: this node's recordings are read by the others
	// with the shared secret, and theirs are read from them.
	wo.Node, wo.NodeSecret = cfg.Node, []byte(cfg.NodeSecret)
	if cfg.Nodes != "" {
		urls, err := cfg.NodeURLs()
		if err != nil {
			return err
		}
		wo.Nodes = &nodes.Client{URLs: urls, Secret: []byte(cfg.NodeSecret)}
	}
	if env.CDR != nil { // a nil *cdr.Reader must stay a nil interface
		wo.CDR = env.CDR
		wo.Subjects.Subject.CDR = env.CDR
	}
	srv, err := web.New(wo)
	if err != nil {
		return err
	}
	// After the loops below: the hook that asks for checkpoints has stopped by then.
	defer srv.Close()
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", o.Listen, err)
	}
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(env.Log.Handler(), slog.LevelWarn),
	}
	env.Log.Info("serving", slog.String("address", ln.Addr().String()))
	if o.Ready != nil {
		o.Ready(readyURL(srv, ln.Addr().String(), o.LoginAs))
	}
	events := env.ReadyEvents()
	compressor, err := env.Compressor(tree)
	switch {
	case errors.Is(err, errNoCompression):
	case err != nil:
		env.Log.Warn("recordings are not compressed", slog.Any("error", err))
	}
	compressSoon := newKicker(compressDelay)
	defer compressSoon.stop()
	// A scan and a compression's switch take turns: no scan lists a directory
	// between a new file's rename and the catalogue's switch to it.
	var scanning sync.Mutex
	// MixMonitor's post-command announces each finished recording on a unix socket;
	// the enrichment loop links it to its CDR row once the row lands.
	// The CDR row lands at hangup, moments after the hook: each hook asks the
	// enrichment loop for a pass shortly after, instead of waiting for its tick.
	linkSoon := newKicker(linkDelay)
	defer linkSoon.stop()
	hooks := &HookServer{
		Scanner: &ingest.Scanner{Tree: tree, Cat: env.Catalog, Node: cfg.Node, Loc: env.Loc, CDR: env.CDR != nil, Log: env.Log.With("component", "hook"), Events: events},
		Log:     env.Log.With("component", "hook"),
		Ingested: func(r recordings.Recording) {
			srv.Prewarm(r)
			linkSoon.kick()
			if compressor != nil && r.State == recordings.StateOK {
				compressor.Queue(r.ID)
				compressSoon.kick()
			}
		},
	}
	hooks.Pauser, hooks.Consent = pauser, env.Catalog
	// What hooks journalled while no daemon listened is catalogued first, whether
	// or not the spool is scanned.
	if rep, err := drainJournal(ctx, cfg.DataDir, cfg.Spool, hooks.Scanner, env.Log); err != nil {
		env.Log.Error("drain the hook journal", slog.Any("error", err))
	} else if rep.Done+rep.Skipped+len(rep.SetAside) > 0 {
		env.Log.Info("hook journal drained", slog.Int("recordings", rep.Done), slog.Int("unreadable", rep.Skipped), slog.Int("set_aside", len(rep.SetAside)))
	}
	return runGroup(ctx,
		func(ctx context.Context) error { return serveHTTP(ctx, hs, ln) },
		func(ctx context.Context) error { return ServeHook(ctx, hook.Socket(cfg.DataDir), hooks) },
		func(ctx context.Context) error { return scanLoop(ctx, env, o, &scanning) },
		func(ctx context.Context) error { return enrichLoop(ctx, env, enrichEvery, linkSoon.c, events) },
		func(ctx context.Context) error { return pruneSessionsLoop(ctx, env, pruneEvery) },
		func(ctx context.Context) error { return sealLoop(ctx, env, tree) },
		func(ctx context.Context) error { return compressLoop(ctx, env, compressor, compressSoon.c, &scanning) },
		func(ctx context.Context) error { return archiveLoop(ctx, env, archiver, &scanning) },
		manager,
		(&webhook.Deliverer{Cat: env.Catalog, Owner: cfg.Node, Log: env.Log.With("component", "webhook")}).Run,
	)
}

// webAccess is the web server's sign-in configuration.
func webAccess(cfg config.Config) web.Access {
	return web.Access{SSOSecret: cfg.SSOSecret, PublicURL: cfg.PublicURL, FrameAncestors: cfg.FrameAncestorList(),
		SessionIdle: cfg.SessionIdle, SessionMax: cfg.SessionMax}
}

// loginLinkTTL is how long the one-time sign-in link `totalrec demo` prints stays valid.
const loginLinkTTL = 24 * time.Hour

// readyURL is the address serve announces; with loginAs, a one-time link that
// signs that user in.
func readyURL(srv *web.Server, addr, loginAs string) string {
	base := "http://" + addr
	if loginAs == "" {
		return base + "/"
	}
	link, err := srv.LoginLink(loginAs, loginLinkTTL)
	if err != nil {
		return base + "/"
	}
	return base + link
}

// serveHTTP serves until ctx is cancelled, then shuts down gracefully: requests
// in flight get shutdownTimeout to finish.
func serveHTTP(ctx context.Context, hs *http.Server, ln net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve http: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	err := hs.Shutdown(sctx)
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	if err != nil {
		return fmt.Errorf("shut down http: %w", err)
	}
	return nil
}

// runGroup runs every fn with a context that is cancelled when ctx is or when
// any fn returns an error, waits for all of them, and returns the first error.
func runGroup(ctx context.Context, fns ...func(context.Context) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	for _, fn := range fns {
		wg.Go(func() {
			if err := fn(ctx); err != nil {
				once.Do(func() { first = err; cancel() })
			}
		})
	}
	wg.Wait()
	return first
}
