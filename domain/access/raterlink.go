package access

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// A rater link is how a 360 rater (a peer, a direct report, anyone outside
// Leerpad's users) reaches the answer form of one round, and nothing else.
//
// Design:
//   - the token is 256 bits from crypto/rand, written as RaterTokenPrefix
//     followed by 43 base64url characters; the prefix lets secret scanners
//     and the API tell it from a JWT at a glance;
//   - only its SHA-256 hash is stored (RaterLink.TokenHash), so a leaked
//     store or backup does not open any form; a hash of 256 random bits needs
//     no salt or slow hash, as nothing about it can be guessed;
//   - it expires (RaterLink.ExpiresAt, typically when the round closes), and
//     it opens one round for one rater: Decide allows a rater principal only
//     KindRaterForm of its own round, before expiry;
//   - the link a rater receives carries the token in the URL fragment
//     (https://<app>/360#<token>), which browsers never send to a server or in
//     a Referer; the app sends it as "Authorization: Bearer <token>", so it
//     never appears in a request line or an access log.
//
// RaterTokenPrefix starts every rater-link token.
const RaterTokenPrefix = "lprl_"

// raterTokenBytes is the token's entropy: 256 bits.
const raterTokenBytes = 32

// ErrNotRaterToken means a string is not shaped like a rater-link token.
var ErrNotRaterToken = errors.New("not a rater-link token")

// RaterLink is what is stored for an issued link: never the token itself.
type RaterLink struct {
	RoundID   string
	RaterID   string
	TokenHash string // hex SHA-256 of the token (HashRaterToken)
	ExpiresAt time.Time
}

// NewRaterLink draws a fresh token from random (crypto/rand.Reader in
// production) for rater in round, valid until expiresAt. It returns the token,
// to send to the rater once, and the link to store.
func NewRaterLink(random io.Reader, roundID, raterID string, expiresAt time.Time) (string, RaterLink, error) {
	if roundID == "" || raterID == "" {
		return "", RaterLink{}, errors.New("new rater link: round and rater are required")
	}
	if expiresAt.IsZero() {
		return "", RaterLink{}, errors.New("new rater link: an expiry is required")
	}
	b := make([]byte, raterTokenBytes)
	if _, err := io.ReadFull(random, b); err != nil {
		return "", RaterLink{}, fmt.Errorf("new rater link: draw token: %w", err)
	}
	token := RaterTokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	hash, err := HashRaterToken(token)
	if err != nil {
		return "", RaterLink{}, err
	}
	return token, RaterLink{RoundID: roundID, RaterID: raterID, TokenHash: hash, ExpiresAt: expiresAt}, nil
}

// IsRaterToken reports whether s has the rater-link prefix (and so must never
// be treated as a JWT).
func IsRaterToken(s string) bool { return strings.HasPrefix(s, RaterTokenPrefix) }

// HashRaterToken checks that token is shaped like a rater-link token and
// returns the hex SHA-256 under which its link is stored.
func HashRaterToken(token string) (string, error) {
	body, ok := strings.CutPrefix(token, RaterTokenPrefix)
	if !ok {
		return "", ErrNotRaterToken
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(body)
	if err != nil || len(b) != raterTokenBytes {
		return "", ErrNotRaterToken
	}
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:]), nil
}

// Expired reports whether the link no longer works at time at.
func (l RaterLink) Expired(at time.Time) bool { return !at.Before(l.ExpiresAt) }

// Principal returns the principal a request holding this link acts as: the
// rater, in the rater role only, for the link's round until it expires.
func (l RaterLink) Principal() Principal {
	return Principal{Subject: l.RaterID, Roles: []Role{RoleRater}, RoundID: l.RoundID, LinkExpiresAt: l.ExpiresAt}
}
