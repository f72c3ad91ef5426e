package main

import (
	"errors"
	"io"
	"testing"

	"github.com/leerpad/leerpad/demo"
)

// TestDemoSignInIsRefusedWithAnIdentityProvider: nobody can run the demo's
// password-less sign-in beside a real identity provider.
func TestDemoSignInIsRefusedWithAnIdentityProvider(t *testing.T) {
	for _, args := range [][]string{
		{"--demo-signin", "--oidc-jwks-url", "https://idp.example/jwks"},
		{"--demo-signin", "--oidc-issuer", "https://idp.example"},
		{"--demo-signin", "--listen", "0.0.0.0:8080"},
		{"--demo-signin", "--listen", ":8080"},
		{"--demo-signin", "--listen", "192.0.2.7:8080"},
	} {
		_, err := parseServeFlags(args, io.Discard)
		var ue *usageError
		if !errors.As(err, &ue) {
			t.Errorf("%v: err %v, want a usage error", args, err)
		}
	}
	f, err := parseServeFlags([]string{"--demo-signin", "--theme", "vlaanderen"}, io.Discard)
	if err != nil || !f.pages.demoSignIn || f.pages.theme != "vlaanderen" {
		t.Fatalf("demo sign-in alone: %+v, %v", f.pages, err)
	}
}

// TestDemoPeopleHaveEveryRole: the demo sign-in lists people of every role
// a token may carry, from the demo package.
func TestDemoPeopleHaveEveryRole(t *testing.T) {
	ps, err := demoPeople(demo.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	roles := map[string]int{}
	for _, p := range ps {
		roles[p.Role.String()]++
	}
	for _, r := range []string{"participant", "manager", "trainer", "programme-office"} {
		if roles[r] == 0 {
			t.Errorf("no demo %s: %v", r, roles)
		}
	}
}
