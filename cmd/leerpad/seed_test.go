package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leerpad/leerpad/eventstore/eventstoretest"
	"github.com/leerpad/leerpad/eventstore/node"
)

// leerpad seed end to end: it seeds a data directory, and seeding it again
// reports that the data set is there and writes nothing.
func TestRunSeedCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds an embedded event-store node")
	}
	t.Parallel()
	dir := t.TempDir()
	args := []string{"seed", "--data", dir, "--seed", "3", "--cohorts", "1", "--participants", "6"}
	var out, errOut bytes.Buffer
	if err := run(context.Background(), args, &out, &errOut); err != nil {
		t.Fatalf("leerpad seed: %v\n%s", err, errOut.String())
	}
	for _, want := range []string{"Seeded the data set of seed 3 (1 cohorts of 6 participants)", "data directory " + dir, "journeys:   6", "streams (cohort 1,",
		"in progress on 2026-04-15", "Try it: the cohort BLG winter 2026 is running on 2026-04-15", "  learning goal:  "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out.String())
		}
	}
	if !strings.Contains(errOut.String(), "seed: 100%") || strings.Contains(errOut.String(), "\r") {
		t.Errorf("progress on a non-terminal = %q, want plain lines up to 100%%", errOut.String())
	}
	events := func() int {
		t.Helper()
		rep, err := node.Verify(dir)
		if err != nil {
			t.Fatalf("verify %s: %v", dir, err)
		}
		return rep.Events
	}
	before := events()

	out.Reset()
	if err := run(context.Background(), args, &out, io.Discard); err != nil {
		t.Fatalf("leerpad seed again: %v", err)
	}
	if !strings.Contains(out.String(), "is already complete") || !strings.Contains(out.String(), "written:    0 events") {
		t.Errorf("second run's summary:\n%s", out.String())
	}
	if after := events(); after != before {
		t.Fatalf("second run: %d events, want %d", after, before)
	}
}

func TestRunSeedUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"seed", "--no-such-flag"},
		{"seed", "--participants", "0"},
		{"seed", "--cohorts", "many"},
		{"seed", "extra"},
		{"seed", "--eventstore", "not a connection string"},
	} {
		// A usage error must come before any node starts; should one start
		// anyway, it gets a directory of its own.
		args = append(args, "--data", t.TempDir())
		var errOut bytes.Buffer
		err := run(context.Background(), args, io.Discard, &errOut)
		var ue *usageError
		if !errors.As(err, &ue) || exitCode(err) != 2 {
			t.Errorf("%q: err = %v, want a usage error (exit code 2)", args, err)
		}
	}
}

// The summary never shows the credentials of a connection string.
func TestWhereHidesCredentials(t *testing.T) {
	if got := where(eventStoreFlags{connection: "esdb://admin:changeit@db.example:2113?tls=true"}); strings.Contains(got, "changeit") {
		t.Errorf("where = %q shows the password", got)
	}
}

// leerpad seed --eventstore writes to a node it did not start.
func TestRunSeedOnExternalNode(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds an embedded event-store node")
	}
	t.Parallel()
	n := eventstoretest.StartNode(t)
	var out bytes.Buffer
	keys := t.TempDir()
	args := []string{"seed", "--eventstore", n.ConnectionString(), "--cohorts", "1", "--participants", "2",
		"--keystore", filepath.Join(keys, "keys"), "--kek-file", filepath.Join(keys, "kek", "keystore.kek")}
	if err := run(context.Background(), args, &out, io.Discard); err != nil {
		t.Fatalf("leerpad seed --eventstore: %v", err)
	}
	if !strings.Contains(out.String(), "into esdb://") || !strings.Contains(out.String(), "journey 2") {
		t.Errorf("summary:\n%s", out.String())
	}
}
