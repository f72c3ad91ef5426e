package oidc

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/api/auth"
	"github.com/leerpad/leerpad/web"
)

// hintCookie keeps the signed-in person's ID token for the id_token_hint of
// RP-initiated logout: their own token in their own browser, HttpOnly, sent
// only with POST /signout, gone when the browser closes.
const (
	hintCookie = "leerpad_oidc_hint"
	hintPath   = "/signout"
)

// Authenticator is the pages' sign-in through the OIDC provider: a
// web.Authenticator, and a web.SignOuter that ends the session at the
// provider too when it advertises an end_session_endpoint.
type Authenticator struct {
	rp         *RP
	postLogout string
}

var (
	_ web.Authenticator = (*Authenticator)(nil)
	_ web.SignOuter     = (*Authenticator)(nil)
)

// Authenticator returns rp as the pages' sign-in. postLogout is where the
// provider sends the browser back after signing out (registered there as a
// post-logout redirect URI); empty: the provider's own page.
func (rp *RP) Authenticator(postLogout string) *Authenticator {
	return &Authenticator{rp: rp, postLogout: postLogout}
}

// Start sends the browser to the provider.
func (a *Authenticator) Start(c echo.Context, next string) error {
	a.rp.Begin(c.Response(), c.Request(), next)
	return nil
}

// Callback finishes the sign-in. A person whose ID token grants no Leerpad
// role gets no principal, which the pages answer with their "no role" page;
// every other refusal wraps web.ErrSignInFailed.
func (a *Authenticator) Callback(c echo.Context) (web.SignedIn, error) {
	in, err := a.rp.Finish(c.Response(), c.Request())
	switch {
	case errors.Is(err, auth.ErrNoRole):
		return web.SignedIn{}, nil
	case err != nil:
		return web.SignedIn{}, fmt.Errorf("%w: %w", web.ErrSignInFailed, err)
	}
	http.SetCookie(c.Response(), a.hint(in.IDToken, 0))
	return web.SignedIn{Principal: in.Principal, Next: in.ReturnTo}, nil
}

// SignOut clears the ID token and returns the provider's end-session URL
// ("" when it has none).
func (a *Authenticator) SignOut(c echo.Context) string {
	var idToken string
	if ck, err := c.Cookie(hintCookie); err == nil {
		idToken = ck.Value
	}
	http.SetCookie(c.Response(), a.hint("", -1))
	return a.rp.EndSessionURL(idToken, a.postLogout)
}

// SignOutOrigin is the origin of the provider's end_session_endpoint, or ""
// when it advertises none.
func (a *Authenticator) SignOutOrigin() string {
	u, err := url.Parse(a.rp.endSession)
	if a.rp.endSession == "" || err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

func (a *Authenticator) hint(v string, maxAge int) *http.Cookie {
	//nolint:gosec // Secure whenever the callback is https; plain http is for loopback tests and local runs
	return &http.Cookie{Name: hintCookie, Value: v, Path: hintPath, MaxAge: maxAge,
		HttpOnly: true, Secure: a.rp.secure, SameSite: http.SameSiteLaxMode}
}
