package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/archive"
	"github.com/totalrec/totalrec/recordings/pause"
	"github.com/totalrec/totalrec/recordings/spool"
)

// Catalog is what the web layer needs of the catalogue. Its lookups all take a
// scope (a Query carries one): there is no way here to read a recording
// without the principal's scope. RetentionFigures, the storage page's, read
// every live row but only to count them; no recording of theirs reaches a
// request.
type Catalog interface {
	Search(ctx context.Context, q recordings.Query) (recordings.Page, error)
	GetScoped(ctx context.Context, id int64, scope recordings.Scope) (recordings.Recording, error)
	ByLinkedIDScoped(ctx context.Context, linkedid string, scope recordings.Scope) ([]recordings.Recording, error)
	Accounts
	RetentionFigures
	holdCatalog
	settingsCatalog
	evidenceCatalog
	pauseCatalog
}

// CDRLegs reads every CDR row of a call (cdr.Reader satisfies it).
type CDRLegs interface {
	Legs(ctx context.Context, uniqueid, linkedid, recordingfile string) ([]recordings.CDR, error)
}

// Options are what New needs.
type Options struct {
	Catalog  Catalog
	CDR      CDRLegs        // nil when no CDR database is configured
	Spool    *spool.Tree    // the spool root; every file is opened through it
	CacheDir string         // where checkpoints and peaks are cached; "" keeps them in memory only
	Location *time.Location // the PBX's time zone; nil = time.Local
	Logger   *slog.Logger   // nil discards
	Now      func() time.Time
	Version  string

	// Limits of the exports; zero means the default (ZipMaxFiles, ZipMaxBytes, CSVMaxRows).
	ZipMaxFiles int
	ZipMaxBytes int64
	CSVMaxRows  int

	// Access configures sign-in, sessions and framing (access.go).
	Access Access

	// Storage configures the storage page (storage_page.go).
	Storage Storage

	// Evidence configures the evidence page and bundles (evidence_page.go).
	Evidence Evidence

	// Subjects configures the data subject page (subject_page.go).
	Subjects SubjectRequests

	// Pauser pauses and resumes the recordings of live calls (pause_api.go);
	// nil when no manager interface is configured.
	Pauser *pause.Pauser
	// Decode decodes a compressed (Opus, MP3) recording to a 16-bit PCM WAV
	// stream on w, for its waveform; nil leaves compressed recordings without one.
	Decode func(ctx context.Context, format recordings.Format, f *os.File, w io.Writer) error

	// Archive opens the objects of recordings moved to the archive bucket; nil
	// when no archive tier is configured (their requests are then 503).
	Archive archive.Objects

	// Node is this server's node: the recordings it keeps on its disk are the
	// catalogue's rows of this node.
	Node string
	// Nodes opens the recordings other nodes keep on their disks; nil reads
	// every local recording from this server's spool (one PBX).
	Nodes NodeFiles
	// NodeSecret lets other nodes read this node's recordings
	// (/node/recordings/{id}/file); empty: they cannot.
	NodeSecret []byte

	// HoldEvents announces holds put and released in the interface to webhook
	// endpoints; nil announces nothing.
	HoldEvents HoldEvents

	// WebhookEvents are the event types a webhook endpoint added on the settings
	// page may subscribe to (webhook.EventTypes); none: it cannot add one.
	WebhookEvents []string

	// BasePath is the path the UI is served under ("/totalrec" behind FreePBX's
	// Apache); "" serves it at the root. See base.go.
	BasePath string
}

// Default limits of the exports, and the streaming idle timeout.
const (
	// ZipMaxFiles and ZipMaxBytes bound one ZIP download.
	ZipMaxFiles = 500
	ZipMaxBytes = 2 << 30
	// CSVMaxRows bounds one CSV export.
	CSVMaxRows = 100000
	// StreamIdle is how long a streaming response may go without a successful write.
	StreamIdle = time.Minute
)

// Server is the web interface and API. It is an http.Handler. New starts its
// background work (prewarm.go); Close stops it.
type Server struct {
	opts   Options
	base   string // Options.BasePath
	echo   *echo.Echo
	log    *slog.Logger
	loc    *time.Location
	now    func() time.Time
	views  *views
	assets *assets
	cache  *checkpointCache
	// prewarm builds checkpoints in the background; Close stops it.
	prewarm *prewarmer
	// defaultLang caches the catalogue's default language (settings_page.go).
	defaultLang defaultLang
	// lookups remembers API tokens and recordings for a moment (lookup_cache.go).
	lookups lookups
	accessState
}

// New builds the server: it parses the templates, fingerprints the static files
// and registers the routes.
func New(o Options) (*Server, error) {
	if o.Catalog == nil || o.Spool == nil {
		return nil, errors.New("new web server: a catalogue and a spool are required")
	}
	s := &Server{opts: o, log: o.Logger, loc: o.Location, now: o.Now}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.loc == nil {
		s.loc = time.Local
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.opts.ZipMaxFiles <= 0 {
		s.opts.ZipMaxFiles = ZipMaxFiles
	}
	if s.opts.ZipMaxBytes <= 0 {
		s.opts.ZipMaxBytes = ZipMaxBytes
	}
	if s.opts.CSVMaxRows <= 0 {
		s.opts.CSVMaxRows = CSVMaxRows
	}
	if err := checkBasePath(o.BasePath); err != nil {
		return nil, fmt.Errorf("new web server: %w", err)
	}
	s.base = o.BasePath
	if err := s.initAccess(o.Catalog, o.Access); err != nil {
		return nil, fmt.Errorf("new web server: %w", err)
	}
	var err error
	if s.assets, err = loadAssets(); err != nil {
		return nil, fmt.Errorf("new web server: %w", err)
	}
	if s.views, err = parseViews(s.assets, s.base); err != nil {
		return nil, fmt.Errorf("new web server: %w", err)
	}
	if s.cache, err = newCheckpointCache(o.CacheDir, s.log); err != nil {
		return nil, fmt.Errorf("new web server: %w", err)
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	// The client's address is the connection's peer, or X-Forwarded-For when
	// the peer is a proxy on this machine (loopback): a remote client can write
	// that header, and sign-in throttling and the audit trail must not believe it.
	e.IPExtractor = echo.ExtractIPFromXFFHeader(echo.TrustLoopback(true), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false))
	e.Renderer = s.views
	s.echo = e
	s.routes()
	s.prewarm = newPrewarmer(prewarmQueue, s.buildCheckpoints)
	return s, nil
}

// Close stops the server's background work and waits for it: the checkpoint
// builds the hook asked for. Call it once the HTTP server has shut down.
func (s *Server) Close() { s.prewarm.close() }
