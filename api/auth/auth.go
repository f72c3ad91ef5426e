// Package auth verifies the OIDC bearer tokens (JWTs) that Leerpad's users
// present, and mints such tokens with a local key for the embedded default.
//
// Verification uses github.com/coreos/go-oidc/v3 against a JWKS: a remote one
// (Config.JWKSURL, the identity provider of a deployment) or the public part
// of the local signing key kept in the data directory. Minting uses
// github.com/go-jose/go-jose/v4. See docs/decisions/0003-oidc-libraries.md.
package auth

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/leerpad/leerpad/domain/access"
)

// Defaults of Config.
const (
	DefaultIssuer       = "leerpad-local"
	DefaultAudience     = "leerpad"
	DefaultRoleClaim    = "roles"
	DefaultSubjectClaim = "sub"
)

// Errors of Verify. Every error Verify returns wraps ErrInvalidToken or ErrNoRole.
var (
	// ErrInvalidToken means the token is not one Leerpad accepts: malformed,
	// badly signed, from another issuer, for another audience, expired or
	// without a subject. The API answers 401.
	ErrInvalidToken = errors.New("invalid bearer token")
	// ErrTokenExpired is the ErrInvalidToken of a token past its expiry.
	ErrTokenExpired = fmt.Errorf("bearer token expired: %w", ErrInvalidToken)
	// ErrNoRole means the token is valid but grants no Leerpad role. The API answers 403.
	ErrNoRole = errors.New("the bearer token grants no Leerpad role")
)

// Config says which tokens are accepted and where the roles are in them.
type Config struct {
	// Issuer is the required "iss" claim. Default DefaultIssuer ("leerpad-local").
	Issuer string
	// Audience must be one of the "aud" claim's values. Default DefaultAudience ("leerpad").
	Audience string
	// RoleClaim names the claim holding the roles, a string or an array of
	// strings; a dotted path reaches into objects, e.g. "realm_access.roles".
	// Values that are not Leerpad roles are ignored. Default "roles".
	RoleClaim string
	// SubjectClaim names the claim holding the subject id. Default "sub".
	SubjectClaim string
	// JWKSURL is the identity provider's JSON Web Key Set. Default empty: then
	// tokens are verified with the local signing key in KeyFile.
	JWKSURL string
	// KeyFile is the local signing key (see KeyPath); required when JWKSURL is empty.
	KeyFile string
	// Algorithms are the accepted signing algorithms. Default RS256, ES256,
	// PS256 and EdDSA with a JWKS URL, EdDSA with the local key.
	Algorithms []string
	// Now is the clock for expiry checks. Default time.Now.
	Now func() time.Time
}

// WithDefaults returns c with every empty field set to its default.
func (c Config) WithDefaults() Config {
	if c.Issuer == "" {
		c.Issuer = DefaultIssuer
	}
	if c.Audience == "" {
		c.Audience = DefaultAudience
	}
	if c.RoleClaim == "" {
		c.RoleClaim = DefaultRoleClaim
	}
	if c.SubjectClaim == "" {
		c.SubjectClaim = DefaultSubjectClaim
	}
	if len(c.Algorithms) == 0 {
		if c.JWKSURL == "" {
			c.Algorithms = []string{oidc.EdDSA}
		} else {
			c.Algorithms = []string{oidc.RS256, oidc.ES256, oidc.PS256, oidc.EdDSA}
		}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Validate reports the first field of c (with defaults applied) that cannot work.
func (c Config) Validate() error {
	c = c.WithDefaults()
	switch {
	case c.JWKSURL == "" && c.KeyFile == "":
		return errors.New("auth: a JWKS URL or a local key file is required")
	case c.JWKSURL != "" && !strings.HasPrefix(c.JWKSURL, "https://") && !strings.HasPrefix(c.JWKSURL, "http://"):
		return fmt.Errorf("auth: JWKS URL %q is not an http(s) URL", c.JWKSURL)
	case strings.Contains(c.RoleClaim, "..") || strings.HasPrefix(c.RoleClaim, ".") || strings.HasSuffix(c.RoleClaim, "."):
		return fmt.Errorf("auth: role claim %q is not a dotted path", c.RoleClaim)
	}
	for _, a := range c.Algorithms {
		if !slices.Contains([]string{oidc.RS256, oidc.RS384, oidc.RS512, oidc.ES256, oidc.ES384, oidc.ES512, oidc.PS256, oidc.PS384, oidc.PS512, oidc.EdDSA}, a) {
			return fmt.Errorf("auth: unsupported signing algorithm %q", a)
		}
	}
	return nil
}

// Verifier checks bearer tokens and turns them into principals.
type Verifier struct {
	cfg      Config
	verifier *oidc.IDTokenVerifier
}

// NewVerifier returns a verifier for cfg. With a JWKS URL the keys are
// fetched on first use and cached (ctx carries the HTTP client, see
// oidc.ClientContext, and must outlive the verifier); without one the local
// signing key is loaded, or created on first use.
func NewVerifier(ctx context.Context, cfg Config) (*Verifier, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.WithDefaults()
	var keys oidc.KeySet
	if cfg.JWKSURL != "" {
		keys = oidc.NewRemoteKeySet(ctx, cfg.JWKSURL)
	} else {
		k, err := LoadOrCreateSigningKey(cfg.KeyFile)
		if err != nil {
			return nil, err
		}
		keys = &oidc.StaticKeySet{PublicKeys: []crypto.PublicKey{k.Public()}}
	}
	v := oidc.NewVerifier(cfg.Issuer, keys, &oidc.Config{
		ClientID:             cfg.Audience,
		SupportedSigningAlgs: cfg.Algorithms,
		Now:                  cfg.Now,
	})
	return &Verifier{cfg: cfg, verifier: v}, nil
}

// Verify checks the signature, issuer, audience, expiry and not-before of
// raw and returns its subject and Leerpad roles. Errors wrap ErrInvalidToken
// (ErrTokenExpired for an expired token) or ErrNoRole; their text names no
// person and holds no token.
func (v *Verifier) Verify(ctx context.Context, raw string) (access.Principal, error) {
	tok, err := v.verifier.Verify(ctx, raw)
	if err != nil {
		var expired *oidc.TokenExpiredError
		if errors.As(err, &expired) {
			return access.Principal{}, ErrTokenExpired
		}
		return access.Principal{}, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	var claims map[string]any
	if err := tok.Claims(&claims); err != nil {
		return access.Principal{}, fmt.Errorf("%w: claims: %w", ErrInvalidToken, err)
	}
	return v.cfg.Principal(claims)
}

// Principal maps the claims of a verified token to the principal they name:
// the subject from c's SubjectClaim, the Leerpad roles from its RoleClaim.
// It is the one claim mapping of Leerpad, used for the API's bearer tokens
// and for the ID tokens of the web sign-in alike. Errors wrap
// ErrInvalidToken (no subject) or ErrNoRole.
func (c Config) Principal(claims map[string]any) (access.Principal, error) {
	c = c.WithDefaults()
	subject, _ := lookup(claims, c.SubjectClaim).(string)
	if subject == "" || len(subject) > 255 {
		return access.Principal{}, fmt.Errorf("%w: no subject in claim %q", ErrInvalidToken, c.SubjectClaim)
	}
	roles := rolesIn(lookup(claims, c.RoleClaim))
	if len(roles) == 0 {
		return access.Principal{}, fmt.Errorf("%w (claim %q)", ErrNoRole, c.RoleClaim)
	}
	return access.Principal{Subject: subject, Roles: roles}, nil
}

// lookup follows a dotted path through nested claim objects.
func lookup(claims map[string]any, path string) any {
	var v any = claims
	for name := range strings.SplitSeq(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[name]
	}
	return v
}

// rolesIn returns the Leerpad roles in a claim value (a string or an array
// of strings), each once, ignoring every other value.
func rolesIn(v any) []access.Role {
	var names []string
	switch v := v.(type) {
	case string:
		names = strings.Fields(v) // a space-separated list, like "scope"
	case []any:
		for _, e := range v {
			if s, ok := e.(string); ok {
				names = append(names, s)
			}
		}
	}
	var roles []access.Role
	for _, n := range names {
		r, err := access.ParseRole(n)
		if err == nil && !slices.Contains(roles, r) {
			roles = append(roles, r)
		}
	}
	return roles
}
