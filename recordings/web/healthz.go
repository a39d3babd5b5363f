package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/totalrec/totalrec/recordings"
)

// healthz answers whether the server runs and its catalogue answers a query.
func (s *Server) healthz(c echo.Context) error {
	if _, err := s.opts.Catalog.Search(c.Request().Context(), recordings.Query{Limit: 1, Scope: &recordings.Scope{}}); err != nil {
		s.log.Warn("health check: catalogue", "error", err)
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "catalogue unavailable"})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ok", "version": s.opts.Version})
}
