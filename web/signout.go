package web

import "github.com/labstack/echo/v4"

// SignOuter is an Authenticator that also ends the person's session at the
// identity provider (OpenID Connect RP-initiated logout). At POST /signout,
// after the pages' session has ended, SignOut returns where to send the
// browser (the provider's end-session endpoint) or "" to stay here; it may
// clear cookies of its own. SignOutOrigin is that endpoint's origin (""
// when there is none), which the pages' CSP admits in form-action: the
// sign-out form's redirect goes there.
type SignOuter interface {
	SignOut(c echo.Context) string
	SignOutOrigin() string
}
