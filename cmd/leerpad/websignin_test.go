package main

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeRefusesIncompleteOIDCSignIn: the pages' OIDC flags come
// together, with an issuer URL, never beside the demo sign-in; each refusal
// is a usage error naming the flag, before the data directory is touched.
func TestServeRefusesIncompleteOIDCSignIn(t *testing.T) {
	full := []string{"--oidc-issuer", "https://idp.example", "--oidc-client-id", "leerpad-web",
		"--oidc-client-secret-file", "secret", "--oidc-redirect-url", "https://leerpad.example/signin/callback"}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"with the demo sign-in", append([]string{"--demo-signin"}, full...), "-demo-signin"},
		{"with the demo sign-in, default issuer", []string{"--demo-signin", "--oidc-client-id", "x", "--oidc-client-secret-file", "s", "--oidc-redirect-url", "https://l.example/signin/callback"}, "refused with -oidc-client-id"},
		{"no secret file", []string{"--oidc-issuer", "https://idp.example", "--oidc-client-id", "x", "--oidc-redirect-url", "https://l.example/signin/callback"}, "-oidc-client-secret-file is required"},
		{"no redirect", []string{"--oidc-issuer", "https://idp.example", "--oidc-client-id", "x", "--oidc-client-secret-file", "s"}, "-oidc-redirect-url is required"},
		{"only a secret", []string{"--oidc-client-secret-file", "s"}, "-oidc-client-id is required"},
		{"another callback", append(full[:6:6], "--oidc-redirect-url", "https://l.example/callback"), "must end in /signin/callback"},
		{"default issuer", full[2:], "-oidc-issuer to be the identity provider's issuer URL"},
	} {
		dir := filepath.Join(t.TempDir(), "data")
		err := run(context.Background(), append([]string{"serve", "--data", dir}, tc.args...), io.Discard, io.Discard)
		var ue *usageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want a usage error with %q", tc.name, err, tc.want)
		}
		if _, statErr := os.Stat(dir); !errors.Is(statErr, os.ErrNotExist) {
			t.Errorf("%s: the data directory was created before the flags were checked", tc.name)
		}
	}
}

// TestReadSecret: the client secret file is one line, and kept private.
func TestReadSecret(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if s, err := readSecret(write("ok", "s3cret\n", 0o600)); err != nil || s != "s3cret" {
		t.Errorf("a private one-line secret: %q, %v", s, err)
	}
	for name, tc := range map[string]struct {
		content string
		mode    os.FileMode
		want    string
	}{
		"readable by others": {"s3cret\n", 0o644, "chmod 600"},
		"empty":              {"\n", 0o600, "on one line"},
		"two lines":          {"a\nb\n", 0o600, "on one line"},
	} {
		if _, err := readSecret(write(name, tc.content, tc.mode)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error with %q", name, err, tc.want)
		}
	}
	if _, err := readSecret(filepath.Join(dir, "missing")); err == nil || !strings.Contains(err.Error(), "-oidc-client-secret-file") {
		t.Errorf("a missing file: %v", err)
	}
}
