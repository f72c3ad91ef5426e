package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

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

// check reports the first flag missing or wrong, when any is set.
func (f oidcSignInFlags) check(issuer string) error {
	if !f.set() {
		return nil
	}
	switch {
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
// pages' relying party.
func newOIDCSignIn(ctx context.Context, f oidcSignInFlags, authCfg auth.Config) (*oidc.RP, error) {
	secret, err := readSecret(f.secretFile)
	if err != nil {
		return nil, err
	}
	rp, err := oidc.New(ctx, oidc.Config{Issuer: authCfg.Issuer, ClientID: f.clientID, ClientSecret: secret,
		RedirectURL: f.redirectURL, Claims: authCfg})
	if err != nil {
		return nil, fmt.Errorf("web sign-in: %w", err)
	}
	return rp, nil
}
