package projections_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/projections"
)

// The frame answers the Projection contract's Name, Position and Unknown
// from the checkpoint Apply moves, and restores only a read model that has
// handled nothing.
func TestFrame(t *testing.T) {
	var mu sync.RWMutex
	f := projections.NewFrame("test", &mu)
	if f.Name() != "test" || f.Position() != 0 || f.Unknown() != 0 {
		t.Fatalf("new frame: %q at %d, %d unknown", f.Name(), f.Position(), f.Unknown())
	}
	at := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	stream := journey.StreamCategory + "-a"
	handled := 0
	for _, e := range []projections.Event{
		{Stream: stream, Revision: 0, Position: 10, Data: journey.Completed{At: at}},
		{Stream: stream, Revision: 0, Position: 10, Data: journey.Completed{At: at}},
		{Stream: stream, Revision: 1, Position: 20, Data: projections.UnknownEvent{Name: "journey.levelled_up"}},
	} {
		err := projections.Apply(&f, e, func() bool {
			if mu.TryLock() {
				t.Fatal("handle runs without the read model's lock")
			}
			handled++
			_, known := e.Data.(journey.Completed)
			return known
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if handled != 2 || f.Position() != 20 || f.Unknown() != 1 {
		t.Fatalf("handled %d, position %d, unknown %d; want 2, 20, 1", handled, f.Position(), f.Unknown())
	}
	if err := projections.Apply(&f, projections.Event{Data: journey.Completed{}}, func() bool { return true }); !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("Apply without a stream = %v, want ErrInvalid", err)
	}

	swapped := false
	err := projections.RestoreFrame(&f, projections.CheckpointState{Position: 5}, func() { swapped = true })
	if !errors.Is(err, domain.ErrConflict) || swapped || f.Position() != 20 {
		t.Fatalf("restore over handled events = %v (swapped %v, position %d), want ErrConflict and no change", err, swapped, f.Position())
	}
	g := projections.NewFrame("test", &mu)
	state := projections.CheckpointState{Position: 20, Unknown: 1, Revisions: map[string]uint64{stream: 1}}
	if err := projections.RestoreFrame(&g, state, func() { swapped = true }); err != nil || !swapped {
		t.Fatalf("restore = %v, swapped %v", err, swapped)
	}
	if g.Position() != 20 || g.Unknown() != 1 {
		t.Fatalf("restored frame at %d, %d unknown; want 20, 1", g.Position(), g.Unknown())
	}
	_ = projections.Apply(&g, projections.Event{Stream: stream, Revision: 1, Position: 20, Data: journey.Completed{At: at}}, func() bool {
		t.Fatal("the restored checkpoint did not keep the stream's revision")
		return true
	})
}
