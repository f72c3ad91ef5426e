package api

import (
	"context"
	"time"

	"github.com/leerpad/leerpad/domain/access"
	"github.com/leerpad/leerpad/domain/behaviourchange"
	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/cohortdashboard"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/domain/offer"
	"github.com/leerpad/leerpad/domain/portfolio"
)

// The interfaces below are the method sets of the domain services, the
// repositories' Load and the read models that the resource endpoints use, so
// that *journey.Service, *cohort.Service, the read models of the projections
// packages and the rest fit them as they are. The read models answer in the
// domain's read-side types (portfolio.View and the rest), so api imports no
// projections package; cmd wires them in. Their errors wrap the domain's kinds
// (ErrInvalid, ErrNotFound, ErrConflict, ErrForbidden), which statusOf maps.

// JourneyCommands are the commands on journeys; *journey.Service is one.
type JourneyCommands interface {
	Enrol(ctx context.Context, c journey.Enrol) error
	EvaluateModule(ctx context.Context, c journey.EvaluateModule) error
	GrantSharing(ctx context.Context, c journey.GrantSharing) error
	RevokeSharing(ctx context.Context, c journey.RevokeSharing) error
	StateWhy(ctx context.Context, c journey.StateWhy) error
	ChooseBehaviour(ctx context.Context, c journey.ChooseBehaviour) error
	ReviseBehaviourChoice(ctx context.Context, c journey.ReviseBehaviourChoice) error
	FormulateLearningGoal(ctx context.Context, c journey.FormulateLearningGoal) error
	GiveAssignment(ctx context.Context, c journey.GiveAssignment) error
	HandInAssignment(ctx context.Context, c journey.HandInAssignment) error
	LogExperiment(ctx context.Context, c journey.LogExperiment) error
	RecordExperimentTried(ctx context.Context, c journey.RecordExperimentTried) error
	ReflectOnExperiment(ctx context.Context, c journey.ReflectOnExperiment) error
	SetNextStep(ctx context.Context, c journey.SetNextStep) error
	RecordIntervision(ctx context.Context, c journey.RecordIntervision) error
	RecordCoachingSession(ctx context.Context, c journey.RecordCoachingSession) error
	RecordConversation(ctx context.Context, c journey.RecordConversation) error
	ReviseConversation(ctx context.Context, c journey.ReviseConversation) error
	ConfirmConversation(ctx context.Context, c journey.ConfirmConversation) error
	ChangeManager(ctx context.Context, c journey.ChangeManager) error
	RecordMeasurement(ctx context.Context, c journey.RecordMeasurement) error
	Complete(ctx context.Context, c journey.Complete) error
	Withdraw(ctx context.Context, c journey.Withdraw) error
}

// CohortCommands are the commands on cohorts; *cohort.Service is one.
type CohortCommands interface {
	PlanCohort(ctx context.Context, c cohort.PlanCohort) error
	EnrolParticipant(ctx context.Context, c cohort.EnrolParticipant) error
	WithdrawParticipant(ctx context.Context, c cohort.WithdrawParticipant) error
	FormIntervisionGroup(ctx context.Context, c cohort.FormIntervisionGroup) error
	ReformIntervisionGroup(ctx context.Context, c cohort.ReformIntervisionGroup) error
	DissolveIntervisionGroup(ctx context.Context, c cohort.DissolveIntervisionGroup) error
	ScheduleDelivery(ctx context.Context, c cohort.ScheduleDelivery) error
	RecordAttendance(ctx context.Context, c cohort.RecordAttendance) error
}

// ModuleCommands are the commands on catalogue modules; *catalogue.ModuleService is one.
type ModuleCommands interface {
	AddModule(ctx context.Context, c catalogue.AddModule) error
	ReviseModule(ctx context.Context, c catalogue.ReviseModule) error
	RetireModule(ctx context.Context, c catalogue.RetireModule) error
}

// ProgrammeCommands are the commands on programmes; *catalogue.ProgrammeService is one.
type ProgrammeCommands interface {
	DesignProgramme(ctx context.Context, c catalogue.DesignProgramme) error
	AddProgrammeModule(ctx context.Context, c catalogue.AddProgrammeModule) error
	RemoveProgrammeModule(ctx context.Context, c catalogue.RemoveProgrammeModule) error
	SetEmphasis(ctx context.Context, c catalogue.SetEmphasis) error
	RetireProgramme(ctx context.Context, c catalogue.RetireProgramme) error
}

// EntityCommands are the commands on ordering entities; *catalogue.EntityService is one.
type EntityCommands interface {
	RegisterEntity(ctx context.Context, c catalogue.RegisterEntity) error
	PlaceOrder(ctx context.Context, c catalogue.PlaceOrder) error
	CancelOrder(ctx context.Context, c catalogue.CancelOrder) error
}

// InstrumentCommands publish and retire 360 instruments; *feedback.InstrumentService is one.
type InstrumentCommands interface {
	PublishInstrument(ctx context.Context, c feedback.PublishInstrument) error
	RetireInstrument(ctx context.Context, c feedback.RetireInstrument) error
}

// RoundCommands are the commands on 360 rounds; *feedback.RoundService is one.
type RoundCommands interface {
	OpenRound(ctx context.Context, c feedback.OpenRound) error
	NominateRater(ctx context.Context, c feedback.NominateRater) error
	ApproveRater(ctx context.Context, c feedback.ApproveRater) error
	RejectRater(ctx context.Context, c feedback.RejectRater) error
	SubmitResponse(ctx context.Context, c feedback.SubmitResponse) error
	SubmitSelfAssessment(ctx context.Context, c feedback.SubmitSelfAssessment) error
	CloseRound(ctx context.Context, c feedback.CloseRound) error
}

// Loader loads an aggregate from its stream: the repositories' Load
// (journeys, cohorts, modules, programmes, rounds, instruments, entities). It returns
// an error wrapping domain.ErrNotFound for a missing stream. The API reads
// the facts of an access decision and the ETag (the stream revision) from
// it, so both are current, never behind a read model.
type Loader[A any] interface {
	Load(ctx context.Context, id string) (A, error)
}

// Facts answers what neither the domain services nor the read models expose
// yet, and the access rules need: a cohort's trainers and the journey a 360
// round belongs to (both stated in the stream's first event). Both return an
// error wrapping domain.ErrNotFound for an unknown cohort or round.
type Facts interface {
	CohortTrainers(ctx context.Context, cohortID string) ([]string, error)
	RoundJourney(ctx context.Context, roundID string) (string, error)
}

// Portfolios is the portfolio read model; projections/portfolio's *ReadModel is one.
type Portfolios interface {
	// Name is the read model's name, the one ReadYourWrites waits for.
	Name() string
	Current(journeyID string) (portfolio.View, error)
	AsOf(ctx context.Context, journeyID string, t time.Time) (portfolio.View, error)
	Journeys(participantID string) []string
	// Managed returns the ids of the journeys a manager manages now.
	Managed(managerID string) []string
}

// Dashboards is the cohort dashboard read model; projections/cohortdashboard's
// *ReadModel is one.
type Dashboards interface {
	// Name is the read model's name, the one ReadYourWrites waits for.
	Name() string
	Dashboard(cohortID string, now time.Time) (cohortdashboard.View, error)
}

// ChangeMeasurements is the behaviour-change read model;
// projections/behaviourchange's *ReadModel is one.
type ChangeMeasurements interface {
	// Name is the read model's name, the one ReadYourWrites waits for.
	Name() string
	Cohort(cohortID string) (behaviourchange.Cohort, error)
}

// Offer is the read model behind the catalogue's lists; projections/offer's
// *ReadModel is one. Each list is in the order its items entered the log and
// only grows at its end, retired and cancelled items included.
type Offer interface {
	// Name is the read model's name, the one ReadYourWrites waits for.
	Name() string
	Modules() []offer.Module
	Programmes() []offer.Programme
	Instruments() []offer.Instrument
	Entities() []offer.Entity
}

// ReadYourWrites waits until a read model has handled the event at a global
// position; the projections runner is one. WaitFor returns ctx's error when
// ctx ends first.
type ReadYourWrites interface {
	WaitFor(ctx context.Context, name string, pos uint64) error
}

// RaterLinkStore keeps issued rater links by the hash of their token
// (never the token). SaveRaterLink replaces any earlier link of the same
// round and rater, which then stops working.
type RaterLinkStore interface {
	RaterLinks
	SaveRaterLink(ctx context.Context, l access.RaterLink) error
	// RaterLinkOf returns the current link of a rater in a round, or an
	// error wrapping domain.ErrNotFound.
	RaterLinkOf(ctx context.Context, roundID, raterID string) (access.RaterLink, error)
}

// WriteContext prepares the context of a command: it carries the
// correlation id and the actor into the metadata of the events written, and
// returns a function that reports the global position of the last event
// written with the context (0 when none). cmd builds it from the event
// store's WithMetadata and WithReceipt.
type WriteContext func(ctx context.Context, correlationID, actor string) (context.Context, func() uint64)
