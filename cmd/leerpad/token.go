package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/leerpad/leerpad/api/auth"
	"github.com/leerpad/leerpad/domain/access"
)

// maxTokenTTL bounds the lifetime of a minted token: they are for trying
// Leerpad out, not for keeping.
const maxTokenTTL = 30 * 24 * time.Hour

// runToken prints a bearer token signed with the local key of a data
// directory (created on first use), which the embedded default accepts when
// no external JWKS is configured.
func runToken(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("leerpad token", stderr)
	role := fs.String("role", "", "`role` the token grants: participant, manager, trainer or programme-office (several separated by commas)")
	subject := fs.String("subject", "", "subject `id` of the person: their participant, manager, trainer or programme-office id")
	data := fs.String("data", "./data", "data `directory`; the signing key is keys/token-signing.jwk in it")
	ttl := fs.Duration("ttl", 8*time.Hour, "how long the token is valid (at most 720h)")
	issuer := fs.String("issuer", auth.DefaultIssuer, "the token's issuer (iss); must match the server's")
	audience := fs.String("audience", auth.DefaultAudience, "the token's audience (aud); must match the server's")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var roles []access.Role
	for name := range strings.SplitSeq(*role, ",") {
		name = strings.TrimSpace(name)
		if name == "rater" {
			return &usageError{msg: "-role: raters get a personal link to the 360 answer form, not a token"}
		}
		r, err := access.ParseRole(name)
		if err != nil {
			return &usageError{msg: "-role: " + err.Error()}
		}
		roles = append(roles, r)
	}
	switch {
	case strings.TrimSpace(*subject) == "":
		return &usageError{msg: "-subject is required"}
	case *ttl <= 0 || *ttl > maxTokenTTL:
		return &usageError{msg: fmt.Sprintf("-ttl must be between 0 and %s, got %s", maxTokenTTL, *ttl)}
	}
	cfg := auth.Config{Issuer: *issuer, Audience: *audience, KeyFile: auth.KeyPath(*data)}
	key, err := auth.LoadOrCreateSigningKey(cfg.KeyFile)
	if err != nil {
		return err
	}
	tok, err := auth.Mint(key, cfg, *subject, roles, time.Now(), *ttl)
	if err != nil {
		return &usageError{msg: err.Error()}
	}
	_, err = fmt.Fprintln(stdout, tok)
	return err
}
