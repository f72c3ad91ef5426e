package behaviourchange_test

import (
	"encoding/json"
	"testing"

	"github.com/leerpad/leerpad/projections"
	"github.com/leerpad/leerpad/projections/behaviourchange"
	"github.com/leerpad/leerpad/projections/internal/fixture"
)

// answers returns everything the read model shows of the history, as JSON.
func answers(t *testing.T, m *behaviourchange.ReadModel, h *fixture.History) string {
	t.Helper()
	out := map[string]any{"position": m.Position(), "unknown": m.Unknown(), "cohorts": m.Cohorts(), "participants": m.Participants(h.CohortID)}
	c, err := m.Cohort(h.CohortID)
	out["cohort"] = []any{c, err == nil}
	for _, p := range h.Participants {
		v, err := m.Participant(p.JourneyID)
		out[p.JourneyID] = []any{v, err == nil}
	}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestSnapshotRestoreEqualsReplay feeds part of a history, snapshots the
// read model to a file, restores it into a fresh one, feeds the whole
// history (what it has is skipped), and checks that it answers as a read
// model that replayed the whole history, for cut points that leave rounds
// open with responses, closed, or not yet opened.
func TestSnapshotRestoreEqualsReplay(t *testing.T) {
	h := fixture.Cohort(fixture.CohortOptions{Participants: 12, Seed: 5})
	h.Log.Append("invoice-1", foreign{})
	evs := h.Log.Events
	full := behaviourchange.New(behaviourchange.Config{})
	feed(t, full, evs)
	want := answers(t, full, h)
	if c, err := full.Cohort(h.CohortID); err != nil || len(c.Competencies) == 0 {
		t.Fatalf("the history shows no cohort change (%v): the test would prove little", err)
	}
	for i := 1; i <= 10; i++ {
		cut := len(evs) * i / 10
		first := behaviourchange.New(behaviourchange.Config{})
		feed(t, first, evs[:cut])
		dir := t.TempDir()
		if _, err := projections.WriteSnapshot(dir, first); err != nil {
			t.Fatalf("cut %d: write: %v", cut, err)
		}
		restored := behaviourchange.New(behaviourchange.Config{})
		if _, err := projections.ReadSnapshot(dir, restored, evs[len(evs)-1].Position); err != nil {
			t.Fatalf("cut %d: read: %v", cut, err)
		}
		if got, want := answers(t, restored, h), answers(t, first, h); got != want {
			t.Fatalf("cut %d: the restored read model answers differently from the one snapshotted", cut)
		}
		feed(t, restored, evs)
		if got := answers(t, restored, h); got != want {
			t.Fatalf("cut %d: restored and fed the rest, the read model answers differently from a full replay", cut)
		}
	}
}
