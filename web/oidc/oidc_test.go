package oidc_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/leerpad/leerpad/api/auth"
	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/internal/testoidc"
	"github.com/leerpad/leerpad/web/oidc"
)

var users = []testoidc.User{
	{Subject: "9b1c7e52-0000-4000-8000-000000000001", Username: "anna", Password: "anna-pw", Roles: []string{"participant", "not-a-leerpad-role"}},
	{Subject: "9b1c7e52-0000-4000-8000-000000000002", Username: "bert", Password: "bert-pw", Roles: []string{"manager", "trainer"}},
	{Subject: "9b1c7e52-0000-4000-8000-000000000003", Username: "carla", Password: "carla-pw"},
}

// site is a relying party over a real test provider: /signin begins, the
// callback finishes and answers the principal as JSON (or the error).
type site struct {
	op  *testoidc.Provider
	rp  *oidc.RP
	srv *httptest.Server
	// intercept, when set, answers the callback instead of Finish.
	intercept func(w http.ResponseWriter, r *http.Request)
}

type result struct {
	Subject  string
	Roles    []string
	ReturnTo string
	IDToken  string
	Err      string
}

func newSite(t *testing.T, roleClaim string) *site {
	t.Helper()
	op := testoidc.Start(t, testoidc.Config{Users: users, RoleClaim: roleClaim})
	s := &site{op: op}
	mux := http.NewServeMux()
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	op.RegisterRedirect(s.srv.URL+"/auth/callback", s.srv.URL+"/signed-out")
	rp, err := oidc.New(context.Background(), oidc.Config{Issuer: op.Issuer, ClientID: op.ClientID, ClientSecret: op.ClientSecret,
		RedirectURL: s.srv.URL + "/auth/callback", Claims: auth.Config{RoleClaim: roleClaim}})
	if err != nil {
		t.Fatal(err)
	}
	s.rp = rp
	mux.HandleFunc("GET /signin", func(w http.ResponseWriter, r *http.Request) { rp.Begin(w, r, r.URL.Query().Get("next")) })
	mux.HandleFunc("GET /auth/callback", func(w http.ResponseWriter, r *http.Request) {
		if s.intercept != nil {
			s.intercept(w, r)
			return
		}
		in, err := rp.Finish(w, r)
		res := result{Subject: in.Principal.Subject, ReturnTo: in.ReturnTo, IDToken: in.IDToken}
		for _, role := range in.Principal.Roles {
			res.Roles = append(res.Roles, role.String())
		}
		if err != nil {
			res.Err = err.Error()
		}
		_ = json.NewEncoder(w).Encode(res)
	})
	mux.HandleFunc("GET /signed-out", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "afgemeld") })
	return s
}

func browser(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 30 * time.Second}
}

// authorize goes to /signin and on to the provider's sign-in form; it
// returns the auth request's id from the form's address.
func (s *site) authorize(t *testing.T, c *http.Client, next string) string {
	t.Helper()
	resp, err := c.Get(s.srv.URL + "/signin?next=" + url.QueryEscape(next))
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if !strings.HasPrefix(resp.Request.URL.String(), s.op.Issuer+"/login") {
		t.Fatalf("/signin led to %s, want the provider's sign-in form", resp.Request.URL)
	}
	id := resp.Request.URL.Query().Get("authRequestID")
	if id == "" {
		t.Fatalf("the sign-in form %s has no auth request id", resp.Request.URL)
	}
	return id
}

// landing is where a browser ended up: the last response, read.
type landing struct {
	status int
	url    string
	body   []byte
}

// login posts the provider's sign-in form and returns where it led.
func (s *site) login(t *testing.T, c *http.Client, id, user, password string) landing {
	t.Helper()
	resp, err := c.PostForm(s.op.Issuer+"/login", url.Values{"id": {id}, "username": {user}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return landing{status: resp.StatusCode, url: resp.Request.URL.String(), body: body}
}

func decode(t *testing.T, l landing) result {
	t.Helper()
	var r result
	if err := json.Unmarshal(l.body, &r); err != nil {
		t.Fatalf("the callback answered %d at %s: %v", l.status, l.url, err)
	}
	return r
}

// TestSignInThroughTheProvider: discovery, authorize with PKCE, the
// provider's form, the callback, the code exchange and the ID token end in
// the person's subject and their Leerpad roles (others ignored), with the
// local return path, for a flat and a nested role claim.
func TestSignInThroughTheProvider(t *testing.T) {
	for _, claim := range []string{"roles", "realm_access.roles"} {
		t.Run(claim, func(t *testing.T) {
			s := newSite(t, claim)
			c := browser(t)
			got := decode(t, s.login(t, c, s.authorize(t, c, "/journeys/x"), "anna", "anna-pw"))
			if got.Err != "" {
				t.Fatalf("sign-in failed: %s", got.Err)
			}
			if got.Subject != users[0].Subject || !slices.Equal(got.Roles, []string{access.RoleParticipant.String()}) {
				t.Errorf("signed in as %s with %v, want %s with [participant]", got.Subject, got.Roles, users[0].Subject)
			}
			if got.ReturnTo != "/journeys/x" || got.IDToken == "" {
				t.Errorf("return to %q, ID token %d bytes", got.ReturnTo, len(got.IDToken))
			}
		})
	}
}

// TestSignInRefusesWhatDoesNotBelong: a callback with another state, one in
// a browser that began no sign-in, a second use of the same callback, and a
// person without a Leerpad role are all refused.
func TestSignInRefusesWhatDoesNotBelong(t *testing.T) {
	s := newSite(t, "roles")
	finish := func(c *http.Client, u string) result {
		resp, err := c.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return decode(t, landing{status: resp.StatusCode, url: u, body: body})
	}
	// The callback's address, held back from the site.
	var callback string
	s.intercept = func(_ http.ResponseWriter, r *http.Request) { callback = s.srv.URL + r.URL.String() }
	c := browser(t)
	s.login(t, c, s.authorize(t, c, "/"), "anna", "anna-pw")
	s.intercept = nil
	u, _ := url.Parse(callback)
	q := u.Query()
	if q.Get("code") == "" || q.Get("state") == "" {
		t.Fatalf("the provider called back with %s", callback)
	}

	q.Set("state", "forged-"+q.Get("state"))
	wrong := *u
	wrong.RawQuery = q.Encode()
	if got := finish(c, wrong.String()); !strings.Contains(got.Err, oidc.ErrState.Error()) || got.Subject != "" {
		t.Errorf("a callback with another state: %+v, want %v", got, oidc.ErrState)
	}
	// Finish clears the flow cookie, refused or not: the real callback now
	// finds no sign-in in progress either, nor does another browser.
	if got := finish(c, callback); !strings.Contains(got.Err, oidc.ErrNoFlow.Error()) {
		t.Errorf("the callback after a refused one: %+v, want %v", got, oidc.ErrNoFlow)
	}
	if got := finish(browser(t), callback); !strings.Contains(got.Err, oidc.ErrNoFlow.Error()) {
		t.Errorf("the callback in another browser: %+v, want %v", got, oidc.ErrNoFlow)
	}

	c = browser(t)
	if got := decode(t, s.login(t, c, s.authorize(t, c, "/"), "carla", "carla-pw")); !strings.Contains(got.Err, auth.ErrNoRole.Error()) || got.Subject != "" {
		t.Errorf("a person without a Leerpad role: %+v, want %v", got, auth.ErrNoRole)
	}
	c = browser(t)
	if got := decode(t, s.login(t, c, s.authorize(t, c, "https://elsewhere.example/"), "bert", "bert-pw")); got.Err != "" || got.ReturnTo != "/" ||
		!slices.Equal(got.Roles, []string{"manager", "trainer"}) {
		t.Errorf("a sign-in asked to return off the site: %+v, want roles [manager trainer] and return to /", got)
	}
}

// TestSignInRefusesAnotherNonce: an ID token whose nonce is not the one
// the browser's sign-in was sent with is refused, even when the state, the
// code and the verifier are right (a flow cookie forged with the key).
func TestSignInRefusesAnotherNonce(t *testing.T) {
	s := newSite(t, "roles")
	var callback string
	s.intercept = func(_ http.ResponseWriter, r *http.Request) { callback = s.srv.URL + r.URL.String() }
	c := browser(t)
	s.login(t, c, s.authorize(t, c, "/"), "anna", "anna-pw")
	s.intercept = nil
	u, _ := url.Parse(callback)
	var forged bool
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == oidc.FlowCookie {
			v, ok := s.rp.ChangeNonce(ck.Value)
			if !ok {
				t.Fatal("the flow cookie does not open with the site's key")
			}
			c.Jar.SetCookies(u, []*http.Cookie{{Name: oidc.FlowCookie, Value: v, Path: "/auth/callback"}})
			forged = true
		}
	}
	if !forged {
		t.Fatalf("no flow cookie for %s", u)
	}
	resp, err := c.Get(callback)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(resp.Body)
	if got := decode(t, landing{status: resp.StatusCode, url: callback, body: body}); !strings.Contains(got.Err, "nonce") || got.Subject != "" {
		t.Errorf("a callback with another nonce: %+v, want %v naming the nonce", got, oidc.ErrIDToken)
	}
}

// TestProviderRefusesACodeWithoutItsVerifier: the provider enforces PKCE:
// the code of an authorization with an S256 challenge is refused without a
// verifier and with another one, and exchanged with the right one.
func TestProviderRefusesACodeWithoutItsVerifier(t *testing.T) {
	s := newSite(t, "roles")
	cfg := oauth2.Config{ClientID: s.op.ClientID, ClientSecret: s.op.ClientSecret, RedirectURL: s.srv.URL + "/auth/callback",
		Endpoint: oauth2.Endpoint{AuthURL: s.op.Issuer + "/authorize", TokenURL: s.op.Issuer + "/oauth/token"}, Scopes: []string{"openid"}}
	// code runs an authorization with the challenge of verifier and returns its code.
	code := func(verifier string) string {
		var got string
		s.intercept = func(_ http.ResponseWriter, r *http.Request) { got = r.URL.Query().Get("code") }
		c := browser(t)
		resp, err := c.Get(cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier)))
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		s.login(t, c, resp.Request.URL.Query().Get("authRequestID"), "anna", "anna-pw")
		if got == "" {
			t.Fatalf("no code came back for the authorization at %s", resp.Request.URL)
		}
		return got
	}
	ctx := context.Background()
	verifier := oauth2.GenerateVerifier()
	for name, opts := range map[string][]oauth2.AuthCodeOption{
		"without a verifier": nil,
		"with another":       {oauth2.VerifierOption(oauth2.GenerateVerifier())},
	} {
		_, err := cfg.Exchange(ctx, code(verifier), opts...)
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) || !strings.Contains(re.ErrorDescription, "code_verifier") {
			t.Errorf("exchange %s: %v, want a refusal naming the code_verifier", name, err)
		}
	}
	if tok, err := cfg.Exchange(ctx, code(verifier), oauth2.VerifierOption(verifier)); err != nil || tok.Extra("id_token") == nil {
		t.Errorf("exchange with the verifier: %v", err)
	}
}

// TestEndSessionURL: the provider advertises its end_session_endpoint; the
// URL ends the person's session there and comes back to Leerpad.
func TestEndSessionURL(t *testing.T) {
	s := newSite(t, "roles")
	c := browser(t)
	in := decode(t, s.login(t, c, s.authorize(t, c, "/"), "anna", "anna-pw"))
	u := s.rp.EndSessionURL(in.IDToken, s.srv.URL+"/signed-out")
	if !strings.HasPrefix(u, s.op.Issuer) {
		t.Fatalf("end-session URL %q is not at the provider", u)
	}
	// The pages' CSP lets the sign-out form's redirect go there.
	if got := s.rp.Authenticator("").SignOutOrigin(); got != s.op.Issuer {
		t.Errorf("SignOutOrigin = %q, want the provider's origin %q", got, s.op.Issuer)
	}
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.Request.URL.String() != s.srv.URL+"/signed-out" || s.op.SignOutCount() != 1 {
		t.Errorf("the end-session URL led to %s with %d sign-outs at the provider, want %s/signed-out and 1", resp.Request.URL, s.op.SignOutCount(), s.srv.URL)
	}
}

// TestConfigIsChecked: each missing or malformed setting is named.
func TestConfigIsChecked(t *testing.T) {
	ok := oidc.Config{Issuer: "https://idp.example", ClientID: "leerpad", ClientSecret: "s", RedirectURL: "https://leerpad.example/auth/callback"}
	for name, tc := range map[string]struct {
		edit func(*oidc.Config)
		want string
	}{
		"no issuer":       {func(c *oidc.Config) { c.Issuer = "" }, "issuer URL is required"},
		"no client id":    {func(c *oidc.Config) { c.ClientID = "" }, "client id is required"},
		"no secret":       {func(c *oidc.Config) { c.ClientSecret = " " }, "client secret is required"},
		"relative return": {func(c *oidc.Config) { c.RedirectURL = "/auth/callback" }, "redirect URL"},
		"short flow key":  {func(c *oidc.Config) { c.FlowKey = []byte("short") }, "32 bytes"},
	} {
		c := ok
		tc.edit(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error with %q", name, err, tc.want)
		}
	}
	if err := ok.Validate(); err != nil {
		t.Errorf("a complete config: %v", err)
	}
}

// TestLocalPath: a return address stays on the site.
func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{"/journeys/1?x=2": "/journeys/1?x=2", "": "/", "//evil.example/": "/",
		"/\\evil.example": "/", "https://evil.example/": "/", "journeys": "/", "/a\r\nSet-Cookie: x": "/"} {
		if got := oidc.LocalPath(in); got != want {
			t.Errorf("LocalPath(%q) = %q, want %q", in, got, want)
		}
	}
}
