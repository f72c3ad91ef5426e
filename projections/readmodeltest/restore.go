package readmodeltest

import (
	"context"
	"testing"

	"github.com/leerpad/leerpad/projections"
)

// RestoreEqualsReplay checks a read model's snapshot against its log: for
// each cut it feeds evs[:cut] to a fresh read model (newModel), snapshots it
// to a file, restores that into another fresh one, and expects every query
// to answer as the one snapshotted; then feeds the restored one all of evs
// (what it has is skipped, the rest applied) and expects every query to
// answer as a read model that replayed evs whole. The data set asked about
// is harvested from evs.
func RestoreEqualsReplay(tb testing.TB, newModel func() projections.Snapshotter, evs []projections.Event, cuts []int) {
	tb.Helper()
	ctx := context.Background()
	d := DataSetOf(evs)
	full := newModel()
	feed(tb, full, evs)
	want := MustOf(tb, full)
	if u := want.Uncovered(); len(u) > 0 {
		tb.Fatalf("the queries of %s are not all enumerated: %v", full.Name(), u)
	}
	for _, cut := range cuts {
		first := newModel()
		feed(tb, first, evs[:cut])
		dir := tb.TempDir()
		if _, err := projections.WriteSnapshot(dir, first); err != nil {
			tb.Fatalf("cut %d: write: %v", cut, err)
		}
		restored := newModel()
		if _, err := projections.ReadSnapshot(dir, restored, evs[len(evs)-1].Position); err != nil {
			tb.Fatalf("cut %d: read: %v", cut, err)
		}
		if Compare(ctx, tb, MustOf(tb, first), MustOf(tb, restored), d); tb.Failed() {
			tb.Fatalf("cut %d of %d: the restored read model answers differently from the one snapshotted", cut, len(evs))
		}
		feed(tb, restored, evs)
		if Compare(ctx, tb, want, MustOf(tb, restored), d); tb.Failed() {
			tb.Fatalf("cut %d of %d: restored and fed the rest, the read model answers differently from a full replay", cut, len(evs))
		}
	}
}

func feed(tb testing.TB, m projections.Projection, evs []projections.Event) {
	tb.Helper()
	for _, ev := range evs {
		if err := m.Handle(context.Background(), ev); err != nil {
			tb.Fatalf("handle %s@%d: %v", ev.Stream, ev.Revision, err)
		}
	}
}
