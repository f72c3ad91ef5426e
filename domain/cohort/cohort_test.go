package cohort_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/domaintest"
)

func id(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }

var (
	at         = time.Date(2025, 2, 3, 9, 0, 0, 0, time.UTC)
	startsOn   = time.Date(2025, 2, 10, 0, 0, 0, 0, time.UTC)
	endsOn     = time.Date(2025, 11, 28, 0, 0, 0, 0, time.UTC)
	cohortID   = id(1)
	programme  = id(2)
	entity     = id(3)
	trainer    = id(4)
	m1, m2     = id(5), id(6)
	delivery   = id(7)
	g1, g2     = id(8), id(9)
	p          = []string{id(101), id(102), id(103), id(104), id(105), id(106), id(107), id(108), id(109)}
	deliveryAt = time.Date(2025, 2, 10, 9, 0, 0, 0, time.UTC)
)

func programmeAgg(retired bool) *catalogue.Programme {
	es := []domain.Event{catalogue.ProgrammeDesigned{ProgrammeID: programme, Code: "BLG", Title: "Beginning managers",
		ModuleIDs: []string{m1, m2}, RaterApproval: true, At: at}}
	if retired {
		es = append(es, catalogue.ProgrammeRetired{ProgrammeID: programme, At: at})
	}
	return catalogue.ReplayProgramme(es...)
}

func moduleAgg(versions int) *catalogue.Module {
	c := catalogue.Content{Title: "Me and myself", Theme: catalogue.ThemeSelf, Forms: []catalogue.DidacticForm{catalogue.FormGroupTraining},
		Hours: 7, LearningGoals: []catalogue.LearningGoal{{ID: id(50), Behaviour: "Knows their pitfalls"}}}
	es := []domain.Event{catalogue.ModuleAdded{ModuleID: m1, Content: c, At: at}}
	for v := 2; v <= versions; v++ {
		c.Hours++
		es = append(es, catalogue.ModuleRevised{ModuleID: m1, Version: v, Content: c, At: at})
	}
	return catalogue.ReplayModule(es...)
}

func planned() cohort.Planned {
	return cohort.Planned{CohortID: cohortID, ProgrammeID: programme, EntityID: entity, Title: "BLG spring 2025",
		ModuleIDs: []string{m1, m2}, RaterApproval: true, TrainerIDs: []string{trainer}, StartsOn: startsOn, EndsOn: endsOn, At: at}
}

func enrolled(n int) cohort.ParticipantEnrolled {
	return cohort.ParticipantEnrolled{CohortID: cohortID, ParticipantID: p[n], Name: fmt.Sprintf("Participant %d", n),
		Email: fmt.Sprintf("p%d@agency.example", n), At: at}
}

// withParticipants returns the cohort planned with participants 0 to n-1 enrolled.
func withParticipants(n int, more ...domain.Event) []domain.Event {
	es := []domain.Event{planned()}
	for i := 0; i < n; i++ {
		es = append(es, enrolled(i))
	}
	return append(es, more...)
}

func formed(group string, members ...string) cohort.IntervisionGroupFormed {
	return cohort.IntervisionGroupFormed{CohortID: cohortID, GroupID: group, MemberIDs: members, At: at}
}

func scheduled() cohort.DeliveryScheduled {
	return cohort.DeliveryScheduled{CohortID: cohortID, DeliveryID: delivery, ModuleID: m1, ModuleVersion: 2,
		StartsAt: deliveryAt, EndsAt: deliveryAt.Add(7 * time.Hour), At: at}
}

func TestPlanEnrolWithdraw(t *testing.T) {
	plan := func(f func(*cohort.PlanCohort), prog *catalogue.Programme) func(*cohort.Cohort) error {
		return func(c *cohort.Cohort) error {
			cmd := cohort.PlanCohort{CohortID: cohortID, ProgrammeID: programme, EntityID: entity, Title: "BLG spring 2025",
				TrainerIDs: []string{trainer}, StartsOn: startsOn, EndsOn: endsOn, At: at}
			f(&cmd)
			return c.Plan(cmd, prog)
		}
	}
	same := func(*cohort.PlanCohort) {}
	enrol := func(n int, email string) func(*cohort.Cohort) error {
		return func(c *cohort.Cohort) error {
			return c.Enrol(cohort.EnrolParticipant{CohortID: cohortID, ParticipantID: p[n], Name: fmt.Sprintf("Participant %d", n), Email: email, At: at})
		}
	}
	withdraw := func(n int) func(*cohort.Cohort) error {
		return func(c *cohort.Cohort) error {
			return c.Withdraw(cohort.WithdrawParticipant{CohortID: cohortID, ParticipantID: p[n], At: at})
		}
	}
	withdrawn := cohort.ParticipantWithdrawn{CohortID: cohortID, ParticipantID: p[0], At: at}
	domaintest.Run(t, cohort.Replay, []domaintest.Case[*cohort.Cohort]{
		{Name: "plan takes the programme's modules and rater approval", When: plan(same, programmeAgg(false)), Want: []domain.Event{planned()}},
		{Name: "plan twice", Given: withParticipants(0), When: plan(same, programmeAgg(false)), WantErr: cohort.ErrCohortExists},
		{Name: "plan from a retired programme", When: plan(same, programmeAgg(true)), WantErr: cohort.ErrProgrammeRetired},
		{Name: "plan from an unknown programme", When: plan(same, nil), WantErr: domain.ErrNotFound},
		{Name: "plan ending before it starts", When: plan(func(c *cohort.PlanCohort) { c.EndsOn = startsOn }, programmeAgg(false)),
			WantErr: domain.ErrInvalid, WantField: "endsOn"},
		{Name: "plan with a line break in the title", When: plan(func(c *cohort.PlanCohort) { c.Title = "BLG\nspring" }, programmeAgg(false)),
			WantErr: domain.ErrInvalid, WantField: "title"},
		{Name: "plan starting in 1899", When: plan(func(c *cohort.PlanCohort) { c.StartsOn = time.Date(1899, 2, 10, 0, 0, 0, 0, time.UTC) }, programmeAgg(false)),
			WantErr: domain.ErrInvalid, WantField: "startsOn"},
		{Name: "plan without trainers", When: plan(func(c *cohort.PlanCohort) { c.TrainerIDs = nil }, programmeAgg(false)),
			WantErr: domain.ErrInvalid, WantField: "trainerIds"},
		{Name: "plan without entity", When: plan(func(c *cohort.PlanCohort) { c.EntityID = "" }, programmeAgg(false)),
			WantErr: domain.ErrInvalid, WantField: "entityId"},
		{Name: "enrol", Given: withParticipants(0), When: enrol(0, "p0@agency.example"), Want: []domain.Event{enrolled(0)}},
		{Name: "enrol twice", Given: withParticipants(1), When: enrol(0, "p0@agency.example"), WantErr: cohort.ErrAlreadyEnrolled},
		{Name: "enrol after withdrawal", Given: withParticipants(1, withdrawn), When: enrol(0, "p0@agency.example"), WantErr: cohort.ErrAlreadyEnrolled},
		{Name: "enrol with a bad e-mail address", Given: withParticipants(0), When: enrol(0, "p0 at agency"),
			WantErr: domain.ErrInvalid, WantField: "email"},
		{Name: "enrol with a line feed in the e-mail address", Given: withParticipants(0), When: enrol(0, "p0@agency.example\nBcc: x@y.example"),
			WantErr: domain.ErrInvalid, WantField: "email"},
		{Name: "enrol someone whose name holds an override", Given: withParticipants(0), WantErr: domain.ErrInvalid, WantField: "name",
			When: func(c *cohort.Cohort) error {
				return c.Enrol(cohort.EnrolParticipant{CohortID: cohortID, ParticipantID: p[0], Name: "An \u202Enna", Email: "p0@agency.example", At: at})
			}},
		{Name: "enrol in a cohort never planned", When: enrol(0, "p0@agency.example"), WantErr: cohort.ErrCohortNotFound},
		{Name: "withdraw", Given: withParticipants(1), When: withdraw(0), Want: []domain.Event{withdrawn}},
		{Name: "withdraw twice", Given: withParticipants(1, withdrawn), When: withdraw(0), WantErr: cohort.ErrParticipantWithdrawn},
		{Name: "withdraw someone not enrolled", Given: withParticipants(1), When: withdraw(1), WantErr: cohort.ErrParticipantNotFound},
	})
}

func TestIntervisionGroups(t *testing.T) {
	form := func(group string, members ...string) func(*cohort.Cohort) error {
		return func(c *cohort.Cohort) error {
			return c.FormGroup(cohort.FormIntervisionGroup{CohortID: cohortID, GroupID: group, MemberIDs: members, At: at})
		}
	}
	reform := func(group string, members ...string) func(*cohort.Cohort) error {
		return func(c *cohort.Cohort) error {
			return c.ReformGroup(cohort.ReformIntervisionGroup{CohortID: cohortID, GroupID: group, MemberIDs: members, At: at})
		}
	}
	dissolve := func(group string) func(*cohort.Cohort) error {
		return func(c *cohort.Cohort) error {
			return c.DissolveGroup(cohort.DissolveIntervisionGroup{CohortID: cohortID, GroupID: group, At: at})
		}
	}
	four := p[0:4]
	group1 := formed(g1, four...)
	withdrawn := cohort.ParticipantWithdrawn{CohortID: cohortID, ParticipantID: p[4], At: at}
	dissolved := cohort.IntervisionGroupDissolved{CohortID: cohortID, GroupID: g1, At: at}
	domaintest.Run(t, cohort.Replay, []domaintest.Case[*cohort.Cohort]{
		{Name: "form a group of 4, members sorted", Given: withParticipants(9),
			When: form(g1, p[3], p[1], p[2], p[0]), Want: []domain.Event{group1}},
		{Name: "form a group of 6", Given: withParticipants(9), When: form(g1, p[0:6]...), Want: []domain.Event{formed(g1, p[0:6]...)}},
		{Name: "form a group of 3", Given: withParticipants(9), When: form(g1, p[0:3]...), WantErr: cohort.ErrGroupSize},
		{Name: "form a group of 7", Given: withParticipants(9), When: form(g1, p[0:7]...), WantErr: cohort.ErrGroupSize},
		{Name: "form a group with a member twice", Given: withParticipants(9), When: form(g1, p[0], p[1], p[2], p[0]),
			WantErr: domain.ErrInvalid, WantField: "memberIds"},
		{Name: "form a group with someone of another cohort", Given: withParticipants(3), When: form(g1, p[0:4]...),
			WantErr: cohort.ErrParticipantNotFound},
		{Name: "form a group with a withdrawn participant", Given: withParticipants(9, withdrawn), When: form(g1, p[1:5]...),
			WantErr: cohort.ErrParticipantWithdrawn},
		{Name: "form a group with a member of another group", Given: withParticipants(9, group1), When: form(g2, p[3:7]...),
			WantErr: cohort.ErrInOtherGroup},
		{Name: "form a group twice", Given: withParticipants(9, group1), When: form(g1, p[4:8]...), WantErr: cohort.ErrGroupExists},
		{Name: "form a second group", Given: withParticipants(9, group1), When: form(g2, p[4:8]...), Want: []domain.Event{formed(g2, p[4:8]...)}},
		{Name: "a withdrawn member leaves the group free for others", Given: withParticipants(9, formed(g1, p[0:5]...),
			cohort.ParticipantWithdrawn{CohortID: cohortID, ParticipantID: p[0], At: at}),
			When: reform(g1, p[1:5]...),
			Want: []domain.Event{cohort.IntervisionGroupReformed{CohortID: cohortID, GroupID: g1, MemberIDs: p[1:5], At: at}}},
		{Name: "re-form keeping some members", Given: withParticipants(9, group1), When: reform(g1, p[2:7]...),
			Want: []domain.Event{cohort.IntervisionGroupReformed{CohortID: cohortID, GroupID: g1, MemberIDs: p[2:7], At: at}}},
		{Name: "re-form released members can join another group",
			Given: withParticipants(9, group1, cohort.IntervisionGroupReformed{CohortID: cohortID, GroupID: g1, MemberIDs: p[4:8], At: at}),
			When:  form(g2, p[0:4]...), Want: []domain.Event{formed(g2, p[0:4]...)}},
		{Name: "re-form with a member of another group", Given: withParticipants(9, group1, formed(g2, p[4:8]...)),
			When: reform(g1, p[0], p[1], p[2], p[4]), WantErr: cohort.ErrInOtherGroup},
		{Name: "re-form to 2 members", Given: withParticipants(9, group1), When: reform(g1, p[0:2]...), WantErr: cohort.ErrGroupSize},
		{Name: "re-form an unknown group", Given: withParticipants(9), When: reform(g1, four...), WantErr: cohort.ErrGroupNotFound},
		{Name: "dissolve", Given: withParticipants(9, group1), When: dissolve(g1), Want: []domain.Event{dissolved}},
		{Name: "dissolve an unknown group", Given: withParticipants(9), When: dissolve(g1), WantErr: cohort.ErrGroupNotFound},
		{Name: "members of a dissolved group join another", Given: withParticipants(9, group1, dissolved),
			When: form(g2, four...), Want: []domain.Event{formed(g2, four...)}},
	})
}

func TestDeliveriesAndAttendance(t *testing.T) {
	schedule := func(f func(*cohort.ScheduleDelivery), m *catalogue.Module) func(*cohort.Cohort) error {
		return func(c *cohort.Cohort) error {
			s := scheduled()
			cmd := cohort.ScheduleDelivery{CohortID: cohortID, DeliveryID: s.DeliveryID, ModuleID: s.ModuleID,
				ModuleVersion: s.ModuleVersion, StartsAt: s.StartsAt, EndsAt: s.EndsAt, At: at}
			f(&cmd)
			return c.ScheduleDelivery(cmd, m)
		}
	}
	same := func(*cohort.ScheduleDelivery) {}
	attend := func(n int, status cohort.AttendanceStatus, when time.Time) func(*cohort.Cohort) error {
		return func(c *cohort.Cohort) error {
			return c.RecordAttendance(cohort.RecordAttendance{CohortID: cohortID, DeliveryID: delivery, ParticipantID: p[n], Status: status, At: when})
		}
	}
	after := deliveryAt.Add(8 * time.Hour)
	present := cohort.AttendanceRecorded{CohortID: cohortID, DeliveryID: delivery, ParticipantID: p[0], Status: cohort.Present, At: after}
	domaintest.Run(t, cohort.Replay, []domaintest.Case[*cohort.Cohort]{
		{Name: "schedule", Given: withParticipants(0), When: schedule(same, moduleAgg(2)), Want: []domain.Event{scheduled()}},
		{Name: "schedule twice", Given: withParticipants(0, scheduled()), When: schedule(same, moduleAgg(2)), WantErr: cohort.ErrDeliveryExists},
		{Name: "schedule a version the module does not have", Given: withParticipants(0), When: schedule(same, moduleAgg(1)),
			WantErr: domain.ErrInvalid, WantField: "moduleVersion"},
		{Name: "schedule version 0", Given: withParticipants(0), When: schedule(func(c *cohort.ScheduleDelivery) { c.ModuleVersion = 0 }, moduleAgg(2)),
			WantErr: domain.ErrInvalid, WantField: "moduleVersion"},
		{Name: "schedule a module outside the programme", Given: withParticipants(0),
			When: schedule(func(c *cohort.ScheduleDelivery) { c.ModuleID = id(60) }, moduleAgg(2)), WantErr: cohort.ErrModuleNotInCohort},
		{Name: "schedule an unknown module", Given: withParticipants(0), When: schedule(same, nil), WantErr: domain.ErrNotFound},
		{Name: "schedule ending before it starts", Given: withParticipants(0),
			When: schedule(func(c *cohort.ScheduleDelivery) { c.EndsAt = c.StartsAt }, moduleAgg(2)), WantErr: domain.ErrInvalid, WantField: "endsAt"},
		{Name: "schedule before the cohort starts", Given: withParticipants(0),
			When: schedule(func(c *cohort.ScheduleDelivery) {
				c.StartsAt, c.EndsAt = startsOn.Add(-time.Hour), startsOn.Add(time.Hour)
			}, moduleAgg(2)),
			WantErr: domain.ErrInvalid, WantField: "startsAt"},
		{Name: "schedule on the first day of the cohort, at midnight", Given: withParticipants(0),
			When: schedule(func(c *cohort.ScheduleDelivery) { c.StartsAt, c.EndsAt = startsOn, startsOn.Add(time.Hour) }, moduleAgg(2)),
			Want: []domain.Event{cohort.DeliveryScheduled{CohortID: cohortID, DeliveryID: delivery, ModuleID: m1, ModuleVersion: 2,
				StartsAt: startsOn, EndsAt: startsOn.Add(time.Hour), At: at}}},
		{Name: "schedule on the last day of the cohort", Given: withParticipants(0),
			When: schedule(func(c *cohort.ScheduleDelivery) {
				c.StartsAt, c.EndsAt = endsOn.Add(9*time.Hour), endsOn.Add(17*time.Hour)
			}, moduleAgg(2)),
			Want: []domain.Event{cohort.DeliveryScheduled{CohortID: cohortID, DeliveryID: delivery, ModuleID: m1, ModuleVersion: 2,
				StartsAt: endsOn.Add(9 * time.Hour), EndsAt: endsOn.Add(17 * time.Hour), At: at}}},
		{Name: "schedule past the cohort's last day", Given: withParticipants(0),
			When: schedule(func(c *cohort.ScheduleDelivery) {
				c.StartsAt, c.EndsAt = endsOn.Add(23*time.Hour), endsOn.Add(25*time.Hour)
			}, moduleAgg(2)),
			WantErr: domain.ErrInvalid, WantField: "endsAt"},
		{Name: "record attendance", Given: withParticipants(1, scheduled()), When: attend(0, cohort.Present, after), Want: []domain.Event{present}},
		{Name: "record attendance the moment the delivery starts", Given: withParticipants(1, scheduled()), When: attend(0, cohort.Present, deliveryAt),
			Want: []domain.Event{cohort.AttendanceRecorded{CohortID: cohortID, DeliveryID: delivery, ParticipantID: p[0], Status: cohort.Present, At: deliveryAt}}},
		{Name: "correct attendance", Given: withParticipants(1, scheduled(), present), When: attend(0, cohort.Excused, after),
			Want: []domain.Event{cohort.AttendanceRecorded{CohortID: cohortID, DeliveryID: delivery, ParticipantID: p[0], Status: cohort.Excused, At: after}}},
		{Name: "record the same attendance again", Given: withParticipants(1, scheduled(), present), When: attend(0, cohort.Present, after),
			WantErr: cohort.ErrAttendanceUnchanged},
		{Name: "record attendance before the delivery starts", Given: withParticipants(1, scheduled()), When: attend(0, cohort.Present, at),
			WantErr: cohort.ErrDeliveryNotStarted},
		{Name: "record attendance at an unknown delivery", Given: withParticipants(1), When: attend(0, cohort.Present, after),
			WantErr: cohort.ErrDeliveryNotFound},
		{Name: "record attendance of someone not enrolled", Given: withParticipants(1, scheduled()), When: attend(1, cohort.Present, after),
			WantErr: cohort.ErrParticipantNotFound},
		{Name: "record attendance of a withdrawn participant",
			Given: withParticipants(1, scheduled(), cohort.ParticipantWithdrawn{CohortID: cohortID, ParticipantID: p[0], At: at}),
			When:  attend(0, cohort.Present, after), WantErr: cohort.ErrParticipantWithdrawn},
		{Name: "record attendance without status", Given: withParticipants(1, scheduled()), When: attend(0, cohort.AttendanceStatus{}, after),
			WantErr: domain.ErrInvalid, WantField: "status"},
	})
}

func TestFacts(t *testing.T) {
	c := cohort.Replay(withParticipants(2, scheduled(),
		cohort.AttendanceRecorded{CohortID: cohortID, DeliveryID: delivery, ParticipantID: p[0], Status: cohort.Present, At: deliveryAt},
		cohort.ParticipantWithdrawn{CohortID: cohortID, ParticipantID: p[1], At: at})...)
	a, err := c.Attendance(delivery, p[0])
	if err != nil || !a.Attended() || a.ModuleID != m1 || a.ModuleVersion != 2 {
		t.Errorf("attendance of p0 = %+v, %v; want present at version 2 of m1", a, err)
	}
	if a, err := c.Attendance(delivery, p[1]); err != nil || a.Attended() {
		t.Errorf("attendance of p1 = %+v, %v; want not attended", a, err)
	}
	if d, err := c.Delivery(delivery); err != nil || d.ModuleID != m1 || d.ModuleVersion != 2 || !d.EndsAt.Equal(deliveryAt.Add(7*time.Hour)) {
		t.Errorf("delivery = %+v, %v", d, err)
	}
	if _, err := c.Delivery(id(99)); !errors.Is(err, cohort.ErrDeliveryNotFound) {
		t.Errorf("unknown delivery: err = %v", err)
	}
	if _, err := c.Attendance(id(99), p[0]); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("attendance at unknown delivery: err = %v", err)
	}
	if _, err := c.Attendance(delivery, p[5]); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("attendance of unknown participant: err = %v", err)
	}
	e, err := c.Enrolment(p[1])
	if err != nil || !e.Withdrawn || e.ProgrammeID != programme || e.EntityID != entity || !e.RaterApproval {
		t.Errorf("enrolment of p1 = %+v, %v", e, err)
	}
	if _, err := c.Enrolment(p[5]); !errors.Is(err, cohort.ErrParticipantNotFound) {
		t.Errorf("enrolment of unknown participant: err = %v", err)
	}
	if got, ok := c.Group(g1); ok || got != nil {
		t.Errorf("group = %v, %v; want none", got, ok)
	}
	c = cohort.Replay(withParticipants(5, formed(g1, p[0:5]...), cohort.ParticipantWithdrawn{CohortID: cohortID, ParticipantID: p[2], At: at})...)
	if got, _ := c.Group(g1); !slices.Equal(got, []string{p[0], p[1], p[3], p[4]}) {
		t.Errorf("group after withdrawal = %v", got)
	}
}

func TestDetails(t *testing.T) {
	early := cohort.DeliveryScheduled{CohortID: cohortID, DeliveryID: id(70), ModuleID: m2, ModuleVersion: 1,
		StartsAt: startsOn.Add(7 * time.Hour), EndsAt: startsOn.Add(8 * time.Hour), At: at}
	withdrawn := cohort.ParticipantWithdrawn{CohortID: cohortID, ParticipantID: p[1], At: at}
	for _, tc := range []struct {
		name       string
		given      []domain.Event
		size       int
		deliveries []cohort.Delivery
	}{
		{"not planned", nil, 0, nil},
		{"planned only", withParticipants(0), 0, []cohort.Delivery{}},
		{"withdrawn not counted", withParticipants(3, withdrawn), 2, []cohort.Delivery{}},
		{"deliveries in the order they start", withParticipants(1, scheduled(), early), 1, []cohort.Delivery{
			{DeliveryID: id(70), ModuleID: m2, ModuleVersion: 1, StartsAt: early.StartsAt, EndsAt: early.EndsAt},
			{DeliveryID: delivery, ModuleID: m1, ModuleVersion: 2, StartsAt: deliveryAt, EndsAt: deliveryAt.Add(7 * time.Hour)},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := cohort.Replay(tc.given...).Details()
			if tc.given == nil {
				if d.CohortID != "" || d.Deliveries != nil {
					t.Fatalf("details of a cohort not planned = %+v", d)
				}
				return
			}
			if d.CohortID != cohortID || d.ProgrammeID != programme || d.EntityID != entity || d.Title != "BLG spring 2025" ||
				!slices.Equal(d.TrainerIDs, []string{trainer}) || !slices.Equal(d.ModuleIDs, []string{m1, m2}) ||
				!d.StartsOn.Equal(startsOn) || !d.EndsOn.Equal(endsOn) {
				t.Errorf("details = %+v", d)
			}
			if d.Size != tc.size {
				t.Errorf("size = %d, want %d", d.Size, tc.size)
			}
			if !slices.Equal(d.Deliveries, tc.deliveries) {
				t.Errorf("deliveries = %+v, want %+v", d.Deliveries, tc.deliveries)
			}
		})
	}
	// The details are a copy: changing them changes nothing in the cohort.
	c := cohort.Replay(withParticipants(0)...)
	c.Details().TrainerIDs[0] = "changed"
	if got := c.Details().TrainerIDs[0]; got != trainer {
		t.Errorf("trainer after changing a copy = %s", got)
	}
}
