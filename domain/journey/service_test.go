package journey_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/domaintest"
	"github.com/leerpad/leerpad/domain/journey"
)

var (
	_ journey.Repository = (*domaintest.Repo[*journey.Journey])(nil)
	_ journey.Cohorts    = (*cohort.Service)(nil)
)

// newService returns a journey service over in-memory streams, with the real
// cohort service answering enrolment and attendance from a cohort stream in
// which participant attended the delivery and id(50) is withdrawn.
func newService() (*journey.Service, *domaintest.Repo[*journey.Journey]) {
	return newServiceWith(catalogueLinks{})
}

// newServiceWith is newService with cat as the catalogue.
func newServiceWith(cat catalogueLinks) (*journey.Service, *domaintest.Repo[*journey.Journey]) {
	cohorts := domaintest.NewRepo(cohort.Replay).Given(cohortID,
		cohort.Planned{CohortID: cohortID, ProgrammeID: programme, EntityID: entity, Title: "BLG", ModuleIDs: []string{module},
			RaterApproval: true, TrainerIDs: []string{trainer}, StartsOn: at, EndsOn: later, At: at},
		cohort.ParticipantEnrolled{CohortID: cohortID, ParticipantID: participant, Name: "An", Email: "an@example.org", At: at},
		cohort.ParticipantEnrolled{CohortID: cohortID, ParticipantID: id(50), Name: "Bo", Email: "bo@example.org", At: at},
		cohort.ParticipantWithdrawn{CohortID: cohortID, ParticipantID: id(50), At: at},
		cohort.DeliveryScheduled{CohortID: cohortID, DeliveryID: delivery, ModuleID: module, ModuleVersion: 3, StartsAt: at, EndsAt: later, At: at},
		cohort.DeliveryScheduled{CohortID: cohortID, DeliveryID: id(51), ModuleID: module, ModuleVersion: 3, StartsAt: at, EndsAt: later, At: at},
		cohort.AttendanceRecorded{CohortID: cohortID, DeliveryID: delivery, ParticipantID: participant, Status: cohort.Present, At: at},
		cohort.AttendanceRecorded{CohortID: cohortID, DeliveryID: id(51), ParticipantID: participant, Status: cohort.Absent, At: at},
	)
	journeys := domaintest.NewRepo(journey.Replay)
	return journey.NewService(journeys, cohort.NewService(cohorts, nil, nil), cat), journeys
}

// catalogueLinks is a journey.Catalogue that knows, for programme only,
// competency and moduleGoal; err, when set, is its answer.
type catalogueLinks struct{ err error }

var _ journey.Catalogue = catalogueLinks{}

func (c catalogueLinks) Links(_ context.Context, programmeID string) (journey.Links, error) {
	if c.err != nil {
		return journey.Links{}, c.err
	}
	if programmeID != programme {
		return journey.Links{Competencies: map[string]bool{}, ModuleGoals: map[string]bool{}}, nil
	}
	return journey.Links{Competencies: map[string]bool{competency: true}, ModuleGoals: map[string]bool{moduleGoal: true}}, nil
}

// LearningGoalsOf knows version 3 of module, with moduleGoal and id(22);
// the current version of module has otherGoal.
func (c catalogueLinks) LearningGoalsOf(_ context.Context, moduleID string, version int) ([]string, error) {
	switch {
	case c.err != nil:
		return nil, c.err
	case moduleID == module && version == 3:
		return []string{moduleGoal, id(22)}, nil
	case moduleID == module && version == 4:
		return []string{otherGoal}, nil
	}
	return nil, fmt.Errorf("module %s version %d: %w", moduleID, version, domain.ErrNotFound)
}

func TestServiceEnrol(t *testing.T) {
	ctx := context.Background()
	s, journeys := newService()
	enrol := journey.Enrol{JourneyID: journeyID, ParticipantID: participant, CohortID: cohortID, Role: journey.RoleBeginningManager,
		ManagerID: manager, At: at, Envelope: domain.Envelope{IdempotencyKey: "enrol-1"}}
	if _, err := s.Enrol(ctx, enrol); err != nil {
		t.Fatal(err)
	}
	if got := journeys.Stream(journeyID); len(got) != 1 || got[0] != domain.Event(enrolled()) {
		t.Errorf("stream = %#v, want the enrolment", got)
	}
	if journeys.Keys[0] != "enrol-1" {
		t.Errorf("idempotency key = %q, want enrol-1", journeys.Keys[0])
	}
	if _, err := s.Enrol(ctx, enrol); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("enrol twice: err = %v, want conflict", err)
	}
	for _, tc := range []struct {
		name    string
		edit    func(*journey.Enrol)
		wantErr error
	}{
		{"unknown cohort", func(c *journey.Enrol) { c.CohortID = id(90) }, journey.ErrNotInCohort},
		{"not in the cohort", func(c *journey.Enrol) { c.ParticipantID = id(91) }, journey.ErrNotInCohort},
		{"withdrawn from the cohort", func(c *journey.Enrol) { c.ParticipantID = id(50) }, journey.ErrWithdrawnFromCohort},
		{"bad input is refused first", func(c *journey.Enrol) { c.CohortID = "x" }, domain.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := enrol
			c.JourneyID = id(92)
			tc.edit(&c)
			if _, err := s.Enrol(ctx, c); !errors.Is(err, tc.wantErr) {
				t.Errorf("err = %v, want %v", err, tc.wantErr)
			}
		})
	}
}

// TestServiceCommands runs every command through the service, each as one
// update of the stream.
func TestServiceCommands(t *testing.T) {
	ctx := context.Background()
	s, journeys := newService()
	journeys.Given(journeyID, enrolled())
	j := journeyID
	steps := []func() error{
		func() error {
			return domaintest.Err(s.ChangeManager(ctx, journey.ChangeManager{JourneyID: j, ManagerID: newManager, At: at}))
		},
		func() error {
			return domaintest.Err(s.GrantSharing(ctx, journey.GrantSharing{JourneyID: j, Section: journey.SectionExperiments, At: at}))
		},
		func() error {
			return domaintest.Err(s.RevokeSharing(ctx, journey.RevokeSharing{JourneyID: j, Section: journey.SectionExperiments, At: at}))
		},
		func() error {
			return domaintest.Err(s.StateWhy(ctx, journey.StateWhy{JourneyID: j, Why: "Growth", At: at}))
		},
		func() error {
			return domaintest.Err(s.ChooseBehaviour(ctx, journey.ChooseBehaviour{JourneyID: j, ChoiceID: choice, CompetencyID: competency,
				Behaviour: "Deciding quickly", Choice: journey.ChoiceDose, At: at}))
		},
		func() error {
			return domaintest.Err(s.ReviseBehaviourChoice(ctx, journey.ReviseBehaviourChoice{JourneyID: j, ChoiceID: choice, Choice: journey.ChoiceLetGo, At: at}))
		},
		func() error {
			return domaintest.Err(s.FormulateLearningGoal(ctx, journey.FormulateLearningGoal{JourneyID: j, GoalID: goal, Kind: journey.KindGoal,
				Text: "Delegate", CompetencyIDs: []string{competency}, At: at}))
		},
		func() error {
			return domaintest.Err(s.GiveAssignment(ctx, journey.GiveAssignment{JourneyID: j, AssignmentID: assignment, ModuleID: module,
				TrainerID: trainer, Title: "5R", DueOn: later, At: at}))
		},
		func() error {
			return domaintest.Err(s.HandInAssignment(ctx, journey.HandInAssignment{JourneyID: j, AssignmentID: assignment, Reflection: "Done", At: at}))
		},
		func() error {
			return domaintest.Err(s.LogExperiment(ctx, journey.LogExperiment{JourneyID: j, ExperimentID: experiment, LearningGoalID: goal,
				Intention: "Try", PlannedFor: later, At: at}))
		},
		func() error {
			return domaintest.Err(s.RecordExperimentTried(ctx, journey.RecordExperimentTried{JourneyID: j, ExperimentID: experiment, WhatWasTried: "Tried", TriedOn: at, At: at}))
		},
		func() error {
			return domaintest.Err(s.ReflectOnExperiment(ctx, journey.ReflectOnExperiment{JourneyID: j, ExperimentID: experiment, Outcome: "Ok", Reflection: "Hm", At: at}))
		},
		func() error {
			return domaintest.Err(s.SetNextStep(ctx, journey.SetNextStep{JourneyID: j, ExperimentID: experiment, NextStep: "Again", At: at}))
		},
		func() error {
			return domaintest.Err(s.RecordIntervision(ctx, journey.RecordIntervision{JourneyID: j, SessionID: session, GroupID: group, HeldOn: at, At: at}))
		},
		func() error {
			return domaintest.Err(s.RecordCoachingSession(ctx, journey.RecordCoachingSession{JourneyID: j, SessionID: id(60), CoachID: coach, HeldOn: at, At: at}))
		},
		func() error {
			return domaintest.Err(s.EvaluateModule(ctx, journey.EvaluateModule{JourneyID: j, DeliveryID: delivery, Scores: scores, At: later}))
		},
		func() error {
			return domaintest.Err(s.RecordConversation(ctx, journey.RecordConversation{JourneyID: j, ConversationID: conversation, HeldOn: at,
				Agreements: []string{"Monthly"}, At: at}))
		},
		func() error {
			return domaintest.Err(s.ReviseConversation(ctx, journey.ReviseConversation{JourneyID: j, ConversationID: conversation, Agreements: []string{"Weekly"}, At: at}))
		},
		func() error {
			return domaintest.Err(s.ConfirmConversation(ctx, journey.ConfirmConversation{JourneyID: j, ConversationID: conversation,
				Party: journey.PartyManager, ConfirmedBy: newManager, At: at}))
		},
		func() error {
			return domaintest.Err(s.RecordMeasurement(ctx, journey.RecordMeasurement{JourneyID: j, MeasurementID: measurement, Kind: journey.MeasurementSkills,
				Instrument: "Style scan", Result: "Coaching style", TakenOn: at, At: at}))
		},
		func() error {
			return domaintest.Err(s.ReviseLearningGoal(ctx, journey.ReviseLearningGoal{JourneyID: j, GoalID: goal, Text: "Delegate the planning",
				SuccessCriteria: "The team plans without me", DueOn: later, At: later}))
		},
		func() error {
			return domaintest.Err(s.CloseLearningGoal(ctx, journey.CloseLearningGoal{JourneyID: j, GoalID: goal, Outcome: journey.OutcomeAchieved, At: later}))
		},
		func() error { return domaintest.Err(s.Complete(ctx, journey.Complete{JourneyID: j, At: later})) },
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	if got, want := len(journeys.Stream(j)), 1+len(steps); got != want {
		t.Errorf("stream holds %d events, want %d", got, want)
	}
	if _, err := s.Withdraw(ctx, journey.Withdraw{JourneyID: j, At: later}); !errors.Is(err, journey.ErrJourneyClosed) {
		t.Errorf("withdraw after completion: err = %v, want %v", err, journey.ErrJourneyClosed)
	}
	if _, err := s.Complete(ctx, journey.Complete{JourneyID: id(93), At: later}); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("complete an unknown journey: err = %v, want not found", err)
	}
}

// TestServiceChecksLinks: the links of a new learning goal are checked
// against what the catalogue knows for the journey's programme, and the
// catalogue's own failure is no validation error.
func TestServiceChecksLinks(t *testing.T) {
	ctx := context.Background()
	broken := errors.New("store down")
	for _, tc := range []struct {
		name        string
		catalogue   catalogueLinks
		competency  string
		wantErr     error
		wantField   string
		wantNoField bool
	}{
		{"known", catalogueLinks{}, competency, nil, "", false},
		{"unknown competency", catalogueLinks{}, id(90), domain.ErrInvalid, "competencyIds[0]", false},
		{"catalogue fails", catalogueLinks{err: broken}, competency, broken, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, journeys := newService()
			s := journey.NewService(journeys, nil, tc.catalogue)
			journeys.Given(journeyID, enrolled())
			_, err := s.FormulateLearningGoal(ctx, journey.FormulateLearningGoal{JourneyID: journeyID, GoalID: goal, Kind: journey.KindGoal,
				Text: "Delegate", CompetencyIDs: []string{tc.competency}, ModuleGoalIDs: []string{moduleGoal}, At: at})
			if tc.wantErr == nil && err != nil || !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			var fe *domain.FieldError
			if tc.wantField != "" && (!errors.As(err, &fe) || fe.Field != tc.wantField) {
				t.Errorf("err = %v, want it to name %s", err, tc.wantField)
			}
			if tc.wantNoField && errors.Is(err, domain.ErrInvalid) {
				t.Errorf("err = %v: a failing catalogue is no invalid request", err)
			}
		})
	}
}

func TestServiceEvaluateChecksAttendance(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		delivery string
		wantErr  error
	}{
		{"attended", delivery, nil},
		{"absent", id(51), journey.ErrNotAttended},
		{"unknown delivery", id(52), journey.ErrDeliveryNotFound},
		{"bad delivery id", "d1", domain.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, journeys := newService()
			journeys.Given(journeyID, enrolled())
			_, err := s.EvaluateModule(ctx, journey.EvaluateModule{JourneyID: journeyID, DeliveryID: tc.delivery, Scores: scores, At: later})
			if tc.wantErr == nil && err != nil || !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
		})
	}
}

// TestServiceDecidesOnTheFreshStream: a command that loses the race against
// another writer fails with domain.ErrStale and nothing recorded; run again
// (as the use cases do), it is decided on the fresh stream.
func TestServiceDecidesOnTheFreshStream(t *testing.T) {
	ctx := context.Background()
	log := journey.FormulateLearningGoal{JourneyID: journeyID, GoalID: goal, Kind: journey.KindGoal, Text: "Delegate",
		CompetencyIDs: []string{competency}, At: at, Envelope: domain.Envelope{IdempotencyKey: "goal-1"}}
	for _, tc := range []struct {
		name        string
		conflicts   int
		concurrent  []domain.Event
		wantErr     error
		wantUpdates int
		wantEvents  int
	}{
		{"one conflict, retried", 1, nil, nil, 2, 2},
		{"two conflicts, given up", 2, nil, domain.ErrConflict, 2, 1},
		{"the other writer withdrew the journey", 1, []domain.Event{journey.Withdrawn{ParticipantID: participant, At: at}},
			journey.ErrJourneyClosed, 2, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, journeys := newService()
			journeys.Given(journeyID, enrolled())
			journeys.Conflicts, journeys.Concurrent = tc.conflicts, tc.concurrent
			_, err := domaintest.Twice(func() (domain.Written, error) { return s.FormulateLearningGoal(ctx, log) })
			if tc.wantErr == nil && err != nil || !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if journeys.Updates != tc.wantUpdates {
				t.Errorf("updates = %d, want %d", journeys.Updates, tc.wantUpdates)
			}
			if got := len(journeys.Stream(journeyID)); got != tc.wantEvents {
				t.Errorf("stream holds %d events, want %d", got, tc.wantEvents)
			}
			for _, k := range journeys.Keys {
				if k != "goal-1" {
					t.Errorf("idempotency key = %q on an attempt, want goal-1 on both", k)
				}
			}
		})
	}
}
