package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/leerpad/leerpad/api/auth"
	"github.com/leerpad/leerpad/domain/access"
)

func TestTokenCommand(t *testing.T) {
	data := t.TempDir()
	const subject = "33333333-3333-4333-8333-333333333333"
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"token", "--role", "manager", "--subject", subject, "--data", data, "--ttl", "1h"}, &out, &errOut); err != nil {
		t.Fatalf("token: %v\n%s", err, errOut.String())
	}
	tok := strings.TrimSpace(out.String())
	if strings.Count(tok, ".") != 2 || strings.ContainsAny(tok, " \n") {
		t.Fatalf("stdout is not one JWT: %q", out.String())
	}
	// The server's default: verify with the public part of the same local key.
	v, err := auth.NewVerifier(context.Background(), auth.Config{KeyFile: auth.KeyPath(data)})
	if err != nil {
		t.Fatal(err)
	}
	p, err := v.Verify(context.Background(), tok)
	if err != nil || p.Subject != subject || len(p.Roles) != 1 || !p.Has(access.RoleManager) {
		t.Fatalf("Verify = %+v, %v", p, err)
	}

	out.Reset()
	if err := run(context.Background(), []string{"token", "-role", "participant,trainer", "-subject", subject, "-data", data}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if p, err := v.Verify(context.Background(), strings.TrimSpace(out.String())); err != nil || !p.Has(access.RoleParticipant) || !p.Has(access.RoleTrainer) {
		t.Fatalf("two roles: %+v, %v", p, err)
	}

	for _, args := range [][]string{
		{"token", "--subject", subject, "--data", data},
		{"token", "--role", "rater", "--subject", subject, "--data", data},
		{"token", "--role", "admin", "--subject", subject, "--data", data},
		{"token", "--role", "manager", "--data", data},
		{"token", "--role", "manager", "--subject", subject, "--data", data, "--ttl", "0s"},
		{"token", "--role", "manager", "--subject", subject, "--data", data, "--ttl", "1000h"},
		{"token", "--role", "manager", "--subject", subject, "--data", data, "extra"},
	} {
		err := run(context.Background(), args, &out, &errOut)
		if exitCode(err) != 2 {
			t.Errorf("%v: err %v, want a usage error (exit 2)", args, err)
		}
	}
}
