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
		p := c.Request().URL.Path
		if p != "/v1" && !strings.HasPrefix(p, "/v1/") {
			return h(c)
		}
		// echo prefers a not-found route to its 405: give the API's 405
		// where the path has a route for another method.
		if allow := s.allowed(p); len(allow) > 0 {
			c.Response().Header().Set(echo.HeaderAllow, strings.Join(allow, ", "))
			return echo.ErrMethodNotAllowed
		}
		return problemf(errNoRoute, "There is no resource at this path.")
	})
	s.routes[pagesRoute] = true
}

// allowed are the methods the API has a route for at path.
func (s *Server) allowed(path string) []string {
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		c := s.echo.NewContext(nil, nil)
		s.echo.Router().Find(m, path, c)
		if c.Path() != pagesRoute && c.Path() != "" && s.routes[c.Path()] {
			out = append(out, m)
		}
	}
	return out
}
