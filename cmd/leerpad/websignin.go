package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/leerpad/leerpad/api/auth"
	"github.com/leerpad/leerpad/web/oidc"
)

// oidcSignInFlags are serve's flags of the pages' sign-in through an OIDC
// provider. The provider is the API's: --oidc-issuer (its discovery
// document) and --oidc-role-claim / --oidc-subject-claim, so a person has
// the same roles in the pages as with a bearer token.
type oidcSignInFlags struct {
	clientID    string
	secretFile  string
	redirectURL string
}

func (f *oidcSignInFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.clientID, "oidc-client-id", "", "client `id` of the web pages at the identity provider; set: the pages sign in through the provider at --oidc-issuer (authorization code with PKCE)")
	fs.StringVar(&f.secretFile, "oidc-client-secret-file", "", "`file` holding the client secret of the web pages (not readable by group or others)")
	fs.StringVar(&f.redirectURL, "oidc-redirect-url", "", "the pages' callback `URL` as registered at the identity provider, ending in /signin/callback")
}

// set reports whether any of the flags was given.
func (f oidcSignInFlags) set() bool {
	return f.clientID != "" || f.secretFile != "" || f.redirectURL != ""
}

// check reports the first flag missing or wrong, when any is set, and
// refuses them beside the demo sign-in.
func (f oidcSignInFlags) check(issuer string, demoSignIn bool) error {
	if !f.set() {
		return nil
	}
	switch {
	case demoSignIn:
		return &usageError{msg: "-demo-signin lets anyone in without a password: it is refused with -oidc-client-id, -oidc-client-secret-file and -oidc-redirect-url (the pages' sign-in through an identity provider)"}
	case f.clientID == "":
		return &usageError{msg: "-oidc-client-id is required with -oidc-client-secret-file and -oidc-redirect-url"}
	case f.secretFile == "":
		return &usageError{msg: "-oidc-client-secret-file is required with -oidc-client-id"}
	case f.redirectURL == "":
		return &usageError{msg: "-oidc-redirect-url is required with -oidc-client-id"}
	case !strings.HasSuffix(strings.SplitN(f.redirectURL, "?", 2)[0], "/signin/callback"):
		return &usageError{msg: fmt.Sprintf("-oidc-redirect-url %q must end in /signin/callback, the pages' callback", f.redirectURL)}
	case !strings.HasPrefix(issuer, "https://") && !strings.HasPrefix(issuer, "http://"):
		return &usageError{msg: fmt.Sprintf("-oidc-client-id needs -oidc-issuer to be the identity provider's issuer URL, got %q", issuer)}
	}
	return nil
}

// readSecret reads the client secret file: one line, not readable by group
// or others (as the token-signing key).
func readSecret(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("-oidc-client-secret-file: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("-oidc-client-secret-file %s is readable by others (mode %04o): run chmod 600 on it", path, fi.Mode().Perm())
	}
	b, err := os.ReadFile(path) //nolint:gosec // the operator's own configuration
	if err != nil {
		return "", fmt.Errorf("-oidc-client-secret-file: %w", err)
	}
	secret := strings.TrimSpace(string(b))
	if secret == "" || strings.ContainsAny(secret, "\r\n") {
		return "", fmt.Errorf("-oidc-client-secret-file %s must hold the secret on one line", path)
	}
	return secret, nil
}

// newOIDCSignIn reads the provider's discovery document and returns the
// pages' sign-in through it. After signing out there, the provider sends
// the browser back to the pages' home.
func newOIDCSignIn(f oidcSignInFlags, authCfg auth.Config) (*oidc.Authenticator, error) {
	secret, err := readSecret(f.secretFile)
	if err != nil {
		return nil, err
	}
	// The provider's keys are fetched, and refetched on rotation, for the
	// life of the process: its context is the background.
	rp, err := oidc.New(context.Background(), oidc.Config{Issuer: authCfg.Issuer, ClientID: f.clientID, ClientSecret: secret,
		RedirectURL: f.redirectURL, Claims: authCfg, HTTPClient: &http.Client{Timeout: 30 * time.Second}})
	if err != nil {
		return nil, fmt.Errorf("web sign-in: %w", err)
	}
	home, err := url.Parse(f.redirectURL)
	if err != nil {
		return nil, err
	}
	home.Path, home.RawQuery = "/", "signedout=1"
	return rp.Authenticator(home.String()), nil
}

// authConfig is the API's token check of the flags, whose issuer and claim
// names the pages' sign-in shares.
func (f serveFlags) authConfig() auth.Config {
	return auth.Config{Issuer: f.issuer, Audience: f.audience, JWKSURL: f.jwksURL, RoleClaim: f.roleClaim, SubjectClaim: f.subjectClaim}
}
