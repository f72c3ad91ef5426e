package cohortdashboard_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/projections"
	"github.com/leerpad/leerpad/projections/cohortdashboard"
	"github.com/leerpad/leerpad/projections/internal/fixture"
)

// groupScene is a cohort of six with one intervision group of five, which
// met twice (one meeting recorded once for the group, as the cohort
// records it), after which one member withdrew.
func groupScene() (*cohortScene, string) {
	s := newCohort(6)
	l, P := s.l, s.participants
	cs := fixture.CohortStream(s.cohortID)
	g := l.ID()
	l.Append(cs, cohort.IntervisionGroupFormed{CohortID: s.cohortID, GroupID: g, MemberIDs: P[0:5], At: day(3)})
	l.Append(cs, cohort.IntervisionSessionHeld{CohortID: s.cohortID, GroupID: g, SessionID: l.ID(), HeldOn: day(10), AttendeeIDs: P[0:3],
		CaseBroughtBy: P[1], Method: "incidentmethode", CaseSummary: "Een medewerker die niet meer praat", At: day(10)})
	l.Append(cs, cohort.IntervisionSessionHeld{CohortID: s.cohortID, GroupID: g, SessionID: l.ID(), HeldOn: day(24), AttendeeIDs: P[0:5], At: day(24)})
	l.Append(cs, cohort.ParticipantWithdrawn{CohortID: s.cohortID, ParticipantID: P[4], At: day(25)})
	return s, g
}

// TestGroupSessionsCountOnce checks that a meeting recorded once for its
// group is one session with its attendees, so that the rhythm has no 0-day
// gaps, that every attendee has attended it, and that a member who
// withdrew no longer counts among the group's members.
func TestGroupSessionsCountOnce(t *testing.T) {
	s, g := groupScene()
	m := newModel(t, cohortdashboard.Config{})
	feed(t, m, s.l.Events)
	v, err := m.Dashboard(s.cohortID, day(31))
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Intervision) != 1 {
		t.Fatalf("groups = %+v, want one", v.Intervision)
	}
	r := v.Intervision[0]
	if r.GroupID != g || len(r.Sessions) != 2 || r.MeanDaysBetween != 14 || r.MaxDaysBetween != 14 {
		t.Fatalf("rhythm = %+v, want 2 sessions 14 days apart", r)
	}
	if r.Sessions[0].Attendees != 3 || r.Sessions[0].Cases != 1 || r.Sessions[1].Attendees != 5 || r.Sessions[1].Cases != 0 {
		t.Fatalf("sessions = %+v", r.Sessions)
	}
	if r.DaysSinceLast == nil || *r.DaysSinceLast != 7 {
		t.Fatalf("days since last = %v, want 7", r.DaysSinceLast)
	}
	if r.Members != 4 {
		t.Fatalf("members = %d, want 4: the member who withdrew left the group", r.Members)
	}
	want := []int{2, 2, 2, 1, 1, 0}
	for i, p := range v.Participants {
		if p.Intervision != want[i] {
			t.Fatalf("participant %d attended %d sessions, want %d", i, p.Intervision, want[i])
		}
	}
	if got := v.Participants[3].LastActivity; !got.Equal(day(24)) {
		t.Fatalf("last activity of an attendee = %v, want the session's day 24", got)
	}

	feed(t, m, s.l.Events) // again: nothing changes
	if again, _ := m.Dashboard(s.cohortID, day(31)); !reflect.DeepEqual(again, v) {
		t.Fatal("feeding the events again changed the dashboard")
	}
}

// TestGroupSessionsSurviveSnapshot checks that the sessions and the
// members left after a withdrawal come back from a snapshot.
func TestGroupSessionsSurviveSnapshot(t *testing.T) {
	s, _ := groupScene()
	full := newModel(t, cohortdashboard.Config{})
	feed(t, full, s.l.Events)
	dir := t.TempDir()
	if _, err := projections.WriteSnapshot(dir, full); err != nil {
		t.Fatal(err)
	}
	restored := newModel(t, cohortdashboard.Config{})
	if _, err := projections.ReadSnapshot(dir, restored, s.l.Events[len(s.l.Events)-1].Position); err != nil {
		t.Fatal(err)
	}
	want, _ := full.Dashboard(s.cohortID, day(31))
	got, err := restored.Dashboard(s.cohortID, day(31))
	if err != nil {
		t.Fatal(err)
	}
	// As JSON: a restored time has lost its location name, not its instant.
	w, _ := json.Marshal(want)
	g, _ := json.Marshal(got)
	if string(g) != string(w) {
		t.Fatalf("restored:\n%s\nwant\n%s", g, w)
	}
}
