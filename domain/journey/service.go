package journey

import (
	"context"
	"errors"
	"fmt"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/cohort"
)

// Repository persists journeys as streams journey-<uuid>.
//
// Create appends a new journey's events to a stream that must not exist yet
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
	Create(ctx context.Context, j *Journey, env domain.Envelope) (domain.Written, error)
	Update(ctx context.Context, id string, env domain.Envelope, decide func(j *Journey) error) (domain.Written, error)
	Load(ctx context.Context, id string) (*Journey, error)
}

// Cohorts is what a journey needs to know of its cohort, which lives in
// another stream; *cohort.Service is one. Both methods return an error
// wrapping domain.ErrNotFound when the cohort, delivery or participant is
// unknown.
type Cohorts interface {
	Enrolment(ctx context.Context, cohortID, participantID string) (cohort.Enrolment, error)
	Attendance(ctx context.Context, cohortID, deliveryID, participantID string) (cohort.Attendance, error)
}

// Catalogue is what the learning goals of a journey may link to, which
// lives in other streams (programmes, modules, 360 instruments). Links
// returns the Links of a programme; an unknown programme has none (empty
// sets). It returns other errors (the store's) unchanged.
//
// LearningGoalsOf returns the ids of the learning goals of version
// version of module moduleID, as that version was made; an error wrapping
// domain.ErrNotFound when the module or the version is unknown.
type Catalogue interface {
	Links(ctx context.Context, programmeID string) (Links, error)
	LearningGoalsOf(ctx context.Context, moduleID string, version int) ([]string, error)
}

// Service runs the commands on journeys.
type Service struct {
	journeys  Repository
	cohorts   Cohorts
	catalogue Catalogue
}

// NewService returns a Service storing journeys in journeys, reading
// enrolment and attendance from cohorts and what learning goals may link to
// from catalogue.
func NewService(journeys Repository, cohorts Cohorts, catalogue Catalogue) *Service {
	return &Service{journeys: journeys, cohorts: cohorts, catalogue: catalogue}
}

// Enrol starts a journey for a participant enrolled in the cohort.
func (s *Service) Enrol(ctx context.Context, c Enrol) (domain.Written, error) {
	var e cohort.Enrolment
	if domain.RequireID("cohortId", c.CohortID) == nil && domain.RequireID("participantId", c.ParticipantID) == nil {
		var err error
		// An unknown cohort or participant leaves e zero: Enrol reports it after checking the input.
		if e, err = s.cohorts.Enrolment(ctx, c.CohortID, c.ParticipantID); err != nil && !errors.Is(err, domain.ErrNotFound) {
			return domain.Written{}, fmt.Errorf("enrol journey %s: %w", c.JourneyID, err)
		}
	}
	j := Replay()
	if err := j.Enrol(c, e); err != nil {
		return domain.Written{}, err
	}
	w, err := s.journeys.Create(ctx, j, c.Envelope)
	if err != nil {
		return w, fmt.Errorf("enrol journey %s: %w", c.JourneyID, err)
	}
	return w, nil
}

// EvaluateModule records an evaluation of a delivery the participant
// attended. The attendance is read from the journey's cohort within the
// decision, so that a retry reads it again.
func (s *Service) EvaluateModule(ctx context.Context, c EvaluateModule) (domain.Written, error) {
	return s.journeys.Update(ctx, c.JourneyID, c.Envelope, func(j *Journey) error {
		var a cohort.Attendance
		if j.ID() != "" && domain.RequireID("deliveryId", c.DeliveryID) == nil {
			var err error
			// An unknown delivery leaves a zero: EvaluateModule reports it after checking the input.
			if a, err = s.cohorts.Attendance(ctx, j.CohortID(), c.DeliveryID, j.ParticipantID()); err != nil && !errors.Is(err, domain.ErrNotFound) {
				return fmt.Errorf("evaluate delivery %s: %w", c.DeliveryID, err)
			}
		}
		return j.EvaluateModule(c, a)
	})
}

// RateLearning records the participant's level 2 ratings of a delivery
// they attended. The attendance is read from the journey's cohort and the
// learning goals of the module version delivered from the catalogue, within
// the decision, so that a retry reads them again.
func (s *Service) RateLearning(ctx context.Context, c RateLearning) (domain.Written, error) {
	return s.journeys.Update(ctx, c.JourneyID, c.Envelope, func(j *Journey) error {
		var d RatedDelivery
		if j.ID() != "" && domain.RequireID("deliveryId", c.DeliveryID) == nil {
			var err error
			// An unknown delivery leaves d zero: RateLearning reports it after checking the input.
			if d.Attendance, err = s.cohorts.Attendance(ctx, j.CohortID(), c.DeliveryID, j.ParticipantID()); err != nil && !errors.Is(err, domain.ErrNotFound) {
				return fmt.Errorf("rate learning at delivery %s: %w", c.DeliveryID, err)
			}
			if d.Attendance.ModuleID != "" {
				d.LearningGoalIDs, err = s.catalogue.LearningGoalsOf(ctx, d.Attendance.ModuleID, d.Attendance.ModuleVersion)
				if err != nil && !errors.Is(err, domain.ErrNotFound) {
					return fmt.Errorf("rate learning at delivery %s: learning goals of module %s version %d: %w",
						c.DeliveryID, d.Attendance.ModuleID, d.Attendance.ModuleVersion, err)
				}
			}
		}
		return j.RateLearning(c, d)
	})
}

// ChangeManager records the participant's new manager.
func (s *Service) ChangeManager(ctx context.Context, c ChangeManager) (domain.Written, error) {
	return s.journeys.Update(ctx, c.JourneyID, c.Envelope,
		func(j *Journey) error { return j.ChangeManager(c) })
}

// GrantSharing shares a portfolio section with the manager.
func (s *Service) GrantSharing(ctx context.Context, c GrantSharing) (domain.Written, error) {
	return s.journeys.Update(ctx, c.JourneyID, c.Envelope,
		func(j *Journey) error { return j.GrantSharing(c) })
}

// RevokeSharing stops sharing a portfolio section, also after the journey ended.
func (s *Service) RevokeSharing(ctx context.Context, c RevokeSharing) (domain.Written, error) {
	return s.journeys.Update(ctx, c.JourneyID, c.Envelope,
		func(j *Journey) error { return j.RevokeSharing(c) })
}

// StateWhy records the personal why and values.
func (s *Service) StateWhy(ctx context.Context, c StateWhy) (domain.Written, error) {
	return s.journeys.Update(ctx, c.JourneyID, c.Envelope,
		func(j *Journey) error { return j.StateWhy(c) })
}

// ChooseBehaviour records a choice about a behaviour.
func (s *Service) ChooseBehaviour(ctx context.Context, c ChooseBehaviour) (domain.Written, error) {
	return s.journeys.Update(ctx, c.JourneyID, c.Envelope,
		func(j *Journey) error { return j.ChooseBehaviour(c) })
}

// ReviseBehaviourChoice changes a behaviour choice.
func (s *Service) ReviseBehaviourChoice(ctx context.Context, c ReviseBehaviourChoice) (domain.Written, error) {
	return s.journeys.Update(ctx, c.JourneyID, c.Envelope,
		func(j *Journey) error { return j.ReviseBehaviourChoice(c) })
}

// FormulateLearningGoal records a learning goal or question, its links
// checked against the catalogue of the journey's programme, read within the
// decision so that a retry reads it again.
func (s *Service) FormulateLearningGoal(ctx context.Context, c FormulateLearningGoal) (domain.Written, error) {
	return s.journeys.Update(ctx, c.JourneyID, c.Envelope, func(j *Journey) error {
		var links Links
		if j.ID() != "" {
			var err error
			if links, err = s.catalogue.Links(ctx, j.ProgrammeID()); err != nil {
				return fmt.Errorf("formulate learning goal: links of programme %s: %w", j.ProgrammeID(), err)
			}
		}
		return j.FormulateLearningGoal(c, links)
	})
}

// ReviseLearningGoal rewords an open learning goal.
func (s *Service) ReviseLearningGoal(ctx context.Context, c ReviseLearningGoal) (domain.Written, error) {
	return s.journeys.Update(ctx, c.JourneyID, c.Envelope,
		func(j *Journey) error { return j.ReviseLearningGoal(c) })
}

// CloseLearningGoal closes an open learning goal.
func (s *Service) CloseLearningGoal(ctx context.Context, c CloseLearningGoal) (domain.Written, error) {
	return s.journeys.Update(ctx, c.JourneyID, c.Envelope,
		func(j *Journey) error { return j.CloseLearningGoal(c) })
}

// GiveAssignment gives a practice assignment.
func (s *Service) GiveAssignment(ctx context.Context, c GiveAssignment) (domain.Written, error) {
	return s.journeys.Update(ctx, c.JourneyID, c.Envelope,
		func(j *Journey) error { return j.GiveAssignment(c) })
}

// HandInAssignment hands a practice assignment in.
func (s *Service) HandInAssignment(ctx context.Context, c HandInAssignment) (domain.Written, error) {
	return s.journeys.Update(ctx, c.JourneyID, c.Envelope,
		func(j *Journey) error { return j.HandInAssignment(c) })
}

// LogExperiment plans an experiment.
func (s *Service) LogExperiment(ctx context.Context, c LogExperiment) (domain.Written, error) {
	return s.journeys.Update(ctx, c.JourneyID, c.Envelope,
		func(j *Journey) error { return j.LogExperiment(c) })
}

// RecordExperimentTried records what was tried.
func (s *Service) RecordExperimentTried(ctx context.Context, c RecordExperimentTried) (domain.Written, error) {
	return s.journeys.Update(ctx, c.JourneyID, c.Envelope,
		func(j *Journey) error { return j.RecordExperimentTried(c) })
}

// ReflectOnExperiment records an experiment's outcome and reflection.
func (s *Service) ReflectOnExperiment(ctx context.Context, c ReflectOnExperiment) (domain.Written, error) {
	return s.journeys.Update(ctx, c.JourneyID, c.Envelope,
		func(j *Journey) error { return j.ReflectOnExperiment(c) })
}

// SetNextStep records an experiment's next step.
func (s *Service) SetNextStep(ctx context.Context, c SetNextStep) (domain.Written, error) {
	return s.journeys.Update(ctx, c.JourneyID, c.Envelope,
		func(j *Journey) error { return j.SetNextStep(c) })
}

// RecordIntervision records an intervision session attended.
func (s *Service) RecordIntervision(ctx context.Context, c RecordIntervision) (domain.Written, error) {
	return s.journeys.Update(ctx, c.JourneyID, c.Envelope,
		func(j *Journey) error { return j.RecordIntervision(c) })
}

// RecordCoachingSession records a coaching session.
func (s *Service) RecordCoachingSession(ctx context.Context, c RecordCoachingSession) (domain.Written, error) {
	return s.journeys.Update(ctx, c.JourneyID, c.Envelope,
		func(j *Journey) error { return j.RecordCoachingSession(c) })
}

// RecordConversation records a development conversation.
func (s *Service) RecordConversation(ctx context.Context, c RecordConversation) (domain.Written, error) {
	return s.journeys.Update(ctx, c.JourneyID, c.Envelope,
		func(j *Journey) error { return j.RecordConversation(c) })
}

// ReviseConversation changes a development conversation's record.
func (s *Service) ReviseConversation(ctx context.Context, c ReviseConversation) (domain.Written, error) {
	return s.journeys.Update(ctx, c.JourneyID, c.Envelope,
		func(j *Journey) error { return j.ReviseConversation(c) })
}

// ConfirmConversation confirms a development conversation for one party.
func (s *Service) ConfirmConversation(ctx context.Context, c ConfirmConversation) (domain.Written, error) {
	return s.journeys.Update(ctx, c.JourneyID, c.Envelope,
		func(j *Journey) error { return j.ConfirmConversation(c) })
}

// RecordMeasurement records the result of an instrument.
func (s *Service) RecordMeasurement(ctx context.Context, c RecordMeasurement) (domain.Written, error) {
	return s.journeys.Update(ctx, c.JourneyID, c.Envelope,
		func(j *Journey) error { return j.RecordMeasurement(c) })
}

// Complete completes a journey.
func (s *Service) Complete(ctx context.Context, c Complete) (domain.Written, error) {
	return s.journeys.Update(ctx, c.JourneyID, c.Envelope,
		func(j *Journey) error { return j.Complete(c) })
}

// Erase records that the journey's participant was erased; again, nothing.
func (s *Service) Erase(ctx context.Context, c Erase) (domain.Written, error) {
	return s.journeys.Update(ctx, c.JourneyID, c.Envelope,
		func(j *Journey) error { return j.Erase(c) })
}

// EraseManager records that a journey's manager was erased.
func (s *Service) EraseManager(ctx context.Context, c EraseManager) (domain.Written, error) {
	return s.journeys.Update(ctx, c.JourneyID, c.Envelope,
		func(j *Journey) error { return j.EraseManager(c) })
}

// Withdraw ends a journey early.
func (s *Service) Withdraw(ctx context.Context, c Withdraw) (domain.Written, error) {
	return s.journeys.Update(ctx, c.JourneyID, c.Envelope,
		func(j *Journey) error { return j.Withdraw(c) })
}
