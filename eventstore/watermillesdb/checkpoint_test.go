package watermillesdb_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/leerpad/leerpad/eventstore/watermillesdb"
)

func TestCheckpointStores(t *testing.T) {
	_, client := startNode(t)
	for name, store := range map[string]watermillesdb.CheckpointStore{
		"memory": watermillesdb.NewMemoryCheckpointStore(),
		"stream": watermillesdb.NewStreamCheckpointStore(client, ""),
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			key := "projection@" + uuid.NewString()
			if cp, ok, err := store.Load(ctx, key); err != nil || ok {
				t.Fatalf("Load of a new name = %+v, %v, %v; want none", cp, ok, err)
			}
			for _, want := range []watermillesdb.Checkpoint{{Revision: 3, Commit: 100, Prepare: 100}, {Revision: 7, Commit: 250, Prepare: 249}} {
				if err := store.Save(ctx, key, want); err != nil {
					t.Fatalf("save: %v", err)
				}
				if got, ok, err := store.Load(ctx, key); err != nil || !ok || got != want {
					t.Fatalf("Load = %+v, %v, %v; want %+v", got, ok, err, want)
				}
			}
		})
	}
}

func TestStreamCheckpointStoreKeepsOnlyTheLatest(t *testing.T) {
	_, client := startNode(t)
	store := watermillesdb.NewStreamCheckpointStore(client, "$cp-")
	ctx := context.Background()
	key := "portfolio@$all"
	for i := range uint64(3) {
		if err := store.Save(ctx, key, watermillesdb.Checkpoint{Commit: 10 * (i + 1)}); err != nil {
			t.Fatalf("save: %v", err)
		}
	}
	if got := store.Stream(key); got != "$cp-portfolio@$all" {
		t.Errorf("Stream = %s", got)
	}
	meta, err := client.GetStreamMetadata(ctx, store.Stream(key), esdbReadOptions())
	if err != nil {
		t.Fatalf("stream metadata: %v", err)
	}
	if n := meta.MaxCount(); n == nil || *n != 1 {
		t.Errorf("$maxCount = %v, want 1", n)
	}
	evs := readAll(t, client, store.Stream(key))
	if len(evs) != 1 || evs[0].EventType != watermillesdb.CheckpointEventType {
		t.Fatalf("checkpoint stream holds %d events, want the latest only", len(evs))
	}
	// A second store (another process) sees the same checkpoint.
	other := watermillesdb.NewStreamCheckpointStore(client, "$cp-")
	if cp, ok, err := other.Load(ctx, key); err != nil || !ok || cp.Commit != 30 {
		t.Errorf("other store Load = %+v, %v, %v", cp, ok, err)
	}
}
