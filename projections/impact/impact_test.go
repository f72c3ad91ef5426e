package impact_test

import (
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/feedback"
	view "github.com/leerpad/leerpad/domain/impact"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/projections/impact"
	"github.com/leerpad/leerpad/projections/impact/stats"
	"github.com/leerpad/leerpad/projections/internal/fixture"
)

// sameNumbers fails unless want and got encode to the same JSON shape with
// every number within 1e-12 relative (IMPACT.md §5) and every null a null.
func sameNumbers(t *testing.T, what string, want, got any) {
	t.Helper()
	var w, g any
	if err := json.Unmarshal([]byte(jsonOf(t, want)), &w); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(jsonOf(t, got)), &g); err != nil {
		t.Fatal(err)
	}
	var walk func(path string, w, g any)
	walk = func(path string, w, g any) {
		switch wv := w.(type) {
		case map[string]any:
			gv, ok := g.(map[string]any)
			if !ok || len(gv) != len(wv) {
				t.Errorf("%s%s: got %v, want %v", what, path, g, w)
				return
			}
			for k := range wv {
				walk(path+"."+k, wv[k], gv[k])
			}
		case []any:
			gv, ok := g.([]any)
			if !ok || len(gv) != len(wv) {
				t.Errorf("%s%s: got %v, want %v", what, path, g, w)
				return
			}
			for i := range wv {
				walk(path, wv[i], gv[i])
			}
		case float64:
			gv, ok := g.(float64)
			if !ok || math.Abs(gv-wv) > 1e-12*math.Max(1, math.Abs(wv)) {
				t.Errorf("%s%s: got %v, want %v", what, path, g, w)
			}
		default:
			if w != g {
				t.Errorf("%s%s: got %v, want %v", what, path, g, w)
			}
		}
	}
	walk("", w, g)
}

func cellOf(t *testing.T, id, name, group string, pre, post []float64, rows [][]float64) view.BehaviourCell {
	t.Helper()
	c, err := stats.BehaviourChange(pre, post, rows)
	if err != nil {
		t.Fatal(err)
	}
	iv := func(i *stats.Interval) *view.Interval {
		if i == nil {
			return nil
		}
		return &view.Interval{Lo: i.Lo, Hi: i.Hi}
	}
	return view.BehaviourCell{CompetencyID: id, Name: name, Group: group, N: c.N, MeanPre: c.MeanPre, MeanPost: c.MeanPost, MeanChange: c.MeanChange,
		SDPre: c.SDPre, SDPost: c.SDPost, SDChange: c.SDChange, R: c.R, MeanChangeCI: iv(c.MeanChangeCI), T: c.T, P: c.P, DZ: c.DZ, DZCI: iv(c.DZCI),
		DAV: c.DAV, DAVCI: iv(c.DAVCI), GAV: c.GAV, Reliability: c.Reliability, SDiff: c.SDiff, ReliablyImproved: c.ReliablyImproved,
		ReliablyDeteriorated: c.ReliablyDeteriorated, NoReliableChange: c.NoReliableChange}
}

func behaviourCell(p view.Population, group string) *view.BehaviourCell {
	for i := range p.Behaviour {
		if p.Behaviour[i].Group == group {
			return &p.Behaviour[i]
		}
	}
	return nil
}

func mean3(x [3]int) float64 { return float64(x[0]+x[1]+x[2]) / 3 }

func row(x [3]int) []float64 { return []float64{float64(x[0]), float64(x[1]), float64(x[2])} }

// TestCellEqualsStatsOfHandListedScores builds a cohort of seven
// participants whose raters' answers are listed here, releases it, and
// checks the cohort's cells of the manager, the peers and the others
// composite against the statistics computed on the paired scores and the
// pre-round rater rows listed by hand (IMPACT.md §1 and §2).
func TestCellEqualsStatsOfHandListedScores(t *testing.T) {
	s := newScene(t)
	const programme, entity = "p-blg", "e-bzk"
	c := s.cohort(programme, entity)
	mPre := [][3]int{{2, 2, 3}, {3, 3, 4}, {3, 2, 3}, {4, 4, 5}, {2, 1, 2}, {3, 3, 3}, {1, 2, 1}}
	mPost := [][3]int{{3, 3, 4}, {4, 4, 4}, {3, 3, 4}, {5, 5, 4}, {4, 3, 4}, {3, 4, 3}, {2, 2, 3}}
	peersPre := func(i int) [][3]int { return [][3]int{{2, 2 + i%2, 3}, {3, 3, 4}, {4, 3, 4}} }
	peersPost := func(i int) [][3]int { return [][3]int{{3, 3, 4}, {4, 4, 3 + i%3}, {4, 4, 4}} }
	var members []member
	var mx1, mx2, px1, px2, ox1, ox2 []float64
	var mRows, pRows, oRows [][]float64
	for i := range mPre {
		m := s.enrol(c, programme, entity)
		members = append(members, m)
		pre := []rater{same(feedback.GroupSelf, 3), {feedback.GroupManager, mPre[i]}}
		post := []rater{same(feedback.GroupSelf, 4), {feedback.GroupManager, mPost[i]}}
		var pp, qq float64
		for k := range 3 {
			pre = append(pre, rater{feedback.GroupPeer, peersPre(i)[k]})
			post = append(post, rater{feedback.GroupPeer, peersPost(i)[k]})
			pp += mean3(peersPre(i)[k])
			qq += mean3(peersPost(i)[k])
			pRows = append(pRows, row(peersPre(i)[k]))
		}
		s.round(m, feedback.RoundPre, pre)
		s.round(m, feedback.RoundPost, post)
		mx1, mx2 = append(mx1, mean3(mPre[i])), append(mx2, mean3(mPost[i]))
		px1, px2 = append(px1, pp/3), append(px2, qq/3)
		ox1, ox2 = append(ox1, (mean3(mPre[i])+pp)/4), append(ox2, (mean3(mPost[i])+qq)/4)
		mRows = append(mRows, row(mPre[i]))
		oRows = append(oRows, row(mPre[i]))
		for k := range 3 {
			oRows = append(oRows, row(peersPre(i)[k]))
		}
	}
	s.release(c, members...)
	p := must[view.Population](t)(s.model().Cohort(c, 0))
	if !p.Released || p.Journeys != 7 || p.Definition != "leerpad.impact/v2" || p.SuppressedCells != 0 {
		t.Fatalf("population %+v", p)
	}
	comp, name := s.competency(), s.in.Competencies[0].Name
	for _, tc := range []struct {
		group     string
		pre, post []float64
		rows      [][]float64
	}{
		{"manager", mx1, mx2, mRows}, {"peer", px1, px2, pRows}, {view.Others, ox1, ox2, oRows},
	} {
		got := behaviourCell(p, tc.group)
		if got == nil {
			t.Fatalf("no %s cell in %+v", tc.group, p.Behaviour)
		}
		sameNumbers(t, tc.group, cellOf(t, comp, name, tc.group, tc.pre, tc.post, tc.rows), *got)
	}
	// The manager's seven rows are fewer than ten: no reliability, no RC
	// counts; the others composite has 28 rows and a reliability.
	if c := behaviourCell(p, "manager"); c.Reliability != nil || c.ReliablyImproved != nil {
		t.Fatalf("manager reliability %v", c.Reliability)
	}
	if c := behaviourCell(p, view.Others); c.Reliability == nil {
		t.Fatal("the others composite has no reliability")
	}
	// Self scores 3 then 4 for everyone: sdChange 0, so no interval, t, p, dz.
	if c := behaviourCell(p, "self"); c == nil || c.SDChange != 0 || c.MeanChangeCI != nil || c.T != nil || c.P != nil || c.DZ != nil || c.R != nil || c.DAV != nil {
		t.Fatalf("self %+v", c)
	}
	// Every field of IMPACT.md §2 is in the JSON, nulls as null.
	var cells []map[string]any
	if err := json.Unmarshal([]byte(jsonOf(t, p.Behaviour)), &cells); err != nil {
		t.Fatal(err)
	}
	for _, f := range strings.Fields("n meanPre meanPost meanChange sdPre sdPost sdChange r meanChangeCi t p dz dzCi dav davCi gav reliability sdiff reliablyImproved reliablyDeteriorated noReliableChange") {
		if _, ok := cells[0][f]; !ok {
			t.Errorf("field %s missing from %v", f, cells[0])
		}
	}
}

// TestUnreleasedCohortHasNoFigures: before its measurement is closed a
// cohort answers released false and nothing else; an unknown cohort is not
// found; a programme without a released cohort shows nothing.
func TestUnreleasedCohortHasNoFigures(t *testing.T) {
	s := newScene(t)
	c := s.cohort("p", "e")
	var ms []member
	for i := range 6 {
		ms = append(ms, s.measured(c, "p", "e", 2, 3+i%2))
	}
	s.figures("e", "2024-Q4", 3, 4)
	before := s.l.Events[len(s.l.Events)-1].Position
	s.release(c, ms...)
	m := s.model()
	for _, asOf := range []uint64{before, 0} {
		p := must[view.Population](t)(m.Cohort(c, asOf))
		if asOf == before && (p.Released || len(p.Behaviour)+len(p.Reaction)+len(p.Learning)+len(p.Practice)+len(p.Results) != 0 || p.Journeys != 0 || p.Position != before) {
			t.Fatalf("before the release: %+v", p)
		}
		if asOf == 0 && (!p.Released || len(p.Behaviour) == 0) {
			t.Fatalf("after the release: %+v", p)
		}
	}
	if p := must[view.Population](t)(m.Programme("p", before)); p.Released || len(p.Behaviour) != 0 {
		t.Fatalf("programme before the release: %+v", p)
	}
	if _, err := m.Cohort("unknown", 0); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("unknown cohort: %v", err)
	}
	if _, err := m.Cohort(c, m.Position()+1); !errors.Is(err, impact.ErrAhead) {
		t.Fatalf("as of a position not reached: %v", err)
	}
}

// TestAsOfIsBitForBit computes every population as of the release of a
// first cohort, writes more (another cohort's release, a late journey and
// new rounds, evaluations and ratings on the released journeys, a
// withdrawal), asks again as of the same position, and compares the bytes.
func TestAsOfIsBitForBit(t *testing.T) {
	s := newScene(t)
	a := s.cohort("p", "e1")
	var ms []member
	for i := range 8 {
		ms = append(ms, s.measured(a, "p", "e1", 1+i%3, 2+i%4))
	}
	q := s.release(a, ms...)
	s.figures("e1", "2025-Q1", 4.5, 10)
	asked := func(m *impact.ReadModel) []string {
		return []string{
			jsonOf(t, must[view.Population](t)(m.Cohort(a, q))),
			jsonOf(t, must[view.Population](t)(m.Programme("p", q))),
			jsonOf(t, must[view.Population](t)(m.Entity("e1", "", q))),
			jsonOf(t, must[view.Population](t)(m.Entity("e1", "p", q))),
		}
	}
	first := asked(s.model())

	// More: a late journey in the released cohort, new closed rounds and an
	// evaluation on released journeys, a withdrawal, another cohort
	// released, key figures of the quarter recorded again.
	s.measured(a, "p", "e1", 1, 5)
	s.round(ms[0], feedback.RoundPost, []rater{same(feedback.GroupSelf, 1), same(feedback.GroupManager, 1)})
	s.l.Append(fixture.JourneyStream(ms[1].journeyID), journey.Withdrawn{ParticipantID: ms[1].participantID, At: s.tick()})
	s.l.Append(fixture.JourneyStream(ms[2].journeyID), journey.ModuleEvaluated{ParticipantID: ms[2].participantID, DeliveryID: "d", ModuleID: "m",
		ModuleVersion: 1, Scores: []journey.Score{{Question: journey.QuestionOverall, Score: 1}}, At: s.tick()})
	b := s.cohort("p", "e1")
	var bs []member
	for i := range 6 {
		bs = append(bs, s.measured(b, "p", "e1", 3, 3+i%2))
	}
	s.release(b, bs...)
	s.figures("e1", "2025-Q1", 9, 9)

	m := s.model()
	again := asked(m)
	for i := range first {
		if first[i] != again[i] {
			t.Errorf("query %d as of %d changed:\n%s\nwas\n%s", i, q, again[i], first[i])
		}
	}
	// ... while the figures now do count the second cohort.
	if p := must[view.Population](t)(m.Programme("p", 0)); len(p.Cohorts) != 2 || p.Journeys != 14 {
		t.Fatalf("programme now %v, %d journeys", p.Cohorts, p.Journeys)
	}
	// A read model restored from a snapshot answers the same bytes.
	var buf strings.Builder
	_, write := m.Snapshot()
	if err := write(&buf); err != nil {
		t.Fatal(err)
	}
	restored := impact.New()
	if err := restored.Restore(strings.NewReader(buf.String())); err != nil {
		t.Fatal(err)
	}
	if got := asked(restored); !slices.Equal(got, first) {
		t.Fatalf("restored answers differ:\n%v\n%v", got, first)
	}
}

// TestOtherLevels checks level 1 (evaluations per module version with the
// response rate over attendance), level 2 (retrospective ratings per
// learning goal), the practice share of level 3, and level 4 (key figures
// with the cohort's quarters marked) against values computed here.
func TestOtherLevels(t *testing.T) {
	s := newScene(t)
	c := s.cohort("p", "e")
	cs := fixture.CohortStream(c)
	s.l.Append(cs, cohort.DeliveryScheduled{CohortID: c, DeliveryID: "d1", ModuleID: "m1", ModuleVersion: 2, StartsAt: day(40), EndsAt: day(41), At: s.tick()})
	overall := []int{4, 5, 3, 4, 2, 5}
	before := []int{2, 1, 3, 2, 2, 3}
	now := []int{4, 3, 3, 4, 5, 4}
	var ms []member
	for i := range 7 {
		m := s.enrol(c, "p", "e")
		ms = append(ms, m)
		status := cohort.Present
		if i == 6 {
			status = cohort.Absent
		}
		s.l.Append(cs, cohort.AttendanceRecorded{CohortID: c, DeliveryID: "d1", ParticipantID: m.participantID, Status: status, At: s.tick()})
		js := fixture.JourneyStream(m.journeyID)
		goal, exp := s.l.ID(), s.l.ID()
		s.l.Append(js, journey.LearningGoalFormulated{ParticipantID: m.participantID, GoalID: goal, Kind: journey.KindGoal, Text: "x",
			ModuleGoalIDs: []string{"lg1"}, At: s.tick()})
		s.l.Append(js, journey.ExperimentLogged{ParticipantID: m.participantID, ExperimentID: exp, LearningGoalID: goal, Intention: "x", At: s.tick()})
		if i < 4 {
			s.l.Append(js, journey.ExperimentTried{ParticipantID: m.participantID, ExperimentID: exp, WhatWasTried: "x", At: s.tick()})
		}
		if i < 3 || i == 5 {
			s.l.Append(js, journey.ExperimentReflected{ParticipantID: m.participantID, ExperimentID: exp, Outcome: "x", Reflection: "x", At: s.tick()})
		}
		if i < 6 {
			s.l.Append(js, journey.ModuleEvaluated{ParticipantID: m.participantID, DeliveryID: "d1", ModuleID: "m1", ModuleVersion: 2,
				Scores: []journey.Score{{Question: journey.QuestionOverall, Score: overall[i]}, {Question: journey.QuestionTrainer, Score: 4}}, At: s.tick()})
			s.l.Append(js, journey.LearningRated{ParticipantID: m.participantID, DeliveryID: "d1", ModuleID: "m1", ModuleVersion: 2,
				Ratings: []journey.GoalRating{{LearningGoalID: "lg1", Before: before[i], Now: now[i]}, {LearningGoalID: "lg2", Before: 1, Now: 2}}, At: s.tick()})
		}
		if i == 0 { // one person alone rates lg3: a cell of one, never shown
			s.l.Append(js, journey.LearningRated{ParticipantID: m.participantID, DeliveryID: "d2", ModuleID: "m1", ModuleVersion: 3,
				Ratings: []journey.GoalRating{{LearningGoalID: "lg3", Before: 1, Now: 5}}, At: s.tick()})
		}
	}
	s.figures("e", "2024-Q4", 5.5, 12)
	s.figures("e", "2025-Q2", 6, 11)
	s.release(c, ms...)
	p := must[view.Population](t)(s.model().Cohort(c, 0))

	f := func(xs []int) []float64 {
		out := make([]float64, len(xs))
		for i, x := range xs {
			out[i] = float64(x)
		}
		return out
	}
	// Level 1: trainer 4 for everyone; overall as listed; 6 evaluations of 6 present.
	d := must[stats.Summary](t)(stats.Describe(f(overall)))
	rate := 6.0 / 6
	want := view.ReactionCell{ModuleID: "m1", ModuleVersion: 2, QuestionID: "overall", N: 6, Mean: d.Mean, SD: d.SD,
		MeanCI: &view.Interval{Lo: d.MeanCI.Lo, Hi: d.MeanCI.Hi}, ResponseRate: &rate}
	if len(p.Reaction) != 2 || p.Reaction[0].QuestionID != "trainer" || p.Reaction[0].SD != 0 || p.Reaction[0].MeanCI != nil {
		t.Fatalf("reaction %+v", p.Reaction)
	}
	sameNumbers(t, "reaction", want, p.Reaction[1])
	// Level 2: lg1 as listed; lg2 1 -> 2 for all six; lg3 suppressed.
	pc := must[stats.Paired](t)(stats.PairedChange(f(before), f(now)))
	wantL := view.LearningCell{ModuleID: "m1", ModuleVersion: 2, LearningGoalID: "lg1", N: 6, MeanBefore: 13.0 / 6, MeanNow: 23.0 / 6,
		MeanChange: pc.MeanChange, MeanChangeCI: &view.Interval{Lo: pc.MeanChangeCI.Lo, Hi: pc.MeanChangeCI.Hi}, DZ: pc.DZ,
		DZCI: &view.Interval{Lo: pc.DZCI.Lo, Hi: pc.DZCI.Hi}}
	if len(p.Learning) != 2 {
		t.Fatalf("learning %+v", p.Learning)
	}
	sameNumbers(t, "learning", wantL, p.Learning[0])
	// Practice: 7 work on lg1; tried and reflected: participants 0, 1, 2.
	if len(p.Practice) != 1 || p.Practice[0].N != 7 || p.Practice[0].Share != 3.0/7 {
		t.Fatalf("practice %+v", p.Practice)
	}
	if p.SuppressedCells != 1 {
		t.Fatalf("suppressed %d, want 1 (lg3)", p.SuppressedCells)
	}
	// Level 4: the quarters with figures and those the cohort ran in
	// (day 30 to day 200: 2025-Q1 to 2025-Q3).
	if len(p.Results) != 1 {
		t.Fatalf("results %+v", p.Results)
	}
	var got []string
	for _, q := range p.Results[0].Quarters {
		got = append(got, q.Quarter+":"+strings.Join(q.CohortIDs, ","))
	}
	if w := []string{"2024-Q4:", "2025-Q1:" + c, "2025-Q2:" + c, "2025-Q3:" + c}; !slices.Equal(got, w) {
		t.Fatalf("quarters %v, want %v", got, w)
	}
	if q := p.Results[0].Quarters[2]; *q.AbsenteeismPct != 6 || *q.TurnoverPct != 11 {
		t.Fatalf("2025-Q2 %+v", q)
	}
}

// TestOwnChange: the participant's own change, with their RC against the
// cohort's cell once released (stats.ReliableChangeIndex of their own
// scores), and without an RC before.
func TestOwnChange(t *testing.T) {
	s := newScene(t)
	c := s.cohort("p", "e")
	var ms []member
	for i := range 6 {
		ms = append(ms, s.measured(c, "p", "e", 1+i%3, 2+i%4))
	}
	m := s.model()
	own := must[[]view.OwnChange](t)(m.Own(ms[0].journeyID))
	if len(own) == 0 || own[0].RC != nil {
		t.Fatalf("before the release: %+v", own)
	}
	s.release(c, ms...)
	m = s.model()
	p := must[view.Population](t)(m.Cohort(c, 0))
	cell := behaviourCell(p, view.Others)
	if cell == nil || cell.SDiff == nil {
		t.Fatalf("others cell %+v: the test needs an sdiff", cell)
	}
	own = must[[]view.OwnChange](t)(m.Own(ms[0].journeyID))
	for _, o := range own {
		if o.Group != view.Others {
			continue
		}
		want := stats.ReliableChangeIndex(o.Pre, o.Post, cell.SDiff)
		if o.RC == nil || *o.RC != *want || o.Reliable == nil || *o.Reliable != (math.Abs(*want) > 1.96) {
			t.Fatalf("own %+v, want rc %v", o, *want)
		}
		// manager 1 -> 2, peers 3 -> 4: others (1+9)/4 -> (2+12)/4.
		if o.Pre != 2.5 || o.Post != 3.5 {
			t.Fatalf("own others %v -> %v", o.Pre, o.Post)
		}
		return
	}
	t.Fatalf("no own change of the others composite: %+v", own)
}

// TestModuleAcrossCohorts: a module's level 1 per version across every
// released cohort that delivered it, of any programme: the evaluations of
// the cohorts with at least K of them pooled, a cohort with fewer left out
// (its part would be the difference of two answers), behaviour and results
// empty, another module's evaluations not in it.
func TestModuleAcrossCohorts(t *testing.T) {
	s := newScene(t)
	evaluated := func(programme string, scores []int) {
		c := s.cohort(programme, "e")
		cs := fixture.CohortStream(c)
		d := s.l.ID()
		s.l.Append(cs, cohort.DeliveryScheduled{CohortID: c, DeliveryID: d, ModuleID: "m1", ModuleVersion: 1, StartsAt: day(40), EndsAt: day(41), At: s.tick()})
		var ms []member
		for _, score := range scores {
			m := s.enrol(c, programme, "e")
			ms = append(ms, m)
			s.l.Append(cs, cohort.AttendanceRecorded{CohortID: c, DeliveryID: d, ParticipantID: m.participantID, Status: cohort.Present, At: s.tick()})
			s.l.Append(fixture.JourneyStream(m.journeyID), journey.ModuleEvaluated{ParticipantID: m.participantID, DeliveryID: d, ModuleID: "m1",
				ModuleVersion: 1, Scores: []journey.Score{{Question: journey.QuestionOverall, Score: score}}, At: s.tick()})
			s.l.Append(fixture.JourneyStream(m.journeyID), journey.ModuleEvaluated{ParticipantID: m.participantID, DeliveryID: d + "-other", ModuleID: "m2",
				ModuleVersion: 1, Scores: []journey.Score{{Question: journey.QuestionOverall, Score: 1}}, At: s.tick()})
		}
		s.release(c, ms...)
	}
	a, b, small := []int{4, 5, 4, 3, 5}, []int{2, 3, 2, 2, 1, 3}, []int{1, 1, 5}
	evaluated("p", a)
	evaluated("q", b)
	evaluated("q", small)
	p := must[view.Population](t)(s.model().Module("m1", 0))
	var pooled []float64
	for _, x := range append(append([]int{}, a...), b...) {
		pooled = append(pooled, float64(x))
	}
	d := must[stats.Summary](t)(stats.Describe(pooled))
	rate := 1.0
	want := view.ReactionCell{ModuleID: "m1", ModuleVersion: 1, QuestionID: "overall", N: 11, Mean: d.Mean, SD: d.SD,
		MeanCI: &view.Interval{Lo: d.MeanCI.Lo, Hi: d.MeanCI.Hi}, ResponseRate: &rate}
	if p.Kind != view.KindModule || p.ModuleID != "m1" || !p.Released || len(p.Reaction) != 1 || len(p.Behaviour) != 0 || len(p.Results) != 0 {
		t.Fatalf("module m1: %+v", p)
	}
	sameNumbers(t, "reaction of m1", want, p.Reaction[0])
	if none := must[view.Population](t)(s.model().Module("m9", 0)); none.Released || len(none.Reaction) != 0 {
		t.Fatalf("a module nobody evaluated: %+v", none)
	}
}
