package api

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/labstack/echo/v4"

	"github.com/leerpad/leerpad/api/auth"
	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/usecase"
)

func TestBearerTokens(t *testing.T) {
	ts := newTestServer(t)
	mint := func(cfg auth.Config, subject string, issued time.Time, ttl time.Duration, roles ...access.Role) string {
		tok, err := auth.Mint(ts.key, cfg, subject, roles, issued, ttl)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	_, strangerKey, _ := ed25519.GenerateKey(rand.Reader)
	stranger := func() string {
		s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: strangerKey}, nil)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := jwt.Signed(s).Claims(jwt.Claims{Issuer: auth.DefaultIssuer, Audience: jwt.Audience{auth.DefaultAudience},
			Subject:                                                                  participant, Expiry: jwt.NewNumericDate(testNow.Add(time.Hour))}).
			Claims(map[string]any{"roles": []string{"programme-office"}}).Serialize() //nolint:misspell // go-jose's name
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}()
	valid := mint(ts.authCfg, participant, testNow, time.Hour, access.RoleParticipant)
	parts := strings.Split(valid, ".")
	tampered := parts[0] + "." + strings.TrimRight(parts[1], "A") + "B." + parts[2]

	for _, tc := range []struct {
		name      string
		header    http.Header
		status    int
		challenge string // WWW-Authenticate, for 401
	}{
		{"no Authorization header", nil, 401, `Bearer realm="leerpad"`},
		{"another scheme", http.Header{"Authorization": {"Basic dXNlcjpwYXNz"}}, 401, `Bearer realm="leerpad"`},
		{"empty bearer", http.Header{"Authorization": {"Bearer "}}, 401, `Bearer realm="leerpad"`},
		{"not a JWT", bearerHeader("hello"), 401, `error="invalid_token"`},
		{"wrong audience", bearerHeader(mint(auth.Config{Audience: "another-api", KeyFile: "x"}, participant, testNow, time.Hour, access.RoleParticipant)), 401, `error="invalid_token"`},
		{"wrong issuer", bearerHeader(mint(auth.Config{Issuer: "https://idp.example.org", KeyFile: "x"}, participant, testNow, time.Hour, access.RoleParticipant)), 401, `error="invalid_token"`},
		{"expired", bearerHeader(mint(ts.authCfg, participant, testNow.Add(-2*time.Hour), time.Hour, access.RoleParticipant)), 401, `error="invalid_token"`},
		{"not yet valid", bearerHeader(mint(ts.authCfg, participant, testNow.Add(time.Hour), time.Hour, access.RoleParticipant)), 401, `error="invalid_token"`},
		{"signed by another key", bearerHeader(stranger), 401, `error="invalid_token"`},
		{"tampered payload", bearerHeader(tampered), 401, `error="invalid_token"`},
		{"a rater link is no user token", bearerHeader(access.RaterTokenPrefix + strings.Repeat("A", 43)), 401, `error="invalid_token"`},
		{"valid", bearerHeader(valid), 200, ""},
		{"valid, scheme in lower case", http.Header{"Authorization": {"bearer " + valid}}, 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := ts.do(t, request{method: "GET", path: "/v1/me", header: tc.header})
			if tc.status == 200 {
				if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"roles":["participant"]`) || !strings.Contains(rec.Body.String(), participant) {
					t.Fatalf("%d %s", rec.Code, rec.Body)
				}
				return
			}
			decodeProblem(t, rec, tc.status)
			if got := rec.Header().Get("WWW-Authenticate"); !strings.Contains(got, tc.challenge) {
				t.Fatalf("WWW-Authenticate = %q, want it to contain %q", got, tc.challenge)
			}
		})
	}
	if strings.Contains(ts.logs.String(), parts[2]) {
		t.Error("a token signature reached the log")
	}
}

func TestTokenWithoutLeerpadRoleIs403(t *testing.T) {
	ts := newTestServer(t)
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: jose.JSONWebKey{Key: mustPrivate(t, ts)}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.Signed(s).Claims(jwt.Claims{Issuer: auth.DefaultIssuer, Audience: jwt.Audience{auth.DefaultAudience},
		Subject:                                                                participant, Expiry: jwt.NewNumericDate(testNow.Add(time.Hour))}).
		Claims(map[string]any{"roles": []string{"admin", "rater"}}).Serialize() //nolint:misspell // go-jose's name
	if err != nil {
		t.Fatal(err)
	}
	decodeProblem(t, ts.do(t, request{method: "GET", path: "/v1/me", header: bearerHeader(tok)}), http.StatusForbidden)
}

// mustPrivate reads the test server's private key back from its key file, as
// an identity provider other than Mint would use it.
func mustPrivate(tb testing.TB, ts *testServer) ed25519.PrivateKey {
	tb.Helper()
	var jwk jose.JSONWebKey
	b := mustRead(tb, ts.authCfg.KeyFile)
	if err := jwk.UnmarshalJSON(b); err != nil {
		tb.Fatal(err)
	}
	return jwk.Key.(ed25519.PrivateKey)
}

// fakeRaterLinks is a RaterLinks over a map of token hash to link.
type fakeRaterLinks map[string]access.RaterLink

var _ RaterLinks = fakeRaterLinks{}

func (f fakeRaterLinks) RaterLink(_ context.Context, hash string) (access.RaterLink, error) {
	l, ok := f[hash]
	if !ok {
		return access.RaterLink{}, fmt.Errorf("rater link: %w", domain.ErrNotFound)
	}
	return l, nil
}

// decide is what a use case does with an access decision (usecase.App's
// authorize), for the routes these tests add: the policy's refusal becomes a
// DeniedError, which the API answers 403 with its reason.
func decide(c echo.Context, a access.Action, r access.Resource) error {
	p, _ := principalOf(c)
	if d := access.Decide(p, a, r, testNow); !d.Allowed {
		return &usecase.DeniedError{Reason: d.Reason}
	}
	return nil
}

func TestAuthorizeAndRaterLinks(t *testing.T) {
	const (
		round1  = "cccccccc-cccc-4ccc-8ccc-cccccccccccc"
		round2  = "dddddddd-dddd-4ddd-8ddd-dddddddddddd"
		rater1  = "99999999-9999-4999-8999-999999999999"
		cohort1 = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
	)
	links := fakeRaterLinks{}
	issue := func(round string, expires time.Time) string {
		tok, l, err := access.NewRaterLink(rand.Reader, round, rater1, expires)
		if err != nil {
			t.Fatal(err)
		}
		links[l.TokenHash] = l
		return tok
	}
	open := issue(round1, testNow.Add(24*time.Hour))
	otherRound := issue(round2, testNow.Add(24*time.Hour))
	expired := issue(round1, testNow.Add(-time.Minute))
	unknown, _, _ := access.NewRaterLink(rand.Reader, round1, rater1, testNow.Add(time.Hour))

	ts := newTestServer(t, func(_ *Config, d *Deps) { d.RaterLinks = links })
	// Routes of the test's own (apart from the real ones, which need use
	// cases): authentication, then an access decision as a use case makes it.
	ts.addRoute("GET", "/v1/test/rater-forms/:roundId", func(c echo.Context) error {
		if err := decide(c, access.ActionRead, access.Resource{Kind: access.KindRaterForm, RoundID: c.Param("roundId")}); err != nil {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	}, ts.requireRaterLink)
	ts.addRoute("GET", "/v1/journeys/:journeyId/portfolio/sections/:section", func(c echo.Context) error {
		r := access.Resource{Kind: access.KindPortfolioSection, ParticipantID: participant, ManagerID: manager, Shared: c.Param("section") == "learning-goals"}
		if err := decide(c, access.ActionRead, r); err != nil {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	}, ts.requireUser)
	ts.addRoute("GET", "/v1/test/cohorts/:cohortId/dashboard", func(c echo.Context) error {
		r := access.Resource{Kind: access.KindCohortDashboard, CohortID: cohort1, CohortTrainerIDs: []string{"55555555-5555-4555-8555-555555555555"}}
		if err := decide(c, access.ActionRead, r); err != nil {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	}, ts.requireUser)

	mgr := ts.token(t, manager, access.RoleManager)
	office := ts.token(t, "77777777-7777-4777-8777-777777777777", access.RoleProgrammeOffice)
	for _, tc := range []struct {
		name   string
		path   string
		token  string
		status int
		detail string
	}{
		{"rater on own round", "/v1/test/rater-forms/" + round1, open, 204, ""},
		{"rater link of another round", "/v1/test/rater-forms/" + round1, otherRound, 403, "own round"},
		{"expired rater link", "/v1/test/rater-forms/" + round1, expired, 401, "expired"},
		{"unknown rater link", "/v1/test/rater-forms/" + round1, unknown, 401, "not a valid rater link"},
		{"a user token is no rater link", "/v1/test/rater-forms/" + round1, mgr, 401, "not a valid rater link"},
		{"rater link elsewhere", "/v1/journeys/" + participant + "/portfolio/sections/learning-goals", open, 401, "answer form only"},
		{"rater link on /me", "/v1/me", open, 401, "answer form only"},
		{"manager on a shared section", "/v1/journeys/" + participant + "/portfolio/sections/learning-goals", mgr, 204, ""},
		{"manager on a section not shared", "/v1/journeys/" + participant + "/portfolio/sections/experiments", mgr, 403, "revoked"},
		{"programme office on a portfolio section", "/v1/journeys/" + participant + "/portfolio/sections/learning-goals", office, 403, "aggregates"},
		{"programme office on a dashboard", "/v1/test/cohorts/" + cohort1 + "/dashboard", office, 204, ""},
		{"manager on a dashboard", "/v1/test/cohorts/" + cohort1 + "/dashboard", mgr, 403, "no rule"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := ts.do(t, request{method: "GET", path: tc.path, header: bearerHeader(tc.token)})
			if tc.status == 204 {
				if rec.Code != 204 {
					t.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
				return
			}
			p := decodeProblem(t, rec, tc.status)
			if !strings.Contains(p.Detail, tc.detail) {
				t.Fatalf("detail %q, want it to contain %q", p.Detail, tc.detail)
			}
			if tc.status == 401 && rec.Header().Get("WWW-Authenticate") == "" {
				t.Fatal("401 without WWW-Authenticate")
			}
		})
	}
	if strings.Contains(ts.logs.String(), open) {
		t.Error("a rater token reached the log")
	}

	t.Run("without a RaterLinks store every link is refused", func(t *testing.T) {
		bare := newTestServer(t)
		bare.addRoute("GET", "/v1/rater-forms/:roundId", func(c echo.Context) error { return c.NoContent(204) }, bare.requireRaterLink)
		decodeProblem(t, bare.do(t, request{method: "GET", path: "/v1/rater-forms/" + round1, header: bearerHeader(open)}), 401)
	})
}
