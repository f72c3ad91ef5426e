package portfolio

import (
	"context"
	"slices"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/journey"
	view "github.com/leerpad/leerpad/domain/portfolio"
	"github.com/leerpad/leerpad/projections/internal/threesixty"
)

// entry is one event that shapes a journey's portfolio, with the time it
// happened (the payload's At). A journey keeps its entries so that the
// portfolio can be folded again up to any past moment.
type entry struct {
	at time.Time
	e  domain.Event
}

// folio is the folded state of one journey's portfolio. The live folio of a
// journey and every "as of" folio are built by the same apply, so the two can
// never disagree.
type folio struct {
	journeyID, participantID, cohortID, programmeID, entityID, managerID string

	role       journey.Role
	status     journey.Status
	enrolledAt time.Time
	closedAt   time.Time
	shared     map[journey.Section]bool
	why        *view.WhyAndValues
	withdrawal *view.WithdrawalReason

	choices       []*view.BehaviourChoice
	goals         []*view.LearningGoal
	assignments   []*view.Assignment
	experiments   []*view.Experiment
	conversations []*view.Conversation
	coaching      []view.CoachingSession
	evaluations   []journey.ModuleEvaluated
	measurements  []journey.MeasurementRecorded
	intervision   []view.IntervisionVisit
	attendance    map[string]cohort.AttendanceStatus // delivery -> latest record
	rounds        []*round
	timeline      []view.TimelineEntry
}

// round is what a journey's portfolio keeps of a 360 round. Single responses
// are kept to compute group results; they are never shown.
type round struct {
	id, instrumentID string
	kind             feedback.RoundKind
	openedAt         time.Time
	closedAt         time.Time
	closed           bool
	nominated        map[string]feedback.RaterGroup
	rejected         map[string]bool
	responses        []threesixty.Response
}

func newFolio(journeyID string) *folio {
	return &folio{journeyID: journeyID, shared: map[journey.Section]bool{}, attendance: map[string]cohort.AttendanceStatus{}}
}

// fold returns the folio of journeyID from the entries at or before t.
func fold(ctx context.Context, journeyID string, entries []entry, t time.Time) *folio {
	f := newFolio(journeyID)
	for _, en := range entries {
		if !en.at.After(t) {
			f.apply(ctx, en.e)
		}
	}
	return f
}

// apply folds one event into the folio.
func (f *folio) apply(ctx context.Context, e domain.Event) {
	switch e := e.(type) {
	case journey.Enrolled:
		f.onEnrolled(ctx, e)
	case journey.ManagerChanged:
		f.onManagerChanged(ctx, e)
	case journey.ManagerErased:
		f.onManagerErased(ctx, e)
	case journey.SharingGranted:
		f.onSharingGranted(ctx, e)
	case journey.SharingRevoked:
		f.onSharingRevoked(ctx, e)
	case journey.WhyStated:
		f.onWhyStated(ctx, e)
	case journey.BehaviourChosen:
		f.onBehaviourChosen(ctx, e)
	case journey.BehaviourChoiceRevised:
		f.onBehaviourChoiceRevised(ctx, e)
	case journey.LearningGoalFormulated:
		f.onLearningGoalFormulated(ctx, e)
	case journey.LearningGoalRevised:
		f.onLearningGoalRevised(ctx, e)
	case journey.LearningGoalClosed:
		f.onLearningGoalClosed(ctx, e)
	case journey.AssignmentGiven:
		f.onAssignmentGiven(ctx, e)
	case journey.AssignmentHandedIn:
		f.onAssignmentHandedIn(ctx, e)
	case journey.ExperimentLogged:
		f.onExperimentLogged(ctx, e)
	case journey.ExperimentTried:
		f.onExperimentTried(ctx, e)
	case journey.ExperimentReflected:
		f.onExperimentReflected(ctx, e)
	case journey.ExperimentConcluded:
		f.onExperimentConcluded(ctx, e)
	case journey.IntervisionAttended:
		f.onIntervisionAttended(ctx, e)
	case journey.CoachingSessionHeld:
		f.onCoachingSessionHeld(ctx, e)
	case journey.ModuleEvaluated:
		f.onModuleEvaluated(ctx, e)
	case journey.ConversationRecorded:
		f.onConversationRecorded(ctx, e)
	case journey.ConversationRevised:
		f.onConversationRevised(ctx, e)
	case journey.ConversationConfirmed:
		f.onConversationConfirmed(ctx, e)
	case journey.ConversationFinalised:
		f.onConversationFinalised(ctx, e)
	case journey.MeasurementRecorded:
		f.onMeasurementRecorded(ctx, e)
	case journey.Completed:
		f.onCompleted(ctx, e)
	case journey.Withdrawn:
		f.onWithdrawn(ctx, e)
	case cohort.AttendanceRecorded:
		f.onAttendanceRecorded(ctx, e)
	case cohort.IntervisionSessionHeld:
		f.onIntervisionSessionHeld(ctx, e)
	case feedback.RoundOpened:
		f.onRoundOpened(ctx, e)
	case feedback.RaterNominated:
		f.onRaterNominated(ctx, e)
	case feedback.RaterRejected:
		f.onRaterRejected(ctx, e)
	case feedback.ResponseSubmitted:
		f.onResponseSubmitted(ctx, e)
	case feedback.RoundClosed:
		f.onRoundClosed(ctx, e)
	}
}

// handles reports whether apply folds events of e's type.
func handles(e domain.Event) bool {
	switch e.(type) {
	case journey.Enrolled, journey.ManagerChanged, journey.ManagerErased, journey.SharingGranted, journey.SharingRevoked, journey.WhyStated,
		journey.BehaviourChosen, journey.BehaviourChoiceRevised, journey.LearningGoalFormulated, journey.AssignmentGiven,
		journey.LearningGoalRevised, journey.LearningGoalClosed,
		journey.AssignmentHandedIn, journey.ExperimentLogged, journey.ExperimentTried, journey.ExperimentReflected,
		journey.ExperimentConcluded, journey.IntervisionAttended, journey.CoachingSessionHeld, journey.ModuleEvaluated,
		journey.ConversationRecorded, journey.ConversationRevised, journey.ConversationConfirmed, journey.ConversationFinalised,
		journey.MeasurementRecorded, journey.Completed, journey.Withdrawn,
		cohort.AttendanceRecorded, cohort.IntervisionSessionHeld,
		feedback.RoundOpened, feedback.RaterNominated, feedback.RaterRejected, feedback.ResponseSubmitted, feedback.RoundClosed:
		return true
	}
	return false
}

func (f *folio) mark(at time.Time, e domain.Event, p view.Part, ref string) {
	f.timeline = append(f.timeline, view.TimelineEntry{At: at, Event: e.EventName(), Part: p, RefID: ref})
}

func (f *folio) onEnrolled(_ context.Context, e journey.Enrolled) {
	f.participantID, f.cohortID, f.programmeID, f.entityID = e.ParticipantID, e.CohortID, e.ProgrammeID, e.EntityID
	f.role, f.managerID, f.status, f.enrolledAt = e.Role, e.ManagerID, journey.StatusActive, e.At
	f.mark(e.At, e, view.PartJourney, e.CohortID)
}

func (f *folio) onManagerChanged(_ context.Context, e journey.ManagerChanged) {
	f.managerID = e.ManagerID
	clear(f.shared) // sharing does not carry over to a new manager
	f.mark(e.At, e, view.PartJourney, e.ManagerID)
}

// onManagerErased: the journey's manager was erased; it has none from here,
// and nothing is shared.
func (f *folio) onManagerErased(_ context.Context, e journey.ManagerErased) {
	f.managerID = domain.Erased
	clear(f.shared)
	f.mark(e.At, e, view.PartJourney, "")
}

func (f *folio) onSharingGranted(_ context.Context, e journey.SharingGranted) {
	f.shared[e.Section] = true
	f.mark(e.At, e, view.PartJourney, e.Section.String())
}

func (f *folio) onSharingRevoked(_ context.Context, e journey.SharingRevoked) {
	delete(f.shared, e.Section)
	f.mark(e.At, e, view.PartJourney, e.Section.String())
}

func (f *folio) onWhyStated(_ context.Context, e journey.WhyStated) {
	f.why = &view.WhyAndValues{Why: e.Why, Values: e.Values, StatedAt: e.At}
	f.mark(e.At, e, view.PartWhyAndValues, "")
}

func (f *folio) onBehaviourChosen(_ context.Context, e journey.BehaviourChosen) {
	f.choices = append(f.choices, &view.BehaviourChoice{ChoiceID: e.ChoiceID, CompetencyID: e.CompetencyID, Behaviour: e.Behaviour, Choice: e.Choice, ChosenAt: e.At})
	f.mark(e.At, e, view.PartBehaviourChoices, e.ChoiceID)
}

func (f *folio) onBehaviourChoiceRevised(_ context.Context, e journey.BehaviourChoiceRevised) {
	if c := find(f.choices, func(c *view.BehaviourChoice) bool { return c.ChoiceID == e.ChoiceID }); c != nil {
		c.Earlier = append(c.Earlier, view.ChoiceChange{Choice: c.Choice, At: c.ChosenAt})
		c.Choice, c.ChosenAt = e.Choice, e.At
	}
	f.mark(e.At, e, view.PartBehaviourChoices, e.ChoiceID)
}

func (f *folio) onLearningGoalFormulated(_ context.Context, e journey.LearningGoalFormulated) {
	f.goals = append(f.goals, &view.LearningGoal{GoalID: e.GoalID, Kind: e.Kind, Text: e.Text, SuccessCriteria: e.SuccessCriteria,
		DueOn: timeOrNil(e.DueOn), CompetencyIDs: e.CompetencyIDs, ModuleGoalIDs: e.ModuleGoalIDs, FormulatedAt: e.At})
	f.mark(e.At, e, view.PartLearningGoals, e.GoalID)
}

func (f *folio) goal(id string) *view.LearningGoal {
	return find(f.goals, func(g *view.LearningGoal) bool { return g.GoalID == id })
}

func (f *folio) onLearningGoalRevised(_ context.Context, e journey.LearningGoalRevised) {
	if g := f.goal(e.GoalID); g != nil {
		at := e.At
		g.Text, g.SuccessCriteria, g.DueOn = e.Text, e.SuccessCriteria, timeOrNil(e.DueOn)
		g.Revisions++
		g.RevisedAt = &at
	}
	f.mark(e.At, e, view.PartLearningGoals, e.GoalID)
}

func (f *folio) onLearningGoalClosed(_ context.Context, e journey.LearningGoalClosed) {
	if g := f.goal(e.GoalID); g != nil {
		at := e.At
		g.Outcome, g.ClosedAt, g.ClosingReflection = e.Outcome, &at, e.Reflection
	}
	f.mark(e.At, e, view.PartLearningGoals, e.GoalID)
}

// timeOrNil is t, or nil when t is zero (not set).
func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func (f *folio) onAssignmentGiven(_ context.Context, e journey.AssignmentGiven) {
	f.assignments = append(f.assignments, &view.Assignment{AssignmentID: e.AssignmentID, ModuleID: e.ModuleID, Title: e.Title, DueOn: e.DueOn, GivenAt: e.At})
	f.mark(e.At, e, view.PartAssignments, e.AssignmentID)
}

func (f *folio) onAssignmentHandedIn(_ context.Context, e journey.AssignmentHandedIn) {
	if a := find(f.assignments, func(a *view.Assignment) bool { return a.AssignmentID == e.AssignmentID }); a != nil {
		at := e.At
		a.HandedInAt, a.Reflection = &at, e.Reflection
		a.OnTime = a.DueOn.IsZero() || !e.At.After(a.DueOn)
	}
	f.mark(e.At, e, view.PartAssignments, e.AssignmentID)
}

func (f *folio) experiment(id string) *view.Experiment {
	return find(f.experiments, func(x *view.Experiment) bool { return x.ExperimentID == id })
}

func (f *folio) onExperimentLogged(_ context.Context, e journey.ExperimentLogged) {
	f.experiments = append(f.experiments, &view.Experiment{ExperimentID: e.ExperimentID, LearningGoalID: e.LearningGoalID, Step: journey.StepPlanned,
		Intention: e.Intention, PlannedFor: e.PlannedFor, LoggedAt: e.At})
	f.mark(e.At, e, view.PartExperiments, e.ExperimentID)
}

func (f *folio) onExperimentTried(_ context.Context, e journey.ExperimentTried) {
	if x := f.experiment(e.ExperimentID); x != nil {
		on := e.TriedOn
		x.Step, x.WhatWasTried, x.TriedOn = journey.StepTried, e.WhatWasTried, &on
	}
	f.mark(e.At, e, view.PartExperiments, e.ExperimentID)
}

func (f *folio) onExperimentReflected(_ context.Context, e journey.ExperimentReflected) {
	if x := f.experiment(e.ExperimentID); x != nil {
		at := e.At
		x.Step, x.Outcome, x.Reflection, x.ReflectedAt = journey.StepReflected, e.Outcome, e.Reflection, &at
	}
	f.mark(e.At, e, view.PartExperiments, e.ExperimentID)
}

func (f *folio) onExperimentConcluded(_ context.Context, e journey.ExperimentConcluded) {
	if x := f.experiment(e.ExperimentID); x != nil {
		at := e.At
		x.Step, x.NextStep, x.ConcludedAt = journey.StepConcluded, e.NextStep, &at
	}
	f.mark(e.At, e, view.PartExperiments, e.ExperimentID)
}

func (f *folio) onIntervisionAttended(_ context.Context, e journey.IntervisionAttended) {
	f.intervision = append(f.intervision, view.IntervisionVisit{SessionID: e.SessionID, GroupID: e.GroupID, HeldOn: e.HeldOn, Method: e.Method, CaseBroughtIn: e.CaseBroughtIn})
	f.mark(e.At, e, view.PartIntervision, e.SessionID)
}

// onIntervisionSessionHeld records a meeting of the participant's group
// that they attended, as the deprecated journey.intervision_attended did.
func (f *folio) onIntervisionSessionHeld(_ context.Context, e cohort.IntervisionSessionHeld) {
	f.intervision = append(f.intervision, view.IntervisionVisit{SessionID: e.SessionID, GroupID: e.GroupID, HeldOn: e.HeldOn, Method: e.Method,
		CaseBroughtIn: e.CaseBroughtBy == f.participantID})
	f.mark(e.At, e, view.PartIntervision, e.SessionID)
}

func (f *folio) onCoachingSessionHeld(_ context.Context, e journey.CoachingSessionHeld) {
	f.coaching = append(f.coaching, view.CoachingSession{SessionID: e.SessionID, CoachID: e.CoachID, HeldOn: e.HeldOn, Notes: e.Notes})
	f.mark(e.At, e, view.PartCoaching, e.SessionID)
}

func (f *folio) onModuleEvaluated(_ context.Context, e journey.ModuleEvaluated) {
	f.evaluations = append(f.evaluations, e)
	f.mark(e.At, e, view.PartEvaluations, e.DeliveryID)
}

func (f *folio) conversation(id string) *view.Conversation {
	return find(f.conversations, func(c *view.Conversation) bool { return c.ConversationID == id })
}

func (f *folio) onConversationRecorded(_ context.Context, e journey.ConversationRecorded) {
	f.conversations = append(f.conversations, &view.Conversation{ConversationID: e.ConversationID, ManagerID: e.ManagerID, HeldOn: e.HeldOn,
		Agreements: e.Agreements, NextQuestions: e.NextQuestions, RecordedAt: e.At})
	f.mark(e.At, e, view.PartConversations, e.ConversationID)
}

func (f *folio) onConversationRevised(_ context.Context, e journey.ConversationRevised) {
	if c := f.conversation(e.ConversationID); c != nil {
		c.Agreements, c.NextQuestions = e.Agreements, e.NextQuestions
		c.Revisions++
		c.ConfirmedBy = nil // a revision voids earlier confirmations
	}
	f.mark(e.At, e, view.PartConversations, e.ConversationID)
}

func (f *folio) onConversationConfirmed(_ context.Context, e journey.ConversationConfirmed) {
	if c := f.conversation(e.ConversationID); c != nil && !slices.Contains(c.ConfirmedBy, e.Party) {
		c.ConfirmedBy = append(c.ConfirmedBy, e.Party)
	}
	f.mark(e.At, e, view.PartConversations, e.ConversationID)
}

func (f *folio) onConversationFinalised(_ context.Context, e journey.ConversationFinalised) {
	if c := f.conversation(e.ConversationID); c != nil {
		at := e.At
		c.Final, c.FinalisedAt = true, &at
	}
	f.mark(e.At, e, view.PartConversations, e.ConversationID)
}

func (f *folio) onMeasurementRecorded(_ context.Context, e journey.MeasurementRecorded) {
	f.measurements = append(f.measurements, e)
	f.mark(e.At, e, view.PartMeasurements, e.MeasurementID)
}

func (f *folio) onCompleted(_ context.Context, e journey.Completed) {
	f.status, f.closedAt = journey.StatusCompleted, e.At
	f.mark(e.At, e, view.PartJourney, "")
}

func (f *folio) onWithdrawn(_ context.Context, e journey.Withdrawn) {
	f.status, f.closedAt = journey.StatusWithdrawn, e.At
	f.withdrawal = &view.WithdrawalReason{Reason: e.Reason, At: e.At}
	f.mark(e.At, e, view.PartJourney, "")
}

func (f *folio) onAttendanceRecorded(_ context.Context, e cohort.AttendanceRecorded) {
	f.attendance[e.DeliveryID] = e.Status // a later record corrects an earlier one
	f.mark(e.At, e, view.PartModules, e.DeliveryID)
}

func (f *folio) round(id string) *round {
	return find(f.rounds, func(r *round) bool { return r.id == id })
}

func (f *folio) onRoundOpened(_ context.Context, e feedback.RoundOpened) {
	f.rounds = append(f.rounds, &round{id: e.RoundID, instrumentID: e.InstrumentID, kind: e.Kind, openedAt: e.At,
		nominated: map[string]feedback.RaterGroup{}, rejected: map[string]bool{}})
	f.mark(e.At, e, view.PartFeedbackResults, e.RoundID)
}

func (f *folio) onRaterNominated(_ context.Context, e feedback.RaterNominated) {
	if r := f.round(e.RoundID); r != nil {
		r.nominated[e.RaterID] = e.Group
	}
}

func (f *folio) onRaterRejected(_ context.Context, e feedback.RaterRejected) {
	if r := f.round(e.RoundID); r != nil {
		r.rejected[e.RaterID] = true
	}
}

func (f *folio) onResponseSubmitted(_ context.Context, e feedback.ResponseSubmitted) {
	r := f.round(e.RoundID)
	if r == nil {
		return
	}
	resp := threesixty.Response{RaterID: e.RaterID, Group: e.Group, Answers: e.Answers, Comments: e.Comments, At: e.At}
	if i := slices.IndexFunc(r.responses, func(x threesixty.Response) bool { return x.RaterID == e.RaterID }); i >= 0 {
		r.responses[i] = resp
		return
	}
	r.responses = append(r.responses, resp)
}

func (f *folio) onRoundClosed(_ context.Context, e feedback.RoundClosed) {
	if r := f.round(e.RoundID); r != nil {
		r.closed, r.closedAt = true, e.At
	}
	f.mark(e.At, e, view.PartFeedbackResults, e.RoundID)
}

func find[T any](xs []*T, match func(*T) bool) *T {
	// Search from the end: the latest entries are the ones most often updated.
	for i := len(xs) - 1; i >= 0; i-- {
		if match(xs[i]) {
			return xs[i]
		}
	}
	return nil
}
