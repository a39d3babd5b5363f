package web

import (
	"github.com/labstack/echo/v4"

	"github.com/totalrec/totalrec/recordings"
)

// Every lookup of recordings goes through these helpers, which pass the
// principal's scope to the catalogue; the Catalog interface has no unscoped
// lookup of a recording (RetentionFigures, for the admin-only storage figures,
// count them and return none). A request without a principal has the empty scope and sees nothing.

// scopeOf is the request's scope.
func scopeOf(c echo.Context) recordings.Scope {
	if p := principalOf(c); p != nil {
		return p.scope()
	}
	return recordings.Scope{}
}

// search runs q within the request's scope.
func (s *Server) search(c echo.Context, q recordings.Query) (recordings.Page, error) {
	sc := scopeOf(c)
	q.Scope = &sc
	return s.opts.Catalog.Search(c.Request().Context(), q)
}

// callLegs lists the recordings of a call within the request's scope.
func (s *Server) callLegs(c echo.Context, linkedid string) ([]recordings.Recording, error) {
	return s.opts.Catalog.ByLinkedIDScoped(c.Request().Context(), linkedid, scopeOf(c))
}
