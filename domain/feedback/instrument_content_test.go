package feedback_test

import (
	"testing"
	"time"

	"github.com/leerpad/leerpad/domain/feedback"
)

// A rater is shown the questions as the instrument was published, in order;
// what the aggregate hands out is a copy.
func TestInstrumentShowsItsQuestions(t *testing.T) {
	published := feedback.InstrumentPublished{
		InstrumentID: "6c1f7a52-55d4-4f0e-9f58-1b0c2e3d4a5b",
		Title:        "Leadership 360",
		Scale:        feedback.Scale{Points: 5, Labels: []string{"never", "seldom", "sometimes", "often", "always"}},
		Competencies: []feedback.Competency{
			{ID: "c1", Name: "Coaching", Items: []feedback.Item{{ID: "i1", Text: "Asks before advising"}, {ID: "i2", Text: "Gives room"}}},
			{ID: "c2", Name: "Networking", Items: []feedback.Item{{ID: "i3", Text: "Builds coalitions"}}},
		},
		At: time.Date(2025, 2, 1, 9, 0, 0, 0, time.UTC),
	}
	in := feedback.ReplayInstrument(published)
	if in.Title() != "Leadership 360" || in.Scale().Points != 5 || len(in.Scale().Labels) != 5 {
		t.Fatalf("title %q, scale %+v", in.Title(), in.Scale())
	}
	cs := in.Competencies()
	if len(cs) != 2 || cs[0].Name != "Coaching" || len(cs[0].Items) != 2 || cs[0].Items[1].Text != "Gives room" || cs[1].Items[0].ID != "i3" {
		t.Fatalf("competencies = %+v", cs)
	}
	cs[0].Items[0].Text = "changed"
	in.Scale().Labels[0] = "changed"
	if in.Competencies()[0].Items[0].Text != "Asks before advising" || in.Scale().Labels[0] != "never" {
		t.Fatal("changing what the instrument handed out changed the instrument")
	}
}
