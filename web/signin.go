package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain/access"
)

// Authenticator is the seam where a way of signing in plugs in: the demo
// sign-in (DemoSignIn) or an OIDC authorization-code flow with PKCE.
//
// GET /signin calls Start, which answers the request: it renders a page
// (the demo's list of people) or redirects to the identity provider. The
// identity provider (or the demo's form, by POST with the session's CSRF
// token) comes back to /signin/callback, which calls Callback: it returns
// the principal to keep in the session (the subject and the Leerpad roles,
// as api/auth's Verifier gives them for a bearer token) and the local path
// to go on to. An error wrapping ErrSignInFailed is answered 401 with the
// sign-in page's link; any other error 500. The pages then start a fresh
// session (new cookie, new CSRF token) for the principal.
//
// Start and Callback may keep what they need across the redirect (state,
// nonce, PKCE verifier) in cookies of their own, with SetCookie.
type Authenticator interface {
	Start(c echo.Context, next string) error
	Callback(c echo.Context) (SignedIn, error)
}

// SignedIn is the outcome of a sign-in.
type SignedIn struct {
	Principal access.Principal
	// Next is where to go on to; anything but a local path is replaced by "/".
	Next string
}

// ErrSignInFailed means the sign-in did not prove who the person is
// (refused by the identity provider, a wrong state, an unknown demo person).
var ErrSignInFailed = errors.New("sign-in failed")

// handleSignIn is GET /signin: the authenticator's start.
func (s *Server) handleSignIn(c echo.Context) error {
	if _, ok := principalOf(c); ok && c.QueryParam("switch") == "" {
		return c.Redirect(http.StatusSeeOther, "/")
	}
	return s.signIn.Start(c, localPath(c.QueryParam("next")))
}

// handleSignInCallback is GET and POST /signin/callback: the
// authenticator's callback, then a fresh session for the principal.
func (s *Server) handleSignInCallback(c echo.Context) error {
	in, err := s.signIn.Callback(c)
	if errors.Is(err, ErrSignInFailed) {
		return &pageError{status: http.StatusUnauthorized, key: "error.signin", err: err}
	}
	if err != nil {
		return err
	}
	if in.Principal.Subject == "" || len(in.Principal.Roles) == 0 {
		return &pageError{status: http.StatusForbidden, key: "error.norole", err: errors.New("the sign-in gave no Leerpad role")}
	}
	if err := s.sessions.write(c, s.sessions.fresh(in.Principal)); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, localPath(in.Next))
}

// handleSignOut is POST /signout: the session ends (a fresh anonymous one
// takes its place) and the home page says so.
func (s *Server) handleSignOut(c echo.Context) error {
	if err := s.sessions.write(c, s.sessions.fresh(access.Principal{})); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/?signedout=1")
}

// handleHome is GET /: for someone signed in, the home of their first role;
// else the welcome page with the way to sign in.
func (s *Server) handleHome(c echo.Context) error {
	if p, ok := principalOf(c); ok {
		switch {
		case p.Has(access.RoleParticipant):
			return c.Redirect(http.StatusSeeOther, "/journey")
		case p.Has(access.RoleManager):
			return c.Redirect(http.StatusSeeOther, "/people")
		case p.Has(access.RoleTrainer), p.Has(access.RoleProgrammeOffice):
			return c.Redirect(http.StatusSeeOther, "/cohorts")
		case p.Has(access.RoleRater):
			return c.Redirect(http.StatusSeeOther, "/rate/form")
		}
	}
	pg := s.page(c, "home.title")
	pg.Data = map[string]any{"SignedOut": c.QueryParam("signedout") != ""}
	return s.render(c, http.StatusOK, "home", pg)
}
