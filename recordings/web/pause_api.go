package web

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/pause"
)

// Pausing the recording of a live call, for a caller about to read out a card
// number: the live calls a user may pause are those of the extensions in the
// user's scope (an administrator's: every call), listed from Asterisk's manager
// interface; a pause and a resume are the feature code's, through pause.Pauser,
// audited. The pauses of a recording come back with it, in seconds from its
// start, for the waveform.

// pauseCatalog is what the pauses of a recording, and how it came to be
// recorded, need of the catalogue (part of Catalog).
type pauseCatalog interface {
	PausesOf(ctx context.Context, linkedid, uniqueid string) ([]recordings.Pause, error)
	ConsentOf(ctx context.Context, id int64) (recordings.Consent, error)
}

// pausesOf is rec's pauses, placed on its timeline: its start is when the file
// was last written less its duration.
func (s *Server) pausesOf(c echo.Context, rec recordings.Recording) ([]PauseJSON, error) {
	out := []PauseJSON{}
	ps, err := s.opts.Catalog.PausesOf(c.Request().Context(), rec.LinkedID, rec.Name.UniqueID)
	if err != nil || len(ps) == 0 {
		return out, err
	}
	start := rec.ModTime.Add(-rec.Duration)
	for _, p := range ps {
		end := p.Ended
		if end.IsZero() || end.After(rec.ModTime) {
			end = rec.ModTime
		}
		from, to := p.Started.Sub(start).Seconds(), end.Sub(start).Seconds()
		if to <= 0 || from >= rec.Duration.Seconds() {
			continue // another leg's pause, outside this file
		}
		pj := PauseJSON{From: max(from, 0), To: min(to, rec.Duration.Seconds()), Started: p.Started.UTC().Format(time.RFC3339Nano), By: p.By}
		if !p.Ended.IsZero() {
			pj.Ended = p.Ended.UTC().Format(time.RFC3339Nano)
		}
		out = append(out, pj)
	}
	return out, nil
}

// apiCalls is GET /api/v1/calls: the live calls the principal may pause.
func (s *Server) apiCalls(c echo.Context) error {
	calls, err := s.liveCalls(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"calls": calls})
}

// liveCalls lists the calls of the principal's extensions.
func (s *Server) liveCalls(c echo.Context) ([]pause.Call, error) {
	if s.opts.Pauser == nil {
		return nil, &publicError{status: http.StatusServiceUnavailable, code: "no_manager",
			message: "pausing needs Asterisk's manager interface (ami_user)"}
	}
	scope := scopeOf(c)
	calls, err := s.opts.Pauser.Calls(c.Request().Context(), func(number string) bool { return scope.ContainsOn(s.opts.Node, number) })
	if errors.Is(err, pause.ErrDown) {
		return nil, &publicError{status: http.StatusServiceUnavailable, code: "manager_down", message: err.Error(), err: err}
	}
	if calls == nil {
		calls = []pause.Call{}
	}
	return calls, err
}

// apiPause is POST /api/v1/calls/pause with channel and state (on, off,
// toggle): the recording of one of the principal's live calls.
func (s *Server) apiPause(c echo.Context) error {
	channel, state := c.FormValue("channel"), c.FormValue("state")
	calls, err := s.liveCalls(c)
	if err != nil {
		return err
	}
	mine := false
	for _, call := range calls {
		mine = mine || call.Channel == channel
	}
	if !mine {
		return &publicError{status: http.StatusNotFound, code: "not_found", message: "no live call of yours on that channel"}
	}
	by, addr := "web:"+principalOf(c).Name, c.RealIP()
	var st pause.State
	switch state {
	case "on", "off":
		st, err = s.opts.Pauser.Set(c.Request().Context(), channel, state == "on", by, addr)
	case "toggle", "":
		st, err = s.opts.Pauser.Toggle(c.Request().Context(), channel, by, addr)
	default:
		return &publicError{status: http.StatusBadRequest, code: "bad_state", message: "state is on, off or toggle"}
	}
	if errors.Is(err, pause.ErrNoRecording) {
		return &publicError{status: http.StatusConflict, code: "not_recorded", message: err.Error(), err: err}
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}
