package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/totalrec/totalrec/recordings"
)

// apiRecording is GET /api/v1/recordings/{id}: the recording, the other
// recordings of its call and, with a CDR database, the call's CDR rows.
func (s *Server) apiRecording(c echo.Context) error {
	ctx := c.Request().Context()
	rec, err := s.getRecording(c)
	if err != nil {
		return err
	}
	out := DetailJSON{RecordingJSON: recordings.NewRecordingJSON(rec, s.loc), Legs: []recordings.RecordingJSON{}}
	if out.Pauses, err = s.pausesOf(c, rec); err != nil {
		return err
	}
	if out.Consent, err = s.opts.Catalog.ConsentOf(ctx, rec.ID); err != nil {
		return err
	}
	key := rec.LinkedID
	if key == "" {
		key = rec.Name.UniqueID
	}
	if key != "" {
		legs, err := s.callLegs(c, key)
		if err != nil {
			return err
		}
		for _, r := range legs {
			if r.ID != rec.ID {
				out.Legs = append(out.Legs, recordings.NewRecordingJSON(r, s.loc))
			}
		}
		if s.opts.CDR != nil {
			rows, err := s.opts.CDR.Legs(ctx, rec.Name.UniqueID, rec.LinkedID, fileName(rec))
			if err != nil {
				return err
			}
			for _, r := range rows {
				out.CDRLegs = append(out.CDRLegs, newCDRJSON(r, s.loc))
			}
		}
	}
	return c.JSON(http.StatusOK, out)
}
