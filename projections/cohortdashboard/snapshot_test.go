package cohortdashboard_test

import (
	"testing"

	"github.com/leerpad/leerpad/projections"
	"github.com/leerpad/leerpad/projections/cohortdashboard"
	"github.com/leerpad/leerpad/projections/internal/fixture"
	"github.com/leerpad/leerpad/projections/readmodeltest"
)

// TestSnapshotRestoreEqualsReplay feeds part of a history, snapshots the
// read model to a file, restores it into a fresh one, feeds the whole
// history (what it has is skipped), and checks that it answers every query
// (readmodeltest enumerates them) as a read model that replayed the whole
// history.
func TestSnapshotRestoreEqualsReplay(t *testing.T) {
	h := fixture.Cohort(fixture.CohortOptions{Participants: 12, Seed: 9})
	h.Log.Append("invoice-1", foreign{})
	evs := h.Log.Events
	var cuts []int
	for i := 1; i <= 10; i++ {
		cuts = append(cuts, len(evs)*i/10)
	}
	readmodeltest.RestoreEqualsReplay(t, func() projections.Snapshotter { return newModel(t, cohortdashboard.Config{}) }, evs, cuts)
}
