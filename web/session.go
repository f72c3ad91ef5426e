package web

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/domain/access"
)

// The session is one cookie, signed (HMAC-SHA256) and encrypted (AES-256)
// by gorilla/securecookie: it holds the principal the API's bearer token
// would give (subject and roles), the CSRF token of the session, and when
// it began and was last used. Nothing is kept on the server, so that
// replicas need only share the keys. Decision record 0017.

// sessionCookie is the session's cookie name. The __Host- prefix (only
// with Secure) would bind it to this host; without TLS browsers refuse it.
const sessionCookie = "leerpad_session"

// SessionKeys sign (Hash, 32 bytes or more) and encrypt (Block, 32 bytes:
// AES-256) the session cookie.
type SessionKeys struct {
	Hash, Block []byte
}

// LoadOrCreateSessionKeys reads the session keys from path, or creates
// them there (mode 0600) on first use, so that sessions outlive a restart.
func LoadOrCreateSessionKeys(path string) (SessionKeys, error) {
	b, err := os.ReadFile(path) //nolint:gosec // the operator's data directory
	if errors.Is(err, os.ErrNotExist) {
		b = make([]byte, 64)
		if _, err := rand.Read(b); err != nil {
			return SessionKeys{}, err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return SessionKeys{}, fmt.Errorf("session keys: %w", err)
		}
		if err := os.WriteFile(path, b, 0o600); err != nil {
			return SessionKeys{}, fmt.Errorf("session keys: %w", err)
		}
	} else if err != nil {
		return SessionKeys{}, fmt.Errorf("session keys: %w", err)
	}
	if len(b) != 64 {
		return SessionKeys{}, fmt.Errorf("session keys in %s: %d bytes, want 64", path, len(b))
	}
	return SessionKeys{Hash: b[:32], Block: b[32:]}, nil
}

// SessionKeyPath is where serve keeps the session keys in a data directory.
func SessionKeyPath(dataDir string) string { return filepath.Join(dataDir, "keys", "session.key") }

// session is what the cookie holds.
type session struct {
	Subject string   `json:"s,omitempty"`
	Roles   []string `json:"r,omitempty"`
	CSRF    string   `json:"c"`
	Began   int64    `json:"b"` // unix seconds of the sign-in (or of the anonymous session)
	Seen    int64    `json:"u"` // unix seconds of the last request
	// Flash is shown once by the next page: a rater's new link.
	Flash string `json:"f,omitempty"`
	// Round and LinkExpires are a rater's: the round their link opens and
	// when it stops working (unix seconds), after which the session ends.
	Round       string `json:"o,omitempty"`
	LinkExpires int64  `json:"x,omitempty"`
}

// principal is the session's principal, and whether someone is signed in.
func (s *session) principal() (access.Principal, bool) {
	if s == nil || s.Subject == "" {
		return access.Principal{}, false
	}
	p := access.Principal{Subject: s.Subject}
	if s.Round != "" { // a rater, signed in with their link (raters.go)
		p.Roles, p.RoundID, p.LinkExpiresAt = []access.Role{access.RoleRater}, s.Round, time.Unix(s.LinkExpires, 0)
		return p, true
	}
	for _, name := range s.Roles {
		if r, err := access.ParseRole(name); err == nil {
			p.Roles = append(p.Roles, r)
		}
	}
	return p, len(p.Roles) > 0
}

type sessions struct {
	codec  *securecookie.SecureCookie
	cfg    Config
	now    func() time.Time
	maxAge time.Duration
}

func newSessions(k SessionKeys, cfg Config, now func() time.Time) (*sessions, error) {
	if len(k.Hash) < 32 || len(k.Block) != 32 {
		return nil, errors.New("web: session keys need a hash key of 32 bytes or more and a block key of 32 bytes")
	}
	codec := securecookie.New(k.Hash, k.Block)
	codec.SetSerializer(securecookie.JSONEncoder{})
	codec.MaxAge(int(cfg.MaxAge / time.Second))
	return &sessions{codec: codec, cfg: cfg, now: now, maxAge: cfg.MaxAge}, nil
}

// fresh is a new session for p (zero: anonymous) with a new CSRF token.
func (ss *sessions) fresh(p access.Principal) *session {
	now := ss.now().Unix()
	s := &session{Subject: p.Subject, CSRF: newToken(), Began: now, Seen: now}
	for _, r := range p.Roles {
		s.Roles = append(s.Roles, r.String())
	}
	return s
}

// read returns the request's session: the cookie's while it is valid and
// neither idle too long nor too old, else nil.
func (ss *sessions) read(r *http.Request) *session {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	var s session
	if err := ss.codec.Decode(sessionCookie, c.Value, &s); err != nil {
		return nil
	}
	now := ss.now()
	if s.CSRF == "" || now.Sub(time.Unix(s.Seen, 0)) > ss.cfg.IdleTimeout || now.Sub(time.Unix(s.Began, 0)) > ss.maxAge ||
		(s.Round != "" && now.Unix() >= s.LinkExpires) {
		return nil
	}
	return &s
}

// write sets the session's cookie: Secure with Config.Secure or when the
// request came over TLS.
func (ss *sessions) write(c echo.Context, s *session) error {
	v, err := ss.codec.Encode(sessionCookie, s)
	if err != nil {
		return fmt.Errorf("encode the session: %w", err)
	}
	//nolint:gosec // G124: Secure follows Config.Secure (serve --https); the embedded default serves http on loopback
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: v, Path: "/", HttpOnly: true, Secure: ss.cfg.Secure || c.Request().TLS != nil,
		SameSite: http.SameSiteLaxMode, MaxAge: int(ss.maxAge / time.Second)})
	return nil
}

// touchEvery is how often a used session's cookie is written again to move
// its idle time-out on (not on every request).
const touchEvery = time.Minute

// sessionKey is where the request's session is kept in echo's context.
const sessionKey = "leerpad.web.session"

// session middleware: every request has a session (an anonymous one, for
// its CSRF token, until someone signs in), except for the assets, which are
// the same for everyone and cached (no cookie on them).
func (s *Server) session(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if strings.HasPrefix(c.Request().URL.Path, "/static/") {
			c.Set(sessionKey, &session{})
			return next(c)
		}
		ss := s.sessions.read(c.Request())
		switch {
		case ss == nil:
			ss = s.sessions.fresh(access.Principal{})
			if err := s.sessions.write(c, ss); err != nil {
				return err
			}
		case s.now().Sub(time.Unix(ss.Seen, 0)) > touchEvery:
			ss.Seen = s.now().Unix()
			if err := s.sessions.write(c, ss); err != nil {
				return err
			}
		}
		c.Set(sessionKey, ss)
		return next(c)
	}
}

// sessionOf returns the request's session.
func sessionOf(c echo.Context) *session {
	ss, _ := c.Get(sessionKey).(*session)
	return ss
}

// principalOf returns the signed-in principal of the request.
func principalOf(c echo.Context) (access.Principal, bool) { return sessionOf(c).principal() }

// signedIn sends whoever is not signed in to the sign-in, to come back here.
func (s *Server) signedIn(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if _, ok := principalOf(c); !ok {
			next := c.Request().URL.Path
			if next == "/rate" || strings.HasPrefix(next, "/rate/") { // raters sign in with their key
				return c.Redirect(http.StatusSeeOther, "/rate")
			}
			if c.Request().Method != http.MethodGet {
				next = "/"
			}
			return c.Redirect(http.StatusSeeOther, "/signin?next="+urlQueryEscape(next))
		}
		return next(c)
	}
}

// newToken is 32 random bytes, base64url.
func newToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("web: no randomness: %v", err)) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
