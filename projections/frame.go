package projections

import (
	"fmt"
	"sync"

	"github.com/leerpad/leerpad/domain"
)

// Frame is what every read model keeps besides its data: its name, the lock
// that guards the data and the checkpoint together, and the Checkpoint. A
// read model embeds it, so that Name, Position and Unknown of the Projection
// contract come from here, and writes its Handle with Apply:
//
//	type ReadModel struct {
//		projections.Frame
//		mu sync.RWMutex // guards the data below and the frame's checkpoint
//		...
//	}
//
//	func New() *ReadModel {
//		m := &ReadModel{...}
//		m.Frame = projections.NewFrame(Name, &m.mu)
//		return m
//	}
//
//	func (m *ReadModel) Handle(ctx context.Context, ev projections.Event) error {
//		return projections.Apply(&m.Frame, ev, func() bool { ... })
//	}
//
// The lock stays the read model's own field, which its queries take, and the
// helpers that need the lock or the checkpoint (Apply, CheckpointOf,
// RestoreFrame) are functions rather than methods: a method of Frame would be
// promoted into every read model's exported API.
type Frame struct {
	name string
	mu   *sync.RWMutex
	cp   *Checkpoint
}

// NewFrame returns the frame of the read model called name, whose data mu
// guards: a checkpoint that has seen nothing.
func NewFrame(name string, mu *sync.RWMutex) Frame {
	return Frame{name: name, mu: mu, cp: NewCheckpoint()}
}

// Name returns the read model's stable name.
func (f *Frame) Name() string { return f.name }

// Position returns the global position of the last event handled.
func (f *Frame) Position() uint64 {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.cp.Position()
}

// Unknown returns how many events of unknown types were skipped.
func (f *Frame) Unknown() uint64 {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.cp.Unknown()
}

// Apply is the body of a read model's Handle: under the write lock, it runs
// handle when the checkpoint has not passed e yet, and moves the checkpoint
// on (Checkpoint.Apply).
func Apply(f *Frame, e Event, handle func() (known bool)) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cp.Apply(f.name, e, handle)
}

// CheckpointOf returns the frame's checkpoint, for a read model that holds
// its lock: to skip an event it cannot use (Skip) or to capture the
// checkpoint for a snapshot (State).
func CheckpointOf(f *Frame) *Checkpoint { return f.cp }

// RestoreFrame takes the write lock and, when the read model has handled
// nothing yet, puts back the checkpoint s and calls swap to put back the
// data that goes with it, in the same critical section. It returns an error
// wrapping domain.ErrConflict, and changes nothing, when the read model has
// handled events already.
func RestoreFrame(f *Frame, s CheckpointState, swap func()) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if pos := f.cp.Position(); pos != 0 {
		return fmt.Errorf("%s: restore: the read model has handled events up to position %d: %w", f.name, pos, domain.ErrConflict)
	}
	f.cp = RestoreCheckpoint(s)
	swap()
	return nil
}
