// Package eventstoretest starts the embedded event-store node for tests of
// any package, and connects the official client to it. The event store is
// never faked: a node starts in milliseconds on a temporary directory.
package eventstoretest

import (
	"context"
	"testing"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/leerpad/leerpad/eventstore/node"
)

// StartNode starts a node on a fresh temporary data directory and a free
// loopback port. It stops when the test ends.
func StartNode(tb testing.TB) *node.Node {
	tb.Helper()
	return StartNodeIn(tb, tb.TempDir())
}

// StartNodeIn starts a node on the given data directory.
func StartNodeIn(tb testing.TB, dir string) *node.Node {
	tb.Helper()
	n, err := node.Start(context.Background(), node.Config{DataDir: dir, Listen: "127.0.0.1:0"})
	if err != nil {
		tb.Fatalf("start event-store node: %v", err)
	}
	tb.Cleanup(func() { _ = n.Close() })
	return n
}

// Connect returns an official client connected to the connection string; it
// is closed when the test ends. The client's own logging is silenced.
func Connect(tb testing.TB, conn string) *esdb.Client {
	tb.Helper()
	settings, err := esdb.ParseConnectionString(conn)
	if err != nil {
		tb.Fatalf("parse connection string %q: %v", conn, err)
	}
	settings.Logger = esdb.NoopLogging()
	c, err := esdb.NewClient(settings)
	if err != nil {
		tb.Fatalf("new event-store client: %v", err)
	}
	tb.Cleanup(func() { _ = c.Close() })
	return c
}

// Client starts a node and returns a client connected to it.
func Client(tb testing.TB) *esdb.Client {
	tb.Helper()
	return Connect(tb, StartNode(tb).ConnectionString())
}
