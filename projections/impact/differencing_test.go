package impact_test

import (
	"fmt"
	"testing"

	"github.com/leerpad/leerpad/domain/feedback"
	view "github.com/leerpad/leerpad/domain/impact"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/projections/impact"
	"github.com/leerpad/leerpad/projections/internal/fixture"
)

// The differencing attacks of IMPACT.md §4: an attacker who may ask any
// population at any position tries to learn one person's change (the
// target's) by subtracting two allowed answers. Each test builds the same
// world twice, once with the target improving by four points and once
// deteriorating by one, asks every question the attacker may ask, and
// checks (1) that the subtraction the attack needs covers either nobody or
// at least K people, and (2) that no answer differs between the two worlds:
// nothing the attacker can ask depends on the target's scores at all.

// world is programme "p" with cohort A (entity e1, 6 participants) and
// cohort B (entity e2, 6), released, and the target's cohort C (entity e2,
// the target and two more, released); programme "q" has cohort D (entity
// e1, 6). After the releases: a late journey in A, and cohort E of one
// journey (the late target's, entity e1) released. The target also
// evaluates a module and rates a learning goal.
type world struct {
	s                  *scene
	a, b, c, d, e      string
	target             member
	afterFirst, latest uint64
}

func newWorld(t *testing.T, targetPost int) *world {
	s := newScene(t)
	w := &world{s: s}
	cohortOf := func(programme, entity string, n int) (string, []member) {
		id := s.cohort(programme, entity)
		var ms []member
		for i := range n {
			ms = append(ms, s.measured(id, programme, entity, 1+i%3, 2+i%4))
		}
		return id, ms
	}
	var as, bs, ds []member
	w.a, as = cohortOf("p", "e1", 6)
	w.b, bs = cohortOf("p", "e2", 6)
	w.d, ds = cohortOf("q", "e1", 6)
	w.c = s.cohort("p", "e2")
	cs := []member{s.measured(w.c, "p", "e2", 2, 3), s.measured(w.c, "p", "e2", 3, 3)}
	w.target = s.measured(w.c, "p", "e2", 1, targetPost)
	cs = append(cs, w.target)
	js := fixture.JourneyStream(w.target.journeyID)
	s.l.Append(js, journey.ModuleEvaluated{ParticipantID: w.target.participantID, DeliveryID: "d1", ModuleID: "m1", ModuleVersion: 1,
		Scores: []journey.Score{{Question: journey.QuestionOverall, Score: targetPost}}, At: s.tick()})
	s.l.Append(js, journey.LearningRated{ParticipantID: w.target.participantID, DeliveryID: "d1", ModuleID: "m1", ModuleVersion: 1,
		Ratings: []journey.GoalRating{{LearningGoalID: "lg1", Before: 1, Now: targetPost}}, At: s.tick()})
	for _, m := range as[:5] { // five others evaluate the same version: a cell of A
		s.l.Append(fixture.JourneyStream(m.journeyID), journey.ModuleEvaluated{ParticipantID: m.participantID, DeliveryID: "d0", ModuleID: "m1",
			ModuleVersion: 1, Scores: []journey.Score{{Question: journey.QuestionOverall, Score: 4}}, At: s.tick()})
	}
	s.release(w.a, as...)
	w.afterFirst = s.release(w.b, bs...)
	s.release(w.c, cs...)
	s.release(w.d, ds...)
	// One more journey, twice: late in released A, and alone in cohort E.
	s.measured(w.a, "p", "e1", 1, targetPost)
	w.e = s.cohort("p", "e1")
	s.release(w.e, s.measured(w.e, "p", "e1", 1, targetPost))
	w.latest = s.l.Events[len(s.l.Events)-1].Position
	return w
}

// answers asks every population the attacker may ask, at every position of
// the log, and returns the JSON of each answer by question.
func (w *world) answers(t *testing.T, m *impact.ReadModel) map[string]string {
	out := map[string]string{}
	for _, ev := range w.s.l.Events {
		q := ev.Position
		for _, c := range []string{w.a, w.b, w.c, w.d, w.e} {
			out[fmt.Sprint("cohort ", c, " ", q)] = jsonOf(t, must[view.Population](t)(m.Cohort(c, q)))
		}
		for _, p := range []string{"p", "q"} {
			out[fmt.Sprint("programme ", p, " ", q)] = jsonOf(t, must[view.Population](t)(m.Programme(p, q)))
			for _, e := range []string{"e1", "e2"} {
				out[fmt.Sprint("entity ", e, " in ", p, " ", q)] = jsonOf(t, must[view.Population](t)(m.Entity(e, p, q)))
			}
		}
		for _, e := range []string{"e1", "e2"} {
			out[fmt.Sprint("entity ", e, " ", q)] = jsonOf(t, must[view.Population](t)(m.Entity(e, "", q)))
		}
	}
	return out
}

// nothingDependsOnTheTarget compares every answer of the two worlds.
func nothingDependsOnTheTarget(t *testing.T) (*world, *impact.ReadModel) {
	t.Helper()
	improves, deteriorates := newWorld(t, 5), newWorld(t, 0+1)
	m1, m2 := improves.s.model(), deteriorates.s.model()
	a1, a2 := improves.answers(t, m1), deteriorates.answers(t, m2)
	if len(a1) != len(a2) || len(a1) == 0 {
		t.Fatalf("%d and %d answers", len(a1), len(a2))
	}
	differ := 0
	for k, v := range a1 {
		if a2[k] != v {
			if differ++; differ <= 3 {
				t.Errorf("%s depends on the target's scores:\n%s\n%s", k, v, a2[k])
			}
		}
	}
	return improves, m1
}

func cellN(p view.Population, group string) int {
	if c := behaviourCell(p, group); c != nil {
		return c.N
	}
	return 0
}

// TestDifferencingTwoPopulations: the attacker subtracts the entity e1
// within programme p from the programme, hoping for e2's people, of whom
// the target's cohort holds three.
func TestDifferencingTwoPopulations(t *testing.T) {
	w, m := nothingDependsOnTheTarget(t)
	prog := must[view.Population](t)(m.Programme("p", 0))
	e1 := must[view.Population](t)(m.Entity("e1", "p", 0))
	e2 := must[view.Population](t)(m.Entity("e2", "p", 0))
	c := must[view.Population](t)(m.Cohort(w.c, 0))
	if !c.Released || len(c.Behaviour) != 0 || c.SuppressedCells == 0 {
		t.Fatalf("the target's cohort of three shows %+v", c.Behaviour)
	}
	for _, g := range []string{"manager", "peer", view.Others} {
		diff := cellN(prog, g) - cellN(e1, g)
		if diff != 0 && diff < view.K {
			t.Errorf("%s: programme minus entity e1 leaves %d people", g, diff)
		}
		if diff != cellN(e2, g) || cellN(e2, g) != 6 {
			t.Errorf("%s: the difference is %d people, entity e2 in p shows %d: cohort B's six, none of the target's cohort", g, diff, cellN(e2, g))
		}
	}
	// The entity e1 across programmes minus e1 within p: programme q's six.
	all := must[view.Population](t)(m.Entity("e1", "", 0))
	if d := cellN(all, "manager") - cellN(e1, "manager"); d != 6 {
		t.Errorf("entity e1 minus e1 in p: %d people", d)
	}
}

// TestDifferencingTwoMoments: the attacker asks the programme before and
// after one more journey (a late one in a released cohort, and one released
// alone in a cohort), hoping the difference is that journey.
func TestDifferencingTwoMoments(t *testing.T) {
	w, m := nothingDependsOnTheTarget(t)
	before := must[view.Population](t)(m.Programme("p", w.afterFirst))
	after := must[view.Population](t)(m.Programme("p", w.latest))
	if len(after.Cohorts) != len(before.Cohorts)+2 {
		t.Fatalf("cohorts before %v, after %v", before.Cohorts, after.Cohorts)
	}
	if jsonOf(t, before.Behaviour) != jsonOf(t, after.Behaviour) || jsonOf(t, before.Reaction) != jsonOf(t, after.Reaction) ||
		jsonOf(t, before.Learning) != jsonOf(t, after.Learning) {
		t.Errorf("the figures moved with cohorts of fewer than %d people:\n%s\n%s", view.K, jsonOf(t, before.Behaviour), jsonOf(t, after.Behaviour))
	}
	// The late journey in released cohort A is not counted at all.
	a := must[view.Population](t)(m.Cohort(w.a, 0))
	if a.Journeys != 6 || cellN(a, "manager") != 6 {
		t.Errorf("cohort A counts %d journeys, %d managers", a.Journeys, cellN(a, "manager"))
	}
}

// TestDifferencingFilterAndComplement: the attacker splits programme p by
// entity (a filter and its complement) and adds them up against the whole,
// hoping a cell of one side is small enough to single the target out.
func TestDifferencingFilterAndComplement(t *testing.T) {
	_, m := nothingDependsOnTheTarget(t)
	prog := must[view.Population](t)(m.Programme("p", 0))
	filter := must[view.Population](t)(m.Entity("e2", "p", 0))
	complement := must[view.Population](t)(m.Entity("e1", "p", 0))
	for _, g := range []string{"self", "manager", "peer", view.Others} {
		f, c, whole := cellN(filter, g), cellN(complement, g), cellN(prog, g)
		if f+c != whole {
			t.Errorf("%s: %d + %d != %d", g, f, c, whole)
		}
		for _, n := range []int{f, c, whole} {
			if n != 0 && n < view.K {
				t.Errorf("%s: a side of %d people", g, n)
			}
		}
	}
	// The reaction cell of m1 version 1: five in A; the target's
	// evaluation, alone in C, counts nowhere.
	for _, p := range []view.Population{prog, complement} {
		if len(p.Reaction) != 1 || p.Reaction[0].N != 5 {
			t.Errorf("reaction %+v", p.Reaction)
		}
	}
	if len(filter.Reaction) != 0 || len(filter.Learning) != 0 {
		t.Errorf("entity e2 shows the target's evaluation or rating: %+v %+v", filter.Reaction, filter.Learning)
	}
}

// TestTargetsRoundsAreScored makes sure the worlds above are no empty
// comparison: the target's own change differs between them.
func TestTargetsRoundsAreScored(t *testing.T) {
	a, b := newWorld(t, 5), newWorld(t, 1)
	oa := must[[]view.OwnChange](t)(a.s.model().Own(a.target.journeyID))
	ob := must[[]view.OwnChange](t)(b.s.model().Own(b.target.journeyID))
	if len(oa) == 0 || jsonOf(t, oa) == jsonOf(t, ob) {
		t.Fatalf("the target's own change does not differ: %s", jsonOf(t, oa))
	}
	_ = feedback.GroupManager
}
