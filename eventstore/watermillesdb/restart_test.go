package watermillesdb_test

import (
	"context"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/google/uuid"

	"github.com/leerpad/leerpad/eventstore/node"
	"github.com/leerpad/leerpad/eventstore/watermillesdb"
)

// TestResubscribeAfterNodeRestart stands in for the suite's TestReconnect
// (which needs a RestartServiceCommand): the node stops and starts again on
// the same directory and address while a subscription is open; the
// subscription resumes after its last ack, without gaps or duplicates.
func TestResubscribeAfterNodeRestart(t *testing.T) {
	for _, mode := range []string{"catch-up", "consumer group"} {
		t.Run(mode, func(t *testing.T) {
			if testing.Short() {
				t.Skip("integration test: needs the embedded node")
			}
			dir := t.TempDir()
			n, err := node.Start(context.Background(), node.Config{DataDir: dir, Listen: "127.0.0.1:0"})
			if err != nil {
				t.Fatalf("start node: %v", err)
			}
			addr := n.Addr()
			defer func() { _ = n.Close() }()
			client := newClient(t, n.ConnectionString())
			pub := publisher(t, client)

			cfg := watermillesdb.SubscriberConfig{Name: "restart", ResubscribeBackoff: 20 * time.Millisecond, MaxResubscribeBackoff: 200 * time.Millisecond}
			if mode == "consumer group" {
				cfg = watermillesdb.SubscriberConfig{ConsumerGroup: "restart", ResubscribeBackoff: 20 * time.Millisecond, MaxResubscribeBackoff: 200 * time.Millisecond}
			}
			sub := subscriber(t, cfg, client)
			stream := "journey-" + uuid.NewString()
			sent := publishN(t, pub, stream, 3)
			msgs, err := sub.Subscribe(context.Background(), stream)
			if err != nil {
				t.Fatalf("subscribe: %v", err)
			}
			for _, want := range sent {
				if got := receive(t, msgs); got.UUID != want.UUID {
					t.Fatalf("got %s, want %s", got.UUID, want.UUID)
				} else {
					got.Ack()
				}
			}

			if err := n.Close(); err != nil {
				t.Fatalf("stop node: %v", err)
			}
			n, err = node.Start(context.Background(), node.Config{DataDir: dir, Listen: addr})
			if err != nil {
				t.Fatalf("restart node on %s: %v", addr, err)
			}

			var more []*message.Message
			deadline := time.Now().Add(waitFor)
			for len(more) < 3 {
				msg := message.NewMessage(uuid.NewString(), []byte(`{}`))
				if err := pub.Publish(stream, msg); err != nil {
					if time.Now().After(deadline) {
						t.Fatalf("publish after restart: %v", err)
					}
					time.Sleep(50 * time.Millisecond)
					continue
				}
				more = append(more, msg)
			}
			if mode == "catch-up" {
				// Resumes right after the last ack: no gap, no duplicate.
				for _, want := range more {
					got := receive(t, msgs)
					got.Ack()
					if got.UUID != want.UUID {
						t.Fatalf("after restart got %s (revision %s), want %s", got.UUID, got.Metadata.Get("revision"), want.UUID)
					}
				}
			} else {
				// The group resumes from its last checkpoint on the server,
				// which may be behind the last ack (it is written every
				// CheckpointAfter / CheckpointLowerBound): acked messages
				// may come again (at least once), new ones must all come.
				known := map[string]bool{}
				for _, m := range sent {
					known[m.UUID] = true
				}
				missing := map[string]bool{}
				for _, m := range more {
					known[m.UUID], missing[m.UUID] = true, true
				}
				for len(missing) > 0 {
					got := receive(t, msgs)
					got.Ack()
					if !known[got.UUID] {
						t.Fatalf("unknown message %s", got.UUID)
					}
					delete(missing, got.UUID)
				}
				return
			}
			expectNothing(t, msgs, 100*time.Millisecond)
		})
	}
}
