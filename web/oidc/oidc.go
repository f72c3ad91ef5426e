// Package oidc is the web pages' sign-in through an OpenID Connect provider:
// the authorization code flow with PKCE (S256), as a confidential client
// (relying party), with github.com/coreos/go-oidc/v3 for discovery and ID
// token verification and golang.org/x/oauth2 for the code exchange and the
// PKCE helpers.
//
// Begin sends the browser to the provider with a fresh state, nonce and code
// verifier, kept in a sealed, short-lived cookie scoped to the callback path;
// Finish, on the callback, checks the state against that cookie, exchanges
// the code with the verifier, verifies the ID token (signature, iss, aud, exp,
// nonce) and maps its claims to a principal with api/auth's one claim mapping,
// so that a person has the same roles in the pages as with a bearer token.
// EndSessionURL is the provider's RP-initiated logout, when it advertises one.
//
// See docs/decisions/0003-oidc-libraries.md and 0018.
package oidc

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/leerpad/leerpad/api/auth"
	"github.com/leerpad/leerpad/domain/access"
)

// flowCookie holds one sign-in in progress; flowLifetime bounds it.
const (
	flowCookie   = "leerpad_oidc"
	flowLifetime = 10 * time.Minute
)

// Errors of Finish. Each error Finish returns wraps one of these (or
// auth.ErrNoRole when the person has no Leerpad role); none holds a token or
// names a person.
var (
	// ErrNoFlow: the callback came without a sign-in this browser began, or
	// after it expired (ten minutes): start again.
	ErrNoFlow = errors.New("oidc: no sign-in in progress in this browser")
	// ErrState: the callback's state is not the one this browser was sent
	// with (a forged or crossed callback).
	ErrState = errors.New("oidc: the callback's state does not match")
	// ErrProvider: the provider answered with an error (e.g. access_denied).
	ErrProvider = errors.New("oidc: the identity provider refused the sign-in")
	// ErrExchange: the token endpoint refused the code (e.g. reused, or the
	// PKCE verifier did not match) or gave no ID token.
	ErrExchange = errors.New("oidc: the code could not be exchanged")
	// ErrIDToken: the ID token is not valid for this client (signature,
	// issuer, audience, expiry, nonce, or no subject).
	ErrIDToken = errors.New("oidc: the ID token is not valid")
)

// Config says which provider and client to sign in with.
type Config struct {
	// Issuer is the provider's issuer URL; its discovery document is read at New.
	Issuer string
	// ClientID and ClientSecret identify Leerpad at the provider.
	ClientID     string
	ClientSecret string
	// RedirectURL is Leerpad's callback, registered at the provider.
	RedirectURL string
	// Claims names the role and subject claims (RoleClaim, SubjectClaim), as
	// for the API's bearer tokens; its Issuer and Audience are not used here.
	Claims auth.Config
	// Scopes requested besides "openid". Default "profile".
	Scopes []string
	// FlowKey (32 bytes) seals the cookie of a sign-in in progress. Default:
	// a random key of this process (several replicas share one through this
	// field, or keep the browser with one replica during its sign-in).
	FlowKey []byte
	// HTTPClient reaches the provider. Default http.DefaultClient.
	HTTPClient *http.Client
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// Validate reports the first field of c that cannot work.
func (c Config) Validate() error {
	for _, f := range []struct{ name, v string }{{"issuer URL", c.Issuer}, {"client id", c.ClientID}, {"client secret", c.ClientSecret}, {"redirect URL", c.RedirectURL}} {
		if strings.TrimSpace(f.v) == "" {
			return fmt.Errorf("oidc: the %s is required", f.name)
		}
	}
	for _, u := range []struct{ name, v string }{{"issuer URL", c.Issuer}, {"redirect URL", c.RedirectURL}} {
		p, err := url.Parse(u.v)
		if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
			return fmt.Errorf("oidc: the %s %q is not an absolute http(s) URL", u.name, u.v)
		}
	}
	if c.FlowKey != nil && len(c.FlowKey) != 32 {
		return fmt.Errorf("oidc: the flow key must be 32 bytes, got %d", len(c.FlowKey))
	}
	return nil
}

// RP is the relying party: one per process, safe for concurrent use.
type RP struct {
	cfg        Config
	oauth      oauth2.Config
	verifier   *gooidc.IDTokenVerifier
	aead       cipher.AEAD
	endSession string
	cookiePath string
	secure     bool
}

// New reads the provider's discovery document (its issuer must be
// cfg.Issuer exactly) and returns the relying party.
func New(ctx context.Context, cfg Config) (*RP, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = []string{"profile"}
	}
	key := cfg.FlowKey
	if key == nil {
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	ctx = gooidc.ClientContext(ctx, cfg.HTTPClient)
	provider, err := gooidc.NewProvider(ctx, cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("oidc: discovery at %s: %w", cfg.Issuer, err)
	}
	var extra struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := provider.Claims(&extra); err != nil {
		return nil, fmt.Errorf("oidc: discovery at %s: %w", cfg.Issuer, err)
	}
	redirect, _ := url.Parse(cfg.RedirectURL)
	return &RP{
		cfg: cfg,
		oauth: oauth2.Config{
			ClientID:     cfg.ClientID,
			ClientSecret: cfg.ClientSecret,
			Endpoint:     provider.Endpoint(),
			RedirectURL:  cfg.RedirectURL,
			Scopes:       append([]string{gooidc.ScopeOpenID}, cfg.Scopes...),
		},
		// The keys come from the provider's JWKS (cached, refetched on an
		// unknown key id); iss, aud and exp are checked by default.
		verifier:   provider.VerifierContext(ctx, &gooidc.Config{ClientID: cfg.ClientID, Now: cfg.Now}),
		aead:       aead,
		endSession: extra.EndSession,
		cookiePath: redirect.EscapedPath(),
		secure:     redirect.Scheme == "https",
	}, nil
}

// flow is what the flow cookie seals.
type flow struct {
	State    string    `json:"s"`
	Nonce    string    `json:"n"`
	Verifier string    `json:"v"`
	ReturnTo string    `json:"r"`
	Expires  time.Time `json:"e"`
}

// Begin starts a sign-in: it sets the flow cookie and redirects the browser
// to the provider's authorization endpoint. returnTo is the local path to
// go to after the sign-in (anything else becomes "/").
func (rp *RP) Begin(w http.ResponseWriter, r *http.Request, returnTo string) {
	f := flow{State: rand.Text(), Nonce: rand.Text(), Verifier: oauth2.GenerateVerifier(),
		ReturnTo: LocalPath(returnTo), Expires: rp.cfg.Now().Add(flowLifetime)}
	http.SetCookie(w, rp.cookie(rp.seal(f), int(flowLifetime/time.Second)))
	// PKCE is sent to every provider: one that does not know it ignores it
	// (some, like Entra ID, support it without advertising it).
	u := rp.oauth.AuthCodeURL(f.State, gooidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier))
	http.Redirect(w, r, u, http.StatusFound)
}

// SignIn is a finished sign-in.
type SignIn struct {
	Principal access.Principal
	// IDToken is the raw ID token, the id_token_hint of EndSessionURL.
	IDToken string
	// Expiry of the ID token.
	Expiry time.Time
	// ReturnTo is the local path Begin was given.
	ReturnTo string
}

// Finish completes the sign-in on the callback request: state, code
// exchange with the PKCE verifier, ID token and nonce, and the claims
// mapped to a principal. The flow cookie is cleared whatever the outcome.
func (rp *RP) Finish(w http.ResponseWriter, r *http.Request) (SignIn, error) {
	http.SetCookie(w, rp.cookie("", -1))
	c, err := r.Cookie(flowCookie)
	if err != nil {
		return SignIn{}, ErrNoFlow
	}
	f, ok := rp.open(c.Value)
	if !ok || rp.cfg.Now().After(f.Expires) {
		return SignIn{}, ErrNoFlow
	}
	q := r.URL.Query()
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(f.State)) != 1 {
		return SignIn{}, ErrState
	}
	if e := q.Get("error"); e != "" {
		return SignIn{}, fmt.Errorf("%w: %s", ErrProvider, printable(e))
	}
	code := q.Get("code")
	if code == "" {
		return SignIn{}, fmt.Errorf("%w: the callback has no code", ErrExchange)
	}
	ctx := gooidc.ClientContext(r.Context(), rp.cfg.HTTPClient)
	tok, err := rp.oauth.Exchange(ctx, code, oauth2.VerifierOption(f.Verifier))
	if err != nil {
		return SignIn{}, fmt.Errorf("%w: %s", ErrExchange, oauthReason(err))
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return SignIn{}, fmt.Errorf("%w: the token response has no ID token", ErrExchange)
	}
	idt, err := rp.verifier.Verify(ctx, raw)
	if err != nil {
		return SignIn{}, fmt.Errorf("%w: %w", ErrIDToken, err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(f.Nonce)) != 1 {
		return SignIn{}, fmt.Errorf("%w: the nonce does not match", ErrIDToken)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return SignIn{}, fmt.Errorf("%w: %w", ErrIDToken, err)
	}
	p, err := rp.cfg.Claims.Principal(claims)
	if err != nil {
		if errors.Is(err, auth.ErrNoRole) {
			return SignIn{}, err
		}
		return SignIn{}, fmt.Errorf("%w: %w", ErrIDToken, err)
	}
	return SignIn{Principal: p, IDToken: raw, Expiry: idt.Expiry, ReturnTo: f.ReturnTo}, nil
}

// EndSessionURL is the provider's end_session_endpoint with the
// id_token_hint, client_id and post_logout_redirect_uri, or "" when the
// provider advertises no end_session_endpoint.
func (rp *RP) EndSessionURL(idToken, postLogoutRedirect string) string {
	if rp.endSession == "" {
		return ""
	}
	u, err := url.Parse(rp.endSession)
	if err != nil {
		return ""
	}
	q := u.Query()
	if idToken != "" {
		q.Set("id_token_hint", idToken)
	}
	q.Set("client_id", rp.cfg.ClientID)
	if postLogoutRedirect != "" {
		q.Set("post_logout_redirect_uri", postLogoutRedirect)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// LocalPath returns p when it is a path on this site ("/..."), else "/":
// a return address never leads off the site.
func LocalPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") || strings.ContainsAny(p, "\r\n") {
		return "/"
	}
	return p
}

func (rp *RP) cookie(value string, maxAge int) *http.Cookie {
	//nolint:gosec // Secure whenever the callback is https; plain http is for loopback tests and local runs
	return &http.Cookie{Name: flowCookie, Value: value, Path: rp.cookiePath, MaxAge: maxAge,
		HttpOnly: true, Secure: rp.secure,
		// Lax: the provider's redirect back is a top-level GET, which Lax sends.
		SameSite: http.SameSiteLaxMode}
}

func (rp *RP) seal(f flow) string {
	b, _ := json.Marshal(f)
	nonce := make([]byte, rp.aead.NonceSize())
	_, _ = rand.Read(nonce)
	return base64.RawURLEncoding.EncodeToString(rp.aead.Seal(nonce, nonce, b, []byte(flowCookie)))
}

func (rp *RP) open(v string) (flow, bool) {
	b, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil || len(b) < rp.aead.NonceSize() {
		return flow{}, false
	}
	plain, err := rp.aead.Open(nil, b[:rp.aead.NonceSize()], b[rp.aead.NonceSize():], []byte(flowCookie))
	if err != nil {
		return flow{}, false
	}
	var f flow
	if json.Unmarshal(plain, &f) != nil {
		return flow{}, false
	}
	return f, true
}

// oauthReason is the OAuth error code of a failed exchange (e.g.
// invalid_grant), without the response body.
func oauthReason(err error) string {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.ErrorCode != "" {
		return printable(re.ErrorCode)
	}
	return "the token endpoint could not be reached"
}

// printable keeps an error code from the provider short and printable.
func printable(s string) string {
	if len(s) > 64 {
		s = s[:64]
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return '?'
		}
		return r
	}, s)
}
