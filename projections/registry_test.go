package projections_test

import (
	"maps"
	"reflect"
	"testing"

	"github.com/leerpad/leerpad/domain/registry"
	"github.com/leerpad/leerpad/eventstore"
	"github.com/leerpad/leerpad/projections"
)

// The snapshots' event codec and the event store's codec, as cmd builds it,
// know the same event types at the same schema versions, and every event the
// store's codec decodes can be snapshotted and read back unchanged.
func TestSnapshotCodecAgreesWithTheStoresCodec(t *testing.T) {
	store, err := eventstore.NewCodec(registry.EventTypes())
	if err != nil {
		t.Fatal(err)
	}
	snap := projections.NewEventCodec()
	versions := store.Versions()
	if !maps.Equal(versions, snap.Versions()) {
		t.Fatalf("event types and versions differ:\nstore    %v\nsnapshot %v", versions, snap.Versions())
	}
	for name, version := range versions {
		// An empty payload decodes to the zero value of the event's type.
		e, err := store.Decode(name, version, []byte(`{}`))
		if err != nil {
			t.Fatalf("store: decode %s: %v", name, err)
		}
		payload, err := snap.Encode(e)
		if err != nil {
			t.Fatalf("snapshot: encode %s: %v", name, err)
		}
		back, err := snap.Decode(name, version, payload)
		if err != nil {
			t.Fatalf("snapshot: decode %s: %v", name, err)
		}
		if !reflect.DeepEqual(back, e) {
			t.Errorf("%s read back from a snapshot as %#v, want %#v", name, back, e)
		}
	}
}
