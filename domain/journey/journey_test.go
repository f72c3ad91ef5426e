package journey_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/domaintest"
	"github.com/leerpad/leerpad/domain/journey"
)

func id(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }

var (
	at           = time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	later        = at.Add(14 * 24 * time.Hour)
	journeyID    = id(1)
	participant  = id(2)
	cohortID     = id(3)
	programme    = id(4)
	entity       = id(5)
	manager      = id(6)
	newManager   = id(7)
	competency   = id(8)
	moduleGoal   = id(9)
	goal         = id(10)
	choice       = id(11)
	assignment   = id(12)
	module       = id(13)
	trainer      = id(14)
	experiment   = id(15)
	session      = id(16)
	group        = id(17)
	coach        = id(18)
	delivery     = id(19)
	conversation = id(20)
	measurement  = id(21)
)

type journeyCase = domaintest.Case[*journey.Journey]

// links are what the journey's learning goals may link to: one competency, one module learning goal.
var links = journey.Links{Competencies: map[string]bool{competency: true}, ModuleGoals: map[string]bool{moduleGoal: true}}

func enrolled() journey.Enrolled {
	return journey.Enrolled{JourneyID: journeyID, ParticipantID: participant, CohortID: cohortID, ProgrammeID: programme,
		EntityID: entity, Role: journey.RoleBeginningManager, ManagerID: manager, RaterApproval: true, At: at}
}

func enrolment() cohort.Enrolment {
	return cohort.Enrolment{CohortID: cohortID, ProgrammeID: programme, EntityID: entity, ParticipantID: participant, RaterApproval: true}
}

func attendance(status cohort.AttendanceStatus) cohort.Attendance {
	return cohort.Attendance{CohortID: cohortID, DeliveryID: delivery, ParticipantID: participant, ModuleID: module,
		ModuleVersion: 3, StartsAt: at, Status: status}
}

// active returns an enrolled journey's stream followed by more.
// The result has no spare capacity, so that appending to it never changes another case's stream.
func active(more ...domain.Event) []domain.Event {
	return slices.Clip(append([]domain.Event{enrolled()}, more...))
}

var (
	goalFormulated = journey.LearningGoalFormulated{ParticipantID: participant, GoalID: goal, Kind: journey.KindQuestion,
		Text: "How do I give feedback that lands?", CompetencyIDs: []string{competency}, ModuleGoalIDs: []string{moduleGoal}, At: at}
	goalRevised = journey.LearningGoalRevised{ParticipantID: participant, GoalID: goal, Text: "How do I give feedback that lands the first time?",
		SuccessCriteria: "Two colleagues act on my feedback without asking again", DueOn: later.AddDate(0, 2, 0), At: later}
	goalClosed = journey.LearningGoalClosed{ParticipantID: participant, GoalID: goal, Outcome: journey.OutcomeAchieved,
		Reflection: "Short and concrete works", At: later}
	assignmentGiven = journey.AssignmentGiven{AssignmentID: assignment, ModuleID: module, TrainerID: trainer,
		Title: "Hold a 5R conversation", DueOn: later, At: at}
	experimentLogged = journey.ExperimentLogged{ParticipantID: participant, ExperimentID: experiment, LearningGoalID: goal,
		Intention: "Ask an open question before giving my view", PlannedFor: later, At: at}
	experimentTried = journey.ExperimentTried{ParticipantID: participant, ExperimentID: experiment,
		WhatWasTried: "Asked in the Monday meeting", TriedOn: later, At: later}
	experimentReflected = journey.ExperimentReflected{ParticipantID: participant, ExperimentID: experiment,
		Outcome: "Two people spoke up", Reflection: "Waiting felt long but worked", At: later}
	experimentConcluded = journey.ExperimentConcluded{ParticipantID: participant, ExperimentID: experiment,
		NextStep: "Try it in the one-to-ones", At: later}
	behaviourChosen = journey.BehaviourChosen{ParticipantID: participant, ChoiceID: choice, CompetencyID: competency,
		Behaviour: "Deciding quickly", Choice: journey.ChoiceDose, At: at}
	conversationRecorded = journey.ConversationRecorded{ParticipantID: participant, ConversationID: conversation, ManagerID: manager,
		HeldOn: later, Agreements: []string{"Monthly check-in on delegation"}, NextQuestions: []string{"How do I let go of details?"}, At: later}
	scores = []journey.Score{{Question: journey.QuestionRelevance, Score: 4}, {Question: journey.QuestionOverall, Score: 5}}
)

// commands returns every command on an active journey, with what it needs in
// the stream and the events it records.
func commands() []journeyCase {
	return []journeyCase{
		{Name: "change manager", Given: active(), Want: []domain.Event{journey.ManagerChanged{ManagerID: newManager, At: later}},
			When: func(j *journey.Journey) error {
				return j.ChangeManager(journey.ChangeManager{JourneyID: journeyID, ManagerID: newManager, At: later})
			}},
		{Name: "grant sharing", Given: active(),
			Want: []domain.Event{journey.SharingGranted{Section: journey.SectionExperiments, ManagerID: manager, At: at}},
			When: func(j *journey.Journey) error {
				return j.GrantSharing(journey.GrantSharing{JourneyID: journeyID, Section: journey.SectionExperiments, At: at})
			}},
		{Name: "state why", Given: active(),
			Want: []domain.Event{journey.WhyStated{ParticipantID: participant, Why: "I want my team to grow", Values: []string{"trust", "clarity"}, At: at}},
			When: func(j *journey.Journey) error {
				return j.StateWhy(journey.StateWhy{JourneyID: journeyID, Why: "I want my team to grow", Values: []string{"trust", "clarity"}, At: at})
			}},
		{Name: "choose behaviour", Given: active(), Want: []domain.Event{behaviourChosen},
			When: func(j *journey.Journey) error {
				return j.ChooseBehaviour(journey.ChooseBehaviour{JourneyID: journeyID, ChoiceID: choice, CompetencyID: competency,
					Behaviour: "Deciding quickly", Choice: journey.ChoiceDose, At: at})
			}},
		{Name: "revise behaviour choice", Given: active(behaviourChosen),
			Want: []domain.Event{journey.BehaviourChoiceRevised{ChoiceID: choice, Choice: journey.ChoiceLetGo, At: later}},
			When: func(j *journey.Journey) error {
				return j.ReviseBehaviourChoice(journey.ReviseBehaviourChoice{JourneyID: journeyID, ChoiceID: choice, Choice: journey.ChoiceLetGo, At: later})
			}},
		{Name: "formulate learning goal", Given: active(), Want: []domain.Event{goalFormulated},
			When: func(j *journey.Journey) error {
				return j.FormulateLearningGoal(journey.FormulateLearningGoal{JourneyID: journeyID, GoalID: goal, Kind: journey.KindQuestion,
					Text: goalFormulated.Text, CompetencyIDs: []string{competency}, ModuleGoalIDs: []string{moduleGoal}, At: at}, links)
			}},
		{Name: "revise learning goal", Given: active(goalFormulated), Want: []domain.Event{goalRevised},
			When: func(j *journey.Journey) error {
				return j.ReviseLearningGoal(journey.ReviseLearningGoal{JourneyID: journeyID, GoalID: goal, Text: goalRevised.Text,
					SuccessCriteria: goalRevised.SuccessCriteria, DueOn: goalRevised.DueOn, At: later})
			}},
		{Name: "close learning goal", Given: active(goalFormulated), Want: []domain.Event{goalClosed},
			When: func(j *journey.Journey) error {
				return j.CloseLearningGoal(journey.CloseLearningGoal{JourneyID: journeyID, GoalID: goal, Outcome: journey.OutcomeAchieved,
					Reflection: goalClosed.Reflection, At: later})
			}},
		{Name: "give assignment", Given: active(), Want: []domain.Event{assignmentGiven},
			When: func(j *journey.Journey) error {
				return j.GiveAssignment(journey.GiveAssignment{JourneyID: journeyID, AssignmentID: assignment, ModuleID: module,
					TrainerID: trainer, Title: "Hold a 5R conversation", DueOn: later, At: at})
			}},
		{Name: "hand in assignment", Given: active(assignmentGiven),
			Want: []domain.Event{journey.AssignmentHandedIn{ParticipantID: participant, AssignmentID: assignment, Reflection: "It went better than feared", At: later}},
			When: func(j *journey.Journey) error {
				return j.HandInAssignment(journey.HandInAssignment{JourneyID: journeyID, AssignmentID: assignment, Reflection: "It went better than feared", At: later})
			}},
		{Name: "log experiment", Given: active(goalFormulated), Want: []domain.Event{experimentLogged},
			When: func(j *journey.Journey) error {
				return j.LogExperiment(journey.LogExperiment{JourneyID: journeyID, ExperimentID: experiment, LearningGoalID: goal,
					Intention: experimentLogged.Intention, PlannedFor: later, At: at})
			}},
		{Name: "record experiment tried", Given: active(goalFormulated, experimentLogged), Want: []domain.Event{experimentTried},
			When: tried},
		{Name: "reflect on experiment", Given: active(goalFormulated, experimentLogged, experimentTried), Want: []domain.Event{experimentReflected},
			When: reflected},
		{Name: "set next step", Given: active(goalFormulated, experimentLogged, experimentTried, experimentReflected),
			Want: []domain.Event{experimentConcluded}, When: concluded},
		{Name: "record intervision", Given: active(),
			Want: []domain.Event{journey.IntervisionAttended{ParticipantID: participant, SessionID: session, GroupID: group, HeldOn: at,
				Method: "incident method", CaseBroughtIn: true, Case: "A colleague who misses deadlines", At: at}},
			When: func(j *journey.Journey) error {
				return j.RecordIntervision(journey.RecordIntervision{JourneyID: journeyID, SessionID: session, GroupID: group, HeldOn: at,
					Method: "incident method", CaseBroughtIn: true, Case: "A colleague who misses deadlines", At: at})
			}},
		{Name: "record coaching session", Given: active(),
			Want: []domain.Event{journey.CoachingSessionHeld{ParticipantID: participant, SessionID: session, CoachID: coach, HeldOn: at, Notes: "Worked on boundaries", At: at}},
			When: func(j *journey.Journey) error {
				return j.RecordCoachingSession(journey.RecordCoachingSession{JourneyID: journeyID, SessionID: session, CoachID: coach, HeldOn: at, Notes: "Worked on boundaries", At: at})
			}},
		{Name: "evaluate module, attached to the version delivered", Given: active(),
			Want: []domain.Event{journey.ModuleEvaluated{ParticipantID: participant, DeliveryID: delivery, ModuleID: module, ModuleVersion: 3,
				Scores: scores, Comments: "More practice please", At: later}},
			When: evaluate(scores, attendance(cohort.Present))},
		{Name: "rate learning, attached to the version delivered", Given: active(),
			Want: []domain.Event{journey.LearningRated{ParticipantID: participant, DeliveryID: delivery, ModuleID: module, ModuleVersion: 3,
				Ratings: []journey.GoalRating{{LearningGoalID: moduleGoal, Before: 2, Now: 4}}, At: later}},
			When: rate([]journey.GoalRating{{LearningGoalID: moduleGoal, Before: 2, Now: 4}}, attendance(cohort.Present))},
		{Name: "record conversation", Given: active(), Want: []domain.Event{conversationRecorded},
			When: func(j *journey.Journey) error {
				return j.RecordConversation(journey.RecordConversation{JourneyID: journeyID, ConversationID: conversation, HeldOn: later,
					Agreements: conversationRecorded.Agreements, NextQuestions: conversationRecorded.NextQuestions, At: later})
			}},
		{Name: "revise conversation", Given: active(conversationRecorded),
			Want: []domain.Event{journey.ConversationRevised{ParticipantID: participant, ConversationID: conversation, Agreements: []string{"Fortnightly"}, At: later}},
			When: func(j *journey.Journey) error {
				return j.ReviseConversation(journey.ReviseConversation{JourneyID: journeyID, ConversationID: conversation, Agreements: []string{"Fortnightly"}, At: later})
			}},
		{Name: "confirm conversation", Given: active(conversationRecorded),
			Want: []domain.Event{journey.ConversationConfirmed{ConversationID: conversation, Party: journey.PartyParticipant, ConfirmedBy: participant, At: later}},
			When: confirm(journey.PartyParticipant, participant)},
		{Name: "record measurement", Given: active(),
			Want: []domain.Event{journey.MeasurementRecorded{ParticipantID: participant, MeasurementID: measurement, Kind: journey.MeasurementTeamRole,
				Instrument: "Belbin", Result: "Coordinator, Monitor evaluator", TakenOn: at, At: at}},
			When: func(j *journey.Journey) error {
				return j.RecordMeasurement(journey.RecordMeasurement{JourneyID: journeyID, MeasurementID: measurement, Kind: journey.MeasurementTeamRole,
					Instrument: "Belbin", Result: "Coordinator, Monitor evaluator", TakenOn: at, At: at})
			}},
		{Name: "complete", Given: active(), Want: []domain.Event{journey.Completed{At: later}},
			When: func(j *journey.Journey) error { return j.Complete(journey.Complete{JourneyID: journeyID, At: later}) }},
		{Name: "withdraw", Given: active(), Want: []domain.Event{journey.Withdrawn{ParticipantID: participant, Reason: "New job", At: later}},
			When: func(j *journey.Journey) error {
				return j.Withdraw(journey.Withdraw{JourneyID: journeyID, Reason: "New job", At: later})
			}},
	}
}

func tried(j *journey.Journey) error {
	return j.RecordExperimentTried(journey.RecordExperimentTried{JourneyID: journeyID, ExperimentID: experiment,
		WhatWasTried: experimentTried.WhatWasTried, TriedOn: later, At: later})
}

func reflected(j *journey.Journey) error {
	return j.ReflectOnExperiment(journey.ReflectOnExperiment{JourneyID: journeyID, ExperimentID: experiment,
		Outcome: experimentReflected.Outcome, Reflection: experimentReflected.Reflection, At: later})
}

func concluded(j *journey.Journey) error {
	return j.SetNextStep(journey.SetNextStep{JourneyID: journeyID, ExperimentID: experiment, NextStep: experimentConcluded.NextStep, At: later})
}

func evaluate(s []journey.Score, a cohort.Attendance) func(*journey.Journey) error {
	return func(j *journey.Journey) error {
		return j.EvaluateModule(journey.EvaluateModule{JourneyID: journeyID, DeliveryID: delivery, Scores: s, Comments: "More practice please", At: later}, a)
	}
}

func confirm(p journey.Party, by string) func(*journey.Journey) error {
	return func(j *journey.Journey) error {
		return j.ConfirmConversation(journey.ConfirmConversation{JourneyID: journeyID, ConversationID: conversation, Party: p, ConfirmedBy: by, At: later})
	}
}

func TestCommands(t *testing.T) {
	domaintest.Run(t, journey.Replay, commands())
}

// TestClosedJourney: nothing is logged on a completed or withdrawn journey,
// except that sharing can always be revoked.
func TestClosedJourney(t *testing.T) {
	var cases []journeyCase
	for _, end := range []domain.Event{journey.Completed{At: later}, journey.Withdrawn{ParticipantID: participant, At: later}} {
		for _, c := range commands() {
			cases = append(cases, journeyCase{Name: fmt.Sprintf("%s after %s", c.Name, end.EventName()),
				Given: append(c.Given, end), When: c.When, WantErr: journey.ErrJourneyClosed})
		}
		cases = append(cases, journeyCase{Name: "revoke sharing after " + end.EventName(),
			Given: active(journey.SharingGranted{Section: journey.SectionCoaching, ManagerID: manager, At: at}, end),
			When:  revoke(journey.SectionCoaching),
			Want:  []domain.Event{journey.SharingRevoked{Section: journey.SectionCoaching, At: later}}})
	}
	domaintest.Run(t, journey.Replay, cases)
}

// TestNotEnrolled: every command but enrolment needs an enrolled journey.
func TestNotEnrolled(t *testing.T) {
	var cases []journeyCase
	for _, c := range append(commands(), journeyCase{Name: "revoke sharing", When: revoke(journey.SectionCoaching)}) {
		cases = append(cases, journeyCase{Name: c.Name, When: c.When, WantErr: journey.ErrNotEnrolled})
	}
	domaintest.Run(t, journey.Replay, cases)
}

func revoke(s journey.Section) func(*journey.Journey) error {
	return func(j *journey.Journey) error {
		return j.RevokeSharing(journey.RevokeSharing{JourneyID: journeyID, Section: s, At: later})
	}
}

func TestEnrol(t *testing.T) {
	enrol := func(f func(*journey.Enrol), e cohort.Enrolment) func(*journey.Journey) error {
		return func(j *journey.Journey) error {
			c := journey.Enrol{JourneyID: journeyID, ParticipantID: participant, CohortID: cohortID, Role: journey.RoleBeginningManager, ManagerID: manager, At: at}
			f(&c)
			return j.Enrol(c, e)
		}
	}
	same := func(*journey.Enrol) {}
	withdrawn := enrolment()
	withdrawn.Withdrawn = true
	domaintest.Run(t, journey.Replay, []journeyCase{
		{Name: "enrol takes programme, entity and rater approval from the cohort", When: enrol(same, enrolment()), Want: []domain.Event{enrolled()}},
		{Name: "enrol twice", Given: active(), When: enrol(same, enrolment()), WantErr: journey.ErrAlreadyEnrolled},
		{Name: "enrol someone not in the cohort", When: enrol(same, cohort.Enrolment{}), WantErr: journey.ErrNotInCohort},
		{Name: "enrol in another cohort than the enrolment's", When: enrol(func(c *journey.Enrol) { c.CohortID = id(99) }, enrolment()),
			WantErr: journey.ErrNotInCohort},
		{Name: "enrol someone withdrawn from the cohort", When: enrol(same, withdrawn), WantErr: journey.ErrWithdrawnFromCohort},
		{Name: "enrol without role", When: enrol(func(c *journey.Enrol) { c.Role = journey.Role{} }, enrolment()),
			WantErr: domain.ErrInvalid, WantField: "role"},
		{Name: "enrol as one's own manager", When: enrol(func(c *journey.Enrol) { c.ManagerID = participant }, enrolment()),
			WantErr: domain.ErrInvalid, WantField: "managerId"},
		{Name: "enrol without manager", When: enrol(func(c *journey.Enrol) { c.ManagerID = "" }, enrolment()),
			WantErr: domain.ErrInvalid, WantField: "managerId"},
		{Name: "enrol without time", When: enrol(func(c *journey.Enrol) { c.At = time.Time{} }, enrolment()),
			WantErr: domain.ErrInvalid, WantField: "at"},
	})
}

func TestManagerAndSharing(t *testing.T) {
	granted := journey.SharingGranted{Section: journey.SectionLearningGoals, ManagerID: manager, At: at}
	grant := func(s journey.Section) func(*journey.Journey) error {
		return func(j *journey.Journey) error {
			return j.GrantSharing(journey.GrantSharing{JourneyID: journeyID, Section: s, At: later})
		}
	}
	changeTo := func(m string) func(*journey.Journey) error {
		return func(j *journey.Journey) error {
			return j.ChangeManager(journey.ChangeManager{JourneyID: journeyID, ManagerID: m, At: later})
		}
	}
	domaintest.Run(t, journey.Replay, []journeyCase{
		{Name: "grant twice", Given: active(granted), When: grant(journey.SectionLearningGoals), WantErr: journey.ErrAlreadyShared},
		{Name: "grant without section", Given: active(), When: grant(journey.Section{}), WantErr: domain.ErrInvalid, WantField: "section"},
		{Name: "revoke", Given: active(granted), When: revoke(journey.SectionLearningGoals),
			Want: []domain.Event{journey.SharingRevoked{Section: journey.SectionLearningGoals, At: later}}},
		{Name: "revoke what was never granted", Given: active(), When: revoke(journey.SectionLearningGoals), WantErr: journey.ErrNotShared},
		{Name: "revoke twice", Given: active(granted, journey.SharingRevoked{Section: journey.SectionLearningGoals, At: at}),
			When: revoke(journey.SectionLearningGoals), WantErr: journey.ErrNotShared},
		{Name: "a new manager sees nothing shared before", Given: active(granted, journey.ManagerChanged{ManagerID: newManager, At: at}),
			When: revoke(journey.SectionLearningGoals), WantErr: journey.ErrNotShared},
		{Name: "sharing again with the new manager", Given: active(granted, journey.ManagerChanged{ManagerID: newManager, At: at}),
			When: grant(journey.SectionLearningGoals),
			Want: []domain.Event{journey.SharingGranted{Section: journey.SectionLearningGoals, ManagerID: newManager, At: later}}},
		{Name: "change to the same manager", Given: active(), When: changeTo(manager), WantErr: journey.ErrSameManager},
		{Name: "change to the participant", Given: active(), When: changeTo(participant), WantErr: domain.ErrInvalid, WantField: "managerId"},
	})
}

func TestPortfolioEntries(t *testing.T) {
	domaintest.Run(t, journey.Replay, []journeyCase{
		{Name: "why is required", Given: active(), WantErr: domain.ErrInvalid, WantField: "why",
			When: func(j *journey.Journey) error {
				return j.StateWhy(journey.StateWhy{JourneyID: journeyID, Why: "  ", At: at})
			}},
		{Name: "an empty value", Given: active(), WantErr: domain.ErrInvalid, WantField: "values[1]",
			When: func(j *journey.Journey) error {
				return j.StateWhy(journey.StateWhy{JourneyID: journeyID, Why: "Growth", Values: []string{"trust", ""}, At: at})
			}},
		{Name: "a behaviour choice id twice", Given: active(behaviourChosen), WantErr: journey.ErrDuplicateID,
			When: func(j *journey.Journey) error {
				return j.ChooseBehaviour(journey.ChooseBehaviour{JourneyID: journeyID, ChoiceID: choice, CompetencyID: competency,
					Behaviour: "Listening", Choice: journey.ChoiceContinue, At: at})
			}},
		{Name: "a behaviour without choice", Given: active(), WantErr: domain.ErrInvalid, WantField: "choice",
			When: func(j *journey.Journey) error {
				return j.ChooseBehaviour(journey.ChooseBehaviour{JourneyID: journeyID, ChoiceID: choice, CompetencyID: competency, Behaviour: "Listening", At: at})
			}},
		{Name: "revise an unknown choice", Given: active(), WantErr: journey.ErrChoiceNotFound,
			When: func(j *journey.Journey) error {
				return j.ReviseBehaviourChoice(journey.ReviseBehaviourChoice{JourneyID: journeyID, ChoiceID: choice, Choice: journey.ChoiceDevelop, At: at})
			}},
		{Name: "revise a choice to the same", Given: active(behaviourChosen), WantErr: journey.ErrChoiceUnchanged,
			When: func(j *journey.Journey) error {
				return j.ReviseBehaviourChoice(journey.ReviseBehaviourChoice{JourneyID: journeyID, ChoiceID: choice, Choice: journey.ChoiceDose, At: at})
			}},
		{Name: "a learning goal linked to nothing", Given: active(), WantErr: domain.ErrInvalid, WantField: "competencyIds",
			When: func(j *journey.Journey) error {
				return j.FormulateLearningGoal(journey.FormulateLearningGoal{JourneyID: journeyID, GoalID: goal, Kind: journey.KindGoal, Text: "Delegate more", At: at}, links)
			}},
		{Name: "a learning goal id used by a choice", Given: active(behaviourChosen), WantErr: journey.ErrDuplicateID,
			When: func(j *journey.Journey) error {
				return j.FormulateLearningGoal(journey.FormulateLearningGoal{JourneyID: journeyID, GoalID: choice, Kind: journey.KindGoal,
					Text: "Delegate more", CompetencyIDs: []string{competency}, At: at}, links)
			}},
		{Name: "hand in an assignment twice", Given: active(assignmentGiven,
			journey.AssignmentHandedIn{ParticipantID: participant, AssignmentID: assignment, Reflection: "Done", At: at}),
			WantErr: journey.ErrAlreadyHandedIn,
			When: func(j *journey.Journey) error {
				return j.HandInAssignment(journey.HandInAssignment{JourneyID: journeyID, AssignmentID: assignment, Reflection: "Again", At: later})
			}},
		{Name: "hand in an assignment never given", Given: active(), WantErr: journey.ErrAssignmentNotFound,
			When: func(j *journey.Journey) error {
				return j.HandInAssignment(journey.HandInAssignment{JourneyID: journeyID, AssignmentID: assignment, Reflection: "Done", At: later})
			}},
		{Name: "hand in without reflection", Given: active(assignmentGiven), WantErr: domain.ErrInvalid, WantField: "reflection",
			When: func(j *journey.Journey) error {
				return j.HandInAssignment(journey.HandInAssignment{JourneyID: journeyID, AssignmentID: assignment, At: later})
			}},
		{Name: "give an assignment twice", Given: active(assignmentGiven), WantErr: journey.ErrDuplicateID,
			When: func(j *journey.Journey) error {
				return j.GiveAssignment(journey.GiveAssignment{JourneyID: journeyID, AssignmentID: assignment, ModuleID: module,
					TrainerID: trainer, Title: "Again", DueOn: later, At: at})
			}},
		{Name: "a case brought in must be described", Given: active(), WantErr: domain.ErrInvalid, WantField: "case",
			When: func(j *journey.Journey) error {
				return j.RecordIntervision(journey.RecordIntervision{JourneyID: journeyID, SessionID: session, GroupID: group, HeldOn: at, CaseBroughtIn: true, At: at})
			}},
		{Name: "no case without bringing one in", Given: active(), WantErr: domain.ErrInvalid, WantField: "case",
			When: func(j *journey.Journey) error {
				return j.RecordIntervision(journey.RecordIntervision{JourneyID: journeyID, SessionID: session, GroupID: group, HeldOn: at, Case: "x", At: at})
			}},
		{Name: "intervision without a case", Given: active(),
			Want: []domain.Event{journey.IntervisionAttended{ParticipantID: participant, SessionID: session, GroupID: group, HeldOn: at, At: at}},
			When: func(j *journey.Journey) error {
				return j.RecordIntervision(journey.RecordIntervision{JourneyID: journeyID, SessionID: session, GroupID: group, HeldOn: at, At: at})
			}},
		{Name: "a coaching session id twice", Given: active(journey.CoachingSessionHeld{ParticipantID: participant, SessionID: session, CoachID: coach, HeldOn: at, At: at}),
			WantErr: journey.ErrDuplicateID,
			When: func(j *journey.Journey) error {
				return j.RecordCoachingSession(journey.RecordCoachingSession{JourneyID: journeyID, SessionID: session, CoachID: coach, HeldOn: at, At: at})
			}},
		{Name: "a measurement without kind", Given: active(), WantErr: domain.ErrInvalid, WantField: "kind",
			When: func(j *journey.Journey) error {
				return j.RecordMeasurement(journey.RecordMeasurement{JourneyID: journeyID, MeasurementID: measurement, Instrument: "Belbin", Result: "Plant", TakenOn: at, At: at})
			}},
		{Name: "a measurement taken after it is recorded", Given: active(), WantErr: domain.ErrInvalid, WantField: "takenOn",
			When: func(j *journey.Journey) error {
				return j.RecordMeasurement(journey.RecordMeasurement{JourneyID: journeyID, MeasurementID: measurement, Kind: journey.MeasurementSkills,
					Instrument: "Skills scan", Result: "Networking: strong", TakenOn: at.Add(time.Minute), At: at})
			}},
		{Name: "a measurement on a withdrawn journey", Given: active(journey.Withdrawn{ParticipantID: participant, At: at}), WantErr: journey.ErrJourneyClosed,
			When: func(j *journey.Journey) error {
				return j.RecordMeasurement(journey.RecordMeasurement{JourneyID: journeyID, MeasurementID: measurement, Kind: journey.MeasurementSkills,
					Instrument: "Skills scan", Result: "Networking: strong", TakenOn: at, At: later})
			}},
		{Name: "complete twice", Given: active(journey.Completed{At: at}), WantErr: journey.ErrJourneyClosed,
			When: func(j *journey.Journey) error { return j.Complete(journey.Complete{JourneyID: journeyID, At: later}) }},
		{Name: "withdraw after completion", Given: active(journey.Completed{At: at}), WantErr: journey.ErrJourneyClosed,
			When: func(j *journey.Journey) error { return j.Withdraw(journey.Withdraw{JourneyID: journeyID, At: later}) }},
	})
}

// TestLearningGoals: SMART fields, links the catalogue knows, and a closed
// goal that is closed once, not revised and takes no new experiment.
func TestLearningGoals(t *testing.T) {
	closed := active(goalFormulated, goalClosed)
	formulate := func(c journey.FormulateLearningGoal) func(j *journey.Journey) error {
		c.JourneyID, c.GoalID, c.Kind, c.At = journeyID, goal, journey.KindGoal, at
		if c.Text == "" {
			c.Text = "Delegate more"
		}
		return func(j *journey.Journey) error { return j.FormulateLearningGoal(c, links) }
	}
	revise := func(c journey.ReviseLearningGoal) func(j *journey.Journey) error {
		c.JourneyID, c.GoalID, c.At = journeyID, goal, later
		return func(j *journey.Journey) error { return j.ReviseLearningGoal(c) }
	}
	closeAs := func(o journey.GoalOutcome) func(j *journey.Journey) error {
		return func(j *journey.Journey) error {
			return j.CloseLearningGoal(journey.CloseLearningGoal{JourneyID: journeyID, GoalID: goal, Outcome: o, At: later})
		}
	}
	domaintest.Run(t, journey.Replay, []journeyCase{
		{Name: "SMART fields", Given: active(), When: formulate(journey.FormulateLearningGoal{SuccessCriteria: "My team plans without me",
			DueOn: later, CompetencyIDs: []string{competency}}),
			Want: []domain.Event{journey.LearningGoalFormulated{ParticipantID: participant, GoalID: goal, Kind: journey.KindGoal,
				Text: "Delegate more", SuccessCriteria: "My team plans without me", DueOn: later, CompetencyIDs: []string{competency}, At: at}}},
		{Name: "an unknown competency", Given: active(), WantErr: domain.ErrInvalid, WantField: "competencyIds[1]",
			When: formulate(journey.FormulateLearningGoal{CompetencyIDs: []string{competency, id(90)}})},
		{Name: "an unknown module learning goal", Given: active(), WantErr: domain.ErrInvalid, WantField: "moduleGoalIds[0]",
			When: formulate(journey.FormulateLearningGoal{CompetencyIDs: []string{competency}, ModuleGoalIDs: []string{id(91)}})},
		{Name: "a competency given as a module learning goal", Given: active(), WantErr: domain.ErrInvalid, WantField: "moduleGoalIds[0]",
			When: formulate(journey.FormulateLearningGoal{ModuleGoalIDs: []string{competency}})},
		{Name: "unchecked links where they are not known", Given: active(),
			When: func(j *journey.Journey) error {
				return j.FormulateLearningGoal(journey.FormulateLearningGoal{JourneyID: journeyID, GoalID: goal, Kind: journey.KindGoal,
					Text: "Delegate more", CompetencyIDs: []string{id(90)}, At: at}, journey.Links{ModuleGoals: map[string]bool{}})
			},
			Want: []domain.Event{journey.LearningGoalFormulated{ParticipantID: participant, GoalID: goal, Kind: journey.KindGoal,
				Text: "Delegate more", CompetencyIDs: []string{id(90)}, At: at}}},
		{Name: "a due date in year 20255", Given: active(), WantErr: domain.ErrInvalid, WantField: "dueOn",
			When: formulate(journey.FormulateLearningGoal{DueOn: time.Date(20255, 1, 1, 0, 0, 0, 0, time.UTC), CompetencyIDs: []string{competency}})},
		{Name: "a revision without text", Given: active(goalFormulated), WantErr: domain.ErrInvalid, WantField: "text",
			When: revise(journey.ReviseLearningGoal{SuccessCriteria: "Something"})},
		{Name: "a revision with a due date in year 205", Given: active(goalFormulated), WantErr: domain.ErrInvalid, WantField: "dueOn",
			When: revise(journey.ReviseLearningGoal{Text: "Delegate", DueOn: time.Date(205, 1, 1, 0, 0, 0, 0, time.UTC)})},
		{Name: "revise an unknown goal", Given: active(), WantErr: journey.ErrGoalNotFound,
			When: revise(journey.ReviseLearningGoal{Text: "Delegate"})},
		{Name: "revise a closed goal", Given: closed, WantErr: journey.ErrGoalClosed,
			When: revise(journey.ReviseLearningGoal{Text: "Delegate"})},
		{Name: "close without outcome", Given: active(goalFormulated), WantErr: domain.ErrInvalid, WantField: "outcome",
			When: closeAs(journey.GoalOutcome{})},
		{Name: "close dropped", Given: active(goalFormulated), When: closeAs(journey.OutcomeDropped),
			Want: []domain.Event{journey.LearningGoalClosed{ParticipantID: participant, GoalID: goal, Outcome: journey.OutcomeDropped, At: later}}},
		{Name: "close an unknown goal", Given: active(), WantErr: journey.ErrGoalNotFound, When: closeAs(journey.OutcomeAchieved)},
		{Name: "close twice", Given: closed, WantErr: journey.ErrGoalClosed, When: closeAs(journey.OutcomeDropped)},
		{Name: "an experiment for a closed goal", Given: closed, WantErr: journey.ErrGoalClosed,
			When: func(j *journey.Journey) error {
				return j.LogExperiment(journey.LogExperiment{JourneyID: journeyID, ExperimentID: experiment, LearningGoalID: goal,
					Intention: "Try", PlannedFor: later, At: later})
			}},
		{Name: "an experiment for a revised goal", Given: active(goalFormulated, goalRevised),
			When: func(j *journey.Journey) error {
				return j.LogExperiment(journey.LogExperiment{JourneyID: journeyID, ExperimentID: experiment, LearningGoalID: goal,
					Intention: experimentLogged.Intention, PlannedFor: later, At: at})
			},
			Want: []domain.Event{experimentLogged}},
	})
}

// TestExperimentSteps: an experiment moves through its steps in order, each once.
func TestExperimentSteps(t *testing.T) {
	logged := active(goalFormulated, experimentLogged)
	domaintest.Run(t, journey.Replay, []journeyCase{
		{Name: "for an unknown learning goal", Given: active(), WantErr: journey.ErrLearningGoalNotFound,
			When: func(j *journey.Journey) error {
				return j.LogExperiment(journey.LogExperiment{JourneyID: journeyID, ExperimentID: experiment, LearningGoalID: goal,
					Intention: "Try", PlannedFor: later, At: at})
			}},
		{Name: "log twice", Given: logged, WantErr: journey.ErrDuplicateID,
			When: func(j *journey.Journey) error {
				return j.LogExperiment(journey.LogExperiment{JourneyID: journeyID, ExperimentID: experiment, LearningGoalID: goal,
					Intention: "Try", PlannedFor: later, At: at})
			}},
		{Name: "log without intention", Given: active(goalFormulated), WantErr: domain.ErrInvalid, WantField: "intention",
			When: func(j *journey.Journey) error {
				return j.LogExperiment(journey.LogExperiment{JourneyID: journeyID, ExperimentID: experiment, LearningGoalID: goal, PlannedFor: later, At: at})
			}},
		{Name: "tried before logged", Given: active(goalFormulated), When: tried, WantErr: journey.ErrExperimentNotFound},
		{Name: "reflected before tried", Given: logged, When: reflected, WantErr: journey.ErrExperimentOutOfOrder},
		{Name: "next step before reflected", Given: append(logged, experimentTried), When: concluded, WantErr: journey.ErrExperimentOutOfOrder},
		{Name: "tried twice", Given: append(logged, experimentTried), When: tried, WantErr: journey.ErrExperimentOutOfOrder},
		{Name: "reflected twice", Given: append(logged, experimentTried, experimentReflected), When: reflected, WantErr: journey.ErrExperimentOutOfOrder},
		{Name: "next step twice", Given: append(logged, experimentTried, experimentReflected, experimentConcluded), When: concluded,
			WantErr: journey.ErrExperimentOutOfOrder},
		{Name: "tried after concluded", Given: append(logged, experimentTried, experimentReflected, experimentConcluded), When: tried,
			WantErr: journey.ErrExperimentOutOfOrder},
	})
}

// TestEvaluation: only for an attended delivery of the journey's cohort, once,
// with scores within the scale.
func TestEvaluation(t *testing.T) {
	evaluated := journey.ModuleEvaluated{ParticipantID: participant, DeliveryID: delivery, ModuleID: module, ModuleVersion: 3, Scores: scores, At: at}
	otherCohort := attendance(cohort.Present)
	otherCohort.CohortID = id(98)
	someoneElse := attendance(cohort.Present)
	someoneElse.ParticipantID = id(97)
	domaintest.Run(t, journey.Replay, []journeyCase{
		{Name: "absent", Given: active(), When: evaluate(scores, attendance(cohort.Absent)), WantErr: journey.ErrNotAttended},
		{Name: "excused", Given: active(), When: evaluate(scores, attendance(cohort.Excused)), WantErr: journey.ErrNotAttended},
		{Name: "attendance not recorded", Given: active(), When: evaluate(scores, attendance(cohort.AttendanceStatus{})), WantErr: journey.ErrNotAttended},
		{Name: "unknown delivery", Given: active(), When: evaluate(scores, cohort.Attendance{}), WantErr: journey.ErrDeliveryNotFound},
		{Name: "a delivery of another cohort", Given: active(), When: evaluate(scores, otherCohort), WantErr: journey.ErrDeliveryNotFound},
		{Name: "someone else's attendance", Given: active(), When: evaluate(scores, someoneElse), WantErr: journey.ErrDeliveryNotFound},
		{Name: "twice", Given: active(evaluated), When: evaluate(scores, attendance(cohort.Present)), WantErr: journey.ErrAlreadyEvaluated},
		{Name: "the lowest and the top score of the scale", Given: active(),
			When: evaluate([]journey.Score{{Question: journey.QuestionTrainer, Score: journey.MinScore}, {Question: journey.QuestionOverall, Score: journey.MaxScore}},
				attendance(cohort.Present)),
			Want: []domain.Event{journey.ModuleEvaluated{ParticipantID: participant, DeliveryID: delivery, ModuleID: module, ModuleVersion: 3,
				Scores: []journey.Score{{Question: journey.QuestionTrainer, Score: 1}, {Question: journey.QuestionOverall, Score: 5}}, Comments: "More practice please", At: later}}},
		{Name: "score above the scale", Given: active(), WantErr: domain.ErrInvalid, WantField: "scores[0].score",
			When: evaluate([]journey.Score{{Question: journey.QuestionTrainer, Score: 6}}, attendance(cohort.Present))},
		{Name: "score below the scale", Given: active(), WantErr: domain.ErrInvalid, WantField: "scores[0].score",
			When: evaluate([]journey.Score{{Question: journey.QuestionTrainer, Score: 0}}, attendance(cohort.Present))},
		{Name: "a question twice", Given: active(), WantErr: domain.ErrInvalid, WantField: "scores[1].questionId",
			When: evaluate([]journey.Score{{Question: journey.QuestionTrainer, Score: 3}, {Question: journey.QuestionTrainer, Score: 4}}, attendance(cohort.Present))},
		{Name: "no scores", Given: active(), WantErr: domain.ErrInvalid, WantField: "scores",
			When: evaluate(nil, attendance(cohort.Present))},
	})
}

// TestConversation: final only when both confirmed, each by that very person;
// a revision voids confirmations; nothing changes after final.
func TestConversation(t *testing.T) {
	byParticipant := journey.ConversationConfirmed{ConversationID: conversation, Party: journey.PartyParticipant, ConfirmedBy: participant, At: at}
	byManager := journey.ConversationConfirmed{ConversationID: conversation, Party: journey.PartyManager, ConfirmedBy: manager, At: at}
	final := journey.ConversationFinalised{ConversationID: conversation, At: at}
	revise := func(j *journey.Journey) error {
		return j.ReviseConversation(journey.ReviseConversation{JourneyID: journeyID, ConversationID: conversation, Agreements: []string{"Weekly"}, At: later})
	}
	domaintest.Run(t, journey.Replay, []journeyCase{
		{Name: "manager confirms after participant: final", Given: active(conversationRecorded, byParticipant),
			When: confirm(journey.PartyManager, manager),
			Want: []domain.Event{
				journey.ConversationConfirmed{ConversationID: conversation, Party: journey.PartyManager, ConfirmedBy: manager, At: later},
				journey.ConversationFinalised{ConversationID: conversation, At: later},
			}},
		{Name: "participant confirms after manager: final", Given: active(conversationRecorded, byManager),
			When: confirm(journey.PartyParticipant, participant),
			Want: []domain.Event{
				journey.ConversationConfirmed{ConversationID: conversation, Party: journey.PartyParticipant, ConfirmedBy: participant, At: later},
				journey.ConversationFinalised{ConversationID: conversation, At: later},
			}},
		{Name: "one confirmation is not final", Given: active(conversationRecorded), When: confirm(journey.PartyManager, manager),
			Want: []domain.Event{journey.ConversationConfirmed{ConversationID: conversation, Party: journey.PartyManager, ConfirmedBy: manager, At: later}}},
		{Name: "confirm twice", Given: active(conversationRecorded, byManager), When: confirm(journey.PartyManager, manager),
			WantErr: journey.ErrAlreadyConfirmed},
		{Name: "someone else confirms as manager", Given: active(conversationRecorded), When: confirm(journey.PartyManager, id(96)),
			WantErr: journey.ErrNotTheParty},
		{Name: "the manager confirms as participant", Given: active(conversationRecorded), When: confirm(journey.PartyParticipant, manager),
			WantErr: journey.ErrNotTheParty},
		{Name: "a new manager cannot confirm a conversation held with the former one",
			Given: active(conversationRecorded, journey.ManagerChanged{ManagerID: newManager, At: at}),
			When:  confirm(journey.PartyManager, newManager), WantErr: journey.ErrNotTheParty},
		{Name: "confirm without party", Given: active(conversationRecorded), When: confirm(journey.Party{}, manager),
			WantErr: domain.ErrInvalid, WantField: "party"},
		{Name: "confirm an unknown conversation", Given: active(), When: confirm(journey.PartyManager, manager),
			WantErr: journey.ErrConversationNotFound},
		{Name: "a revision voids the confirmation", Given: active(conversationRecorded, byManager,
			journey.ConversationRevised{ParticipantID: participant, ConversationID: conversation, Agreements: []string{"Weekly"}, At: at}, byParticipant),
			When: confirm(journey.PartyManager, manager),
			Want: []domain.Event{
				journey.ConversationConfirmed{ConversationID: conversation, Party: journey.PartyManager, ConfirmedBy: manager, At: later},
				journey.ConversationFinalised{ConversationID: conversation, At: later},
			}},
		{Name: "revised after a confirmation, one confirmation is not final", Given: active(conversationRecorded, byManager,
			journey.ConversationRevised{ParticipantID: participant, ConversationID: conversation, Agreements: []string{"Weekly"}, At: at}),
			When: confirm(journey.PartyParticipant, participant),
			Want: []domain.Event{journey.ConversationConfirmed{ConversationID: conversation, Party: journey.PartyParticipant, ConfirmedBy: participant, At: later}}},
		{Name: "revise a final conversation", Given: active(conversationRecorded, byManager, byParticipant, final), When: revise,
			WantErr: journey.ErrConversationFinal},
		{Name: "confirm a final conversation", Given: active(conversationRecorded, byManager, byParticipant, final),
			When: confirm(journey.PartyManager, manager), WantErr: journey.ErrConversationFinal},
		{Name: "record without agreements", Given: active(), WantErr: domain.ErrInvalid, WantField: "agreements",
			When: func(j *journey.Journey) error {
				return j.RecordConversation(journey.RecordConversation{JourneyID: journeyID, ConversationID: conversation, HeldOn: at, At: at})
			}},
		{Name: "record a conversation id twice", Given: active(conversationRecorded), WantErr: journey.ErrDuplicateID,
			When: func(j *journey.Journey) error {
				return j.RecordConversation(journey.RecordConversation{JourneyID: journeyID, ConversationID: conversation, HeldOn: at, Agreements: []string{"x"}, At: at})
			}},
	})
}

func TestParse(t *testing.T) {
	if r, err := journey.ParseRole("coordinator"); err != nil || r != journey.RoleCoordinator {
		t.Errorf("ParseRole(coordinator) = %v, %v", r, err)
	}
	_, err := journey.ParseChoice("ignore")
	var fe *domain.FieldError
	if !errors.As(err, &fe) || fe.Field != "choice" || !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("ParseChoice(ignore): err = %v, want a field error on choice", err)
	}
	if want := `invalid choice: "ignore" is not one of continue, develop, dose, let-go`; err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
}

// TestStoryDates: what the participant records happened no later than it is
// recorded, and an experiment's steps do not come before it was tried.
func TestStoryDates(t *testing.T) {
	logged := active(goalFormulated, experimentLogged)
	minute := time.Minute
	triedAt := func(triedOn, at time.Time) func(*journey.Journey) error {
		return func(j *journey.Journey) error {
			return j.RecordExperimentTried(journey.RecordExperimentTried{JourneyID: journeyID, ExperimentID: experiment,
				WhatWasTried: experimentTried.WhatWasTried, TriedOn: triedOn, At: at})
		}
	}
	reflectAt := func(at time.Time) func(*journey.Journey) error {
		return func(j *journey.Journey) error {
			return j.ReflectOnExperiment(journey.ReflectOnExperiment{JourneyID: journeyID, ExperimentID: experiment,
				Outcome: experimentReflected.Outcome, Reflection: experimentReflected.Reflection, At: at})
		}
	}
	concludeAt := func(at time.Time) func(*journey.Journey) error {
		return func(j *journey.Journey) error {
			return j.SetNextStep(journey.SetNextStep{JourneyID: journeyID, ExperimentID: experiment, NextStep: experimentConcluded.NextStep, At: at})
		}
	}
	// triedLater was tried on later (and recorded then); reflectedEarly was
	// reflected on before that, as only a stream written by other means can hold.
	triedLater := experimentTried
	reflectedEarly := experimentReflected
	reflectedEarly.At = at
	triedEarly := experimentTried
	triedEarly.TriedOn, triedEarly.At = at, at
	startsLater := attendance(cohort.Present)
	startsLater.StartsAt = later.Add(time.Hour)
	domaintest.Run(t, journey.Replay, []journeyCase{
		{Name: "tried in the future", Given: logged, When: triedAt(later.Add(minute), later), WantErr: domain.ErrInvalid, WantField: "triedOn"},
		{Name: "tried before 1900", Given: logged, When: triedAt(time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC), later),
			WantErr: domain.ErrInvalid, WantField: "triedOn"},
		{Name: "tried before it is recorded", Given: logged, When: triedAt(at, later),
			Want: []domain.Event{journey.ExperimentTried{ParticipantID: participant, ExperimentID: experiment,
				WhatWasTried: experimentTried.WhatWasTried, TriedOn: at, At: later}}},
		{Name: "a reflection before the trial", Given: append(logged, triedLater), When: reflectAt(later.Add(-minute)),
			WantErr: domain.ErrInvalid, WantField: "at"},
		{Name: "a reflection at the moment of the trial", Given: append(logged, triedLater), When: reflectAt(later),
			Want: []domain.Event{experimentReflected}},
		{Name: "concluded before it was tried", Given: append(logged, triedLater, reflectedEarly), When: concludeAt(later.Add(-minute)),
			WantErr: domain.ErrInvalid, WantField: "at"},
		{Name: "concluded before the reflection", Given: append(logged, triedEarly, experimentReflected), When: concludeAt(later.Add(-minute)),
			WantErr: domain.ErrInvalid, WantField: "at"},
		{Name: "concluded at the moment of the reflection", Given: append(logged, triedEarly, experimentReflected), When: concludeAt(later),
			Want: []domain.Event{experimentConcluded}},
		{Name: "an intervision session held in the future", Given: active(), WantErr: domain.ErrInvalid, WantField: "heldOn",
			When: func(j *journey.Journey) error {
				return j.RecordIntervision(journey.RecordIntervision{JourneyID: journeyID, SessionID: session, GroupID: group, HeldOn: at.Add(minute), At: at})
			}},
		{Name: "a coaching session held in the future", Given: active(), WantErr: domain.ErrInvalid, WantField: "heldOn",
			When: func(j *journey.Journey) error {
				return j.RecordCoachingSession(journey.RecordCoachingSession{JourneyID: journeyID, SessionID: session, CoachID: coach, HeldOn: at.Add(minute), At: at})
			}},
		{Name: "a development conversation held in the future", Given: active(), WantErr: domain.ErrInvalid, WantField: "heldOn",
			When: func(j *journey.Journey) error {
				return j.RecordConversation(journey.RecordConversation{JourneyID: journeyID, ConversationID: conversation, HeldOn: later.Add(minute),
					Agreements: conversationRecorded.Agreements, At: later})
			}},
		{Name: "a development conversation held in 2201", Given: active(), WantErr: domain.ErrInvalid, WantField: "heldOn",
			When: func(j *journey.Journey) error {
				return j.RecordConversation(journey.RecordConversation{JourneyID: journeyID, ConversationID: conversation,
					HeldOn: time.Date(2201, 1, 1, 0, 0, 0, 0, time.UTC), Agreements: conversationRecorded.Agreements, At: later})
			}},
		{Name: "a delivery evaluated before it starts", Given: active(), When: evaluate(scores, startsLater),
			WantErr: domain.ErrInvalid, WantField: "at"},
	})
}

// TestTextFields: every text field refuses what its kind refuses, naming the field.
func TestTextFields(t *testing.T) {
	domaintest.Run(t, journey.Replay, []journeyCase{
		{Name: "a NUL in the why", Given: active(), WantErr: domain.ErrInvalid, WantField: "why",
			When: func(j *journey.Journey) error {
				return j.StateWhy(journey.StateWhy{JourneyID: journeyID, Why: "Growth\x00", At: at})
			}},
		{Name: "line breaks in the why", Given: active(),
			Want: []domain.Event{journey.WhyStated{ParticipantID: participant, Why: "Growth\r\nfor all", At: at}},
			When: func(j *journey.Journey) error {
				return j.StateWhy(journey.StateWhy{JourneyID: journeyID, Why: "Growth\r\nfor all", At: at})
			}},
		{Name: "a line break in a value", Given: active(), WantErr: domain.ErrInvalid, WantField: "values[0]",
			When: func(j *journey.Journey) error {
				return j.StateWhy(journey.StateWhy{JourneyID: journeyID, Why: "Growth", Values: []string{"trust\nclarity"}, At: at})
			}},
		{Name: "a tab in a behaviour", Given: active(), WantErr: domain.ErrInvalid, WantField: "behaviour",
			When: func(j *journey.Journey) error {
				return j.ChooseBehaviour(journey.ChooseBehaviour{JourneyID: journeyID, ChoiceID: choice, CompetencyID: competency,
					Behaviour: "Deciding\tquickly", Choice: journey.ChoiceDose, At: at})
			}},
		{Name: "an override in a learning goal", Given: active(), WantErr: domain.ErrInvalid, WantField: "text",
			When: func(j *journey.Journey) error {
				return j.FormulateLearningGoal(journey.FormulateLearningGoal{JourneyID: journeyID, GoalID: goal, Kind: journey.KindGoal,
					Text: "Delegate \u202Eerom", CompetencyIDs: []string{competency}, At: at}, links)
			}},
		{Name: "a line break in an assignment title", Given: active(), WantErr: domain.ErrInvalid, WantField: "title",
			When: func(j *journey.Journey) error {
				return j.GiveAssignment(journey.GiveAssignment{JourneyID: journeyID, AssignmentID: assignment, ModuleID: module,
					TrainerID: trainer, Title: "Hold a\nconversation", DueOn: later, At: at})
			}},
		{Name: "a lone carriage return in a reflection", Given: active(assignmentGiven), WantErr: domain.ErrInvalid, WantField: "reflection",
			When: func(j *journey.Journey) error {
				return j.HandInAssignment(journey.HandInAssignment{JourneyID: journeyID, AssignmentID: assignment, Reflection: "Done\rover", At: later})
			}},
		{Name: "an escape in an intervision method", Given: active(), WantErr: domain.ErrInvalid, WantField: "method",
			When: func(j *journey.Journey) error {
				return j.RecordIntervision(journey.RecordIntervision{JourneyID: journeyID, SessionID: session, GroupID: group, HeldOn: at,
					Method: "\x1b[2Jincident", At: at})
			}},
		{Name: "an isolate in coaching notes", Given: active(), WantErr: domain.ErrInvalid, WantField: "notes",
			When: func(j *journey.Journey) error {
				return j.RecordCoachingSession(journey.RecordCoachingSession{JourneyID: journeyID, SessionID: session, CoachID: coach, HeldOn: at,
					Notes: "\u2066hidden\u2069", At: at})
			}},
		{Name: "a NUL in evaluation comments", Given: active(), WantErr: domain.ErrInvalid, WantField: "comments",
			When: func(j *journey.Journey) error {
				return j.EvaluateModule(journey.EvaluateModule{JourneyID: journeyID, DeliveryID: delivery, Scores: scores, Comments: "\x00", At: later},
					attendance(cohort.Present))
			}},
		{Name: "a NUL in the second agreement", Given: active(), WantErr: domain.ErrInvalid, WantField: "agreements[1]",
			When: func(j *journey.Journey) error {
				return j.RecordConversation(journey.RecordConversation{JourneyID: journeyID, ConversationID: conversation, HeldOn: later,
					Agreements: []string{"Monthly", "Weekly\x00"}, At: later})
			}},
		{Name: "a line break in a measurement's instrument", Given: active(), WantErr: domain.ErrInvalid, WantField: "instrument",
			When: func(j *journey.Journey) error {
				return j.RecordMeasurement(journey.RecordMeasurement{JourneyID: journeyID, MeasurementID: measurement, Kind: journey.MeasurementTeamRole,
					Instrument: "Bel\nbin", Result: "Plant", TakenOn: at, At: at})
			}},
		{Name: "a NUL in a withdrawal reason", Given: active(), WantErr: domain.ErrInvalid, WantField: "reason",
			When: func(j *journey.Journey) error {
				return j.Withdraw(journey.Withdraw{JourneyID: journeyID, Reason: "New job\x00", At: later})
			}},
	})
}
