package cohortdashboard_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/leerpad/leerpad/projections"
	"github.com/leerpad/leerpad/projections/cohortdashboard"
	"github.com/leerpad/leerpad/projections/internal/fixture"
)

// answers returns everything the dashboard shows of the history at a few
// query times, as JSON.
func answers(t *testing.T, m *cohortdashboard.ReadModel, h *fixture.History) string {
	t.Helper()
	out := map[string]any{"position": m.Position(), "unknown": m.Unknown(), "cohorts": m.Cohorts()}
	for i, now := range []time.Time{h.StartsOn, h.StartsOn.AddDate(0, 2, 3), h.EndsOn.AddDate(0, 0, 10)} {
		v, err := m.Dashboard(h.CohortID, now)
		out["dashboard"+string(rune('0'+i))] = []any{v, err == nil}
		r, err := m.AtRiskParticipants(h.CohortID, now, 1)
		out["atRisk"+string(rune('0'+i))] = []any{r, err == nil}
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
// model that replayed the whole history.
func TestSnapshotRestoreEqualsReplay(t *testing.T) {
	h := fixture.Cohort(fixture.CohortOptions{Participants: 12, Seed: 9})
	h.Log.Append("invoice-1", foreign{})
	evs := h.Log.Events
	full := newModel(t, cohortdashboard.Config{})
	feed(t, full, evs)
	want := answers(t, full, h)
	for i := 1; i <= 10; i++ {
		cut := len(evs) * i / 10
		first := newModel(t, cohortdashboard.Config{})
		feed(t, first, evs[:cut])
		dir := t.TempDir()
		if _, err := projections.WriteSnapshot(dir, first); err != nil {
			t.Fatalf("cut %d: write: %v", cut, err)
		}
		restored := newModel(t, cohortdashboard.Config{})
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
