package portfolio

import (
	"time"

	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/journey"
)

// Part names a part of the portfolio view. Some parts are a section the
// participant can share with their manager (SectionOf); the others are not
// shareable sections: the journey itself (enrolment, status, sharing),
// module participation, intervision and development conversations. Which
// reader sees which part is the API's decision, not the read model's.
type Part string

// The parts of a portfolio.
const (
	PartJourney          Part = "journey"
	PartWhyAndValues     Part = "why-and-values"
	PartBehaviourChoices Part = "behaviour-choices"
	PartLearningGoals    Part = "learning-goals"
	PartExperiments      Part = "experiments"
	PartAssignments      Part = "assignments"
	PartCoaching         Part = "coaching"
	PartEvaluations      Part = "evaluations"
	PartMeasurements     Part = "measurements"
	PartFeedbackResults  Part = "feedback-results"
	PartModules          Part = "modules"
	PartIntervision      Part = "intervision"
	PartConversations    Part = "conversations"
)

// SectionOf returns the shareable section that part p is, if it is one.
func SectionOf(p Part) (journey.Section, bool) {
	s, err := journey.ParseSection(string(p))
	return s, err == nil
}

// View is a journey's portfolio as it stood at one moment: now, or as of a
// past moment. Each field documents its Part; the API keeps the parts the
// reader may see (for the manager: the shared sections and what is theirs
// anyway). A View is the caller's own copy.
type View struct {
	JourneyID     string         `json:"journeyId"`
	ParticipantID string         `json:"participantId"`
	CohortID      string         `json:"cohortId"`
	ProgrammeID   string         `json:"programmeId"`
	EntityID      string         `json:"entityId"`
	Role          journey.Role   `json:"role"`
	Status        journey.Status `json:"status"`
	ManagerID     string         `json:"managerId"`
	EnrolledAt    time.Time      `json:"enrolledAt"`
	// ClosedAt is when the journey was completed or withdrawn.
	ClosedAt *time.Time `json:"closedAt,omitempty"`
	// AsOf is the moment the view was folded up to; nil for the current view.
	AsOf *time.Time `json:"asOf,omitempty"`
	// Shared holds the sections shared with ManagerID, in the order of
	// journey.Sections. A new manager starts with none.
	Shared []journey.Section `json:"shared"`

	// Timeline holds every entry of the journey in time order (ties in the
	// order recorded); each names its Part. Single 360 responses and nominations are no entries.
	Timeline []TimelineEntry `json:"timeline"`

	WhyAndValues     *WhyAndValues      `json:"whyAndValues,omitempty"` // PartWhyAndValues
	BehaviourChoices []BehaviourChoice  `json:"behaviourChoices"`       // PartBehaviourChoices
	LearningGoals    []LearningGoal     `json:"learningGoals"`          // PartLearningGoals
	Experiments      []Experiment       `json:"experiments"`            // PartExperiments
	Assignments      []Assignment       `json:"assignments"`            // PartAssignments
	Coaching         []CoachingSession  `json:"coaching"`               // PartCoaching
	Evaluations      []Evaluation       `json:"evaluations"`            // PartEvaluations
	Measurements     []Measurement      `json:"measurements"`           // PartMeasurements
	FeedbackRounds   []FeedbackRound    `json:"feedbackRounds"`         // PartFeedbackResults
	FeedbackChange   []CompetencyChange `json:"feedbackChange"`         // PartFeedbackResults
	Modules          []ModuleDelivery   `json:"modules"`                // PartModules
	Intervision      []IntervisionVisit `json:"intervision"`            // PartIntervision
	Conversations    []Conversation     `json:"conversations"`          // PartConversations
	Withdrawal       *WithdrawalReason  `json:"withdrawal,omitempty"`   // PartJourney
}

// TimelineEntry is one dated step of the journey.
type TimelineEntry struct {
	At    time.Time `json:"at"`
	Event string    `json:"event"` // the stored event name
	Part  Part      `json:"part"`
	// RefID is the id of what the entry is about (goal, experiment, round...).
	RefID string `json:"refId,omitempty"`
}

// WhyAndValues is the participant's personal why and values.
type WhyAndValues struct {
	Why      string    `json:"why"`
	Values   []string  `json:"values"`
	StatedAt time.Time `json:"statedAt"`
}

// BehaviourChoice is what the participant does with a behaviour.
type BehaviourChoice struct {
	ChoiceID     string         `json:"choiceId"`
	CompetencyID string         `json:"competencyId"`
	Behaviour    string         `json:"behaviour"`
	Choice       journey.Choice `json:"choice"`
	ChosenAt     time.Time      `json:"chosenAt"`
	// Earlier holds the choices it replaced, oldest first.
	Earlier []ChoiceChange `json:"earlier,omitempty"`
}

// ChoiceChange is a choice as it was until it was revised.
type ChoiceChange struct {
	Choice journey.Choice `json:"choice"`
	At     time.Time      `json:"at"`
}

// LearningGoal is a learning goal or question, with the ids of the
// experiments and assignments behind it. GoalDetails joins them. Text is
// what the participant wants to learn, SuccessCriteria how they will see
// it and DueOn by when (SMART where possible); the latest revision holds.
type LearningGoal struct {
	GoalID          string           `json:"goalId"`
	Kind            journey.GoalKind `json:"kind"`
	Text            string           `json:"text"`
	SuccessCriteria string           `json:"successCriteria,omitempty"`
	DueOn           *time.Time       `json:"dueOn,omitempty"`
	// Revisions counts the revisions; RevisedAt is the latest one's time.
	Revisions int        `json:"revisions"`
	RevisedAt *time.Time `json:"revisedAt,omitempty"`
	// Outcome is zero while the goal is open; ClosedAt and ClosingReflection
	// are set with it.
	Outcome           journey.GoalOutcome `json:"outcome,omitzero"`
	ClosedAt          *time.Time          `json:"closedAt,omitempty"`
	ClosingReflection string              `json:"closingReflection,omitempty"`
	CompetencyIDs     []string            `json:"competencyIds"`
	ModuleGoalIDs     []string            `json:"moduleGoalIds"`
	// ModuleIDs are the modules whose learning goals the goal links to.
	ModuleIDs     []string  `json:"moduleIds"`
	FormulatedAt  time.Time `json:"formulatedAt"`
	ExperimentIDs []string  `json:"experimentIds"`
	AssignmentIDs []string  `json:"assignmentIds"`
}

// Experiment is an experiment at work and how far it came.
type Experiment struct {
	ExperimentID   string       `json:"experimentId"`
	LearningGoalID string       `json:"learningGoalId"`
	Step           journey.Step `json:"step"`
	Intention      string       `json:"intention"`
	PlannedFor     time.Time    `json:"plannedFor"`
	LoggedAt       time.Time    `json:"loggedAt"`
	WhatWasTried   string       `json:"whatWasTried,omitempty"`
	TriedOn        *time.Time   `json:"triedOn,omitempty"`
	Outcome        string       `json:"outcome,omitempty"`
	Reflection     string       `json:"reflection,omitempty"`
	ReflectedAt    *time.Time   `json:"reflectedAt,omitempty"`
	NextStep       string       `json:"nextStep,omitempty"`
	ConcludedAt    *time.Time   `json:"concludedAt,omitempty"`
}

// Assignment is a practice assignment and, once handed in, its reflection.
type Assignment struct {
	AssignmentID string     `json:"assignmentId"`
	ModuleID     string     `json:"moduleId"`
	Title        string     `json:"title"`
	DueOn        time.Time  `json:"dueOn"`
	GivenAt      time.Time  `json:"givenAt"`
	HandedInAt   *time.Time `json:"handedInAt,omitempty"`
	OnTime       bool       `json:"onTime"`
	Reflection   string     `json:"reflection,omitempty"`
	// LearningGoalIDs are the participant's goals linked to the module.
	LearningGoalIDs []string `json:"learningGoalIds"`
}

// CoachingSession is a coaching session.
type CoachingSession struct {
	SessionID string    `json:"sessionId"`
	CoachID   string    `json:"coachId"`
	HeldOn    time.Time `json:"heldOn"`
	Notes     string    `json:"notes,omitempty"`
}

// Evaluation is the participant's evaluation of a delivery.
type Evaluation struct {
	DeliveryID    string          `json:"deliveryId"`
	ModuleID      string          `json:"moduleId"`
	ModuleVersion int             `json:"moduleVersion"`
	Scores        []journey.Score `json:"scores"`
	Comments      string          `json:"comments,omitempty"`
	At            time.Time       `json:"at"`
}

// Measurement is the result of an instrument such as a team-role profile.
type Measurement struct {
	MeasurementID string                  `json:"measurementId"`
	Kind          journey.MeasurementKind `json:"kind"`
	Instrument    string                  `json:"instrument"`
	Result        string                  `json:"result"`
	TakenOn       time.Time               `json:"takenOn"`
}

// ModuleDelivery is the participant's part in one delivery of their cohort.
type ModuleDelivery struct {
	DeliveryID    string    `json:"deliveryId"`
	ModuleID      string    `json:"moduleId"`
	ModuleVersion int       `json:"moduleVersion"`
	StartsAt      time.Time `json:"startsAt"`
	EndsAt        time.Time `json:"endsAt"`
	// Attendance is zero while not recorded.
	Attendance          cohort.AttendanceStatus `json:"attendance"`
	Evaluated           bool                    `json:"evaluated"`
	AssignmentsGiven    int                     `json:"assignmentsGiven"`
	AssignmentsHandedIn int                     `json:"assignmentsHandedIn"`
}

// IntervisionVisit is an intervision session the participant attended. The
// case itself is confidential to the group and is not part of the portfolio.
type IntervisionVisit struct {
	SessionID     string    `json:"sessionId"`
	GroupID       string    `json:"groupId"`
	HeldOn        time.Time `json:"heldOn"`
	Method        string    `json:"method,omitempty"`
	CaseBroughtIn bool      `json:"caseBroughtIn"`
}

// Conversation is a development conversation with the manager.
type Conversation struct {
	ConversationID string          `json:"conversationId"`
	ManagerID      string          `json:"managerId"`
	HeldOn         time.Time       `json:"heldOn"`
	Agreements     []string        `json:"agreements"`
	NextQuestions  []string        `json:"nextQuestions"`
	RecordedAt     time.Time       `json:"recordedAt"`
	Revisions      int             `json:"revisions"`
	ConfirmedBy    []journey.Party `json:"confirmedBy"`
	Final          bool            `json:"final"`
	FinalisedAt    *time.Time      `json:"finalisedAt,omitempty"`
}

// WithdrawalReason is why the participant withdrew.
type WithdrawalReason struct {
	Reason string    `json:"reason,omitempty"`
	At     time.Time `json:"at"`
}

// FeedbackRound is a 360 round of the journey. Its results (scores, gaps,
// comments) appear only once the round is closed, so that no one can work
// out a single rater's answers from the change a late response makes.
type FeedbackRound struct {
	RoundID         string             `json:"roundId"`
	Kind            feedback.RoundKind `json:"kind"`
	InstrumentID    string             `json:"instrumentId"`
	InstrumentTitle string             `json:"instrumentTitle"`
	OpenedAt        time.Time          `json:"openedAt"`
	ClosedAt        *time.Time         `json:"closedAt,omitempty"`
	// Points is the number of points of the instrument's scale; 0 when the
	// instrument is unknown.
	Points int `json:"points,omitempty"`
	// GapThreshold is the gap, in points of this round's scale, at which a
	// competency's self-other gap is flagged (see Classify); set with the
	// results.
	GapThreshold float64 `json:"gapThreshold,omitempty"`
	// Raters counts nominated and responding raters per group.
	Raters       []RaterCount       `json:"raters"`
	Competencies []CompetencyResult `json:"competencies,omitempty"`
	// Comments are the comments of the groups that may be shown (see
	// FeedbackComment), in an order that carries no rater identity.
	Comments []FeedbackComment `json:"comments,omitempty"`
}

// RaterCount is how many raters of a group were nominated, rejected and have responded.
type RaterCount struct {
	Group     feedback.RaterGroup `json:"group"`
	Nominated int                 `json:"nominated"`
	Rejected  int                 `json:"rejected"`
	Responded int                 `json:"responded"`
}

// CompetencyResult is a closed round's result on one competency.
type CompetencyResult struct {
	CompetencyID string        `json:"competencyId"`
	Name         string        `json:"name"`
	Groups       []GroupResult `json:"groups"`
	// Gap is self minus the others of the shown groups; nil without self or
	// without a shown other group.
	Gap *SelfOtherGap `json:"gap,omitempty"`
}

// GroupResult is one rater group's mean on a competency, or the fact that
// it is suppressed (too few raters: no mean, no count).
type GroupResult struct {
	Group      feedback.RaterGroup `json:"group"`
	Raters     int                 `json:"raters,omitempty"`
	Mean       *float64            `json:"mean,omitempty"`
	Suppressed bool                `json:"suppressed,omitempty"`
}

// SelfOtherGap is the participant's own score minus the others' score, and
// its flag by the blind-spot rule (see Classify).
type SelfOtherGap struct {
	Self        float64 `json:"self"`
	Others      float64 `json:"others"`
	OtherRaters int     `json:"otherRaters"`
	Gap         float64 `json:"gap"`
	// Flag is blind spot, hidden strength, or zero for neither.
	Flag GapFlag `json:"flag"`
}

// FeedbackComment is an open comment of a group that may be shown: only
// where the group reaches its anonymity threshold, as its scores. It names
// no rater, and the comments of a round are ordered by group, competency
// and text, never by rater or by when they were written, so that their
// order tells nothing of who wrote which.
type FeedbackComment struct {
	Group        feedback.RaterGroup `json:"group"`
	CompetencyID string              `json:"competencyId,omitempty"`
	Text         string              `json:"text"`
}

// CompetencyChange is the change of one group's mean on a competency from the
// first closed pre round to the last closed post round, where both are shown.
type CompetencyChange struct {
	CompetencyID string              `json:"competencyId"`
	Name         string              `json:"name"`
	Group        feedback.RaterGroup `json:"group"`
	Pre          float64             `json:"pre"`
	Post         float64             `json:"post"`
	Change       float64             `json:"change"`
}

// GoalDetail is a learning goal with the experiments and assignments behind it.
type GoalDetail struct {
	LearningGoal
	Experiments []Experiment `json:"experiments"`
	Assignments []Assignment `json:"assignments"`
}

// GoalDetails joins every learning goal of v with the experiments and
// assignments behind it, with their reflections. It works on what v holds:
// call it after dropping the parts a reader may not see, and the goals come
// without them.
func (v View) GoalDetails() []GoalDetail {
	exps := make(map[string]Experiment, len(v.Experiments))
	for _, e := range v.Experiments {
		exps[e.ExperimentID] = e
	}
	asgs := make(map[string]Assignment, len(v.Assignments))
	for _, a := range v.Assignments {
		asgs[a.AssignmentID] = a
	}
	out := make([]GoalDetail, 0, len(v.LearningGoals))
	for _, g := range v.LearningGoals {
		d := GoalDetail{LearningGoal: g, Experiments: []Experiment{}, Assignments: []Assignment{}}
		for _, id := range g.ExperimentIDs {
			if e, ok := exps[id]; ok {
				d.Experiments = append(d.Experiments, e)
			}
		}
		for _, id := range g.AssignmentIDs {
			if a, ok := asgs[id]; ok {
				d.Assignments = append(d.Assignments, a)
			}
		}
		out = append(out, d)
	}
	return out
}

// Sharing is who a journey's portfolio is shared with, and which sections.
type Sharing struct {
	JourneyID     string            `json:"journeyId"`
	ParticipantID string            `json:"participantId"`
	ManagerID     string            `json:"managerId"`
	Sections      []journey.Section `json:"sections"`
}

// Traces are what the portfolio read model holds of one person, by id: the
// journeys they follow, the journeys they manage now or managed before,
// and the 360 rounds of others they were nominated in as a rater, with
// their own responses. What an erasure removes and an export hands over.
type Traces struct {
	PersonID        string
	Journeys        []string
	Managed         []string
	FormerlyManaged []string
	Rated           []RatedRound
}

// RatedRound is a 360 round of another participant a person was nominated
// in as a rater: the group, and what they answered (nil when they did not).
type RatedRound struct {
	RoundID     string
	JourneyID   string
	Group       feedback.RaterGroup
	NominatedAt time.Time
	Response    *feedback.ResponseSubmitted
}

// Empty reports whether the read model holds nothing of the person.
func (t Traces) Empty() bool {
	return len(t.Journeys) == 0 && len(t.Managed) == 0 && len(t.FormerlyManaged) == 0 && len(t.Rated) == 0
}

// SharingChange is one change in what a participant shares with their
// manager: a section granted or revoked, or every section unshared by a
// change of manager (Section empty, Change "manager-changed"). The history
// of consent, oldest first.
type SharingChange struct {
	At        time.Time       `json:"at"`
	Change    string          `json:"change"` // granted, revoked, manager-changed, manager-erased
	Section   journey.Section `json:"section,omitzero"`
	ManagerID string          `json:"managerId,omitempty"`
}
