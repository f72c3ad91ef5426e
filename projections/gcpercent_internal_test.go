package projections

import (
	"runtime/debug"
	"testing"
)

// Not parallel: the collector's percentage is the process's.
func TestRaiseGCPercent(t *testing.T) {
	orig := debug.SetGCPercent(100)
	defer debug.SetGCPercent(orig)

	restore := raiseGCPercent(400)
	if got := debug.SetGCPercent(400); got != 400 {
		t.Fatalf("during catch-up: GC percent %d, want 400", got)
	}
	restore()
	restore() // once only
	if got := debug.SetGCPercent(100); got != 100 {
		t.Fatalf("after catch-up: GC percent %d, want 100 restored", got)
	}

	// Never lowered, nor turned on when off.
	for _, cur := range []int{800, -1} {
		debug.SetGCPercent(cur)
		raiseGCPercent(400)()
		if got := debug.SetGCPercent(cur); got != cur {
			t.Fatalf("current %d: GC percent %d, want it left alone", cur, got)
		}
	}

	// A change made meanwhile by someone else stands.
	debug.SetGCPercent(100)
	restore = raiseGCPercent(400)
	debug.SetGCPercent(250)
	restore()
	if got := debug.SetGCPercent(100); got != 250 {
		t.Fatalf("changed meanwhile: GC percent %d, want 250 kept", got)
	}

	// Disabled.
	restore = raiseGCPercent(-1)
	if got := debug.SetGCPercent(100); got != 100 {
		t.Fatalf("disabled: GC percent %d, want 100", got)
	}
	restore()
}
