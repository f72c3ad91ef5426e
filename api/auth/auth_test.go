package auth_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/leerpad/leerpad/api/auth"
	"github.com/leerpad/leerpad/domain/access"
)

var now = time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)

const subject = "11111111-1111-4111-8111-111111111111"

func clock() time.Time { return now }

func TestLocalKeyFile(t *testing.T) {
	dir := t.TempDir()
	path := auth.KeyPath(dir)
	if path != filepath.Join(dir, "keys", "token-signing.jwk") {
		t.Fatalf("KeyPath = %s", path)
	}
	// Many processes (serve, token) may create the key at once: they must agree.
	keys := make([]*auth.SigningKey, 8)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() {
			k, err := auth.LoadOrCreateSigningKey(path)
			if err != nil {
				t.Error(err)
			}
			keys[i] = k
		})
	}
	wg.Wait()
	for _, k := range keys[1:] {
		if k == nil || keys[0] == nil || k.KeyID() != keys[0].KeyID() {
			t.Fatal("concurrent creators ended with different keys")
		}
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %04o, want 0600", fi.Mode().Perm())
	}
	di, _ := os.Stat(filepath.Dir(path))
	if di.Mode().Perm() != 0o700 {
		t.Errorf("key directory mode %04o, want 0700", di.Mode().Perm())
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	again, err := auth.LoadOrCreateSigningKey(path)
	if err != nil || again.KeyID() != keys[0].KeyID() {
		t.Fatalf("reloading gave another key (%v)", err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := auth.LoadOrCreateSigningKey(path); err == nil {
		t.Error("a world-readable key file was accepted")
	}
	if err := os.WriteFile(path, []byte(`{"kty":"oct","k":"c2VjcmV0"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := auth.LoadOrCreateSigningKey(path); err == nil {
		t.Error("a symmetric key was accepted as the signing key")
	}
}

func TestMintAndVerify(t *testing.T) {
	dir := t.TempDir()
	base := auth.Config{KeyFile: auth.KeyPath(dir), Now: clock}
	key, err := auth.LoadOrCreateSigningKey(base.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	verifier := func(tb testing.TB, cfg auth.Config) *auth.Verifier {
		tb.Helper()
		v, err := auth.NewVerifier(context.Background(), cfg)
		if err != nil {
			tb.Fatal(err)
		}
		return v
	}
	nested := base
	nested.RoleClaim, nested.SubjectClaim = "realm_access.roles", "employee_id"

	for _, tc := range []struct {
		name      string
		mintCfg   auth.Config
		verifyCfg auth.Config
		issued    time.Time
		ttl       time.Duration
		roles     []access.Role
		wantErr   error
		wantRoles int
	}{
		{"round trip, every token role", base, base, now, time.Hour, access.TokenRoles(), nil, 4},
		{"nested role claim and own subject claim", nested, nested, now, time.Hour, []access.Role{access.RoleTrainer}, nil, 1},
		{"wrong audience", auth.Config{Audience: "other", KeyFile: base.KeyFile}, base, now, time.Hour, []access.Role{access.RoleManager}, auth.ErrInvalidToken, 0},
		{"wrong issuer", auth.Config{Issuer: "https://idp.example.org", KeyFile: base.KeyFile}, base, now, time.Hour, []access.Role{access.RoleManager}, auth.ErrInvalidToken, 0},
		{"expired", base, base, now.Add(-time.Hour - time.Second), time.Hour, []access.Role{access.RoleManager}, auth.ErrTokenExpired, 0},
		{"expired is also invalid", base, base, now.Add(-8 * time.Hour), time.Hour, []access.Role{access.RoleManager}, auth.ErrInvalidToken, 0},
		{"roles in another claim than configured", base, nested, now, time.Hour, []access.Role{access.RoleManager}, auth.ErrInvalidToken, 0}, // no employee_id
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := auth.Mint(key, tc.mintCfg, subject, tc.roles, tc.issued, tc.ttl)
			if err != nil {
				t.Fatal(err)
			}
			p, err := verifier(t, tc.verifyCfg).Verify(context.Background(), tok)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Verify err = %v, want %v", err, tc.wantErr)
			}
			if tc.wantErr == nil && (p.Subject != subject || len(p.Roles) != tc.wantRoles) {
				t.Fatalf("principal %+v", p)
			}
		})
	}

	t.Run("a token with no Leerpad role", func(t *testing.T) {
		// Minted for the default claim "roles", verified looking in "groups".
		tok, err := auth.Mint(key, base, subject, []access.Role{access.RoleManager}, now, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		groups := base
		groups.RoleClaim = "groups"
		if _, err := verifier(t, groups).Verify(context.Background(), tok); !errors.Is(err, auth.ErrNoRole) {
			t.Fatalf("err = %v, want ErrNoRole", err)
		}
	})

	t.Run("mint refuses what no verifier should accept", func(t *testing.T) {
		for _, bad := range []struct {
			subject string
			roles   []access.Role
			ttl     time.Duration
		}{
			{"", []access.Role{access.RoleManager}, time.Hour},
			{subject, nil, time.Hour},
			{subject, []access.Role{access.RoleRater}, time.Hour},
			{subject, []access.Role{access.RoleManager}, 0},
		} {
			if _, err := auth.Mint(key, base, bad.subject, bad.roles, now, bad.ttl); err == nil {
				t.Errorf("Mint(%q, %v, %s) succeeded", bad.subject, bad.roles, bad.ttl)
			}
		}
	})
}

func TestRemoteJWKS(t *testing.T) {
	key, err := auth.LoadOrCreateSigningKey(auth.KeyPath(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: key.Public(), KeyID: key.KeyID(), Algorithm: string(jose.EdDSA), Use: "sig"}}}
	var mu sync.Mutex
	fetches := 0
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		fetches++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(set)
	}))
	t.Cleanup(idp.Close)

	cfg := auth.Config{Issuer: "https://idp.example.org/realms/overheid", Audience: "leerpad-api", JWKSURL: idp.URL, Now: clock}
	v, err := auth.NewVerifier(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := auth.Mint(key, cfg, subject, []access.Role{access.RoleProgrammeOffice}, now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		p, err := v.Verify(context.Background(), tok)
		if err != nil || !p.Has(access.RoleProgrammeOffice) {
			t.Fatalf("Verify = %+v, %v", p, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if fetches != 1 {
		t.Errorf("the JWKS was fetched %d times, want once (cached)", fetches)
	}
}

func TestConfigValidate(t *testing.T) {
	if err := (auth.Config{KeyFile: "k"}).Validate(); err != nil {
		t.Fatal(err)
	}
	c := auth.Config{KeyFile: "k"}.WithDefaults()
	if c.Issuer != "leerpad-local" || c.Audience != "leerpad" || c.RoleClaim != "roles" || c.SubjectClaim != "sub" || len(c.Algorithms) != 1 {
		t.Fatalf("defaults %+v", c)
	}
	for _, bad := range []auth.Config{
		{},
		{JWKSURL: "file:///etc/keys"},
		{KeyFile: "k", RoleClaim: "a..b"},
		{KeyFile: "k", Algorithms: []string{"none"}},
		{KeyFile: "k", Algorithms: []string{"HS256"}},
	} {
		if err := bad.Validate(); err == nil {
			t.Errorf("Validate(%+v) accepted it", bad)
		}
	}
}
