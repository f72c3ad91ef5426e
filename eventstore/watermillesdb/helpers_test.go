package watermillesdb_test

import (
	"context"
	"testing"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/leerpad/leerpad/eventstore/node"
)

// startNode starts an embedded node on a fresh temporary data directory and
// a free loopback port, with a connected official client whose logs are
// silenced. Both stop with the test.
func startNode(tb testing.TB) (*node.Node, *esdb.Client) {
	tb.Helper()
	if testing.Short() {
		tb.Skip("integration test: needs the embedded node")
	}
	n, err := node.Start(context.Background(), node.Config{DataDir: tb.TempDir(), Listen: "127.0.0.1:0"})
	if err != nil {
		tb.Fatalf("start node: %v", err)
	}
	tb.Cleanup(func() { _ = n.Close() })
	return n, newClient(tb, n.ConnectionString())
}

// newClient connects the official client to conn; it is closed with the test.
func newClient(tb testing.TB, conn string) *esdb.Client {
	tb.Helper()
	settings, err := esdb.ParseConnectionString(conn)
	if err != nil {
		tb.Fatalf("parse connection string: %v", err)
	}
	settings.Logger = esdb.NoopLogging()
	c, err := esdb.NewClient(settings)
	if err != nil {
		tb.Fatalf("new client: %v", err)
	}
	tb.Cleanup(func() { _ = c.Close() })
	return c
}
