package journey

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/domaintest"
)

func uuid(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }

// TestReplay runs every command on two journeys (one completed, one
// withdrawn), then checks that replaying the stored streams (through the
// codec) rebuilds the same journeys, and that the events follow the
// stored-schema conventions.
func TestReplay(t *testing.T) {
	at := time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)
	day := func(n int) time.Time { return at.AddDate(0, 0, n) }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	jid, pid, cid, mgr := uuid(1), uuid(2), uuid(3), uuid(4)
	j := Replay()
	must(j.Enrol(Enrol{JourneyID: jid, ParticipantID: pid, CohortID: cid, Role: RoleCoordinator, ManagerID: mgr, At: at},
		cohort.Enrolment{CohortID: cid, ParticipantID: pid, ProgrammeID: uuid(5), EntityID: uuid(6)}))
	must(j.GrantSharing(GrantSharing{JourneyID: jid, Section: SectionLearningGoals, At: day(1)}))
	must(j.GrantSharing(GrantSharing{JourneyID: jid, Section: SectionCoaching, At: day(1)}))
	must(j.RevokeSharing(RevokeSharing{JourneyID: jid, Section: SectionCoaching, At: day(2)}))
	must(j.StateWhy(StateWhy{JourneyID: jid, Why: "Make public service work for people", Values: []string{"integrity", "care"}, At: day(2)}))
	must(j.ChooseBehaviour(ChooseBehaviour{JourneyID: jid, ChoiceID: uuid(7), CompetencyID: uuid(8), Behaviour: "Taking over", Choice: ChoiceDose, At: day(3)}))
	must(j.ReviseBehaviourChoice(ReviseBehaviourChoice{JourneyID: jid, ChoiceID: uuid(7), Choice: ChoiceLetGo, At: day(4)}))
	must(j.FormulateLearningGoal(FormulateLearningGoal{JourneyID: jid, GoalID: uuid(9), Kind: KindQuestion, Text: "How do I coach?",
		SuccessCriteria: "My colleagues find their own answers", DueOn: day(60),
		CompetencyIDs: []string{uuid(8)}, ModuleGoalIDs: []string{uuid(10)}, At: day(4)}, Links{}))
	must(j.ReviseLearningGoal(ReviseLearningGoal{JourneyID: jid, GoalID: uuid(9), Text: "How do I coach without taking over?",
		SuccessCriteria: "Two colleagues solve a problem without my answer", DueOn: day(70), At: day(5)}))
	must(j.GiveAssignment(GiveAssignment{JourneyID: jid, AssignmentID: uuid(11), ModuleID: uuid(12), TrainerID: uuid(13), Title: "Coach a colleague", DueOn: day(30), At: day(5)}))
	must(j.HandInAssignment(HandInAssignment{JourneyID: jid, AssignmentID: uuid(11), Reflection: "Hard to keep quiet", At: day(20)}))
	must(j.LogExperiment(LogExperiment{JourneyID: jid, ExperimentID: uuid(14), LearningGoalID: uuid(9), Intention: "Ask, don't tell", PlannedFor: day(7), At: day(5)}))
	must(j.RecordExperimentTried(RecordExperimentTried{JourneyID: jid, ExperimentID: uuid(14), WhatWasTried: "Asked three questions", TriedOn: day(7), At: day(8)}))
	must(j.ReflectOnExperiment(ReflectOnExperiment{JourneyID: jid, ExperimentID: uuid(14), Outcome: "She found the answer", Reflection: "Patience pays", At: day(8)}))
	must(j.SetNextStep(SetNextStep{JourneyID: jid, ExperimentID: uuid(14), NextStep: "Do it in the team meeting", At: day(9)}))
	must(j.FormulateLearningGoal(FormulateLearningGoal{JourneyID: jid, GoalID: uuid(23), Kind: KindGoal, Text: "Delegate the planning",
		CompetencyIDs: []string{uuid(8)}, At: day(9)}, Links{Competencies: map[string]bool{uuid(8): true}}))
	must(j.CloseLearningGoal(CloseLearningGoal{JourneyID: jid, GoalID: uuid(23), Outcome: OutcomeDropped, Reflection: "Not my job after all", At: day(9)}))
	must(j.RecordIntervision(RecordIntervision{JourneyID: jid, SessionID: uuid(15), GroupID: uuid(16), HeldOn: day(10), Method: "incident method",
		CaseBroughtIn: true, Case: "A conflict between two colleagues", At: day(10)}))
	must(j.RecordCoachingSession(RecordCoachingSession{JourneyID: jid, SessionID: uuid(17), CoachID: uuid(18), HeldOn: day(11), Notes: "Boundaries", At: day(11)}))
	must(j.EvaluateModule(EvaluateModule{JourneyID: jid, DeliveryID: uuid(19), Scores: []Score{{Question: QuestionOverall, Score: 4}}, Comments: "Good", At: day(12)},
		cohort.Attendance{CohortID: cid, DeliveryID: uuid(19), ParticipantID: pid, ModuleID: uuid(12), ModuleVersion: 2, Status: cohort.Present}))
	must(j.RateLearning(RateLearning{JourneyID: jid, DeliveryID: uuid(19), Ratings: []GoalRating{{LearningGoalID: uuid(10), Before: 2, Now: 4}}, At: day(12)},
		RatedDelivery{Attendance: cohort.Attendance{CohortID: cid, DeliveryID: uuid(19), ParticipantID: pid, ModuleID: uuid(12), ModuleVersion: 2, Status: cohort.Present},
			LearningGoalIDs: []string{uuid(10)}}))
	must(j.RecordConversation(RecordConversation{JourneyID: jid, ConversationID: uuid(20), HeldOn: day(40), Agreements: []string{"Delegate the planning"},
		NextQuestions: []string{"How do I follow up?"}, At: day(40)}))
	must(j.ConfirmConversation(ConfirmConversation{JourneyID: jid, ConversationID: uuid(20), Party: PartyManager, ConfirmedBy: mgr, At: day(41)}))
	must(j.ReviseConversation(ReviseConversation{JourneyID: jid, ConversationID: uuid(20), Agreements: []string{"Delegate the planning", "Monthly check-in"}, At: day(42)}))
	must(j.ConfirmConversation(ConfirmConversation{JourneyID: jid, ConversationID: uuid(20), Party: PartyParticipant, ConfirmedBy: pid, At: day(42)}))
	must(j.ConfirmConversation(ConfirmConversation{JourneyID: jid, ConversationID: uuid(20), Party: PartyManager, ConfirmedBy: mgr, At: day(43)}))
	must(j.RecordMeasurement(RecordMeasurement{JourneyID: jid, MeasurementID: uuid(21), Kind: MeasurementTeamRole, Instrument: "Belbin", Result: "Shaper", TakenOn: day(2), At: day(2)}))
	must(j.ChangeManager(ChangeManager{JourneyID: jid, ManagerID: uuid(22), At: day(50)}))
	must(j.Complete(Complete{JourneyID: jid, At: day(90)}))
	must(j.EraseManager(EraseManager{JourneyID: jid, ManagerID: mgr, ErasureID: uuid(40), At: day(91)})) // not theirs any more: nothing
	must(j.EraseManager(EraseManager{JourneyID: jid, ManagerID: uuid(22), ErasureID: uuid(41), At: day(92)}))

	w := Replay()
	must(w.Enrol(Enrol{JourneyID: uuid(30), ParticipantID: uuid(31), CohortID: cid, Role: RoleSeniorManager, ManagerID: mgr, At: at},
		cohort.Enrolment{CohortID: cid, ParticipantID: uuid(31), RaterApproval: true}))
	must(w.Withdraw(Withdraw{JourneyID: uuid(30), Reason: "Moved to another department", At: day(20)}))
	must(w.Erase(Erase{JourneyID: uuid(30), ErasureID: uuid(32), At: day(30)}))
	must(w.Erase(Erase{JourneyID: uuid(30), ErasureID: uuid(33), At: day(31)})) // again: nothing

	if !w.Erased() || j.Erased() || len(w.Uncommitted()) != 3 {
		t.Errorf("erased %v and %v, %d events of the withdrawn journey", j.Erased(), w.Erased(), len(w.Uncommitted()))
	}
	domaintest.CheckEventTypes(t, EventTypes(), append(append([]domain.Event(nil), j.Uncommitted()...), w.Uncommitted()...), "journey")
	for _, orig := range []*Journey{j, w} {
		r := Replay(domaintest.RoundTrip(t, EventTypes(), orig.Uncommitted())...)
		if r.Version() != len(orig.Uncommitted()) {
			t.Errorf("version = %d, want %d", r.Version(), len(orig.Uncommitted()))
		}
		orig.changes, r.loaded = nil, 0
		if !reflect.DeepEqual(r, orig) {
			t.Errorf("replayed journey:\n got %#v\nwant %#v", r, orig)
		}
	}
	if j.Status() != StatusCompleted || w.Status() != StatusWithdrawn || j.Shared(SectionLearningGoals) {
		t.Errorf("status %v and %v, learning goals shared %v", j.Status(), w.Status(), j.Shared(SectionLearningGoals))
	}
}
