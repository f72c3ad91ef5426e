package portfolio_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/projections"
	"github.com/leerpad/leerpad/projections/internal/fixture"
	"github.com/leerpad/leerpad/projections/portfolio"
	"github.com/leerpad/leerpad/projections/readmodeltest"
)

// snapshotHistory is a cohort's history with what a snapshot must also keep:
// unknown events, and attendance recorded before its journey was enrolled
// (pending). pendingAt is the index of that attendance.
func snapshotHistory(t *testing.T) (h *fixture.History, late fixture.Participant, pendingAt int) {
	t.Helper()
	h = fixture.Cohort(fixture.CohortOptions{Participants: 12, Seed: 3})
	l := h.Log
	end := h.EndsOn
	late = fixture.Participant{ParticipantID: l.ID(), JourneyID: l.ID(), ManagerID: l.ID()}
	l.Append(fixture.JourneyStream(h.Participants[0].JourneyID), projections.UnknownEvent{Name: "journey.badge_awarded"})
	l.Append("invoice-1", foreign{})
	pendingAt = len(l.Events)
	l.Append(fixture.CohortStream(h.CohortID), cohort.AttendanceRecorded{CohortID: h.CohortID, DeliveryID: h.DeliveryIDs[4],
		ParticipantID: late.ParticipantID, Status: cohort.Present, At: end.Add(time.Hour)})
	js := fixture.JourneyStream(late.JourneyID)
	l.Append(js, journey.Enrolled{JourneyID: late.JourneyID, ParticipantID: late.ParticipantID, CohortID: h.CohortID,
		ProgrammeID: h.ProgrammeID, EntityID: h.EntityID, Role: journey.RoleBeginningManager, ManagerID: late.ManagerID, At: end.Add(2 * time.Hour)})
	l.Append(js, journey.WhyStated{ParticipantID: late.ParticipantID, Why: "Later begonnen", At: end.Add(3 * time.Hour)})
	// A meeting recorded once for a group, in each attendee's portfolio.
	l.Append(fixture.CohortStream(h.CohortID), cohort.IntervisionSessionHeld{CohortID: h.CohortID, GroupID: l.ID(), SessionID: l.ID(), HeldOn: end,
		AttendeeIDs: []string{h.Participants[0].ParticipantID, h.Participants[1].ParticipantID}, CaseBroughtBy: h.Participants[1].ParticipantID,
		Method: "incidentmethode", CaseSummary: "Vertrouwelijk", At: end.Add(4 * time.Hour)})
	return h, late, pendingAt
}

// TestSnapshotRestoreEqualsReplay feeds part of a history, snapshots the
// read model to a file, restores it into a fresh one, feeds the rest (and
// the whole history again, which it must skip), and checks that it answers
// every query (readmodeltest enumerates them), "as of" and the indexes
// included, as a read model that replayed the whole history, for several
// cut points.
func TestSnapshotRestoreEqualsReplay(t *testing.T) {
	h, _, pendingAt := snapshotHistory(t)
	evs := h.Log.Events
	cuts := []int{1, len(evs) / 5, len(evs) / 2, len(evs) * 4 / 5, pendingAt + 1, len(evs)}
	for _, cut := range cuts {
		first := portfolio.New(portfolio.Config{})
		feed(t, first, evs[:cut])
		info, err := projections.WriteSnapshot(t.TempDir(), first)
		if err != nil {
			t.Fatalf("cut %d: write: %v", cut, err)
		}
		if info.Position != evs[cut-1].Position {
			t.Fatalf("cut %d: snapshot at position %d, want %d", cut, info.Position, evs[cut-1].Position)
		}
	}
	readmodeltest.RestoreEqualsReplay(t, func() projections.Snapshotter { return portfolio.New(portfolio.Config{}) }, evs, cuts)
}

// TestSnapshotFileIsPrivate checks the snapshot's mode: it holds personal data.
func TestSnapshotFileIsPrivate(t *testing.T) {
	h, _, _ := snapshotHistory(t)
	m := portfolio.New(portfolio.Config{})
	feed(t, m, h.Log.Events)
	dir := filepath.Join(t.TempDir(), "readmodels")
	info, err := projections.WriteSnapshot(dir, m)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(info.Path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("snapshot mode %v, want 0600", st.Mode().Perm())
	}
	if st.Size() != info.Bytes {
		t.Fatalf("snapshot holds %d bytes, info says %d", st.Size(), info.Bytes)
	}
	if dst, err := os.Stat(dir); err != nil || dst.Mode().Perm() != 0o700 {
		t.Fatalf("directory: %v, %v; want mode 0700", dst.Mode().Perm(), err)
	}
}

// TestRestoreRefusesAFilledReadModel checks that a snapshot never mixes
// with events already handled.
func TestRestoreRefusesAFilledReadModel(t *testing.T) {
	h, _, _ := snapshotHistory(t)
	m := portfolio.New(portfolio.Config{})
	feed(t, m, h.Log.Events[:10])
	dir := t.TempDir()
	if _, err := projections.WriteSnapshot(dir, m); err != nil {
		t.Fatal(err)
	}
	_, err := projections.ReadSnapshot(dir, m, h.Log.Events[9].Position)
	var se *projections.SnapshotError
	if err == nil || errors.As(err, &se) {
		t.Fatalf("restore into a filled read model: %v, want a plain error", err)
	}
}
