package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/ingest"
	"github.com/totalrec/totalrec/recordings/spool"
	"github.com/totalrec/totalrec/recordings/web"
	"github.com/totalrec/totalrec/recordings/webhook"
)

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

type serveOptions struct {
	listen string
	noScan bool
}

func newServeCommand(opts *globalOptions) *cobra.Command {
	var so serveOptions
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the web interface and the JSON API, and keep the catalogue up to date",
		Long: `serve runs the web interface (search, player, downloads) and the JSON API under
/api/v1, and scans the spool at startup and every scan_interval. People sign in
with accounts made by totalrec user add, or through the FreePBX module (single
sign-on with sso_secret); CRMs use tokens from totalrec token add. Each sees the
recordings of their extensions only. SIGINT or SIGTERM stop it gracefully.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runServe(cmd.Context(), opts, so)
		},
	}
	cmd.Flags().StringVar(&so.listen, "listen", "", "address to listen on (default 127.0.0.1:8080; $TOTALREC_LISTEN)")
	cmd.Flags().BoolVar(&so.noScan, "no-scan", false, "do not scan the spool (startup and periodic)")
	return cmd
}

func runServe(ctx context.Context, opts *globalOptions, so serveOptions) error {
	a, err := opts.openApp(ctx, true)
	if err != nil {
		return err
	}
	defer a.Close()
	listen := so.listen
	if listen == "" {
		listen = a.cfg.Listen
	}
	return serveApp(ctx, a, serveParams{
		listen: listen, scanAtStart: !so.noScan, scanEvery: a.cfg.ScanInterval, noScan: so.noScan,
		ready: func(url string) {
			fmt.Fprintf(opts.stdout, "Totalrec is serving on %s\n", url)
			fmt.Fprintln(opts.stdout, "Sign in with an account from `totalrec user add`, or open it from FreePBX (Reports › Call Recordings).")
		},
	})
}

// serveParams says how serveApp runs.
type serveParams struct {
	listen      string
	scanAtStart bool
	scanEvery   time.Duration
	noScan      bool
	ready       func(url string) // called once the listener is open
	loginAs     string           // the ready URL signs this user in once (totalrec demo)
}

// serveApp is the daemon: the web server and the periodic scan, as a group of
// context-aware loops. It returns when ctx is cancelled (nil: a normal stop, also
// while it is still starting) or when one of them fails.
func serveApp(ctx context.Context, a *app, p serveParams) error {
	err := serveLoops(ctx, a, p)
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		return nil
	}
	return err
}

func serveLoops(ctx context.Context, a *app, p serveParams) error {
	release, err := lockDaemon(a.cfg.DataDir)
	if err != nil {
		return err
	}
	defer release()
	tree, err := spool.OpenTree(a.cfg.Spool)
	if err != nil {
		return err
	}
	defer tree.Close()
	wo := web.Options{
		Catalog: a.cat, Spool: tree, Location: a.loc, Logger: a.log.With("component", "web"), Version: version,
		CacheDir: filepath.Join(a.cfg.DataDir, "cache", "checkpoints"), Access: webAccess(a.cfg),
		Storage:  web.Storage{Node: a.cfg.Node, PolicyFile: a.cfg.RetentionPolicy},
		BasePath: a.cfg.BasePath, HoldEvents: a.webhookEvents(), WebhookEvents: webhook.EventTypes,
	}
	if a.cdr != nil { // a nil *cdr.Reader must stay a nil interface
		wo.CDR = a.cdr
	}
	srv, err := web.New(wo)
	if err != nil {
		return err
	}
	// After the loops below: the hook that asks for checkpoints has stopped by then.
	defer srv.Close()
	ln, err := net.Listen("tcp", p.listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", p.listen, err)
	}
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	a.log.Info("serving", slog.String("address", ln.Addr().String()))
	if p.ready != nil {
		p.ready(readyURL(srv, ln.Addr().String(), p.loginAs))
	}
	events := a.webhookEvents()
	// MixMonitor's post-command announces each finished recording on a unix socket;
	// the enrichment loop links it to its CDR row once the row lands.
	// The CDR row lands at hangup, moments after the hook: each hook asks the
	// enrichment loop for a pass shortly after, instead of waiting for its tick.
	linkSoon := newKicker(linkDelay)
	defer linkSoon.stop()
	hook := &hookServer{
		scanner: &ingest.Scanner{Tree: tree, Cat: a.cat, Node: a.cfg.Node, Loc: a.loc, CDR: a.cdr != nil, Log: a.log.With("component", "hook"), Events: events},
		log:     a.log.With("component", "hook"),
		ingested: func(r recordings.Recording) {
			srv.Prewarm(r)
			linkSoon.kick()
		},
	}
	// What hooks journalled while no daemon listened is catalogued first, whether
	// or not the spool is scanned.
	if rep, err := drainJournal(ctx, a.cfg.DataDir, a.cfg.Spool, hook.scanner, a.log); err != nil {
		a.log.Error("drain the hook journal", slog.Any("error", err))
	} else if rep.Done+rep.Skipped+len(rep.SetAside) > 0 {
		a.log.Info("hook journal drained", slog.Int("recordings", rep.Done), slog.Int("unreadable", rep.Skipped), slog.Int("set_aside", len(rep.SetAside)))
	}
	return runGroup(ctx,
		func(ctx context.Context) error { return serveHTTP(ctx, hs, ln) },
		func(ctx context.Context) error { return serveHook(ctx, hookSocket(a.cfg.DataDir), hook) },
		func(ctx context.Context) error { return scanLoop(ctx, a, p) },
		func(ctx context.Context) error { return enrichLoop(ctx, a, enrichEvery, linkSoon.c, events) },
		func(ctx context.Context) error { return pruneSessionsLoop(ctx, a, pruneEvery) },
		(&webhook.Deliverer{Cat: a.cat, Owner: a.cfg.Node, Log: a.log.With("component", "webhook")}).Run,
	)
}

// enrichEvery is how often the daemon looks for CDR rows of new recordings; linkDelay
// is how long after a hook it looks once more: the row is written at hangup, moments
// after MixMonitor closed the file and ran the hook.
const (
	enrichEvery = 10 * time.Second
	linkDelay   = 700 * time.Millisecond
)

// kicker coalesces requests for a pass of a loop: kick asks for one after delay;
// kicks before that pass fires add nothing.
type kicker struct {
	c     chan struct{}
	delay time.Duration
	mu    sync.Mutex
	timer *time.Timer
}

func newKicker(delay time.Duration) *kicker {
	return &kicker{c: make(chan struct{}, 1), delay: delay}
}

func (k *kicker) kick() {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.timer != nil {
		return
	}
	k.timer = time.AfterFunc(k.delay, func() {
		k.mu.Lock()
		k.timer = nil
		k.mu.Unlock()
		select {
		case k.c <- struct{}{}:
		default: // a pass is already due
		}
	})
}

func (k *kicker) stop() {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.timer != nil {
		k.timer.Stop()
	}
}

// enrichLoop links recordings to their CDR rows as the rows land.
func enrichLoop(ctx context.Context, a *app, interval time.Duration, soon <-chan struct{}, events ingest.ReadyEvents) error {
	if a.cdr == nil {
		<-ctx.Done()
		return nil
	}
	log := a.log.With("component", "enrich")
	e := &ingest.Enricher{Cat: a.cat, CDR: a.cdr, Window: a.cfg.CDRWindow, Log: log, Events: events}
	every(ctx, interval, soon, func(ctx context.Context) {
		if r, err := e.RunAll(ctx); err != nil && ctx.Err() == nil {
			log.Error("enrichment failed", slog.Any("error", err))
		} else if r.Linked+r.GaveUp > 0 {
			log.Info("enriched", slog.Int("linked", r.Linked), slog.Int("gave_up", r.GaveUp))
		}
	})
	return nil
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

// scanLoop runs the scan job at startup (when asked) and every p.scanEvery. A
// failed scan is logged and tried again at the next tick.
func scanLoop(ctx context.Context, a *app, p serveParams) error {
	log := a.log.With("component", "scan")
	if p.noScan || p.scanEvery <= 0 {
		log.Info("periodic scan is disabled")
		<-ctx.Done()
		return nil
	}
	once := func(ctx context.Context) {
		res, err := scanAndEnrich(ctx, a, false, newProgress(io.Discard))
		switch {
		case ctx.Err() != nil:
		case err != nil:
			log.Error("scan failed", slog.Any("error", err))
		default:
			attrs := []any{slog.Int("files", res.Scan.Files), slog.Int("new", res.Scan.New),
				slog.Int("changed", res.Scan.Changed), slog.Int("missing", res.Scan.Missing),
				slog.Duration("elapsed", res.Scan.Elapsed)}
			if res.CDR != nil {
				attrs = append(attrs, slog.Int("cdr_linked", res.CDR.Linked))
			}
			log.Info("scan done", attrs...)
		}
	}
	if p.scanAtStart {
		once(ctx)
	}
	every(ctx, p.scanEvery, nil, once)
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
