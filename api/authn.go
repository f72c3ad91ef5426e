package api

import (
	"context"
	"errors"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/api/auth"
	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/access"
)

// Verifier turns a bearer token into a principal. *auth.Verifier is the
// implementation. Errors wrap auth.ErrInvalidToken (answered 401) or
// auth.ErrNoRole (answered 403).
type Verifier interface {
	Verify(ctx context.Context, token string) (access.Principal, error)
}

// RaterLinks finds issued rater links by the hash of their token
// (access.HashRaterToken). RaterLink returns an error wrapping
// domain.ErrNotFound when no link has that hash.
type RaterLinks interface {
	RaterLink(ctx context.Context, tokenHash string) (access.RaterLink, error)
}

// principalKey is where the authenticated principal is kept in echo's context.
const principalKey = "leerpad.principal"

// principalOf returns the principal that requireUser or requireRaterLink
// authenticated for this request.
func principalOf(c echo.Context) (access.Principal, bool) {
	p, ok := c.Get(principalKey).(access.Principal)
	return p, ok
}

// bearer returns the token of an "Authorization: Bearer <token>" header.
func bearer(c echo.Context) (string, bool) {
	scheme, token, ok := strings.Cut(c.Request().Header.Get(echo.HeaderAuthorization), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// unauthenticated answers 401 with the WWW-Authenticate challenge of RFC 6750:
// without an error code when no credentials came, with invalid_token when
// they were wrong.
func unauthenticated(c echo.Context, invalid bool, detail string) error {
	challenge := `Bearer realm="leerpad"`
	if invalid {
		challenge += `, error="invalid_token"`
	}
	c.Response().Header().Set(echo.HeaderWWWAuthenticate, challenge)
	return problemf(errUnauthenticated, "%s", detail)
}

// requireUser admits requests with a valid OIDC bearer token that grants a
// Leerpad role, and keeps the principal for authorize. A rater-link token is
// refused here: raters reach only the routes behind requireRaterLink.
func (s *Server) requireUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		token, ok := bearer(c)
		if !ok {
			return unauthenticated(c, false, "This resource needs an OIDC bearer token: Authorization: Bearer <token>.")
		}
		if access.IsRaterToken(token) {
			return unauthenticated(c, true, "A rater link opens the 360 answer form only.")
		}
		p, err := s.verifier.Verify(c.Request().Context(), token)
		switch {
		case errors.Is(err, auth.ErrNoRole):
			return problemf(domain.ErrForbidden, "The bearer token grants no Leerpad role.")
		case errors.Is(err, auth.ErrTokenExpired):
			return unauthenticated(c, true, "The bearer token has expired.")
		case err != nil:
			// The reason (issuer, audience, signature) helps the operator, not
			// an attacker: it goes to the log, which holds no token.
			s.log.InfoContext(c.Request().Context(), "bearer token refused", "reason", err.Error())
			return unauthenticated(c, true, "The bearer token is not valid for this API.")
		}
		c.Set(principalKey, p)
		if s.app == nil && s.resources[c.Path()] {
			return unavailable("its use cases (no event store)")
		}
		return next(c)
	}
}

// requireRaterLink admits requests that carry a rater-link token of a stored,
// unexpired link, as the rater of that round. Every other credential is refused.
func (s *Server) requireRaterLink(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		token, ok := bearer(c)
		if !ok {
			return unauthenticated(c, false, "The 360 answer form needs the token of your personal link: Authorization: Bearer <token>.")
		}
		hash, err := access.HashRaterToken(token)
		if err != nil || s.raterLinks == nil {
			return unauthenticated(c, true, "This is not a valid rater link.")
		}
		l, err := s.raterLinks.RaterLink(c.Request().Context(), hash)
		switch {
		case errors.Is(err, domain.ErrNotFound):
			return unauthenticated(c, true, "This is not a valid rater link.")
		case err != nil:
			return err
		case l.Expired(s.now()):
			return unauthenticated(c, true, "This rater link has expired.")
		}
		c.Set(principalKey, l.Principal())
		if s.app == nil && s.resources[c.Path()] {
			return unavailable("its use cases (no event store)")
		}
		return next(c)
	}
}
