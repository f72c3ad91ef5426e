package node

import (
	"context"
	"testing"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
)

// startTestNode starts a node on a fresh temporary data directory and a free
// loopback port, with a connected official client. Both stop with the test.
func startTestNode(tb testing.TB) (*Node, *esdb.Client) {
	tb.Helper()
	return startTestNodeIn(tb, tb.TempDir())
}

// startTestNodeIn is startTestNode on a given data directory.
func startTestNodeIn(tb testing.TB, dir string) (*Node, *esdb.Client) {
	tb.Helper()
	n, err := Start(context.Background(), Config{DataDir: dir, Listen: "127.0.0.1:0"})
	if err != nil {
		tb.Fatalf("start node: %v", err)
	}
	tb.Cleanup(func() { _ = n.Close() })
	c := newTestClient(tb, n.ConnectionString())
	return n, c
}

// newTestClient connects the official client; it is closed with the test.
func newTestClient(tb testing.TB, conn string) *esdb.Client {
	tb.Helper()
	settings, err := esdb.ParseConnectionString(conn)
	if err != nil {
		tb.Fatalf("parse connection string: %v", err)
	}
	// The client logs every error status it maps (the conformance suite
	// provokes many on purpose) to the standard logger.
	settings.Logger = esdb.NoopLogging()
	c, err := esdb.NewClient(settings)
	if err != nil {
		tb.Fatalf("new client: %v", err)
	}
	tb.Cleanup(func() { _ = c.Close() })
	return c
}
