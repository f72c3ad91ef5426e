package auth

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/leerpad/leerpad/domain/access"
)

// KeyPath is where the local signing key lives in a data directory.
func KeyPath(dataDir string) string {
	return filepath.Join(dataDir, "keys", "token-signing.jwk")
}

// SigningKey is the local Ed25519 key that signs tokens for the embedded
// default. Its private part never leaves the key file and this process.
type SigningKey struct {
	jwk jose.JSONWebKey
}

// LoadOrCreateSigningKey reads the private JWK at path, or creates a fresh
// Ed25519 key there (directory 0700, file 0600) when there is none. A key
// file readable by group or others is refused, as ssh refuses such keys.
// Two processes creating the key at once end up with the same key: the file
// appears whole (a hard link of a synced temporary file) or not at all.
func LoadOrCreateSigningKey(path string) (*SigningKey, error) {
	k, err := loadSigningKey(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return k, err
	}
	if err := createSigningKey(path); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, err
	}
	return loadSigningKey(path)
}

func loadSigningKey(path string) (*SigningKey, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("signing key %s is readable by others (mode %04o): run chmod 600 on it", path, perm)
	}
	b, err := os.ReadFile(path) //nolint:gosec // the path is the operator's own configuration
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(b); err != nil {
		return nil, fmt.Errorf("signing key %s: %w", path, err)
	}
	if _, ok := jwk.Key.(ed25519.PrivateKey); !ok || !jwk.Valid() {
		return nil, fmt.Errorf("signing key %s: not an Ed25519 private JWK", path)
	}
	return &SigningKey{jwk: jwk}, nil
}

func createSigningKey(path string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create signing key: %w", err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return fmt.Errorf("create signing key: %w", err)
	}
	jwk := jose.JSONWebKey{Key: priv, Algorithm: string(jose.EdDSA), Use: "sig"}
	thumb, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return fmt.Errorf("create signing key: %w", err)
	}
	jwk.KeyID = base64.RawURLEncoding.EncodeToString(thumb)
	b, err := jwk.MarshalJSON()
	if err != nil {
		return fmt.Errorf("create signing key: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".token-signing-*.tmp") // mode 0600
	if err != nil {
		return fmt.Errorf("create signing key: %w", err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	_, err = tmp.Write(append(b, '\n'))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("create signing key: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		return fmt.Errorf("create signing key: %w", err)
	}
	if d, err := os.Open(dir); err == nil { //nolint:gosec // our own data directory
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

// Public returns the public key that verifies the tokens this key signs.
func (k *SigningKey) Public() crypto.PublicKey { return k.jwk.Key.(ed25519.PrivateKey).Public() }

// KeyID returns the key's id: its RFC 7638 thumbprint.
func (k *SigningKey) KeyID() string { return k.jwk.KeyID }

// Mint signs a token for subject with roles, valid from issuedAt for ttl,
// with the issuer, audience and claim names of cfg, so that a Verifier with
// the same cfg accepts it. Raters get links, not tokens (access.NewRaterLink).
func Mint(k *SigningKey, cfg Config, subject string, roles []access.Role, issuedAt time.Time, ttl time.Duration) (string, error) {
	cfg = cfg.WithDefaults()
	switch {
	case strings.TrimSpace(subject) == "" || len(subject) > 255:
		return "", errors.New("mint token: a subject of 1 to 255 characters is required")
	case len(roles) == 0:
		return "", errors.New("mint token: at least one role is required")
	case ttl <= 0:
		return "", errors.New("mint token: the lifetime must be positive")
	}
	names := make([]string, len(roles))
	for i, r := range roles {
		if _, err := access.ParseRole(r.String()); err != nil {
			return "", fmt.Errorf("mint token: %w", err)
		}
		names[i] = r.String()
	}
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.EdDSA, Key: jose.JSONWebKey{Key: k.jwk.Key, KeyID: k.jwk.KeyID}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", fmt.Errorf("mint token: %w", err)
	}
	id := make([]byte, 16)
	if _, err := rand.Read(id); err != nil {
		return "", fmt.Errorf("mint token: %w", err)
	}
	registered := jwt.Claims{
		Issuer:    cfg.Issuer,
		Subject:   subject,
		Audience:  jwt.Audience{cfg.Audience},
		IssuedAt:  jwt.NewNumericDate(issuedAt),
		NotBefore: jwt.NewNumericDate(issuedAt),
		Expiry:    jwt.NewNumericDate(issuedAt.Add(ttl)),
		ID:        base64.RawURLEncoding.EncodeToString(id),
	}
	custom := map[string]any{}
	nest(custom, cfg.RoleClaim, names)
	if cfg.SubjectClaim != DefaultSubjectClaim {
		nest(custom, cfg.SubjectClaim, subject)
	}
	tok, err := jwt.Signed(signer).Claims(registered).Claims(custom).Serialize() //nolint:misspell // go-jose's name
	if err != nil {
		return "", fmt.Errorf("mint token: %w", err)
	}
	return tok, nil
}

// nest sets v at a dotted path in m, creating the objects on the way.
func nest(m map[string]any, path string, v any) {
	names := strings.Split(path, ".")
	for _, n := range names[:len(names)-1] {
		next, ok := m[n].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[n] = next
		}
		m = next
	}
	m[names[len(names)-1]] = v
}
