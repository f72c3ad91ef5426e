package web

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain"
)

// contentSecurityPolicy allows the pages nothing but their own stylesheet
// and images: no script at all, no inline style, no frames, forms posting
// only here. Decision record 0017.
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; " +
	"frame-ancestors 'none'; base-uri 'none'"

// securityHeaders sets the headers every page and asset carries.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		return next(c)
	}
}

// csrfField is the name of the hidden field of every form that holds the
// session's CSRF token.
const csrfField = "csrf"

// errCSRF is a form sent without the session's token or from elsewhere.
var errCSRF = errors.New("the form was not sent from this site's page, or the page was too old")

// checkCSRF refuses a POST (any unsafe method) that comes from another
// origin or does not carry the session's CSRF token. The first check is
// Go's own protection (http.CrossOriginProtection: Sec-Fetch-Site, else
// Origin against Host); the token is the second line, for browsers that
// send neither header.
func (s *Server) checkCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		if err := s.crossOrigin.Check(r); err != nil {
			return &pageError{status: http.StatusForbidden, key: "error.csrf", err: errCSRF}
		}
		want := sessionOf(c).CSRF
		got := r.PostFormValue(csrfField)
		if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
			return &pageError{status: http.StatusForbidden, key: "error.csrf", err: errCSRF}
		}
		return next(c)
	}
}

// pageError is an error answered with an error page: its status and the
// message key of what to tell.
type pageError struct {
	status int
	key    string
	err    error
}

func (e *pageError) Error() string { return e.err.Error() }
func (e *pageError) Unwrap() error { return e.err }

// statusOf maps a use case's error to the page's status and message key.
func statusOf(err error) (int, string) {
	var pe *pageError
	var he *echo.HTTPError
	switch {
	case errors.As(err, &pe):
		return pe.status, pe.key
	case errors.As(err, &he):
		switch he.Code {
		case http.StatusNotFound:
			return he.Code, "error.notfound"
		case http.StatusMethodNotAllowed:
			return he.Code, "error.method"
		}
		return he.Code, "error.internal"
	case errors.Is(err, domain.ErrForbidden):
		return http.StatusForbidden, "error.forbidden"
	case errors.Is(err, domain.ErrNotFound):
		return http.StatusNotFound, "error.notfound"
	case errors.Is(err, domain.ErrConflict):
		return http.StatusConflict, "error.conflict"
	case errors.Is(err, domain.ErrInvalid):
		return http.StatusBadRequest, "error.invalid"
	}
	return http.StatusInternalServerError, "error.internal"
}

// writeError is echo's error handler: an error page in the request's
// language, with the layout, so that the way back is always there.
func (s *Server) writeError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, key := statusOf(err)
	if status >= 500 {
		s.log.ErrorContext(c.Request().Context(), "page failed", "err", err, "route", c.Path())
	}
	if sessionOf(c) == nil { // an error before the session middleware ran
		c.Set(sessionKey, &session{})
	}
	p := s.page(c, "error.title")
	p.Data = map[string]any{"Status": status, "Message": key}
	if rerr := s.render(c, status, "error", p); rerr != nil {
		s.log.ErrorContext(c.Request().Context(), "error page failed", "err", rerr)
	}
}

// localPath returns next when it is a path on this site (so that a
// sign-in never sends anyone elsewhere), else "/".
func localPath(next string) string {
	u, err := url.Parse(next)
	if err != nil || next == "" || next[0] != '/' || (len(next) > 1 && (next[1] == '/' || next[1] == '\\')) || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	return next
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
