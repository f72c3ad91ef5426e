package journey

import (
	"time"

	"github.com/leerpad/leerpad/domain"
)

// StreamCategory is the category of a journey's stream, "journey-<uuid>". It
// is stored in every stream name; never change it.
const StreamCategory = "journey"

// EventTypes returns the type of every event a journey records, for the event
// store's codec. journey.experiment_logged is at schema version 2.
func EventTypes() []domain.EventType {
	return []domain.EventType{
		domain.NewEventType[Enrolled](),
		domain.NewEventType[ManagerChanged](),
		domain.NewEventType[SharingGranted](),
		domain.NewEventType[SharingRevoked](),
		domain.NewEventType[WhyStated](),
		domain.NewEventType[BehaviourChosen](),
		domain.NewEventType[BehaviourChoiceRevised](),
		domain.NewEventType[LearningGoalFormulated](),
		domain.NewEventType[LearningGoalRevised](),
		domain.NewEventType[LearningGoalClosed](),
		domain.NewEventType[AssignmentGiven](),
		domain.NewEventType[AssignmentHandedIn](),
		domain.NewEventType[ExperimentLogged]().WithUpcast(2, UpcastExperimentLogged),
		domain.NewEventType[ExperimentTried](),
		domain.NewEventType[ExperimentReflected](),
		domain.NewEventType[ExperimentConcluded](),
		domain.NewEventType[IntervisionAttended](),
		domain.NewEventType[CoachingSessionHeld](),
		domain.NewEventType[ModuleEvaluated](),
		domain.NewEventType[LearningRated](),
		domain.NewEventType[ConversationRecorded](),
		domain.NewEventType[ConversationRevised](),
		domain.NewEventType[ConversationConfirmed](),
		domain.NewEventType[ConversationFinalised](),
		domain.NewEventType[MeasurementRecorded](),
		domain.NewEventType[Completed](),
		domain.NewEventType[Withdrawn](),
		domain.NewEventType[Erased](),
		domain.NewEventType[ManagerErased](),
	}
}

// Score is the score of one evaluation question, from 1 to 5.
type Score struct {
	Question Question `json:"questionId"`
	Score    int      `json:"score"`
}

// Enrolled records the start of a participant's journey in a cohort, with their role and their own manager. ProgrammeID, EntityID and RaterApproval are the cohort's at enrolment.
type Enrolled struct {
	JourneyID     string    `json:"journeyId"`
	ParticipantID string    `json:"participantId"`
	CohortID      string    `json:"cohortId"`
	ProgrammeID   string    `json:"programmeId"`
	EntityID      string    `json:"entityId"`
	Role          Role      `json:"role"`
	ManagerID     string    `json:"managerId"`
	RaterApproval bool      `json:"raterApproval"` // the manager approves 360 raters
	At            time.Time `json:"at"`
}

// EventName returns "journey.enrolled".
func (Enrolled) EventName() string { return "journey.enrolled" }

// ManagerChanged records that the participant has a new manager. Sharing does not carry over: every section shared with the former manager is unshared.
type ManagerChanged struct {
	ManagerID string    `json:"managerId"`
	At        time.Time `json:"at"`
}

// EventName returns "journey.manager_changed".
func (ManagerChanged) EventName() string { return "journey.manager_changed" }

// SharingGranted records that the participant shares a portfolio section with their manager.
type SharingGranted struct {
	Section   Section   `json:"section"`
	ManagerID string    `json:"managerId"`
	At        time.Time `json:"at"`
}

// EventName returns "journey.sharing_granted".
func (SharingGranted) EventName() string { return "journey.sharing_granted" }

// SharingRevoked records that the participant no longer shares a section.
type SharingRevoked struct {
	Section Section   `json:"section"`
	At      time.Time `json:"at"`
}

// EventName returns "journey.sharing_revoked".
func (SharingRevoked) EventName() string { return "journey.sharing_revoked" }

// WhyStated records the participant's personal why and values; a later one replaces it.
type WhyStated struct {
	ParticipantID string    `json:"participantId"`
	Why           string    `json:"why" personal:"subject"`
	Values        []string  `json:"values" personal:"subject"`
	At            time.Time `json:"at"`
}

// EventName returns "journey.why_stated".
func (WhyStated) EventName() string { return "journey.why_stated" }

// PersonalDataSubject returns the participant.
func (e WhyStated) PersonalDataSubject() string { return e.ParticipantID }

// BehaviourChosen records what the participant chooses to do with a behaviour of a competency.
type BehaviourChosen struct {
	ParticipantID string    `json:"participantId"`
	ChoiceID      string    `json:"choiceId"`
	CompetencyID  string    `json:"competencyId"`
	Behaviour     string    `json:"behaviour" personal:"subject"`
	Choice        Choice    `json:"choice"`
	At            time.Time `json:"at"`
}

// EventName returns "journey.behaviour_chosen".
func (BehaviourChosen) EventName() string { return "journey.behaviour_chosen" }

// PersonalDataSubject returns the participant.
func (e BehaviourChosen) PersonalDataSubject() string { return e.ParticipantID }

// BehaviourChoiceRevised records a changed choice about a behaviour.
type BehaviourChoiceRevised struct {
	ChoiceID string    `json:"choiceId"`
	Choice   Choice    `json:"choice"`
	At       time.Time `json:"at"`
}

// EventName returns "journey.behaviour_choice_revised".
func (BehaviourChoiceRevised) EventName() string { return "journey.behaviour_choice_revised" }

// LearningGoalFormulated records a learning goal or question, linked to competencies and to learning goals of modules.
// Text is what the participant wants to learn; SuccessCriteria (how they will see it) and DueOn (by when) make it
// SMART where possible. Both came later and are optional: events without them stay valid.
type LearningGoalFormulated struct {
	ParticipantID   string    `json:"participantId"`
	GoalID          string    `json:"goalId"`
	Kind            GoalKind  `json:"kind"`
	Text            string    `json:"text" personal:"subject"`
	SuccessCriteria string    `json:"successCriteria,omitempty" personal:"subject"`
	DueOn           time.Time `json:"dueOn,omitzero"`
	CompetencyIDs   []string  `json:"competencyIds,omitempty"`
	ModuleGoalIDs   []string  `json:"moduleGoalIds,omitempty"`
	At              time.Time `json:"at"`
}

// EventName returns "journey.learning_goal_formulated".
func (LearningGoalFormulated) EventName() string { return "journey.learning_goal_formulated" }

// PersonalDataSubject returns the participant.
func (e LearningGoalFormulated) PersonalDataSubject() string { return e.ParticipantID }

// LearningGoalRevised records a new wording of an open learning goal: its text, success criteria and due date,
// each replacing the one before (an empty SuccessCriteria or zero DueOn: none). Kind and links stay.
type LearningGoalRevised struct {
	ParticipantID   string    `json:"participantId"`
	GoalID          string    `json:"goalId"`
	Text            string    `json:"text" personal:"subject"`
	SuccessCriteria string    `json:"successCriteria,omitempty" personal:"subject"`
	DueOn           time.Time `json:"dueOn,omitzero"`
	At              time.Time `json:"at"`
}

// EventName returns "journey.learning_goal_revised".
func (LearningGoalRevised) EventName() string { return "journey.learning_goal_revised" }

// PersonalDataSubject returns the participant.
func (e LearningGoalRevised) PersonalDataSubject() string { return e.ParticipantID }

// LearningGoalClosed records that the participant closed a learning goal, achieved or dropped, with an optional
// reflection. A closed goal takes no new experiment and is not revised.
type LearningGoalClosed struct {
	ParticipantID string      `json:"participantId"`
	GoalID        string      `json:"goalId"`
	Outcome       GoalOutcome `json:"outcome"`
	Reflection    string      `json:"reflection,omitempty" personal:"subject"`
	At            time.Time   `json:"at"`
}

// EventName returns "journey.learning_goal_closed".
func (LearningGoalClosed) EventName() string { return "journey.learning_goal_closed" }

// PersonalDataSubject returns the participant.
func (e LearningGoalClosed) PersonalDataSubject() string { return e.ParticipantID }

// AssignmentGiven records a practice assignment given to the participant for a module.
type AssignmentGiven struct {
	AssignmentID string    `json:"assignmentId"`
	ModuleID     string    `json:"moduleId"`
	TrainerID    string    `json:"trainerId"`
	Title        string    `json:"title"`
	DueOn        time.Time `json:"dueOn"`
	At           time.Time `json:"at"`
}

// EventName returns "journey.assignment_given".
func (AssignmentGiven) EventName() string { return "journey.assignment_given" }

// AssignmentHandedIn records a practice assignment handed in with the participant's reflection.
type AssignmentHandedIn struct {
	ParticipantID string    `json:"participantId"`
	AssignmentID  string    `json:"assignmentId"`
	Reflection    string    `json:"reflection" personal:"subject"`
	At            time.Time `json:"at"`
}

// EventName returns "journey.assignment_handed_in".
func (AssignmentHandedIn) EventName() string { return "journey.assignment_handed_in" }

// PersonalDataSubject returns the participant.
func (e AssignmentHandedIn) PersonalDataSubject() string { return e.ParticipantID }

// ExperimentLogged records an experiment the participant intends to try at work, for one of their learning goals. Its payload is at schema version 2; see UpcastExperimentLogged.
type ExperimentLogged struct {
	ParticipantID  string    `json:"participantId"`
	ExperimentID   string    `json:"experimentId"`
	LearningGoalID string    `json:"learningGoalId"`
	Intention      string    `json:"intention" personal:"subject"`
	PlannedFor     time.Time `json:"plannedFor"`
	At             time.Time `json:"at"`
}

// EventName returns "journey.experiment_logged".
func (ExperimentLogged) EventName() string { return "journey.experiment_logged" }

// PersonalDataSubject returns the participant.
func (e ExperimentLogged) PersonalDataSubject() string { return e.ParticipantID }

// ExperimentTried records what the participant tried.
type ExperimentTried struct {
	ParticipantID string    `json:"participantId"`
	ExperimentID  string    `json:"experimentId"`
	WhatWasTried  string    `json:"whatWasTried" personal:"subject"`
	TriedOn       time.Time `json:"triedOn"`
	At            time.Time `json:"at"`
}

// EventName returns "journey.experiment_tried".
func (ExperimentTried) EventName() string { return "journey.experiment_tried" }

// PersonalDataSubject returns the participant.
func (e ExperimentTried) PersonalDataSubject() string { return e.ParticipantID }

// ExperimentReflected records what happened and the participant's reflection on it.
type ExperimentReflected struct {
	ParticipantID string    `json:"participantId"`
	ExperimentID  string    `json:"experimentId"`
	Outcome       string    `json:"outcome" personal:"subject"`
	Reflection    string    `json:"reflection" personal:"subject"`
	At            time.Time `json:"at"`
}

// EventName returns "journey.experiment_reflected".
func (ExperimentReflected) EventName() string { return "journey.experiment_reflected" }

// PersonalDataSubject returns the participant.
func (e ExperimentReflected) PersonalDataSubject() string { return e.ParticipantID }

// ExperimentConcluded records the next step the participant takes after an experiment.
type ExperimentConcluded struct {
	ParticipantID string    `json:"participantId"`
	ExperimentID  string    `json:"experimentId"`
	NextStep      string    `json:"nextStep" personal:"subject"`
	At            time.Time `json:"at"`
}

// EventName returns "journey.experiment_concluded".
func (ExperimentConcluded) EventName() string { return "journey.experiment_concluded" }

// PersonalDataSubject returns the participant.
func (e ExperimentConcluded) PersonalDataSubject() string { return e.ParticipantID }

// IntervisionAttended records an intervision session the participant attended and the case they brought in, if any. Intervision content is confidential to the group.
type IntervisionAttended struct {
	ParticipantID string    `json:"participantId"`
	SessionID     string    `json:"sessionId"`
	GroupID       string    `json:"groupId"`
	HeldOn        time.Time `json:"heldOn"`
	Method        string    `json:"method,omitempty"` // e.g. incident method
	CaseBroughtIn bool      `json:"caseBroughtIn"`
	Case          string    `json:"case,omitempty" personal:"subject"`
	At            time.Time `json:"at"`
}

// EventName returns "journey.intervision_attended".
func (IntervisionAttended) EventName() string { return "journey.intervision_attended" }

// PersonalDataSubject returns the participant.
func (e IntervisionAttended) PersonalDataSubject() string { return e.ParticipantID }

// CoachingSessionHeld records a coaching session.
type CoachingSessionHeld struct {
	ParticipantID string    `json:"participantId"`
	SessionID     string    `json:"sessionId"`
	CoachID       string    `json:"coachId"`
	HeldOn        time.Time `json:"heldOn"`
	Notes         string    `json:"notes,omitempty" personal:"subject"`
	At            time.Time `json:"at"`
}

// EventName returns "journey.coaching_session_held".
func (CoachingSessionHeld) EventName() string { return "journey.coaching_session_held" }

// PersonalDataSubject returns the participant.
func (e CoachingSessionHeld) PersonalDataSubject() string { return e.ParticipantID }

// ModuleEvaluated records the participant's evaluation of a delivery they attended, attached to the module version delivered.
type ModuleEvaluated struct {
	ParticipantID string    `json:"participantId"`
	DeliveryID    string    `json:"deliveryId"`
	ModuleID      string    `json:"moduleId"`
	ModuleVersion int       `json:"moduleVersion"`
	Scores        []Score   `json:"scores"`
	Comments      string    `json:"comments,omitempty" personal:"subject"`
	At            time.Time `json:"at"`
}

// EventName returns "journey.module_evaluated".
func (ModuleEvaluated) EventName() string { return "journey.module_evaluated" }

// PersonalDataSubject returns the participant.
func (e ModuleEvaluated) PersonalDataSubject() string { return e.ParticipantID }

// ConversationRecorded records a development conversation with the manager: agreements and next learning questions, not yet confirmed.
type ConversationRecorded struct {
	ParticipantID  string    `json:"participantId"`
	ConversationID string    `json:"conversationId"`
	ManagerID      string    `json:"managerId"`
	HeldOn         time.Time `json:"heldOn"`
	Agreements     []string  `json:"agreements" personal:"subject"`
	NextQuestions  []string  `json:"nextQuestions" personal:"subject"`
	At             time.Time `json:"at"`
}

// EventName returns "journey.development_conversation_recorded".
func (ConversationRecorded) EventName() string { return "journey.development_conversation_recorded" }

// PersonalDataSubject returns the participant.
func (e ConversationRecorded) PersonalDataSubject() string { return e.ParticipantID }

// ConversationRevised records changed agreements or questions; confirmations given before are void.
type ConversationRevised struct {
	ParticipantID  string    `json:"participantId"`
	ConversationID string    `json:"conversationId"`
	Agreements     []string  `json:"agreements" personal:"subject"`
	NextQuestions  []string  `json:"nextQuestions" personal:"subject"`
	At             time.Time `json:"at"`
}

// EventName returns "journey.development_conversation_revised".
func (ConversationRevised) EventName() string { return "journey.development_conversation_revised" }

// PersonalDataSubject returns the participant.
func (e ConversationRevised) PersonalDataSubject() string { return e.ParticipantID }

// ConversationConfirmed records that the participant or the manager confirmed a conversation's record.
type ConversationConfirmed struct {
	ConversationID string    `json:"conversationId"`
	Party          Party     `json:"party"`
	ConfirmedBy    string    `json:"confirmedBy"`
	At             time.Time `json:"at"`
}

// EventName returns "journey.development_conversation_confirmed".
func (ConversationConfirmed) EventName() string { return "journey.development_conversation_confirmed" }

// ConversationFinalised records that both parties confirmed a conversation; it does not change any more.
type ConversationFinalised struct {
	ConversationID string    `json:"conversationId"`
	At             time.Time `json:"at"`
}

// EventName returns "journey.development_conversation_finalised".
func (ConversationFinalised) EventName() string { return "journey.development_conversation_finalised" }

// MeasurementRecorded records the result of a style or team-role instrument or another measurement.
type MeasurementRecorded struct {
	ParticipantID string          `json:"participantId"`
	MeasurementID string          `json:"measurementId"`
	Kind          MeasurementKind `json:"kind"`
	Instrument    string          `json:"instrument"` // e.g. Belbin
	Result        string          `json:"result" personal:"subject"`
	TakenOn       time.Time       `json:"takenOn"`
	At            time.Time       `json:"at"`
}

// EventName returns "journey.measurement_recorded".
func (MeasurementRecorded) EventName() string { return "journey.measurement_recorded" }

// PersonalDataSubject returns the participant.
func (e MeasurementRecorded) PersonalDataSubject() string { return e.ParticipantID }

// Completed records that the participant completed the journey.
type Completed struct {
	At time.Time `json:"at"`
}

// EventName returns "journey.completed".
func (Completed) EventName() string { return "journey.completed" }

// Withdrawn records that the participant withdrew.
type Withdrawn struct {
	ParticipantID string    `json:"participantId"`
	Reason        string    `json:"reason,omitempty" personal:"subject"`
	At            time.Time `json:"at"`
}

// EventName returns "journey.withdrawn".
func (Withdrawn) EventName() string { return "journey.withdrawn" }

// PersonalDataSubject returns the participant.
func (e Withdrawn) PersonalDataSubject() string { return e.ParticipantID }

// GoalRating is a participant's rating of one learning goal of a module
// version, from 1 to 5: where they stood before the module, rated afterwards
// (a retrospective, then-test rating), and where they stand now.
type GoalRating struct {
	LearningGoalID string `json:"learningGoalId"` // a catalogue.LearningGoal of the delivered version
	Before         int    `json:"before"`
	Now            int    `json:"now"`
}

// LearningRated records a participant's level 2 ratings at the end of a
// delivered module (leerpad.impact/v1 §3): per learning goal of the
// delivered module version, a retrospective "before" and a "now". Rated once
// per delivery; a goal appears at most once.
type LearningRated struct {
	ParticipantID string       `json:"participantId"`
	DeliveryID    string       `json:"deliveryId"`
	ModuleID      string       `json:"moduleId"`
	ModuleVersion int          `json:"moduleVersion"`
	Ratings       []GoalRating `json:"ratings"`
	At            time.Time    `json:"at"`
}

// EventName returns "journey.learning_rated".
func (LearningRated) EventName() string { return "journey.learning_rated" }

// Erased records that the journey's participant was erased (the erasure
// record is the stream erasure-<participant id>): their key is deleted, so
// nothing personal of the journey can be read, and no reader sees the journey
// any more. Nothing is recorded on it after this.
type Erased struct {
	ErasureID string    `json:"erasureId"`
	At        time.Time `json:"at"`
}

// EventName returns "journey.erased".
func (Erased) EventName() string { return "journey.erased" }

// ManagerErased records that the journey's manager was erased (the erasure
// record is the stream erasure-<manager id>): from here the journey has no
// manager, so they read and record nothing on it any more, and nothing is
// shared. Recorded on journeys that ended; an active journey gets a new
// manager first (ManagerChanged).
type ManagerErased struct {
	ErasureID string    `json:"erasureId"`
	At        time.Time `json:"at"`
}

// EventName returns "journey.manager_erased".
func (ManagerErased) EventName() string { return "journey.manager_erased" }
