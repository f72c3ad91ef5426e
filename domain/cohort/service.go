package cohort

import (
	"context"
	"errors"
	"fmt"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/catalogue"
)

// Repository persists cohorts as streams cohort-<uuid>.
//
// Create appends a new cohort's events to a stream that must not exist yet
// and returns domain.ErrConflict when it does. Update loads the stream, runs
// decide and appends what decide recorded, expecting the revision it loaded;
// it returns domain.ErrNotFound for a missing stream, domain.ErrConflict when
// another writer appended since the load, and decide's own error unchanged.
// Load returns domain.ErrNotFound for a missing stream.
//
// Both take the command's domain.Envelope: its idempotency key gives each
// event a deterministic id (a retried command records nothing twice), its
// actor and correlation id go into the events' metadata, and its Expected
// revision, when set, is the revision the decision must be made on
// (domain.ErrStale otherwise). Both return what they wrote.
type Repository interface {
	Create(ctx context.Context, c *Cohort, env domain.Envelope) (domain.Written, error)
	Update(ctx context.Context, id string, env domain.Envelope, decide func(c *Cohort) error) (domain.Written, error)
	Load(ctx context.Context, id string) (*Cohort, error)
}

// Service runs the commands on cohorts and answers what journeys need to
// know of them.
type Service struct {
	cohorts    Repository
	programmes catalogue.ProgrammeReader
	modules    catalogue.ModuleReader
}

// NewService returns a Service storing cohorts in cohorts and reading the
// catalogue from programmes and modules.
func NewService(cohorts Repository, programmes catalogue.ProgrammeReader, modules catalogue.ModuleReader) *Service {
	return &Service{cohorts: cohorts, programmes: programmes, modules: modules}
}

// PlanCohort plans a cohort from a programme; the cohort takes the programme's
// modules and rater approval as they are now.
func (s *Service) PlanCohort(ctx context.Context, cmd PlanCohort) (domain.Written, error) {
	c := Replay()
	var p *catalogue.Programme
	if domain.RequireID("programmeId", cmd.ProgrammeID) == nil {
		var err error
		// A missing programme leaves p nil: Plan reports it after checking the input.
		if p, err = s.programmes.Load(ctx, cmd.ProgrammeID); err != nil && !errors.Is(err, domain.ErrNotFound) {
			return domain.Written{}, fmt.Errorf("plan cohort %s: %w", cmd.CohortID, err)
		}
	}
	if err := c.Plan(cmd, p); err != nil {
		return domain.Written{}, err
	}
	w, err := s.cohorts.Create(ctx, c, cmd.Envelope)
	if err != nil {
		return w, fmt.Errorf("plan cohort %s: %w", cmd.CohortID, err)
	}
	return w, nil
}

// EnrolParticipant enrols a participant in a cohort.
func (s *Service) EnrolParticipant(ctx context.Context, cmd EnrolParticipant) (domain.Written, error) {
	return s.cohorts.Update(ctx, cmd.CohortID, cmd.Envelope,
		func(c *Cohort) error { return c.Enrol(cmd) })
}

// WithdrawParticipant takes a participant out of a cohort.
func (s *Service) WithdrawParticipant(ctx context.Context, cmd WithdrawParticipant) (domain.Written, error) {
	return s.cohorts.Update(ctx, cmd.CohortID, cmd.Envelope,
		func(c *Cohort) error { return c.Withdraw(cmd) })
}

// FormIntervisionGroup forms an intervision group.
func (s *Service) FormIntervisionGroup(ctx context.Context, cmd FormIntervisionGroup) (domain.Written, error) {
	return s.cohorts.Update(ctx, cmd.CohortID, cmd.Envelope,
		func(c *Cohort) error { return c.FormGroup(cmd) })
}

// ReformIntervisionGroup gives an intervision group new members.
func (s *Service) ReformIntervisionGroup(ctx context.Context, cmd ReformIntervisionGroup) (domain.Written, error) {
	return s.cohorts.Update(ctx, cmd.CohortID, cmd.Envelope,
		func(c *Cohort) error { return c.ReformGroup(cmd) })
}

// DissolveIntervisionGroup ends an intervision group.
func (s *Service) DissolveIntervisionGroup(ctx context.Context, cmd DissolveIntervisionGroup) (domain.Written, error) {
	return s.cohorts.Update(ctx, cmd.CohortID, cmd.Envelope,
		func(c *Cohort) error { return c.DissolveGroup(cmd) })
}

// RecordIntervisionSession records one meeting of an intervision group.
func (s *Service) RecordIntervisionSession(ctx context.Context, cmd RecordIntervisionSession) (domain.Written, error) {
	return s.cohorts.Update(ctx, cmd.CohortID, cmd.Envelope,
		func(c *Cohort) error { return c.RecordSession(cmd) })
}

// ScheduleDelivery schedules a module version for a cohort. The module is
// read first, because the version must be one the module has.
func (s *Service) ScheduleDelivery(ctx context.Context, cmd ScheduleDelivery) (domain.Written, error) {
	var m *catalogue.Module
	if domain.RequireID("moduleId", cmd.ModuleID) == nil {
		var err error
		// A missing module leaves m nil: ScheduleDelivery reports it after checking the input.
		if m, err = s.modules.Load(ctx, cmd.ModuleID); err != nil && !errors.Is(err, domain.ErrNotFound) {
			return domain.Written{}, fmt.Errorf("schedule delivery %s: %w", cmd.DeliveryID, err)
		}
	}
	return s.cohorts.Update(ctx, cmd.CohortID, cmd.Envelope,
		func(c *Cohort) error { return c.ScheduleDelivery(cmd, m) })
}

// CloseMeasurement closes a cohort's impact measurement.
func (s *Service) CloseMeasurement(ctx context.Context, cmd CloseMeasurement) (domain.Written, error) {
	return s.cohorts.Update(ctx, cmd.CohortID, cmd.Envelope,
		func(c *Cohort) error { return c.CloseMeasurement(cmd) })
}

// FreezeFigures records a released cohort's impact figures in its stream.
func (s *Service) FreezeFigures(ctx context.Context, cmd FreezeFigures) (domain.Written, error) {
	return s.cohorts.Update(ctx, cmd.CohortID, cmd.Envelope,
		func(c *Cohort) error { return c.FreezeFigures(cmd) })
}

// RecordAttendance records whether a participant was at a delivery.
func (s *Service) RecordAttendance(ctx context.Context, cmd RecordAttendance) (domain.Written, error) {
	return s.cohorts.Update(ctx, cmd.CohortID, cmd.Envelope,
		func(c *Cohort) error { return c.RecordAttendance(cmd) })
}

// Enrolment returns a participant's enrolment in a cohort; domain.ErrNotFound
// when the cohort or the participant is unknown.
func (s *Service) Enrolment(ctx context.Context, cohortID, participantID string) (Enrolment, error) {
	c, err := s.cohorts.Load(ctx, cohortID)
	if err != nil {
		return Enrolment{}, fmt.Errorf("read enrolment: %w", err)
	}
	return c.Enrolment(participantID)
}

// Attendance returns a participant's attendance at a delivery of a cohort;
// domain.ErrNotFound when the cohort, the delivery or the participant is unknown.
func (s *Service) Attendance(ctx context.Context, cohortID, deliveryID, participantID string) (Attendance, error) {
	c, err := s.cohorts.Load(ctx, cohortID)
	if err != nil {
		return Attendance{}, fmt.Errorf("read attendance: %w", err)
	}
	return c.Attendance(deliveryID, participantID)
}
