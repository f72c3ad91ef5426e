package portfolio_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/projections"
	"github.com/leerpad/leerpad/projections/internal/fixture"
	"github.com/leerpad/leerpad/projections/portfolio"
)

// TestLearningPlan: a goal's SMART fields, its revisions and its closure,
// with what stands behind it, now, as of before the closure, after a
// second feed and after a restore from a snapshot.
func TestLearningPlan(t *testing.T) {
	s := newScene()
	s.journeyEvents()
	js, p := fixture.JourneyStream(s.journeyID), s.participantID
	s.l.Append(js, journey.LearningGoalRevised{ParticipantID: p, GoalID: s.otherGoalID, Text: "Hoe bouw ik vertrouwen in een nieuw team?",
		SuccessCriteria: "Teamleden brengen zelf problemen in", DueOn: day(60), At: day(27)})
	s.l.Append(js, journey.LearningGoalClosed{ParticipantID: p, GoalID: s.otherGoalID, Outcome: journey.OutcomeDropped,
		Reflection: "Het team is opgeheven", At: day(28)})
	m := portfolio.New(portfolio.Config{})
	feed(t, m, s.l.Events)

	v, err := m.Current(s.journeyID)
	if err != nil {
		t.Fatal(err)
	}
	goals := v.GoalDetails()
	if len(goals) != 2 {
		t.Fatalf("goals = %+v", goals)
	}
	first, other := goals[0], goals[1]
	if !first.Outcome.IsZero() || first.ClosedAt != nil || first.Revisions != 0 || first.DueOn != nil {
		t.Errorf("the first goal = %+v, want open and unrevised without due date", first.LearningGoal)
	}
	if len(first.Experiments) != 1 || first.Experiments[0].Reflection == "" || len(first.Assignments) != 1 || first.Assignments[0].HandedInAt == nil {
		t.Errorf("behind the first goal: %+v, %+v", first.Experiments, first.Assignments)
	}
	if other.Text != "Hoe bouw ik vertrouwen in een nieuw team?" || other.SuccessCriteria != "Teamleden brengen zelf problemen in" ||
		other.DueOn == nil || !other.DueOn.Equal(day(60)) || other.Revisions != 1 || other.RevisedAt == nil || !other.RevisedAt.Equal(day(27)) {
		t.Errorf("the revised goal = %+v", other.LearningGoal)
	}
	if other.Outcome != journey.OutcomeDropped || other.ClosedAt == nil || !other.ClosedAt.Equal(day(28)) || other.ClosingReflection != "Het team is opgeheven" {
		t.Errorf("the closed goal = %+v", other.LearningGoal)
	}
	last := v.Timeline[len(v.Timeline)-1]
	if last.Event != "journey.learning_goal_closed" || last.RefID != s.otherGoalID {
		t.Errorf("the timeline ends with %+v", last)
	}

	before, err := m.AsOf(context.Background(), s.journeyID, day(27).Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if g := before.LearningGoals[1]; !g.Outcome.IsZero() || g.ClosedAt != nil || g.Revisions != 1 {
		t.Errorf("as of before the closure the goal = %+v, want revised and open", g)
	}

	feed(t, m, s.l.Events) // a second feed changes nothing
	if again, _ := m.Current(s.journeyID); !reflect.DeepEqual(again, v) {
		t.Errorf("after a second feed:\n got %+v\nwant %+v", again.LearningGoals, v.LearningGoals)
	}

	dir := t.TempDir()
	if _, err := projections.WriteSnapshot(dir, m); err != nil {
		t.Fatal(err)
	}
	restored := portfolio.New(portfolio.Config{})
	if _, err := projections.ReadSnapshot(dir, restored, s.l.Events[len(s.l.Events)-1].Position); err != nil {
		t.Fatal(err)
	}
	// The snapshot keeps payloads as JSON: times come back in a fixed zone, the same instants.
	got, _ := restored.Current(s.journeyID)
	if a, b := mustJSON(t, got), mustJSON(t, v); a != b {
		t.Errorf("after a restore:\n got %s\nwant %s", a, b)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
