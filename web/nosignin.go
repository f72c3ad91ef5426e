package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"
)

// NoSignIn is the Authenticator of a Leerpad without a way to sign in to
// the pages (neither the demo sign-in nor an identity provider configured):
// the pages say so; the API works as ever with bearer tokens.
type NoSignIn struct{}

var errNoSignIn = errors.New("no sign-in is configured for the pages")

// Start answers that signing in is not possible here.
func (NoSignIn) Start(echo.Context, string) error {
	return &pageError{status: http.StatusServiceUnavailable, key: "error.nosignin", err: errNoSignIn}
}

// Callback answers that signing in is not possible here.
func (NoSignIn) Callback(echo.Context) (SignedIn, error) {
	return SignedIn{}, &pageError{status: http.StatusServiceUnavailable, key: "error.nosignin", err: errNoSignIn}
}
