package eventstore_test

import (
	"context"
	"errors"
	"testing"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/eventstore"
)

// A cached store must answer exactly what the log says now: appends made
// through another store (another replica) are seen on the next load, and a
// deleted stream is gone.
func TestStreamCacheFollowsTheLog(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded event-store node")
	}
	f := newFixture(t)
	cached := eventstore.NewStore(f.client, f.store.Codec())
	cached.EnableStreamCache(2)
	repo := eventstore.NewRepository(cached, "tally", replayTally, 2)
	ctx := context.Background()
	id := uuid.NewString()
	if _, err := f.repo.Create(ctx, openTally(id), domain.Envelope{}); err != nil {
		t.Fatal(err)
	}
	total := func() int {
		t.Helper()
		got, err := repo.Load(ctx, id)
		if err != nil {
			t.Fatalf("load through the cached store: %v", err)
		}
		return got.total
	}
	if got := total(); got != 0 {
		t.Fatalf("total = %d, want 0", got)
	}
	// Another replica writes; the cached store sees it at once.
	for i := 1; i <= 3; i++ {
		if _, err := f.repo.Update(ctx, id, domain.Envelope{}, add(i)); err != nil {
			t.Fatal(err)
		}
	}
	if got := total(); got != 6 {
		t.Fatalf("total after another writer appended = %d, want 6", got)
	}
	// Writes through the cached store, and optimistic concurrency against
	// the other writer, still hold.
	if _, err := repo.Update(ctx, id, domain.Envelope{}, add(10)); err != nil {
		t.Fatal(err)
	}
	if got := total(); got != 16 {
		t.Fatalf("total = %d, want 16", got)
	}
	// Evicting (capacity 2) and reloading gives the same answer.
	for range 3 {
		other := uuid.NewString()
		if _, err := repo.Create(ctx, openTally(other), domain.Envelope{}); err != nil {
			t.Fatal(err)
		}
		if _, err := repo.Load(ctx, other); err != nil {
			t.Fatal(err)
		}
	}
	if got := total(); got != 16 {
		t.Fatalf("total after eviction = %d, want 16", got)
	}
	// A stream deleted behind the cache's back is not found any more.
	if _, err := f.client.DeleteStream(ctx, eventstore.StreamID("tally", id), esdb.DeleteStreamOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := repo.Load(ctx, id); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("load of a deleted stream: err = %v, want ErrNotFound", err)
	}
}
