package behaviourchange_test

import (
	"testing"

	"github.com/leerpad/leerpad/projections"
	"github.com/leerpad/leerpad/projections/behaviourchange"
	"github.com/leerpad/leerpad/projections/internal/fixture"
	"github.com/leerpad/leerpad/projections/readmodeltest"
)

// TestSnapshotRestoreEqualsReplay feeds part of a history, snapshots the
// read model to a file, restores it into a fresh one, feeds the whole
// history (what it has is skipped), and checks that it answers every query
// (readmodeltest enumerates them) as a read model that replayed the whole
// history, for cut points that leave rounds open with responses, closed, or
// not yet opened.
func TestSnapshotRestoreEqualsReplay(t *testing.T) {
	h := fixture.Cohort(fixture.CohortOptions{Participants: 12, Seed: 5})
	h.Log.Append("invoice-1", foreign{})
	evs := h.Log.Events
	full := behaviourchange.New(behaviourchange.Config{})
	feed(t, full, evs)
	if c, err := full.Cohort(h.CohortID); err != nil || len(c.Competencies) == 0 {
		t.Fatalf("the history shows no cohort change (%v): the test would prove little", err)
	}
	var cuts []int
	for i := 1; i <= 10; i++ {
		cuts = append(cuts, len(evs)*i/10)
	}
	readmodeltest.RestoreEqualsReplay(t, func() projections.Snapshotter { return behaviourchange.New(behaviourchange.Config{}) }, evs, cuts)
}
