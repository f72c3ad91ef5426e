package usecase

import (
	"context"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/domain/privacy"
)

// The commands of the domain services, as the use cases call them: the
// method sets of *journey.Service, *cohort.Service and the rest, so that a
// test can stand a fake in for one service (a failure between the two
// commands of a withdrawal, say). Each returns what it wrote, or an error
// wrapping a domain kind.

type JourneyCommands interface {
	Enrol(ctx context.Context, c journey.Enrol) (domain.Written, error)
	EvaluateModule(ctx context.Context, c journey.EvaluateModule) (domain.Written, error)
	RateLearning(ctx context.Context, c journey.RateLearning) (domain.Written, error)
	GrantSharing(ctx context.Context, c journey.GrantSharing) (domain.Written, error)
	RevokeSharing(ctx context.Context, c journey.RevokeSharing) (domain.Written, error)
	StateWhy(ctx context.Context, c journey.StateWhy) (domain.Written, error)
	ChooseBehaviour(ctx context.Context, c journey.ChooseBehaviour) (domain.Written, error)
	ReviseBehaviourChoice(ctx context.Context, c journey.ReviseBehaviourChoice) (domain.Written, error)
	FormulateLearningGoal(ctx context.Context, c journey.FormulateLearningGoal) (domain.Written, error)
	ReviseLearningGoal(ctx context.Context, c journey.ReviseLearningGoal) (domain.Written, error)
	CloseLearningGoal(ctx context.Context, c journey.CloseLearningGoal) (domain.Written, error)
	GiveAssignment(ctx context.Context, c journey.GiveAssignment) (domain.Written, error)
	HandInAssignment(ctx context.Context, c journey.HandInAssignment) (domain.Written, error)
	LogExperiment(ctx context.Context, c journey.LogExperiment) (domain.Written, error)
	RecordExperimentTried(ctx context.Context, c journey.RecordExperimentTried) (domain.Written, error)
	ReflectOnExperiment(ctx context.Context, c journey.ReflectOnExperiment) (domain.Written, error)
	SetNextStep(ctx context.Context, c journey.SetNextStep) (domain.Written, error)
	RecordIntervision(ctx context.Context, c journey.RecordIntervision) (domain.Written, error)
	RecordCoachingSession(ctx context.Context, c journey.RecordCoachingSession) (domain.Written, error)
	RecordConversation(ctx context.Context, c journey.RecordConversation) (domain.Written, error)
	ReviseConversation(ctx context.Context, c journey.ReviseConversation) (domain.Written, error)
	ConfirmConversation(ctx context.Context, c journey.ConfirmConversation) (domain.Written, error)
	ChangeManager(ctx context.Context, c journey.ChangeManager) (domain.Written, error)
	RecordMeasurement(ctx context.Context, c journey.RecordMeasurement) (domain.Written, error)
	Complete(ctx context.Context, c journey.Complete) (domain.Written, error)
	Withdraw(ctx context.Context, c journey.Withdraw) (domain.Written, error)
	Erase(ctx context.Context, c journey.Erase) (domain.Written, error)
	EraseManager(ctx context.Context, c journey.EraseManager) (domain.Written, error)
}

// CohortCommands are the commands on cohorts; *cohort.Service is one.
type CohortCommands interface {
	PlanCohort(ctx context.Context, c cohort.PlanCohort) (domain.Written, error)
	EnrolParticipant(ctx context.Context, c cohort.EnrolParticipant) (domain.Written, error)
	WithdrawParticipant(ctx context.Context, c cohort.WithdrawParticipant) (domain.Written, error)
	FormIntervisionGroup(ctx context.Context, c cohort.FormIntervisionGroup) (domain.Written, error)
	ReformIntervisionGroup(ctx context.Context, c cohort.ReformIntervisionGroup) (domain.Written, error)
	DissolveIntervisionGroup(ctx context.Context, c cohort.DissolveIntervisionGroup) (domain.Written, error)
	ScheduleDelivery(ctx context.Context, c cohort.ScheduleDelivery) (domain.Written, error)
	RecordAttendance(ctx context.Context, c cohort.RecordAttendance) (domain.Written, error)
	RecordIntervisionSession(ctx context.Context, c cohort.RecordIntervisionSession) (domain.Written, error)
	CloseMeasurement(ctx context.Context, c cohort.CloseMeasurement) (domain.Written, error)
	FreezeFigures(ctx context.Context, c cohort.FreezeFigures) (domain.Written, error)
}

// ModuleCommands are the commands on catalogue modules; *catalogue.ModuleService is one.
type ModuleCommands interface {
	AddModule(ctx context.Context, c catalogue.AddModule) (domain.Written, error)
	ReviseModule(ctx context.Context, c catalogue.ReviseModule) (domain.Written, error)
	RetireModule(ctx context.Context, c catalogue.RetireModule) (domain.Written, error)
}

// ProgrammeCommands are the commands on programmes; *catalogue.ProgrammeService is one.
type ProgrammeCommands interface {
	DesignProgramme(ctx context.Context, c catalogue.DesignProgramme) (domain.Written, error)
	AddProgrammeModule(ctx context.Context, c catalogue.AddProgrammeModule) (domain.Written, error)
	RemoveProgrammeModule(ctx context.Context, c catalogue.RemoveProgrammeModule) (domain.Written, error)
	SetEmphasis(ctx context.Context, c catalogue.SetEmphasis) (domain.Written, error)
	RetireProgramme(ctx context.Context, c catalogue.RetireProgramme) (domain.Written, error)
}

// EntityCommands are the commands on ordering entities; *catalogue.EntityService is one.
type EntityCommands interface {
	RegisterEntity(ctx context.Context, c catalogue.RegisterEntity) (domain.Written, error)
	PlaceOrder(ctx context.Context, c catalogue.PlaceOrder) (domain.Written, error)
	CancelOrder(ctx context.Context, c catalogue.CancelOrder) (domain.Written, error)
	RecordKeyFigures(ctx context.Context, c catalogue.RecordKeyFigures) (domain.Written, error)
}

// InstrumentCommands publish and retire 360 instruments; *feedback.InstrumentService is one.
type InstrumentCommands interface {
	PublishInstrument(ctx context.Context, c feedback.PublishInstrument) (domain.Written, error)
	RetireInstrument(ctx context.Context, c feedback.RetireInstrument) (domain.Written, error)
}

// RoundCommands are the commands on 360 rounds; *feedback.RoundService is one.
type RoundCommands interface {
	OpenRound(ctx context.Context, c feedback.OpenRound) (domain.Written, error)
	NominateRater(ctx context.Context, c feedback.NominateRater) (domain.Written, error)
	ApproveRater(ctx context.Context, c feedback.ApproveRater) (domain.Written, error)
	RejectRater(ctx context.Context, c feedback.RejectRater) (domain.Written, error)
	SubmitResponse(ctx context.Context, c feedback.SubmitResponse) (domain.Written, error)
	SubmitSelfAssessment(ctx context.Context, c feedback.SubmitSelfAssessment) (domain.Written, error)
	CloseRound(ctx context.Context, c feedback.CloseRound) (domain.Written, error)
	IssueRaterLink(ctx context.Context, c feedback.IssueRaterLink) (domain.Written, error)
	EraseRater(ctx context.Context, c feedback.EraseRater) (domain.Written, error)
}

// PrivacyCommands record erasures and set retention; *privacy.Service is one.
type PrivacyCommands interface {
	Erase(ctx context.Context, c privacy.Erase) (domain.Written, error)
	SetRetention(ctx context.Context, c privacy.SetRetention) (domain.Written, error)
}

// Shredder forgets a person: deletes their key, so every field encrypted with it is unreadable, and drops what
// was derived from it in plain text (kept aggregates, stream caches).
type Shredder interface {
	Forget(ctx context.Context, subjectID string) error
}

// ReadAudit keeps the record of who read a portfolio: one stream per
// journey (privacy.ReadAuditCategory), expired by the programme's read-audit
// retention. Record queues a read and returns at once (the record is
// appended with others in a batch, soon after); Reads returns a journey's
// reads, oldest first, those still queued included.
type ReadAudit interface {
	Record(r privacy.PortfolioRead, programmeID string)
	Reads(ctx context.Context, journeyID string) ([]privacy.PortfolioRead, error)
}
