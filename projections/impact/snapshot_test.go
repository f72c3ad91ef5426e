package impact_test

import (
	"testing"

	"github.com/leerpad/leerpad/domain/cohort"
	view "github.com/leerpad/leerpad/domain/impact"
	"github.com/leerpad/leerpad/projections"
	"github.com/leerpad/leerpad/projections/impact"
	"github.com/leerpad/leerpad/projections/internal/fixture"
	"github.com/leerpad/leerpad/projections/readmodeltest"
)

// TestSnapshotRestoreEqualsReplay feeds part of a history, snapshots the
// read model, restores it into a fresh one, feeds the whole history, and
// checks that it answers every query (readmodeltest enumerates them) as a
// read model that replayed the whole history: for the differencing world
// (releases, late journeys, a cohort of one) and a realistic cohort
// released half-way through its journeys' events.
func TestSnapshotRestoreEqualsReplay(t *testing.T) {
	w := newWorld(t, 5)
	h := fixture.Cohort(fixture.CohortOptions{Participants: 12, Seed: 5})
	var ids []string
	for _, p := range h.Participants {
		ids = append(ids, p.ParticipantID)
	}
	h.Log.Append(fixture.CohortStream(h.CohortID), cohort.MeasurementClosed{CohortID: h.CohortID, ParticipantIDs: ids, At: h.EndsOn})
	if p := must[view.Population](t)(func() (view.Population, error) {
		m := impact.New()
		feed(t, m, h.Log.Events)
		return m.Cohort(h.CohortID, 0)
	}()); !p.Released || len(p.Behaviour) == 0 || len(p.Reaction) == 0 {
		t.Fatalf("the realistic cohort shows %d behaviour and %d reaction cells: the test would prove little", len(p.Behaviour), len(p.Reaction))
	}
	for name, evs := range map[string][]projections.Event{"world": w.s.l.Events, "cohort": h.Log.Events} {
		t.Run(name, func(t *testing.T) {
			var cuts []int
			for i := 1; i <= 6; i++ {
				cuts = append(cuts, len(evs)*i/6)
			}
			readmodeltest.RestoreEqualsReplay(t, func() projections.Snapshotter { return impact.New() }, evs, cuts)
		})
	}
}
