package cohort

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/domaintest"
)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func uuid(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }

// TestReplay runs every command, then checks that replaying the stored stream
// (through the codec) rebuilds the same cohort, and that the events follow the
// stored-schema conventions.
func TestReplay(t *testing.T) {
	at := time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)
	prog := catalogue.ReplayProgramme(catalogue.ProgrammeDesigned{ProgrammeID: uuid(2), Code: "SMEC", Title: "Coordinators",
		ModuleIDs: []string{uuid(3)}, At: at})
	mod := catalogue.ReplayModule(catalogue.ModuleAdded{ModuleID: uuid(3), Content: catalogue.Content{Title: "Me and myself",
		Theme: catalogue.ThemeSelf, Forms: []catalogue.DidacticForm{catalogue.FormOnline}, Hours: 3,
		LearningGoals: []catalogue.LearningGoal{{ID: uuid(4), Behaviour: "Asks for feedback"}}}, At: at})

	c := Replay()
	must(t, c.Plan(PlanCohort{CohortID: uuid(1), ProgrammeID: uuid(2), EntityID: uuid(5), Title: "SMEC autumn", TrainerIDs: []string{uuid(6)},
		StartsOn: at, EndsOn: at.AddDate(0, 9, 0), At: at}, prog))
	var members []string
	for i := range 7 {
		pid := uuid(100 + i)
		members = append(members, pid)
		must(t, c.Enrol(EnrolParticipant{CohortID: uuid(1), ParticipantID: pid, Name: fmt.Sprintf("P %d", i), Email: fmt.Sprintf("p%d@example.org", i), At: at}))
	}
	must(t, c.FormGroup(FormIntervisionGroup{CohortID: uuid(1), GroupID: uuid(7), MemberIDs: members[:5], At: at}))
	must(t, c.Withdraw(WithdrawParticipant{CohortID: uuid(1), ParticipantID: members[0], At: at}))
	must(t, c.ReformGroup(ReformIntervisionGroup{CohortID: uuid(1), GroupID: uuid(7), MemberIDs: members[1:6], At: at}))
	must(t, c.ScheduleDelivery(ScheduleDelivery{CohortID: uuid(1), DeliveryID: uuid(9), ModuleID: uuid(3), ModuleVersion: 1,
		StartsAt: at.AddDate(0, 0, 7), EndsAt: at.AddDate(0, 0, 8), At: at}, mod))
	must(t, c.RecordAttendance(RecordAttendance{CohortID: uuid(1), DeliveryID: uuid(9), ParticipantID: members[1], Status: Present, At: at.AddDate(0, 0, 8)}))
	must(t, c.RecordAttendance(RecordAttendance{CohortID: uuid(1), DeliveryID: uuid(9), ParticipantID: members[2], Status: Absent, At: at.AddDate(0, 0, 8)}))
	must(t, c.RecordSession(RecordIntervisionSession{CohortID: uuid(1), GroupID: uuid(7), SessionID: uuid(10), HeldOn: at.AddDate(0, 0, 9),
		AttendeeIDs: members[1:4], CaseBroughtBy: members[2], Method: "incident method", CaseSummary: "A team member who stopped talking", At: at.AddDate(0, 0, 9)}))
	must(t, c.RecordSession(RecordIntervisionSession{CohortID: uuid(1), GroupID: uuid(7), SessionID: uuid(11), HeldOn: at.AddDate(0, 0, 20),
		AttendeeIDs: members[1:6], At: at.AddDate(0, 0, 21)}))
	must(t, c.DissolveGroup(DissolveIntervisionGroup{CohortID: uuid(1), GroupID: uuid(7), At: at.AddDate(0, 1, 0)}))
	must(t, c.CloseMeasurement(CloseMeasurement{CohortID: uuid(1), At: at.AddDate(0, 8, 0)}))
	must(t, c.FreezeFigures(FreezeFigures{CohortID: uuid(1), Figures: []byte(`{"journeys":0}`), At: at.AddDate(0, 8, 0)}))
	must(t, c.Withdraw(WithdrawParticipant{CohortID: uuid(1), ParticipantID: members[6], At: at.AddDate(0, 8, 1)}))

	domaintest.CheckEventTypes(t, EventTypes(), c.Uncommitted(), "cohort")
	r := Replay(domaintest.RoundTrip(t, EventTypes(), c.Uncommitted())...)
	if r.Version() != len(c.Uncommitted()) {
		t.Errorf("version = %d, want %d", r.Version(), len(c.Uncommitted()))
	}
	c.changes, r.loaded = nil, 0
	if !reflect.DeepEqual(r, c) {
		t.Errorf("replayed cohort:\n got %#v\nwant %#v", r, c)
	}
}
