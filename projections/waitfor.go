package projections

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/leerpad/leerpad/domain"
)

// ErrBehind is wrapped by the error of WaitFor when the projection did not
// reach the position in time.
var ErrBehind = errors.New("projection has not reached the position")

// BehindError is the error of a WaitFor that ran out of time: the projection
// had handled the log up to Position, not yet up to Want. It wraps ErrBehind
// and the context's error (context.DeadlineExceeded or context.Canceled).
type BehindError struct {
	Projection string
	Position   uint64
	Want       uint64
	Err        error
}

func (e *BehindError) Error() string {
	return fmt.Sprintf("projection %s is at position %d, has not reached position %d: %v", e.Projection, e.Position, e.Want, e.Err)
}

// Unwrap returns ErrBehind and the context's error.
func (e *BehindError) Unwrap() []error { return []error{ErrBehind, e.Err} }

// advance notes that the lane is done with the event at pos.
func (l *lane) advance(pos uint64) {
	if pos <= l.done.Load() {
		return
	}
	l.done.Store(pos)
	if l.waiting.Load() > 0 {
		l.wakeMu.Lock()
		close(l.wake)
		l.wake = make(chan struct{})
		l.wakeMu.Unlock()
	}
}

// position is the position of the last event the lane is done with: the
// read model's own, or further when the last events were poisoned.
func (l *lane) position() uint64 { return max(l.done.Load(), l.p.Position()) }

// WaitFor blocks until the projection called name is done with the log up to
// position (a write's Receipt position): it has applied, skipped or poisoned
// every event up to and including it. It is bounded by ctx: give it a
// deadline. It returns nil at once for position 0, a *BehindError (wrapping
// ErrBehind and ctx's error) when ctx ends first, and an error wrapping
// domain.ErrNotFound for an unknown name.
func (r *Runner) WaitFor(ctx context.Context, name string, position uint64) error {
	l, ok := r.byName[name]
	if !ok {
		return fmt.Errorf("wait for projection %q: %w", name, domain.ErrNotFound)
	}
	if position == 0 || l.position() >= position {
		return nil
	}
	l.waiting.Add(1)
	defer l.waiting.Add(-1)
	for {
		l.wakeMu.Lock()
		wake := l.wake
		l.wakeMu.Unlock()
		// The read model's own position is polled as well: a Replay, or
		// Handle called from outside, moves it without the lane knowing.
		if l.position() >= position {
			return nil
		}
		t := time.NewTimer(50 * time.Millisecond)
		select {
		case <-wake:
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return &BehindError{Projection: name, Position: l.position(), Want: position, Err: ctx.Err()}
		}
		t.Stop()
	}
}

// CaughtUp reports whether Run has started and every projection has reached
// the head of the log observed when it started: the read models then answer
// with at least what was written before the process started (/readyz).
func (r *Runner) CaughtUp() bool {
	if !r.started.Load() {
		return false
	}
	select {
	case <-r.running:
	default:
		return false
	}
	head := r.startHead.Load()
	for _, l := range r.lanes {
		if l.position() < head {
			return false
		}
	}
	return true
}
