package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/totalrec/totalrec/recordings"
)

// apiSearch is GET /api/v1/recordings: one page of a search.
func (s *Server) apiSearch(c echo.Context) error {
	f, err := parseSearch(c.QueryParams(), s.now(), s.loc)
	if err != nil {
		return err
	}
	p, err := s.search(c, f.query)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, recordings.NewPageJSON(p, s.loc))
}
