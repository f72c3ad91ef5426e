// Package testoidc runs a real OpenID Connect provider on loopback for tests:
// zitadel's certified OP library (github.com/zitadel/oidc/v3/pkg/op) over its
// example in-memory storage, with the users and the one client a test gives
// it and a small sign-in form. It serves discovery, the authorization
// endpoint (code flow, PKCE S256 enforced when a challenge was sent), the
// token endpoint (client secret by HTTP Basic or form post), the JWKS, the
// userinfo endpoint and the end-session endpoint (RP-initiated logout).
//
// The ID tokens carry the users' roles in a claim named by the test, so that
// Leerpad's web sign-in maps them exactly as its API maps bearer tokens. See
// docs/decisions/0018-browser-tests-and-test-oidc-provider.md.
package testoidc

import (
	"context"
	"crypto/rand"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

// User is a person the provider signs in with a username and a password.
type User struct {
	// Subject is the "sub" claim of their tokens (e.g. a demo participant's id).
	Subject  string
	Username string
	Password string
	// Roles go into the role claim of their ID tokens as an array of strings.
	Roles []string
}

// Config is what a test provider knows. Every field but Users has a default.
type Config struct {
	Users []User
	// RoleClaim names the claim holding the roles; a dotted path nests it in
	// objects (e.g. "realm_access.roles"). Default "roles".
	RoleClaim string
	// ClientID and ClientSecret of the one confidential client. Defaults
	// "leerpad-web" and a random secret.
	ClientID     string
	ClientSecret string
	// IDTokenLifetime of the ID tokens. Default 5 minutes.
	IDTokenLifetime time.Duration
}

// Provider is a running test provider.
type Provider struct {
	// Issuer is the provider's issuer URL, http://127.0.0.1:<port>, where its
	// discovery document lives (/.well-known/openid-configuration).
	Issuer       string
	ClientID     string
	ClientSecret string

	srv   *httptest.Server
	store *store
}

// Start runs a provider on a free loopback port until the test ends.
func Start(tb testing.TB, cfg Config) *Provider {
	tb.Helper()
	p, err := New(cfg)
	if err != nil {
		tb.Fatalf("start the test OIDC provider: %v", err)
	}
	tb.Cleanup(p.Close)
	return p
}

// New runs a provider on a free loopback port; Close stops it.
func New(cfg Config) (*Provider, error) {
	if cfg.RoleClaim == "" {
		cfg.RoleClaim = "roles"
	}
	if cfg.ClientID == "" {
		cfg.ClientID = "leerpad-web"
	}
	if cfg.ClientSecret == "" {
		cfg.ClientSecret = rand.Text()
	}
	if cfg.IDTokenLifetime <= 0 {
		cfg.IDTokenLifetime = 5 * time.Minute
	}
	srv := httptest.NewUnstartedServer(nil)
	issuer := "http://" + srv.Listener.Addr().String()

	users := userStore{byID: map[string]*storage.User{}, roles: map[string][]string{}}
	for _, u := range cfg.Users {
		users.byID[u.Subject] = &storage.User{ID: u.Subject, Username: u.Username, Password: u.Password,
			FirstName: u.Username, LastName: "", PreferredLanguage: language.Dutch}
		users.roles[u.Subject] = slices.Clone(u.Roles)
	}
	s := &store{
		Storage:   storage.NewStorageWithClients(users, map[string]*storage.Client{}),
		users:     users,
		roleClaim: cfg.RoleClaim,
		client:    &client{id: cfg.ClientID, secret: cfg.ClientSecret, idTokenLifetime: cfg.IDTokenLifetime},
	}
	var key [32]byte
	if _, err := rand.Read(key[:]); err != nil {
		return nil, err
	}
	provider, err := op.NewProvider(&op.Config{
		CryptoKey:                key,
		DefaultLogoutRedirectURI: "/signed-out",
		CodeMethodS256:           true,
		AuthMethodPost:           true,
		SupportedUILocales:       []language.Tag{language.Dutch, language.English},
	}, s, op.StaticIssuer(issuer), op.WithAllowInsecure())
	if err != nil {
		return nil, fmt.Errorf("testoidc: %w", err)
	}
	callback := op.AuthCallbackURL(provider)
	interceptor := op.NewIssuerInterceptor(provider.IssuerFromRequest)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		renderLogin(w, r.URL.Query().Get("authRequestID"), "")
	})
	mux.Handle("POST /login", interceptor.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.PostFormValue("id")
		if err := s.CheckUsernamePassword(r.PostFormValue("username"), r.PostFormValue("password"), id); err != nil {
			w.WriteHeader(http.StatusUnauthorized)
			renderLogin(w, id, "Onbekende gebruikersnaam of wachtwoord / Unknown username or password")
			return
		}
		http.Redirect(w, r, callback(r.Context(), id), http.StatusFound)
	}))
	mux.HandleFunc("GET /signed-out", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("signed out\n"))
	})
	mux.Handle("/", provider)
	srv.Config.Handler = mux
	srv.Start()
	return &Provider{Issuer: issuer, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, srv: srv, store: s}, nil
}

// RegisterRedirect admits redirectURI as a redirect URI of the client and
// postLogout (when not empty) as a post-logout redirect URI. A test calls it
// once the relying party's address is known.
func (p *Provider) RegisterRedirect(redirectURI, postLogout string) {
	p.store.client.mu.Lock()
	defer p.store.client.mu.Unlock()
	p.store.client.redirect = append(p.store.client.redirect, redirectURI)
	if postLogout != "" {
		p.store.client.postLogout = append(p.store.client.postLogout, postLogout)
	}
}

// Close stops the provider.
func (p *Provider) Close() { p.srv.Close() }

// SignOutCount is how many RP-initiated logouts the provider has ended a
// session for.
func (p *Provider) SignOutCount() int {
	p.store.mu.Lock()
	defer p.store.mu.Unlock()
	return p.store.signOuts
}

// store is the example storage with this package's client, and the roles
// claim added to ID tokens and userinfo.
type store struct {
	*storage.Storage
	users     userStore
	roleClaim string
	client    *client

	mu       sync.Mutex
	signOuts int
}

// GetClientByClientID implements op.Storage with the one client.
func (s *store) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	if id != s.client.id {
		return nil, fmt.Errorf("client not found")
	}
	return s.client, nil
}

// AuthorizeClientIDSecret implements op.Storage for the one client.
func (s *store) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	if id != s.client.id || secret != s.client.secret {
		return fmt.Errorf("invalid client")
	}
	return nil
}

// SetUserinfoFromRequest adds the roles to the claims of an ID token.
func (s *store) SetUserinfoFromRequest(ctx context.Context, ui *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	if err := s.Storage.SetUserinfoFromRequest(ctx, ui, req, scopes); err != nil {
		return err
	}
	s.addRoles(ui, req.GetSubject())
	return nil
}

// SetUserinfoFromToken adds the roles to the userinfo endpoint's answer.
func (s *store) SetUserinfoFromToken(ctx context.Context, ui *oidc.UserInfo, tokenID, subject, origin string) error {
	if err := s.Storage.SetUserinfoFromToken(ctx, ui, tokenID, subject, origin); err != nil {
		return err
	}
	s.addRoles(ui, ui.Subject)
	return nil
}

// TerminateSession counts RP-initiated logouts.
func (s *store) TerminateSession(ctx context.Context, userID, clientID string) error {
	s.mu.Lock()
	s.signOuts++
	s.mu.Unlock()
	return s.Storage.TerminateSession(ctx, userID, clientID)
}

func (s *store) addRoles(ui *oidc.UserInfo, subject string) {
	roles, ok := s.users.roles[subject]
	if !ok {
		return
	}
	names := strings.Split(s.roleClaim, ".")
	var v any = roles
	for i := len(names) - 1; i > 0; i-- {
		v = map[string]any{names[i]: v}
	}
	ui.AppendClaims(names[0], v)
}

// userStore implements storage.UserStore over the test's users.
type userStore struct {
	byID  map[string]*storage.User
	roles map[string][]string
}

func (u userStore) GetUserByID(id string) *storage.User { return u.byID[id] }

func (u userStore) GetUserByUsername(name string) *storage.User {
	for _, user := range u.byID {
		if user.Username == name {
			return user
		}
	}
	return nil
}

func (u userStore) ExampleClientID() string { return storage.ServiceUserID }

// client is the one confidential web client: code flow only, secret by
// Basic auth or form post, redirect URIs registered by the test.
type client struct {
	id, secret      string
	idTokenLifetime time.Duration

	mu                   sync.Mutex
	redirect, postLogout []string
}

func (c *client) GetID() string { return c.id }
func (c *client) RedirectURIs() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.redirect)
}
func (c *client) PostLogoutRedirectURIs() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.postLogout)
}
func (c *client) ApplicationType() op.ApplicationType { return op.ApplicationTypeWeb }
func (c *client) AuthMethod() oidc.AuthMethod         { return oidc.AuthMethodBasic }
func (c *client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c *client) GrantTypes() []oidc.GrantType        { return []oidc.GrantType{oidc.GrantTypeCode} }
func (c *client) LoginURL(id string) string           { return "/login?authRequestID=" + id }
func (c *client) AccessTokenType() op.AccessTokenType { return op.AccessTokenTypeBearer }
func (c *client) IDTokenLifetime() time.Duration      { return c.idTokenLifetime }

// DevMode allows the http:// loopback redirect URIs of tests.
func (c *client) DevMode() bool { return true }
func (c *client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *client) IsScopeAllowed(string) bool           { return false }
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return false }
func (c *client) ClockSkew() time.Duration             { return 0 }

var loginPage = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Test-identiteitsprovider / Test identity provider</title></head>
<body><main>
<h1>Aanmelden bij de test-identiteitsprovider</h1>
{{if .Error}}<p role="alert">{{.Error}}</p>{{end}}
<form method="post" action="/login">
<input type="hidden" name="id" value="{{.ID}}">
<p><label for="username">Gebruikersnaam / Username</label> <input id="username" name="username" autocomplete="username" required></p>
<p><label for="password">Wachtwoord / Password</label> <input id="password" name="password" type="password" autocomplete="current-password" required></p>
<p><button type="submit">Aanmelden / Sign in</button></p>
</form>
</main></body></html>
`))

func renderLogin(w http.ResponseWriter, id, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = loginPage.Execute(w, struct{ ID, Error string }{id, msg})
}
