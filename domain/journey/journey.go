package journey

// Invariants of a journey:
//   - a journey is enrolled once, for a participant enrolled in the cohort and
//     not withdrawn from it, with a role and a manager who is not the
//     participant;
//   - nothing is logged on a completed or withdrawn journey, with one
//     exception: the participant can always revoke sharing;
//   - a section is shared only when not shared, and unshared only when shared;
//     a new manager sees nothing until the participant shares again;
//   - ids of choices, goals, assignments, experiments, sessions, conversations
//     and measurements are unique within the journey;
//   - what happened on a date happened no later than it is recorded: a
//     measurement taken, an experiment tried, an intervision or coaching
//     session or a development conversation held;
//   - a revised behaviour choice exists and changes;
//   - a learning goal links to at least one competency or module learning goal,
//     each one the catalogue knows for the journey's programme (Links);
//   - a learning goal's due date, when set, lies in domain.RequireTime's range;
//   - a closed learning goal (achieved or dropped) is closed once, is not
//     revised and takes no new experiment;
//   - an assignment is handed in once, and only one that was given;
//   - an experiment is for a learning goal of the journey and moves through
//     its steps in order: planned, tried, reflected, concluded, each once;
//     the reflection and the conclusion come no earlier than the day it was
//     tried, and the conclusion no earlier than the reflection;
//   - a case is described when, and only when, the participant brought it in;
//   - a module is evaluated only for a delivery of the journey's cohort the
//     participant attended, not before the delivery started, once per
//     delivery, with scores from 1 to 5, each question at most once; the
//     learning of a delivery is rated likewise, per learning goal of the
//     module version delivered (learning.go);
//   - a development conversation is final only when both the participant and
//     the manager it was held with confirmed it, each confirmed by that very
//     person; a revision voids earlier confirmations; a final conversation
//     does not change.

import (
	"fmt"
	"slices"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/cohort"
)

// Errors of journeys.
var (
	ErrAlreadyEnrolled     = fmt.Errorf("journey already enrolled: %w", domain.ErrConflict)
	ErrNotEnrolled         = fmt.Errorf("journey not enrolled: %w", domain.ErrNotFound)
	ErrNotInCohort         = fmt.Errorf("participant not enrolled in the cohort: %w", domain.ErrNotFound)
	ErrWithdrawnFromCohort = fmt.Errorf("participant withdrawn from the cohort: %w", domain.ErrConflict)
	ErrJourneyClosed       = fmt.Errorf("journey is completed or withdrawn: %w", domain.ErrConflict)
	ErrSameManager         = fmt.Errorf("already the participant's manager: %w", domain.ErrConflict)
	ErrAlreadyShared       = fmt.Errorf("section already shared: %w", domain.ErrConflict)
	ErrNotShared           = fmt.Errorf("section not shared: %w", domain.ErrConflict)
	ErrDuplicateID         = fmt.Errorf("id already used in the journey: %w", domain.ErrConflict)
	ErrChoiceNotFound      = fmt.Errorf("behaviour choice not made: %w", domain.ErrNotFound)
	ErrChoiceUnchanged     = fmt.Errorf("behaviour choice unchanged: %w", domain.ErrConflict)
	// ErrGoalNotFound is a learning goal named by the path of a command on
	// it (revise, close) that the journey does not have.
	ErrGoalNotFound = fmt.Errorf("learning goal not formulated: %w", domain.ErrNotFound)
	ErrGoalClosed   = fmt.Errorf("learning goal is closed: %w", domain.ErrConflict)
	// ErrLearningGoalNotFound and ErrDeliveryNotFound name a field of the
	// command that refers to nothing: the request is wrong (400), the journey
	// is there.
	ErrLearningGoalNotFound = domain.Invalid("learningGoalId", "names no learning goal formulated on this journey")
	ErrAssignmentNotFound   = fmt.Errorf("assignment not given: %w", domain.ErrNotFound)
	ErrAlreadyHandedIn      = fmt.Errorf("assignment already handed in: %w", domain.ErrConflict)
	ErrExperimentNotFound   = fmt.Errorf("experiment not logged: %w", domain.ErrNotFound)
	ErrExperimentOutOfOrder = fmt.Errorf("experiment step out of order: %w", domain.ErrConflict)
	ErrDeliveryNotFound     = domain.Invalid("deliveryId", "names no delivery of the journey's cohort")
	ErrNotAttended          = fmt.Errorf("delivery not attended: %w", domain.ErrForbidden)
	ErrAlreadyEvaluated     = fmt.Errorf("delivery already evaluated: %w", domain.ErrConflict)
	ErrConversationNotFound = fmt.Errorf("development conversation not recorded: %w", domain.ErrNotFound)
	ErrConversationFinal    = fmt.Errorf("development conversation is final: %w", domain.ErrConflict)
	ErrAlreadyConfirmed     = fmt.Errorf("party already confirmed: %w", domain.ErrConflict)
	ErrNotTheParty          = fmt.Errorf("confirmer is not that party: %w", domain.ErrForbidden)
	// ErrErased is any command on a journey whose participant was erased:
	// for every reader it is gone.
	ErrErased = fmt.Errorf("journey erased: %w", domain.ErrNotFound)
	// ErrJourneyActive is the erasure of the manager of a journey still
	// running: the programme office records a new manager first.
	ErrJourneyActive = fmt.Errorf("the journey is still active; record a new manager first: %w", domain.ErrConflict)
)

// Score limits of the module evaluation.
const (
	MinScore = 1
	MaxScore = 5
)

// Journey is one participant's journey through one cohort.
type Journey struct {
	id            string
	participantID string
	cohortID      string
	programmeID   string
	managerID     string
	role          Role
	status        Status
	erased        bool
	raterApproval bool
	shared        map[Section]bool
	ids           map[string]bool // every id used for a sub-entity: none twice
	choices       map[string]Choice
	goals         map[string]bool // goal -> closed
	handedIn      map[string]bool // assignment -> handed in
	experiments   map[string]*experimentState
	evaluated     map[string]bool          // delivery -> evaluated
	rated         map[string]LearningRated // delivery -> its level 2 ratings
	conversations map[string]*conversation

	loaded  int
	changes []domain.Event
}

// experimentState is where an experiment stands, and the dates its later
// steps must not precede.
type experimentState struct {
	step        Step
	triedOn     time.Time // set once tried
	reflectedAt time.Time // set once reflected
}

type conversation struct {
	managerID     string
	confirmations map[Party]bool
	final         bool
}

// Replay rebuilds a journey from its stream. With no events it returns a
// journey that is yet to be enrolled.
func Replay(events ...domain.Event) *Journey {
	j := &Journey{
		shared: map[Section]bool{}, ids: map[string]bool{}, choices: map[string]Choice{}, goals: map[string]bool{},
		handedIn: map[string]bool{}, experiments: map[string]*experimentState{}, evaluated: map[string]bool{}, rated: map[string]LearningRated{},
		conversations: map[string]*conversation{},
	}
	for _, e := range events {
		j.apply(e)
	}
	j.loaded = len(events)
	return j
}

// ID returns the journey's id.
func (j *Journey) ID() string { return j.id }

// Version returns the number of events loaded from the stream.
func (j *Journey) Version() int { return j.loaded }

// Uncommitted returns the events recorded since the journey was loaded.
func (j *Journey) Uncommitted() []domain.Event { return j.changes }

// CatchUp applies events stored after the ones the journey was loaded from
// (another writer's), as Replay would have; nothing may be recorded yet.
func (j *Journey) CatchUp(events ...domain.Event) {
	for _, e := range events {
		j.apply(e)
	}
	j.loaded += len(events)
}

// Committed marks the events recorded since the load as stored: the
// repository calls it after their append, so that the journey can decide the
// next command without being loaded again.
func (j *Journey) Committed() {
	j.loaded += len(j.changes)
	j.changes = nil
}

// ParticipantID returns the participant whose journey it is.
func (j *Journey) ParticipantID() string { return j.participantID }

// CohortID returns the journey's cohort.
func (j *Journey) CohortID() string { return j.cohortID }

// ProgrammeID returns the programme of the journey's cohort.
func (j *Journey) ProgrammeID() string { return j.programmeID }

// ManagerID returns the participant's current manager.
func (j *Journey) ManagerID() string { return j.managerID }

// Role returns the participant's role.
func (j *Journey) Role() Role { return j.role }

// Status returns where the journey stands; zero before enrolment.
func (j *Journey) Status() Status { return j.status }

// RaterApproval reports whether the manager approves 360 raters.
func (j *Journey) RaterApproval() bool { return j.raterApproval }

// Shared reports whether section is shared with the manager.
func (j *Journey) Shared(section Section) bool { return j.shared[section] }

// Enrol starts the journey. e is the participant's enrolment as the cohort
// knows it; the zero Enrolment when the cohort does not know them.
func (j *Journey) Enrol(c Enrol, e cohort.Enrolment) error {
	ps := []*domain.FieldError{
		domain.RequireID("journeyId", c.JourneyID),
		domain.RequireID("participantId", c.ParticipantID),
		domain.RequireID("cohortId", c.CohortID),
		domain.RequireID("managerId", c.ManagerID),
		domain.RequireTime("at", c.At),
	}
	if c.Role.IsZero() {
		ps = append(ps, domain.Required("role"))
	}
	if c.ManagerID != "" && c.ManagerID == c.ParticipantID {
		ps = append(ps, domain.Invalid("managerId", "must not be the participant"))
	}
	if err := domain.Validate(ps...); err != nil {
		return fmt.Errorf("enrol: %w", err)
	}
	if j.id != "" {
		return fmt.Errorf("enrol journey %s: %w", c.JourneyID, ErrAlreadyEnrolled)
	}
	if e.CohortID != c.CohortID || e.ParticipantID != c.ParticipantID {
		return fmt.Errorf("enrol participant %s in cohort %s: %w", c.ParticipantID, c.CohortID, ErrNotInCohort)
	}
	if e.Withdrawn {
		return fmt.Errorf("enrol participant %s in cohort %s: %w", c.ParticipantID, c.CohortID, ErrWithdrawnFromCohort)
	}
	j.record(Enrolled{
		JourneyID: c.JourneyID, ParticipantID: c.ParticipantID, CohortID: c.CohortID, ProgrammeID: e.ProgrammeID,
		EntityID: e.EntityID, Role: c.Role, ManagerID: c.ManagerID, RaterApproval: e.RaterApproval, At: c.At,
	})
	return nil
}

// ChangeManager records the participant's new manager.
func (j *Journey) ChangeManager(c ChangeManager) error {
	if err := j.check("change manager", c.JourneyID, c.At,
		domain.RequireID("managerId", c.ManagerID),
	); err != nil {
		return err
	}
	switch c.ManagerID {
	case j.participantID:
		return fmt.Errorf("change manager: %w", domain.Invalid("managerId", "must not be the participant"))
	case j.managerID:
		return fmt.Errorf("change manager to %s: %w", c.ManagerID, ErrSameManager)
	}
	j.record(ManagerChanged{ManagerID: c.ManagerID, At: c.At})
	return nil
}

// GrantSharing shares a section with the manager.
func (j *Journey) GrantSharing(c GrantSharing) error {
	if err := j.check("grant sharing", c.JourneyID, c.At, requiredSection(c.Section)); err != nil {
		return err
	}
	if j.shared[c.Section] {
		return fmt.Errorf("grant sharing of %s: %w", c.Section, ErrAlreadyShared)
	}
	j.record(SharingGranted{Section: c.Section, ManagerID: j.managerID, At: c.At})
	return nil
}

// RevokeSharing stops sharing a section. Unlike every other command it works
// on a completed or withdrawn journey too: the participant's say over their
// portfolio outlasts the journey.
func (j *Journey) RevokeSharing(c RevokeSharing) error {
	if err := domain.Validate(
		domain.RequireID("journeyId", c.JourneyID),
		domain.RequireTime("at", c.At),
		requiredSection(c.Section),
	); err != nil {
		return fmt.Errorf("revoke sharing: %w", err)
	}
	if j.id == "" {
		return fmt.Errorf("revoke sharing: journey %s: %w", c.JourneyID, ErrNotEnrolled)
	}
	if !j.shared[c.Section] {
		return fmt.Errorf("revoke sharing of %s: %w", c.Section, ErrNotShared)
	}
	j.record(SharingRevoked{Section: c.Section, At: c.At})
	return nil
}

// StateWhy records the personal why and values.
func (j *Journey) StateWhy(c StateWhy) error {
	if err := j.check("state why", c.JourneyID, c.At,
		domain.RequireText("why", c.Why, domain.MaxText),
		requireTexts("values", c.Values, 0, domain.MaxTitle, domain.RequireLine),
	); err != nil {
		return err
	}
	j.record(WhyStated{ParticipantID: j.participantID, Why: c.Why, Values: c.Values, At: c.At})
	return nil
}

// ChooseBehaviour records a choice about a behaviour.
func (j *Journey) ChooseBehaviour(c ChooseBehaviour) error {
	var choice *domain.FieldError
	if c.Choice.IsZero() {
		choice = domain.Required("choice")
	}
	if err := j.check("choose behaviour", c.JourneyID, c.At,
		domain.RequireID("choiceId", c.ChoiceID),
		domain.RequireID("competencyId", c.CompetencyID),
		domain.RequireLine("behaviour", c.Behaviour, domain.MaxTitle*5),
		choice,
	); err != nil {
		return err
	}
	if err := j.fresh(c.ChoiceID); err != nil {
		return fmt.Errorf("choose behaviour: %w", err)
	}
	j.record(BehaviourChosen{ParticipantID: j.participantID, ChoiceID: c.ChoiceID, CompetencyID: c.CompetencyID,
		Behaviour: c.Behaviour, Choice: c.Choice, At: c.At})
	return nil
}

// ReviseBehaviourChoice changes an earlier choice.
func (j *Journey) ReviseBehaviourChoice(c ReviseBehaviourChoice) error {
	var choice *domain.FieldError
	if c.Choice.IsZero() {
		choice = domain.Required("choice")
	}
	if err := j.check("revise behaviour choice", c.JourneyID, c.At, domain.RequireID("choiceId", c.ChoiceID), choice); err != nil {
		return err
	}
	old, ok := j.choices[c.ChoiceID]
	switch {
	case !ok:
		return fmt.Errorf("revise behaviour choice %s: %w", c.ChoiceID, ErrChoiceNotFound)
	case old == c.Choice:
		return fmt.Errorf("revise behaviour choice %s to %s: %w", c.ChoiceID, c.Choice, ErrChoiceUnchanged)
	}
	j.record(BehaviourChoiceRevised{ChoiceID: c.ChoiceID, Choice: c.Choice, At: c.At})
	return nil
}

// Links are what the learning goals of a journey may link to, as the
// catalogue knows them for the journey's programme: the competencies of its
// 360 instruments and the learning goals of its modules. A nil set is not
// known where the command runs, and is not checked.
type Links struct {
	Competencies map[string]bool
	ModuleGoals  map[string]bool
}

// unknown names every id of ids (field[i]) that is not in known, unless
// known is nil.
func unknown(field, what string, ids []string, known map[string]bool) []*domain.FieldError {
	if known == nil {
		return nil
	}
	var ps []*domain.FieldError
	for i, id := range ids {
		if !known[id] {
			ps = append(ps, domain.Invalid(fmt.Sprintf("%s[%d]", field, i), "names no %s", what))
		}
	}
	return ps
}

// optionalTime checks a date that may be left out (zero); when set it lies
// in domain.RequireTime's range.
func optionalTime(field string, t time.Time) *domain.FieldError {
	if t.IsZero() {
		return nil
	}
	return domain.RequireTime(field, t)
}

// FormulateLearningGoal records a learning goal or question. links are what
// its competencies and module learning goals may be (Links).
func (j *Journey) FormulateLearningGoal(c FormulateLearningGoal, links Links) error {
	ps := []*domain.FieldError{
		domain.RequireID("goalId", c.GoalID),
		domain.RequireText("text", c.Text, domain.MaxText),
		domain.OptionalText("successCriteria", c.SuccessCriteria, domain.MaxText),
		optionalTime("dueOn", c.DueOn),
		domain.RequireIDs("competencyIds", c.CompetencyIDs, 0),
		domain.RequireIDs("moduleGoalIds", c.ModuleGoalIDs, 0),
	}
	if c.Kind.IsZero() {
		ps = append(ps, domain.Required("kind"))
	}
	if len(c.CompetencyIDs)+len(c.ModuleGoalIDs) == 0 {
		ps = append(ps, domain.Invalid("competencyIds", "a learning goal links to at least one competency or module learning goal"))
	}
	if err := j.check("formulate learning goal", c.JourneyID, c.At, ps...); err != nil {
		return err
	}
	if err := j.fresh(c.GoalID); err != nil {
		return fmt.Errorf("formulate learning goal: %w", err)
	}
	bad := append(unknown("competencyIds", "competency of a 360 instrument of the journey's programme", c.CompetencyIDs, links.Competencies),
		unknown("moduleGoalIds", "learning goal of a module of the journey's programme", c.ModuleGoalIDs, links.ModuleGoals)...)
	if err := domain.Validate(bad...); err != nil {
		return fmt.Errorf("formulate learning goal: %w", err)
	}
	j.record(LearningGoalFormulated{ParticipantID: j.participantID, GoalID: c.GoalID, Kind: c.Kind, Text: c.Text,
		SuccessCriteria: c.SuccessCriteria, DueOn: c.DueOn, CompetencyIDs: c.CompetencyIDs, ModuleGoalIDs: c.ModuleGoalIDs, At: c.At})
	return nil
}

// ReviseLearningGoal rewords an open learning goal.
func (j *Journey) ReviseLearningGoal(c ReviseLearningGoal) error {
	if err := j.check("revise learning goal", c.JourneyID, c.At,
		domain.RequireID("goalId", c.GoalID),
		domain.RequireText("text", c.Text, domain.MaxText),
		domain.OptionalText("successCriteria", c.SuccessCriteria, domain.MaxText),
		optionalTime("dueOn", c.DueOn),
	); err != nil {
		return err
	}
	if err := j.openGoal(c.GoalID); err != nil {
		return fmt.Errorf("revise learning goal: %w", err)
	}
	j.record(LearningGoalRevised{ParticipantID: j.participantID, GoalID: c.GoalID, Text: c.Text, SuccessCriteria: c.SuccessCriteria,
		DueOn: c.DueOn, At: c.At})
	return nil
}

// CloseLearningGoal closes an open learning goal, achieved or dropped.
func (j *Journey) CloseLearningGoal(c CloseLearningGoal) error {
	var outcome *domain.FieldError
	if c.Outcome.IsZero() {
		outcome = domain.Required("outcome")
	}
	if err := j.check("close learning goal", c.JourneyID, c.At,
		domain.RequireID("goalId", c.GoalID),
		outcome,
		domain.OptionalText("reflection", c.Reflection, domain.MaxText),
	); err != nil {
		return err
	}
	if err := j.openGoal(c.GoalID); err != nil {
		return fmt.Errorf("close learning goal: %w", err)
	}
	j.record(LearningGoalClosed{ParticipantID: j.participantID, GoalID: c.GoalID, Outcome: c.Outcome, Reflection: c.Reflection, At: c.At})
	return nil
}

// openGoal returns nil when the journey has goal id and it is not closed.
func (j *Journey) openGoal(id string) error {
	closed, ok := j.goals[id]
	switch {
	case !ok:
		return fmt.Errorf("learning goal %s: %w", id, ErrGoalNotFound)
	case closed:
		return fmt.Errorf("learning goal %s: %w", id, ErrGoalClosed)
	}
	return nil
}

// GiveAssignment gives a practice assignment.
func (j *Journey) GiveAssignment(c GiveAssignment) error {
	if err := j.check("give assignment", c.JourneyID, c.At,
		domain.RequireID("assignmentId", c.AssignmentID),
		domain.RequireID("moduleId", c.ModuleID),
		domain.RequireID("trainerId", c.TrainerID),
		domain.RequireLine("title", c.Title, domain.MaxTitle),
		domain.RequireTime("dueOn", c.DueOn),
	); err != nil {
		return err
	}
	if err := j.fresh(c.AssignmentID); err != nil {
		return fmt.Errorf("give assignment: %w", err)
	}
	j.record(AssignmentGiven{AssignmentID: c.AssignmentID, ModuleID: c.ModuleID, TrainerID: c.TrainerID, Title: c.Title, DueOn: c.DueOn, At: c.At})
	return nil
}

// HandInAssignment hands an assignment in.
func (j *Journey) HandInAssignment(c HandInAssignment) error {
	if err := j.check("hand in assignment", c.JourneyID, c.At,
		domain.RequireID("assignmentId", c.AssignmentID),
		domain.RequireText("reflection", c.Reflection, domain.MaxText),
	); err != nil {
		return err
	}
	done, ok := j.handedIn[c.AssignmentID]
	switch {
	case !ok:
		return fmt.Errorf("hand in assignment %s: %w", c.AssignmentID, ErrAssignmentNotFound)
	case done:
		return fmt.Errorf("hand in assignment %s: %w", c.AssignmentID, ErrAlreadyHandedIn)
	}
	j.record(AssignmentHandedIn{ParticipantID: j.participantID, AssignmentID: c.AssignmentID, Reflection: c.Reflection, At: c.At})
	return nil
}

// LogExperiment plans an experiment.
func (j *Journey) LogExperiment(c LogExperiment) error {
	if err := j.check("log experiment", c.JourneyID, c.At,
		domain.RequireID("experimentId", c.ExperimentID),
		domain.RequireID("learningGoalId", c.LearningGoalID),
		domain.RequireText("intention", c.Intention, domain.MaxText),
		domain.RequireTime("plannedFor", c.PlannedFor),
	); err != nil {
		return err
	}
	if err := j.fresh(c.ExperimentID); err != nil {
		return fmt.Errorf("log experiment: %w", err)
	}
	closed, ok := j.goals[c.LearningGoalID]
	switch {
	case !ok:
		return fmt.Errorf("log experiment for goal %s: %w", c.LearningGoalID, ErrLearningGoalNotFound)
	case closed:
		return fmt.Errorf("log experiment for goal %s: %w", c.LearningGoalID, ErrGoalClosed)
	}
	j.record(ExperimentLogged{ParticipantID: j.participantID, ExperimentID: c.ExperimentID, LearningGoalID: c.LearningGoalID,
		Intention: c.Intention, PlannedFor: c.PlannedFor, At: c.At})
	return nil
}

// RecordExperimentTried records what was tried.
func (j *Journey) RecordExperimentTried(c RecordExperimentTried) error {
	if err := j.check("record experiment tried", c.JourneyID, c.At,
		domain.RequireID("experimentId", c.ExperimentID),
		domain.RequireText("whatWasTried", c.WhatWasTried, domain.MaxText),
		notAfterRecorded("triedOn", c.TriedOn, c.At),
	); err != nil {
		return err
	}
	if _, err := j.step(c.ExperimentID, StepPlanned); err != nil {
		return fmt.Errorf("record experiment tried: %w", err)
	}
	j.record(ExperimentTried{ParticipantID: j.participantID, ExperimentID: c.ExperimentID, WhatWasTried: c.WhatWasTried, TriedOn: c.TriedOn, At: c.At})
	return nil
}

// ReflectOnExperiment records the outcome and the reflection.
func (j *Journey) ReflectOnExperiment(c ReflectOnExperiment) error {
	if err := j.check("reflect on experiment", c.JourneyID, c.At,
		domain.RequireID("experimentId", c.ExperimentID),
		domain.RequireText("outcome", c.Outcome, domain.MaxText),
		domain.RequireText("reflection", c.Reflection, domain.MaxText),
	); err != nil {
		return err
	}
	x, err := j.step(c.ExperimentID, StepTried)
	if err != nil {
		return fmt.Errorf("reflect on experiment: %w", err)
	}
	if c.At.Before(x.triedOn) {
		return fmt.Errorf("reflect on experiment %s: %w", c.ExperimentID,
			domain.Invalid("at", "a reflection cannot come before the experiment was tried on %s", x.triedOn.Format(time.DateOnly)))
	}
	j.record(ExperimentReflected{ParticipantID: j.participantID, ExperimentID: c.ExperimentID, Outcome: c.Outcome, Reflection: c.Reflection, At: c.At})
	return nil
}

// SetNextStep records the next step, which concludes the experiment.
func (j *Journey) SetNextStep(c SetNextStep) error {
	if err := j.check("set next step", c.JourneyID, c.At,
		domain.RequireID("experimentId", c.ExperimentID),
		domain.RequireText("nextStep", c.NextStep, domain.MaxText),
	); err != nil {
		return err
	}
	x, err := j.step(c.ExperimentID, StepReflected)
	if err != nil {
		return fmt.Errorf("set next step: %w", err)
	}
	switch {
	case c.At.Before(x.triedOn):
		return fmt.Errorf("set next step of experiment %s: %w", c.ExperimentID,
			domain.Invalid("at", "an experiment cannot be concluded before it was tried on %s", x.triedOn.Format(time.DateOnly)))
	case c.At.Before(x.reflectedAt):
		return fmt.Errorf("set next step of experiment %s: %w", c.ExperimentID,
			domain.Invalid("at", "an experiment cannot be concluded before the reflection on it, recorded %s", x.reflectedAt.Format(time.RFC3339)))
	}
	j.record(ExperimentConcluded{ParticipantID: j.participantID, ExperimentID: c.ExperimentID, NextStep: c.NextStep, At: c.At})
	return nil
}

// RecordIntervision records an intervision session attended.
func (j *Journey) RecordIntervision(c RecordIntervision) error {
	caseText := domain.OptionalText("case", c.Case, domain.MaxText)
	switch {
	case c.CaseBroughtIn:
		caseText = domain.RequireText("case", c.Case, domain.MaxText)
	case c.Case != "":
		caseText = domain.Invalid("case", "must be empty when no case was brought in")
	}
	if err := j.check("record intervision", c.JourneyID, c.At,
		domain.RequireID("sessionId", c.SessionID),
		domain.RequireID("groupId", c.GroupID),
		notAfterRecorded("heldOn", c.HeldOn, c.At),
		domain.OptionalLine("method", c.Method, domain.MaxTitle),
		caseText,
	); err != nil {
		return err
	}
	if err := j.fresh(c.SessionID); err != nil {
		return fmt.Errorf("record intervision: %w", err)
	}
	j.record(IntervisionAttended{ParticipantID: j.participantID, SessionID: c.SessionID, GroupID: c.GroupID, HeldOn: c.HeldOn,
		Method: c.Method, CaseBroughtIn: c.CaseBroughtIn, Case: c.Case, At: c.At})
	return nil
}

// RecordCoachingSession records a coaching session.
func (j *Journey) RecordCoachingSession(c RecordCoachingSession) error {
	if err := j.check("record coaching session", c.JourneyID, c.At,
		domain.RequireID("sessionId", c.SessionID),
		domain.RequireID("coachId", c.CoachID),
		notAfterRecorded("heldOn", c.HeldOn, c.At),
		domain.OptionalText("notes", c.Notes, domain.MaxText),
	); err != nil {
		return err
	}
	if err := j.fresh(c.SessionID); err != nil {
		return fmt.Errorf("record coaching session: %w", err)
	}
	j.record(CoachingSessionHeld{ParticipantID: j.participantID, SessionID: c.SessionID, CoachID: c.CoachID, HeldOn: c.HeldOn, Notes: c.Notes, At: c.At})
	return nil
}

// EvaluateModule records an evaluation of a delivery. a is the participant's
// attendance at the delivery as the journey's cohort knows it; the zero
// Attendance when the cohort does not know the delivery.
func (j *Journey) EvaluateModule(c EvaluateModule, a cohort.Attendance) error {
	ps := []*domain.FieldError{
		domain.RequireID("deliveryId", c.DeliveryID),
		domain.OptionalText("comments", c.Comments, domain.MaxText),
	}
	if len(c.Scores) == 0 {
		ps = append(ps, domain.Invalid("scores", "must hold at least one score"))
	}
	asked := map[Question]bool{}
	for i, s := range c.Scores {
		field := fmt.Sprintf("scores[%d]", i)
		switch {
		case s.Question.IsZero():
			ps = append(ps, domain.Required(field+".questionId"))
		case asked[s.Question]:
			ps = append(ps, domain.Invalid(field+".questionId", "%s is scored twice", s.Question))
		}
		asked[s.Question] = true
		if s.Score < MinScore || s.Score > MaxScore {
			ps = append(ps, domain.Invalid(field+".score", "%d is outside the scale %d to %d", s.Score, MinScore, MaxScore))
		}
	}
	if err := j.check("evaluate module", c.JourneyID, c.At, ps...); err != nil {
		return err
	}
	if a.CohortID != j.cohortID || a.DeliveryID != c.DeliveryID || a.ParticipantID != j.participantID {
		return fmt.Errorf("evaluate delivery %s: %w", c.DeliveryID, ErrDeliveryNotFound)
	}
	if !a.Attended() {
		return fmt.Errorf("evaluate delivery %s: %w", c.DeliveryID, ErrNotAttended)
	}
	if c.At.Before(a.StartsAt) {
		return fmt.Errorf("evaluate delivery %s: %w", c.DeliveryID,
			domain.Invalid("at", "a delivery cannot be evaluated before it starts at %s", a.StartsAt.Format(time.RFC3339)))
	}
	if j.evaluated[c.DeliveryID] {
		return fmt.Errorf("evaluate delivery %s: %w", c.DeliveryID, ErrAlreadyEvaluated)
	}
	j.record(ModuleEvaluated{ParticipantID: j.participantID, DeliveryID: c.DeliveryID, ModuleID: a.ModuleID,
		ModuleVersion: a.ModuleVersion, Scores: c.Scores, Comments: c.Comments, At: c.At})
	return nil
}

// RecordConversation records a development conversation with the current manager.
func (j *Journey) RecordConversation(c RecordConversation) error {
	if err := j.check("record development conversation", c.JourneyID, c.At,
		domain.RequireID("conversationId", c.ConversationID),
		notAfterRecorded("heldOn", c.HeldOn, c.At),
		requireTexts("agreements", c.Agreements, 1, domain.MaxText, domain.RequireText),
		requireTexts("nextQuestions", c.NextQuestions, 0, domain.MaxText, domain.RequireText),
	); err != nil {
		return err
	}
	if err := j.fresh(c.ConversationID); err != nil {
		return fmt.Errorf("record development conversation: %w", err)
	}
	j.record(ConversationRecorded{ParticipantID: j.participantID, ConversationID: c.ConversationID, ManagerID: j.managerID,
		HeldOn: c.HeldOn, Agreements: c.Agreements, NextQuestions: c.NextQuestions, At: c.At})
	return nil
}

// ReviseConversation changes a conversation's record; earlier confirmations lapse.
func (j *Journey) ReviseConversation(c ReviseConversation) error {
	if err := j.check("revise development conversation", c.JourneyID, c.At,
		domain.RequireID("conversationId", c.ConversationID),
		requireTexts("agreements", c.Agreements, 1, domain.MaxText, domain.RequireText),
		requireTexts("nextQuestions", c.NextQuestions, 0, domain.MaxText, domain.RequireText),
	); err != nil {
		return err
	}
	if _, err := j.openConversation(c.ConversationID); err != nil {
		return fmt.Errorf("revise development conversation: %w", err)
	}
	j.record(ConversationRevised{ParticipantID: j.participantID, ConversationID: c.ConversationID,
		Agreements: c.Agreements, NextQuestions: c.NextQuestions, At: c.At})
	return nil
}

// ConfirmConversation confirms a conversation for one party; with the second
// party's confirmation the conversation becomes final.
func (j *Journey) ConfirmConversation(c ConfirmConversation) error {
	var party *domain.FieldError
	if c.Party.IsZero() {
		party = domain.Required("party")
	}
	if err := j.check("confirm development conversation", c.JourneyID, c.At,
		domain.RequireID("conversationId", c.ConversationID),
		domain.RequireID("confirmedBy", c.ConfirmedBy),
		party,
	); err != nil {
		return err
	}
	conv, err := j.openConversation(c.ConversationID)
	if err != nil {
		return fmt.Errorf("confirm development conversation: %w", err)
	}
	who := j.participantID
	if c.Party == PartyManager {
		who = conv.managerID
	}
	if c.ConfirmedBy != who {
		return fmt.Errorf("confirm development conversation %s as %s: %w", c.ConversationID, c.Party, ErrNotTheParty)
	}
	if conv.confirmations[c.Party] {
		return fmt.Errorf("confirm development conversation %s as %s: %w", c.ConversationID, c.Party, ErrAlreadyConfirmed)
	}
	j.record(ConversationConfirmed{ConversationID: c.ConversationID, Party: c.Party, ConfirmedBy: c.ConfirmedBy, At: c.At})
	if conv.confirmations[PartyParticipant] && conv.confirmations[PartyManager] {
		j.record(ConversationFinalised{ConversationID: c.ConversationID, At: c.At})
	}
	return nil
}

// RecordMeasurement records the result of an instrument.
func (j *Journey) RecordMeasurement(c RecordMeasurement) error {
	var kind *domain.FieldError
	if c.Kind.IsZero() {
		kind = domain.Required("kind")
	}
	taken := notAfterRecorded("takenOn", c.TakenOn, c.At)
	if err := j.check("record measurement", c.JourneyID, c.At,
		domain.RequireID("measurementId", c.MeasurementID),
		domain.RequireLine("instrument", c.Instrument, domain.MaxTitle),
		domain.RequireText("result", c.Result, domain.MaxText),
		taken,
		kind,
	); err != nil {
		return err
	}
	if err := j.fresh(c.MeasurementID); err != nil {
		return fmt.Errorf("record measurement: %w", err)
	}
	j.record(MeasurementRecorded{ParticipantID: j.participantID, MeasurementID: c.MeasurementID, Kind: c.Kind,
		Instrument: c.Instrument, Result: c.Result, TakenOn: c.TakenOn, At: c.At})
	return nil
}

// Complete completes the journey.
func (j *Journey) Complete(c Complete) error {
	if err := j.check("complete journey", c.JourneyID, c.At); err != nil {
		return err
	}
	j.record(Completed{At: c.At})
	return nil
}

// Withdraw ends the journey early.
func (j *Journey) Withdraw(c Withdraw) error {
	if err := j.check("withdraw journey", c.JourneyID, c.At, domain.OptionalText("reason", c.Reason, domain.MaxText)); err != nil {
		return err
	}
	j.record(Withdrawn{ParticipantID: j.participantID, Reason: c.Reason, At: c.At})
	return nil
}

// check validates the common fields and the command's own problems, then
// that the journey is enrolled and still active.
func (j *Journey) check(doing, journeyID string, at time.Time, problems ...*domain.FieldError) error {
	ps := append([]*domain.FieldError{domain.RequireID("journeyId", journeyID), domain.RequireTime("at", at)}, problems...)
	if err := domain.Validate(ps...); err != nil {
		return fmt.Errorf("%s: %w", doing, err)
	}
	if j.id == "" {
		return fmt.Errorf("%s: journey %s: %w", doing, journeyID, ErrNotEnrolled)
	}
	if j.erased {
		return fmt.Errorf("%s: journey %s: %w", doing, j.id, ErrErased)
	}
	if j.status != StatusActive {
		return fmt.Errorf("%s: journey %s is %s: %w", doing, j.id, j.status, ErrJourneyClosed)
	}
	return nil
}

func (j *Journey) fresh(id string) error {
	if j.ids[id] {
		return fmt.Errorf("id %s: %w", id, ErrDuplicateID)
	}
	return nil
}

// step returns the experiment when it is at want, the step before the next.
func (j *Journey) step(experimentID string, want Step) (*experimentState, error) {
	x, ok := j.experiments[experimentID]
	switch {
	case !ok:
		return nil, fmt.Errorf("experiment %s: %w", experimentID, ErrExperimentNotFound)
	case x.step != want:
		return nil, fmt.Errorf("experiment %s is %s, the next step needs %s: %w", experimentID, x.step, want, ErrExperimentOutOfOrder)
	}
	return x, nil
}

// notAfterRecorded checks a date on which something happened: set, within
// domain.RequireTime's range, and not after at, when it is recorded. What
// is recorded has happened: a session is not held, nor an experiment tried,
// in the future.
func notAfterRecorded(field string, on, at time.Time) *domain.FieldError {
	if p := domain.RequireTime(field, on); p != nil {
		return p
	}
	if !at.IsZero() && on.After(at) {
		return domain.Invalid(field, "must not be after the time it is recorded (%s): it cannot have happened yet", at.Format(time.RFC3339))
	}
	return nil
}

func (j *Journey) openConversation(id string) (*conversation, error) {
	conv, ok := j.conversations[id]
	switch {
	case !ok:
		return nil, fmt.Errorf("conversation %s: %w", id, ErrConversationNotFound)
	case conv.final:
		return nil, fmt.Errorf("conversation %s: %w", id, ErrConversationFinal)
	}
	return conv, nil
}

func requiredSection(s Section) *domain.FieldError {
	if s.IsZero() {
		return domain.Required("section")
	}
	return nil
}

// requireTexts checks a list of at least min texts, each with require:
// domain.RequireLine or domain.RequireText.
func requireTexts(field string, texts []string, min, max int, require func(field, s string, max int) *domain.FieldError) *domain.FieldError {
	if len(texts) < min {
		return domain.Invalid(field, "must hold at least %d item(s)", min)
	}
	for i, t := range texts {
		if p := require(fmt.Sprintf("%s[%d]", field, i), t, max); p != nil {
			return p
		}
	}
	return nil
}

func (j *Journey) record(e domain.Event) {
	j.changes = append(j.changes, e)
	j.apply(e)
}

func (j *Journey) apply(e domain.Event) {
	switch e := e.(type) {
	case Enrolled:
		j.id, j.participantID, j.cohortID, j.programmeID = e.JourneyID, e.ParticipantID, e.CohortID, e.ProgrammeID
		j.role, j.managerID, j.raterApproval, j.status = e.Role, e.ManagerID, e.RaterApproval, StatusActive
	case ManagerChanged:
		j.managerID = e.ManagerID
		clear(j.shared)
	case ManagerErased:
		j.managerID = ""
		clear(j.shared)
	case SharingGranted:
		j.shared[e.Section] = true
	case SharingRevoked:
		delete(j.shared, e.Section)
	case Erased:
		j.erased = true
		clear(j.shared)
	case BehaviourChosen:
		j.ids[e.ChoiceID] = true
		j.choices[e.ChoiceID] = e.Choice
	case BehaviourChoiceRevised:
		j.choices[e.ChoiceID] = e.Choice
	case LearningGoalFormulated:
		j.ids[e.GoalID] = true
		j.goals[e.GoalID] = false
	case LearningGoalClosed:
		if _, ok := j.goals[e.GoalID]; ok {
			j.goals[e.GoalID] = true
		}
	case AssignmentGiven:
		j.ids[e.AssignmentID] = true
		j.handedIn[e.AssignmentID] = false
	case AssignmentHandedIn:
		j.handedIn[e.AssignmentID] = true
	case ExperimentLogged:
		j.ids[e.ExperimentID] = true
		j.experiments[e.ExperimentID] = &experimentState{step: StepPlanned}
	case ExperimentTried:
		if x, ok := j.experiments[e.ExperimentID]; ok {
			x.step, x.triedOn = StepTried, e.TriedOn
		}
	case ExperimentReflected:
		if x, ok := j.experiments[e.ExperimentID]; ok {
			x.step, x.reflectedAt = StepReflected, e.At
		}
	case ExperimentConcluded:
		if x, ok := j.experiments[e.ExperimentID]; ok {
			x.step = StepConcluded
		}
	case IntervisionAttended:
		j.ids[e.SessionID] = true
	case CoachingSessionHeld:
		j.ids[e.SessionID] = true
	case ModuleEvaluated:
		j.evaluated[e.DeliveryID] = true
	case LearningRated:
		e.Ratings = slices.Clone(e.Ratings)
		j.rated[e.DeliveryID] = e
	case ConversationRecorded:
		j.ids[e.ConversationID] = true
		j.conversations[e.ConversationID] = &conversation{managerID: e.ManagerID, confirmations: map[Party]bool{}}
	case ConversationRevised:
		if conv, ok := j.conversations[e.ConversationID]; ok {
			clear(conv.confirmations)
		}
	case ConversationConfirmed:
		if conv, ok := j.conversations[e.ConversationID]; ok {
			conv.confirmations[e.Party] = true
		}
	case ConversationFinalised:
		if conv, ok := j.conversations[e.ConversationID]; ok {
			conv.final = true
		}
	case MeasurementRecorded:
		j.ids[e.MeasurementID] = true
	case Completed:
		j.status = StatusCompleted
	case Withdrawn:
		j.status = StatusWithdrawn
	}
}
