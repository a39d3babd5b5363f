package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/evidence"
)

// Tamper evidence in the interface: the evidence page shows the public key that
// checks the signed manifests and the manifests written; the player shows a
// recording's seal, and administrators download its chain-of-custody bundle,
// audited like every download.

// Evidence configures the evidence page and bundles.
type Evidence struct {
	Dir  string // the node's manifest directory (evidence.Dir); "" hides the page
	Node string
}

// evidenceCatalog is what the evidence page and bundles need of the catalogue
// (part of Catalog).
type evidenceCatalog interface {
	Manifests(ctx context.Context, node string) ([]recordings.Manifest, error)
	SealOf(ctx context.Context, id int64) (recordings.Seal, error)
	ConversionOf(ctx context.Context, id int64) (recordings.Conversion, error)
}

// evidenceDays is how many manifests the page lists, newest first.
const evidenceDays = 60

// actEvidence audits a bundle's download, as `totalrec verify --bundle` does.
const actEvidence = "evidence.export"

type evidenceView struct {
	Fingerprint, PEM string
	NoKey            bool
	Manifests        []recordings.Manifest
	More             int // manifests older than those listed
}

// evidencePage is GET /evidence.
func (s *Server) evidencePage(c echo.Context) error {
	ctx, l := c.Request().Context(), langOf(c)
	var v evidenceView
	pem, err := s.publicKey()
	switch {
	case errors.Is(err, os.ErrNotExist):
		v.NoKey = true
	case err != nil:
		return err
	default:
		pub, err := evidence.ParsePublicPEM(pem)
		if err != nil {
			return err
		}
		v.Fingerprint, v.PEM = evidence.Fingerprint(pub), string(evidence.PublicPEM(pub))
	}
	ms, err := s.opts.Catalog.Manifests(ctx, s.opts.Evidence.Node)
	if err != nil {
		return err
	}
	slices.Reverse(ms)
	if len(ms) > evidenceDays {
		v.More, ms = len(ms)-evidenceDays, ms[:evidenceDays]
	}
	v.Manifests = ms
	return c.Render(http.StatusOK, "evidence", s.newPage(c, l.T("evidence.title"), v))
}

// publicKey reads the manifest directory's public key.
func (s *Server) publicKey() ([]byte, error) {
	if s.opts.Evidence.Dir == "" {
		return nil, os.ErrNotExist
	}
	return os.ReadFile(filepath.Join(s.opts.Evidence.Dir, evidence.PublicKeyFile))
}

// evidenceBundle is GET /recordings/{id}/evidence.zip: the recording, checked
// against its seal and its day's manifest first, as a chain-of-custody bundle.
// A recording that does not check out gets 409 and no bundle.
func (s *Server) evidenceBundle(c echo.Context) error {
	rec, err := s.getRecording(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	pem, err := s.publicKey()
	if err != nil {
		return &publicError{status: http.StatusNotFound, code: "no_evidence", message: "nothing is sealed on this PBX yet", err: err}
	}
	pub, err := evidence.ParsePublicPEM(pem)
	if err != nil {
		return err
	}
	v := &evidence.Verifier{Store: scopedVerifyStore{s.opts.Catalog, scopeOf(c)}, Tree: s.opts.Spool,
		Objects: s.opts.Archive, Dir: s.opts.Evidence.Dir, Node: s.opts.Evidence.Node, Pub: pub}
	rep, err := v.Verify(ctx, evidence.Selection{ID: rec.ID})
	if errors.Is(err, evidence.ErrNotListed) {
		return &publicError{status: http.StatusConflict, code: "not_sealed",
			message: fmt.Sprintf("recording %d is in no signed manifest yet", rec.ID), err: err}
	}
	if err != nil {
		return err
	}
	if len(rep.Problems) > 0 {
		p := rep.Problems[0]
		return &publicError{status: http.StatusConflict, code: "evidence_" + p.Kind,
			message: fmt.Sprintf("recording %d does not verify: %s", rec.ID, p.Detail)}
	}
	if rep.Recordings != 1 {
		return &publicError{status: http.StatusGone, code: "gone",
			message: fmt.Sprintf("recording %d's audio is deleted: its deletion is in the manifests, there is no file to bundle", rec.ID)}
	}
	if err := s.audit(c, actEvidence, rec.ID, "bundle"); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", contentDisposition("attachment", "recording-"+strconv.FormatInt(rec.ID, 10)+"-evidence.zip"))
	h.Set("Cache-Control", "private, no-store")
	c.Response().WriteHeader(http.StatusOK)
	if err := v.Bundle(ctx, c.Response(), rec.ID, s.now()); err != nil {
		s.log.Error("write evidence bundle", "recording", rec.ID, "error", err)
	}
	return nil
}

// scopedVerifyStore lets the verifier read recordings through the principal's
// scope only. It serves the check of one recording, which lists no others.
type scopedVerifyStore struct {
	cat   Catalog
	scope recordings.Scope
}

func (v scopedVerifyStore) Manifests(ctx context.Context, node string) ([]recordings.Manifest, error) {
	return v.cat.Manifests(ctx, node)
}

func (v scopedVerifyStore) SealOf(ctx context.Context, id int64) (recordings.Seal, error) {
	return v.cat.SealOf(ctx, id)
}

func (v scopedVerifyStore) ConversionOf(ctx context.Context, id int64) (recordings.Conversion, error) {
	return v.cat.ConversionOf(ctx, id)
}

func (v scopedVerifyStore) Get(ctx context.Context, id int64) (recordings.Recording, error) {
	return v.cat.GetScoped(ctx, id, v.scope)
}

func (scopedVerifyStore) EachUnlistedRecording(context.Context, string, time.Time, time.Time, time.Time, time.Time, func(recordings.Recording) error) error {
	return errors.New("the web interface checks one recording at a time")
}

// sealCard is the player's evidence section, for administrators.
type sealCard struct {
	SHA256, Sealed, Listed, BundleURL string
	Pending                           bool // sealed, its manifest not written yet
}

// playerSeal is the recording's seal for the player: nil for all but
// administrators, an empty card for a recording not sealed yet.
func (s *Server) playerSeal(c echo.Context, rec recordings.Recording) (*sealCard, error) {
	if p := principalOf(c); p == nil || !p.isAdmin() || s.opts.Evidence.Dir == "" {
		return nil, nil
	}
	seal, err := s.opts.Catalog.SealOf(c.Request().Context(), rec.ID)
	if errors.Is(err, recordings.ErrNotFound) {
		return &sealCard{}, nil
	}
	if err != nil {
		return nil, err
	}
	card := &sealCard{SHA256: seal.SHA256, Sealed: langOf(c).DateTime(seal.SealedAt.In(s.loc)), Listed: seal.Listed, Pending: seal.Listed == ""}
	if seal.Listed != "" {
		card.BundleURL = s.path("/recordings/" + strconv.FormatInt(rec.ID, 10) + "/evidence.zip")
	}
	return card, nil
}
