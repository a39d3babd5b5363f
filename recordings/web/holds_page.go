package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/totalrec/totalrec/recordings"
)

// Legal holds in the interface: administrators and supervisors put and release
// holds on the recordings of their scope — one from the player, or every match
// of a search — and list them at /holds. Each put and release is audited with
// the command line's actions (hold.add, hold.rm) and announced to webhooks like
// `totalrec hold` does.

// holdCatalog is what the hold pages need of the catalogue (part of Catalog).
type holdCatalog interface {
	AddHold(ctx context.Context, h recordings.Hold) (int64, error)
	RemoveHolds(ctx context.Context, id int64) (int, error)
	Holds(ctx context.Context) ([]recordings.Hold, error)
}

// HoldEvents announces holds to webhook endpoints; *webhook.Events satisfies it.
type HoldEvents interface {
	RecordingHeld(ctx context.Context, rec recordings.Recording, h recordings.Hold) error
	RecordingReleased(ctx context.Context, rec recordings.Recording, holdIDs []int64) error
}

// holdMax bounds the recordings one form holds or releases, as ZipMaxFiles bounds a ZIP.
const holdMax = 500

// Audit actions of holds: the command line's own (cmd/totalrec/cmd_hold.go).
const (
	actHoldAdd = "hold.add"
	actHoldRm  = "hold.rm"
)

// canHold: administrators and supervisors put and release holds.
func (p *principal) canHold() bool { return p.canShare() }

// holdersOnly lets administrators and supervisors signed in with a session through.
func (s *Server) holdersOnly(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if p := principalOf(c); p == nil || !p.canHold() || p.Session == nil {
			return errForbidden
		}
		return next(c)
	}
}

// holdRow is one hold as the pages show it.
type holdRow struct {
	HoldID, RecordingID      int64
	URL, Recording           string
	Reason, By, Since, Until string
}

// holdsView is the holds page's data.
type holdsView struct {
	Rows []holdRow
	Done string // what the last form did
}

// holdsPage is GET /holds: every hold on a recording in the principal's scope,
// oldest first.
func (s *Server) holdsPage(c echo.Context) error {
	l := langOf(c)
	rows, err := s.holdRows(c, 0)
	if err != nil {
		return err
	}
	v := holdsView{Rows: rows}
	n, _ := strconv.Atoi(c.QueryParam("n"))
	gone, _ := strconv.Atoi(c.QueryParam("gone"))
	switch c.QueryParam("done") {
	case "added":
		v.Done = l.F("holds.done.added", l.Number(n))
	case "released":
		v.Done = l.F("holds.done.released", l.Number(n))
	}
	if gone > 0 {
		v.Done += " " + l.F("holds.done.gone", l.Number(gone))
	}
	return c.Render(http.StatusOK, "holds", s.newPage(c, l.T("holds.title"), v))
}

// holdRows lists the holds of recording id (0: of every recording) that the
// request's scope admits.
func (s *Server) holdRows(c echo.Context, id int64) ([]holdRow, error) {
	holds, err := s.opts.Catalog.Holds(c.Request().Context())
	if err != nil {
		return nil, err
	}
	l, now := langOf(c), s.now().In(s.loc)
	seen := map[int64]*recordings.Recording{} // nil: out of scope
	var rows []holdRow
	for _, h := range holds {
		if id != 0 && h.RecordingID != id {
			continue
		}
		rec, ok := seen[h.RecordingID]
		if !ok {
			r, err := s.opts.Catalog.GetScoped(c.Request().Context(), h.RecordingID, scopeOf(c))
			switch {
			case errors.Is(err, recordings.ErrNotFound):
			case err != nil:
				return nil, err
			default:
				rec = &r
			}
			seen[h.RecordingID] = rec
		}
		if rec == nil {
			continue
		}
		row := holdRow{HoldID: h.ID, RecordingID: h.RecordingID, Reason: h.Reason, By: h.Who,
			URL:       s.path("/recordings/" + strconv.FormatInt(h.RecordingID, 10)),
			Recording: l.Short(rec.CallTime.In(s.loc), now) + " · " + orDash(rec.Caller()) + " → " + orDash(rec.Callee()),
			Since:     l.Short(h.Since.In(s.loc), now), Until: l.T("holds.until.removed")}
		if !h.Until.IsZero() {
			row.Until = l.DateInput(h.Until.In(s.loc), false)
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// holdTargets are the store of holds and the recordings a hold form names,
// within the request's scope: its id fields (a recording out of scope is 404,
// like a missing one), or the matches of the search in its query field, at most
// holdMax.
func (s *Server) holdTargets(c echo.Context) (holdCatalog, []recordings.Recording, error) {
	hc := s.opts.Catalog
	recs, err := s.holdRecordings(c)
	return hc, recs, err
}

func (s *Server) holdRecordings(c echo.Context) ([]recordings.Recording, error) {
	form, err := c.FormParams()
	if err != nil {
		return nil, badRequest("form", "unreadable")
	}
	if q := form.Get("query"); q != "" {
		return s.holdSearch(c, q)
	}
	if len(form["id"]) == 0 || len(form["id"]) > holdMax {
		return nil, badRequest("id", "name between 1 and %d recordings", holdMax)
	}
	var recs []recordings.Recording
	for _, v := range form["id"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return nil, badRequest("id", "%q is not a recording ID", clip(v, 40))
		}
		rec, err := s.opts.Catalog.GetScoped(c.Request().Context(), id, scopeOf(c))
		if errors.Is(err, recordings.ErrNotFound) {
			return nil, &publicError{status: http.StatusNotFound, code: "not_found", message: fmt.Sprintf("no recording %d", id), err: err}
		}
		if err != nil {
			return nil, err
		}
		recs = append(recs, rec)
	}
	return recs, nil
}

// holdSearch runs the search a selection names (a search page's query string).
func (s *Server) holdSearch(c echo.Context, query string) ([]recordings.Recording, error) {
	vals, err := url.ParseQuery(query)
	if err != nil {
		return nil, badRequest("query", "not a search")
	}
	f, err := parseSearch(vals, s.now(), s.loc)
	if err != nil {
		return nil, err
	}
	q := f.query
	q.After, q.Limit = "", holdMax+1
	p, err := s.search(c, q)
	if err != nil {
		return nil, err
	}
	if len(p.Items) > holdMax || p.Next != "" {
		return nil, &publicError{status: http.StatusConflict, code: "too_large",
			message: fmt.Sprintf("a selection holds at most %d recordings; this search matches more: narrow it", holdMax),
			err:     recordings.ErrRefused}
	}
	if len(p.Items) == 0 {
		return nil, &publicError{status: http.StatusNotFound, code: "not_found", message: "no recordings match", err: recordings.ErrNotFound}
	}
	return p.Items, nil
}

// holdDone is where a hold form goes next: back to the player it came from, or
// to the list of holds saying what was done.
func (s *Server) holdDone(c echo.Context, recs []recordings.Recording, done string, n, gone int) error {
	if c.FormValue("from") == "player" && len(recs) == 1 {
		return c.Redirect(http.StatusSeeOther, s.path(fmt.Sprintf("/recordings/%d#hold", recs[0].ID)))
	}
	return c.Redirect(http.StatusSeeOther, s.path(fmt.Sprintf("/holds?done=%s&n=%d&gone=%d", done, n, gone)))
}

// addHolds is POST /holds: hold the recordings the form names, with its reason
// and, when given, until a date (the hold lapses at its start, as with
// `totalrec hold add --until`). Recordings retention deleted are not held and
// counted; when none could be held the answer is 409.
func (s *Server) addHolds(c echo.Context) error {
	ctx, p := c.Request().Context(), principalOf(c)
	reason := strings.TrimSpace(c.FormValue("reason"))
	if reason == "" {
		return badRequest("reason", "say why the recordings are held")
	}
	if len(reason) > 255 {
		return badRequest("reason", "longer than 255 bytes")
	}
	now := s.now()
	untilText := strings.TrimSpace(c.FormValue("until"))
	until, err := parseDay(untilText, s.loc)
	if err != nil {
		return badRequest("until", "%q is not a date like 2028-01-01 or 01.01.2028", clip(untilText, 40))
	}
	if !until.IsZero() && !until.After(now) {
		return badRequest("until", "%s is not in the future", clip(untilText, 40))
	}
	hc, recs, err := s.holdTargets(c)
	if err != nil {
		return err
	}
	untilAudit := ""
	if !until.IsZero() {
		untilAudit = until.Format(time.DateOnly)
	}
	held, gone := 0, 0
	for _, rec := range recs {
		h := recordings.Hold{RecordingID: rec.ID, Reason: reason, Who: p.Name, Since: now, Until: until}
		if h.ID, err = hc.AddHold(ctx, h); errors.Is(err, recordings.ErrGone) {
			gone++
			continue
		} else if err != nil {
			return err
		}
		held++
		if s.opts.HoldEvents != nil {
			rec.Held = true
			if err := s.opts.HoldEvents.RecordingHeld(ctx, rec, h); err != nil {
				return err
			}
		}
		if err := s.audit(c, actHoldAdd, rec.ID, fmt.Sprintf("reason=%q by=%q until=%s", reason, p.Name, untilAudit)); err != nil {
			return err
		}
	}
	if held == 0 {
		return &publicError{status: http.StatusConflict, code: "gone",
			message: "retention has deleted these recordings, or is deleting them: nothing is held", err: recordings.ErrGone}
	}
	return s.holdDone(c, recs, "added", held, gone)
}

// releaseHolds is POST /holds/release: remove every hold of the recordings the
// form names.
func (s *Server) releaseHolds(c echo.Context) error {
	ctx := c.Request().Context()
	hc, recs, err := s.holdTargets(c)
	if err != nil {
		return err
	}
	all, err := hc.Holds(ctx)
	if err != nil {
		return err
	}
	released := 0
	for _, rec := range recs {
		var ids []int64
		for _, h := range all {
			if h.RecordingID == rec.ID {
				ids = append(ids, h.ID)
			}
		}
		if len(ids) == 0 {
			continue
		}
		// Announced before the holds go, keyed by their IDs, as the command does.
		if s.opts.HoldEvents != nil {
			if err := s.opts.HoldEvents.RecordingReleased(ctx, rec, ids); err != nil {
				return err
			}
		}
		n, err := hc.RemoveHolds(ctx, rec.ID)
		if err != nil {
			return err
		}
		released++
		if err := s.audit(c, actHoldRm, rec.ID, fmt.Sprintf("holds=%d", n)); err != nil {
			return err
		}
	}
	return s.holdDone(c, recs, "released", released, 0)
}

// holdCard is the player's legal hold section.
type holdCard struct {
	Holds []holdRow
}

// playerHold is the player's hold section for rec, or nil when the principal
// may not hold.
func (s *Server) playerHold(c echo.Context, rec recordings.Recording) (*holdCard, error) {
	if p := principalOf(c); !p.canHold() || p.Session == nil {
		return nil, nil
	}
	rows, err := s.holdRows(c, rec.ID)
	if err != nil {
		return nil, err
	}
	return &holdCard{Holds: rows}, nil
}
