package cohort_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/domaintest"
)

var _ cohort.Repository = (*domaintest.Repo[*cohort.Cohort])(nil)

func TestService(t *testing.T) {
	ctx := context.Background()
	programmes := domaintest.NewRepo(catalogue.ReplayProgramme)
	programmes.Given(programme, catalogue.ProgrammeDesigned{ProgrammeID: programme, Code: "BLG", Title: "Beginning managers",
		ModuleIDs: []string{m1, m2}, RaterApproval: true, At: at})
	modules := domaintest.NewRepo(catalogue.ReplayModule)
	modules.Given(m1, catalogue.ModuleAdded{ModuleID: m1, Content: moduleAgg(1).Content(), At: at})
	cohorts := domaintest.NewRepo(cohort.Replay)
	s := cohort.NewService(cohorts, programmes, modules)

	plan := cohort.PlanCohort{CohortID: cohortID, ProgrammeID: programme, EntityID: entity, Title: "BLG spring 2025",
		TrainerIDs: []string{trainer}, StartsOn: startsOn, EndsOn: endsOn, At: at, Envelope: domain.Envelope{IdempotencyKey: "plan-1"}}
	unknown := plan
	unknown.ProgrammeID = id(77)
	if _, err := s.PlanCohort(ctx, unknown); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("plan from unknown programme: err = %v, want not found", err)
	}
	steps := []struct {
		name string
		run  func() error
	}{
		{"plan", func() error { return domaintest.Err(s.PlanCohort(ctx, plan)) }},
		{"enrol", func() error {
			for i := range 5 {
				e := enrolled(i)
				if _, err := s.EnrolParticipant(ctx, cohort.EnrolParticipant{CohortID: cohortID, ParticipantID: e.ParticipantID, Name: e.Name, Email: e.Email, At: at}); err != nil {
					return err
				}
			}
			return nil
		}},
		{"form", func() error {
			return domaintest.Err(s.FormIntervisionGroup(ctx, cohort.FormIntervisionGroup{CohortID: cohortID, GroupID: g1, MemberIDs: p[0:4], At: at}))
		}},
		{"re-form", func() error {
			return domaintest.Err(s.ReformIntervisionGroup(ctx, cohort.ReformIntervisionGroup{CohortID: cohortID, GroupID: g1, MemberIDs: p[1:5], At: at}))
		}},
		{"dissolve", func() error {
			return domaintest.Err(s.DissolveIntervisionGroup(ctx, cohort.DissolveIntervisionGroup{CohortID: cohortID, GroupID: g1, At: at}))
		}},
		{"schedule", func() error {
			return domaintest.Err(s.ScheduleDelivery(ctx, cohort.ScheduleDelivery{CohortID: cohortID, DeliveryID: delivery, ModuleID: m1, ModuleVersion: 1,
				StartsAt: deliveryAt, EndsAt: deliveryAt.Add(7 * time.Hour), At: at}))
		}},
		{"attend", func() error {
			return domaintest.Err(s.RecordAttendance(ctx, cohort.RecordAttendance{CohortID: cohortID, DeliveryID: delivery, ParticipantID: p[0],
				Status: cohort.Present, At: deliveryAt, Envelope: domain.Envelope{IdempotencyKey: "att-1"}}))
		}},
		{"withdraw", func() error {
			return domaintest.Err(s.WithdrawParticipant(ctx, cohort.WithdrawParticipant{CohortID: cohortID, ParticipantID: p[4], At: at}))
		}},
	}
	for _, st := range steps {
		if err := st.run(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
	}
	if got := len(cohorts.Stream(cohortID)); got != 1+5+3+1+1+1 {
		t.Errorf("cohort stream holds %d events, want 12", got)
	}
	if _, err := s.ScheduleDelivery(ctx, cohort.ScheduleDelivery{CohortID: cohortID, DeliveryID: id(70), ModuleID: m1, ModuleVersion: 3,
		StartsAt: deliveryAt, EndsAt: deliveryAt.Add(time.Hour), At: at}); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("schedule a version the module lacks: err = %v, want invalid", err)
	}
	if _, err := s.ScheduleDelivery(ctx, cohort.ScheduleDelivery{CohortID: cohortID, DeliveryID: id(70), ModuleID: m2, ModuleVersion: 1,
		StartsAt: deliveryAt, EndsAt: deliveryAt.Add(time.Hour), At: at}); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("schedule a module not in the catalogue: err = %v, want not found", err)
	}
	a, err := s.Attendance(ctx, cohortID, delivery, p[0])
	if err != nil || !a.Attended() {
		t.Errorf("attendance = %+v, %v", a, err)
	}
	if _, err := s.Attendance(ctx, id(99), delivery, p[0]); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("attendance in unknown cohort: err = %v", err)
	}
	e, err := s.Enrolment(ctx, cohortID, p[4])
	if err != nil || !e.Withdrawn {
		t.Errorf("enrolment = %+v, %v", e, err)
	}
	if _, err := s.Enrolment(ctx, id(99), p[0]); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("enrolment in unknown cohort: err = %v", err)
	}
	if cohorts.Keys[0] != "plan-1" || !slices.Contains(cohorts.Keys, "att-1") {
		t.Errorf("idempotency keys = %q", cohorts.Keys)
	}

	// A concurrent writer: the command fails with domain.ErrStale; run again
	// (as the use cases do), it is decided on the fresh stream.
	cohorts.Conflicts = 1
	cohorts.Concurrent = []domain.Event{cohort.AttendanceRecorded{CohortID: cohortID, DeliveryID: delivery, ParticipantID: p[1], Status: cohort.Absent, At: deliveryAt}}
	before := cohorts.Updates
	if _, err := domaintest.Twice(func() (domain.Written, error) {
		return s.RecordAttendance(ctx, cohort.RecordAttendance{CohortID: cohortID, DeliveryID: delivery, ParticipantID: p[1],
			Status: cohort.Absent, At: deliveryAt})
	}); !errors.Is(err, cohort.ErrAttendanceUnchanged) {
		t.Errorf("retry after the other writer recorded the same: err = %v", err)
	}
	if cohorts.Updates-before != 2 {
		t.Errorf("updates = %d, want 2", cohorts.Updates-before)
	}
}
