package impact_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/feedback"
	view "github.com/leerpad/leerpad/domain/impact"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/projections"
	"github.com/leerpad/leerpad/projections/impact"
	"github.com/leerpad/leerpad/projections/internal/fixture"
)

// TestFrozenFiguresSurviveAnErasure: a released cohort's figures, frozen
// into the log (cohort.figures_frozen), are what every population counts
// from then on. A read model rebuilt after one of its participants was
// erased, when the 360 answers about them no longer decrypt (they decode
// empty), answers the same bytes as the read model that saw them; without
// the frozen figures it would not. The frozen figures name nobody, and the
// erased participant's own scores are dropped.
func TestFrozenFiguresSurviveAnErasure(t *testing.T) {
	s := newScene(t)
	c := s.cohort("p", "e")
	var ms []member
	for i := range 7 {
		ms = append(ms, s.measured(c, "p", "e", 1+i%4, 2+(i*3)%4))
	}
	released := s.release(c, ms...)
	before := s.model()
	figures := must[[]byte](t)(before.Frozen(c))
	for _, m := range ms {
		if strings.Contains(string(figures), m.journeyID) || strings.Contains(string(figures), m.participantID) {
			t.Fatalf("the frozen figures name a participant: %s", figures)
		}
	}
	frozenAt := s.l.Append(fixture.CohortStream(c), cohort.FiguresFrozen{CohortID: c, Figures: figures, At: s.tick()}).Position
	target := ms[2]
	s.l.Append(fixture.JourneyStream(target.journeyID), journey.Erased{ErasureID: s.l.ID(), At: s.tick()})

	ask := func(m *impact.ReadModel, q uint64) string {
		return jsonOf(t, must[view.Population](t)(m.Cohort(c, q))) + jsonOf(t, must[view.Population](t)(m.Programme("p", q)))
	}
	live := s.model()
	if got, want := ask(live, released), ask(before, released); got != want {
		t.Fatalf("taking the frozen figures changed the release:\n%s\nwant\n%s", got, want)
	}
	if own, err := live.Own(target.journeyID); err == nil && len(own) > 0 {
		t.Errorf("the erased participant's own scores are kept: %+v", own)
	}
	want := ask(live, frozenAt)

	// The log as a rebuild after the erasure reads it: every answer about
	// the erased participant empty.
	rounds := map[string]bool{}
	var erased []projections.Event
	for _, ev := range s.l.Events {
		switch e := ev.Data.(type) {
		case feedback.RoundOpened:
			rounds[e.RoundID] = e.JourneyID == target.journeyID
		case feedback.ResponseSubmitted:
			if rounds[e.RoundID] {
				e.Answers = nil
				ev.Data = e
			}
		}
		erased = append(erased, ev)
	}
	rebuilt := impact.New()
	feed(t, rebuilt, erased)
	if got := ask(rebuilt, frozenAt); got != want {
		t.Fatalf("rebuilt after the erasure:\n%s\nwant\n%s", got, want)
	}
	// Without the frozen figures the rebuilt release loses the person.
	unfrozen := impact.New()
	feed(t, unfrozen, slices.DeleteFunc(slices.Clone(erased), func(ev projections.Event) bool {
		_, ok := ev.Data.(cohort.FiguresFrozen)
		return ok
	}))
	if got := ask(unfrozen, released); got == ask(live, released) {
		t.Fatal("without the frozen figures the rebuilt release answers the same: the test shows nothing")
	}
}
