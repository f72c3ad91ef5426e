package api

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// pagesRoute is the route template of every request the pages answer, as
// the metrics and the request log label it.
const pagesRoute = "/*"

// mountPages lets pages answer every path for which the API has no route,
// outside /v1: the API's own paths, their 405s and the unknown paths under
// /v1 stay the API's (problem+json). The pages get the same front as the
// API: correlation id, request log and metrics, header and body limits.
func (s *Server) mountPages(pages http.Handler) {
	h := echo.WrapHandler(pages)
	s.echo.RouteNotFound(pagesRoute, func(c echo.Context) error {
		if p := c.Request().URL.Path; p == "/v1" || strings.HasPrefix(p, "/v1/") {
			return problemf(errNoRoute, "There is no resource at this path.")
		}
		return h(c)
	})
	s.routes[pagesRoute] = true
}
