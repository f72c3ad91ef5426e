package journey

import (
	"time"

	"github.com/leerpad/leerpad/domain"
)

// The commands on a journey. Each carries the journey's id, the time it
// happened and its domain.Envelope; the Service runs each one as a
// single update of the journey's stream.

// Enrol starts a participant's journey in a cohort they are enrolled in.
type Enrol struct {
	JourneyID     string
	ParticipantID string
	CohortID      string
	Role          Role
	ManagerID     string
	At            time.Time
	domain.Envelope
}

// ChangeManager records the participant's new manager.
type ChangeManager struct {
	JourneyID string
	ManagerID string
	At        time.Time
	domain.Envelope
}

// GrantSharing shares a portfolio section with the manager.
type GrantSharing struct {
	JourneyID string
	Section   Section
	At        time.Time
	domain.Envelope
}

// RevokeSharing stops sharing a portfolio section with the manager.
type RevokeSharing struct {
	JourneyID string
	Section   Section
	At        time.Time
	domain.Envelope
}

// StateWhy records the participant's personal why and values.
type StateWhy struct {
	JourneyID string
	Why       string
	Values    []string
	At        time.Time
	domain.Envelope
}

// ChooseBehaviour records a choice about a behaviour of a competency.
type ChooseBehaviour struct {
	JourneyID    string
	ChoiceID     string
	CompetencyID string
	Behaviour    string
	Choice       Choice
	At           time.Time
	domain.Envelope
}

// ReviseBehaviourChoice changes a choice made before.
type ReviseBehaviourChoice struct {
	JourneyID string
	ChoiceID  string
	Choice    Choice
	At        time.Time
	domain.Envelope
}

// FormulateLearningGoal records a learning goal or question: what
// (Text), how the participant will see it (SuccessCriteria, optional) and by
// when (DueOn, optional), linked to competencies and module learning goals.
type FormulateLearningGoal struct {
	JourneyID       string
	GoalID          string
	Kind            GoalKind
	Text            string
	SuccessCriteria string
	DueOn           time.Time
	CompetencyIDs   []string
	ModuleGoalIDs   []string
	At              time.Time
	domain.Envelope
}

// ReviseLearningGoal rewords an open learning goal: its text, success
// criteria and due date replace the ones before.
type ReviseLearningGoal struct {
	JourneyID       string
	GoalID          string
	Text            string
	SuccessCriteria string
	DueOn           time.Time
	At              time.Time
	domain.Envelope
}

// CloseLearningGoal closes an open learning goal, achieved or dropped.
type CloseLearningGoal struct {
	JourneyID  string
	GoalID     string
	Outcome    GoalOutcome
	Reflection string
	At         time.Time
	domain.Envelope
}

// GiveAssignment gives the participant a practice assignment.
type GiveAssignment struct {
	JourneyID    string
	AssignmentID string
	ModuleID     string
	TrainerID    string
	Title        string
	DueOn        time.Time
	At           time.Time
	domain.Envelope
}

// HandInAssignment hands a practice assignment in with a reflection.
type HandInAssignment struct {
	JourneyID    string
	AssignmentID string
	Reflection   string
	At           time.Time
	domain.Envelope
}

// LogExperiment plans an experiment for a learning goal.
type LogExperiment struct {
	JourneyID      string
	ExperimentID   string
	LearningGoalID string
	Intention      string
	PlannedFor     time.Time
	At             time.Time
	domain.Envelope
}

// RecordExperimentTried records what was tried.
type RecordExperimentTried struct {
	JourneyID    string
	ExperimentID string
	WhatWasTried string
	TriedOn      time.Time
	At           time.Time
	domain.Envelope
}

// ReflectOnExperiment records what happened and the reflection on it.
type ReflectOnExperiment struct {
	JourneyID    string
	ExperimentID string
	Outcome      string
	Reflection   string
	At           time.Time
	domain.Envelope
}

// SetNextStep records the next step after an experiment, which concludes it.
type SetNextStep struct {
	JourneyID    string
	ExperimentID string
	NextStep     string
	At           time.Time
	domain.Envelope
}

// RecordIntervision records an intervision session the participant attended.
type RecordIntervision struct {
	JourneyID     string
	SessionID     string
	GroupID       string
	HeldOn        time.Time
	Method        string
	CaseBroughtIn bool
	Case          string // required when CaseBroughtIn, empty otherwise
	At            time.Time
	domain.Envelope
}

// RecordCoachingSession records a coaching session.
type RecordCoachingSession struct {
	JourneyID string
	SessionID string
	CoachID   string
	HeldOn    time.Time
	Notes     string
	At        time.Time
	domain.Envelope
}

// EvaluateModule records the participant's evaluation of a delivery of their
// cohort. The Service looks up the attendance in the cohort.
type EvaluateModule struct {
	JourneyID  string
	DeliveryID string
	Scores     []Score
	Comments   string
	At         time.Time
	domain.Envelope
}

// RecordConversation records a development conversation with the manager.
type RecordConversation struct {
	JourneyID      string
	ConversationID string
	HeldOn         time.Time
	Agreements     []string
	NextQuestions  []string
	At             time.Time
	domain.Envelope
}

// ReviseConversation changes the record of a conversation not yet final.
type ReviseConversation struct {
	JourneyID      string
	ConversationID string
	Agreements     []string
	NextQuestions  []string
	At             time.Time
	domain.Envelope
}

// ConfirmConversation confirms a conversation's record for one party.
type ConfirmConversation struct {
	JourneyID      string
	ConversationID string
	Party          Party
	ConfirmedBy    string // the participant or the manager, as the party says
	At             time.Time
	domain.Envelope
}

// RecordMeasurement records the result of an instrument.
type RecordMeasurement struct {
	JourneyID     string
	MeasurementID string
	Kind          MeasurementKind
	Instrument    string
	Result        string
	TakenOn       time.Time
	At            time.Time
	domain.Envelope
}

// Complete completes the journey.
type Complete struct {
	JourneyID string
	At        time.Time
	domain.Envelope
}

// Erase records that the journey's participant was erased.
type Erase struct {
	JourneyID string
	ErasureID string
	At        time.Time
	domain.Envelope
}

// EraseManager records that the journey's manager, ManagerID, was erased.
type EraseManager struct {
	JourneyID string
	ManagerID string
	ErasureID string
	At        time.Time
	domain.Envelope
}

// Withdraw ends the journey early.
type Withdraw struct {
	JourneyID string
	Reason    string
	At        time.Time
	domain.Envelope
}
