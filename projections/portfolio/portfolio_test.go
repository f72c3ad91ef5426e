package portfolio_test

import (
	"context"
	"errors"
	"math"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/journey"
	view "github.com/leerpad/leerpad/domain/portfolio"
	"github.com/leerpad/leerpad/projections"
	"github.com/leerpad/leerpad/projections/internal/fixture"
	"github.com/leerpad/leerpad/projections/portfolio"
)

var ams = mustZone("Europe/Amsterdam")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// day returns 09:00 in Amsterdam on the given day of March 2025 (days past
// 31 run on into April).
func day(d int) time.Time { return time.Date(2025, 3, d, 9, 0, 0, 0, ams) }

func feed(tb testing.TB, m projections.Projection, events []projections.Event) {
	tb.Helper()
	for _, ev := range events {
		if err := m.Handle(context.Background(), ev); err != nil {
			tb.Fatalf("handle %s@%d: %v", ev.Stream, ev.Revision, err)
		}
	}
}

// scene is one journey with a module, an instrument of two competencies, a
// delivery and a 360 round; its ids are kept for the assertions.
type scene struct {
	l                                   *fixture.Log
	journeyID, participantID, managerID string
	cohortID, moduleID, moduleGoalID    string
	deliveryID, goalID, otherGoalID     string
	experimentID, assignmentID, convID  string
	instrument                          fixture.Instrument
	compA, compB                        feedback.Competency
}

func newScene() *scene {
	l := fixture.NewLog(7)
	s := &scene{l: l, journeyID: l.ID(), participantID: l.ID(), managerID: l.ID(), cohortID: l.ID(), moduleID: l.ID(),
		moduleGoalID: l.ID(), deliveryID: l.ID(), goalID: l.ID(), otherGoalID: l.ID(), experimentID: l.ID(), assignmentID: l.ID(), convID: l.ID()}
	l.Append(fixture.ModuleStream(s.moduleID), catalogue.ModuleAdded{ModuleID: s.moduleID, Content: catalogue.Content{Title: "Ik en mijn medewerker",
		Theme: catalogue.ThemeOther, Forms: []catalogue.DidacticForm{catalogue.FormGroupTraining}, Hours: 14,
		LearningGoals: []catalogue.LearningGoal{{ID: s.moduleGoalID, Behaviour: "voert een goed gesprek volgens het 5R-model"}}}, At: day(1)})
	s.instrument = fixture.PublishInstrument(l, 2, 2, day(1).Add(time.Hour))
	s.compA, s.compB = s.instrument.Competencies[0], s.instrument.Competencies[1]
	cs := fixture.CohortStream(s.cohortID)
	l.Append(cs, cohort.Planned{CohortID: s.cohortID, ProgrammeID: l.ID(), EntityID: l.ID(), Title: "BLG voorjaar 2025", ModuleIDs: []string{s.moduleID},
		TrainerIDs: []string{l.ID()}, StartsOn: day(3), EndsOn: day(3).AddDate(0, 6, 0), At: day(1).Add(2 * time.Hour)})
	l.Append(cs, cohort.ParticipantEnrolled{CohortID: s.cohortID, ParticipantID: s.participantID, Name: "Sanne de Vries", Email: "sanne.devries@minbzk.example", At: day(2)})
	l.Append(cs, cohort.DeliveryScheduled{CohortID: s.cohortID, DeliveryID: s.deliveryID, ModuleID: s.moduleID, ModuleVersion: 2,
		StartsAt: day(10), EndsAt: day(11), At: day(2).Add(time.Hour)})
	js := fixture.JourneyStream(s.journeyID)
	l.Append(js, journey.Enrolled{JourneyID: s.journeyID, ParticipantID: s.participantID, CohortID: s.cohortID, ProgrammeID: "p", EntityID: "e",
		Role: journey.RoleBeginningManager, ManagerID: s.managerID, At: day(2).Add(2 * time.Hour)})
	return s
}

// answers gives item scores to the two items of a competency; 0 is "not observed".
func (s *scene) answers(a1, a2, b1, b2 int) []feedback.Answer {
	ans := func(item string, score int) feedback.Answer {
		if score == 0 {
			return feedback.Answer{ItemID: item, NotObserved: true}
		}
		return feedback.Answer{ItemID: item, Score: score}
	}
	return []feedback.Answer{ans(s.compA.Items[0].ID, a1), ans(s.compA.Items[1].ID, a2), ans(s.compB.Items[0].ID, b1), ans(s.compB.Items[1].ID, b2)}
}

type response struct {
	group          feedback.RaterGroup
	a1, a2, b1, b2 int
	comment        string
}

// round appends a closed round of the given kind with the responses.
func (s *scene) round(kind feedback.RoundKind, opened time.Time, rs []response) string {
	id := s.l.ID()
	st := fixture.RoundStream(id)
	s.l.Append(st, feedback.RoundOpened{RoundID: id, JourneyID: s.journeyID, ParticipantID: s.participantID, ManagerID: s.managerID,
		InstrumentID: s.instrument.ID, Kind: kind, At: opened})
	for i, r := range rs {
		rater := s.participantID
		switch r.group {
		case feedback.GroupSelf:
		case feedback.GroupManager:
			rater = s.managerID
		default:
			rater = s.l.ID()
		}
		s.l.Append(st, feedback.RaterNominated{RoundID: id, RaterID: rater, Group: r.group, Name: "Collega", Email: "collega@minbzk.example", At: opened.Add(time.Duration(i+1) * time.Minute)})
		var comments []feedback.Comment
		if r.comment != "" {
			comments = []feedback.Comment{{CompetencyID: s.compA.ID, Text: r.comment}}
		}
		s.l.Append(st, feedback.ResponseSubmitted{RoundID: id, RaterID: rater, Group: r.group, Answers: s.answers(r.a1, r.a2, r.b1, r.b2),
			Comments: comments, At: opened.Add(24*time.Hour + time.Duration(i)*time.Minute)})
	}
	s.l.Append(st, feedback.RoundClosed{RoundID: id, At: opened.AddDate(0, 0, 7)})
	return id
}

// the round of the main scenario: two peers (suppressed), three direct
// reports of whom one observed nothing of competency B, one other.
var mainRound = []response{
	{feedback.GroupSelf, 4, 5, 3, 0, "Ik wil meer loslaten"},
	{feedback.GroupManager, 3, 3, 4, 4, "Neemt initiatief"},
	{feedback.GroupPeer, 2, 2, 5, 5, "Peer A zegt dit"},
	{feedback.GroupPeer, 3, 3, 5, 5, ""},
	{feedback.GroupDirectReport, 4, 4, 3, 3, "Geeft ruimte"},
	{feedback.GroupDirectReport, 3, 5, 0, 0, ""},
	{feedback.GroupDirectReport, 2, 4, 4, 2, "Luistert goed"},
	{feedback.GroupOther, 1, 1, 1, 1, "Other zegt dit"},
}

func (s *scene) journeyEvents() {
	l, js, p := s.l, fixture.JourneyStream(s.journeyID), s.participantID
	l.Append(js, journey.SharingGranted{Section: journey.SectionLearningGoals, ManagerID: s.managerID, At: day(3)})
	l.Append(js, journey.WhyStated{ParticipantID: p, Why: "Ik wil mensen laten groeien", Values: []string{"openheid", "vertrouwen"}, At: day(3).Add(time.Hour)})
	choice := l.ID()
	l.Append(js, journey.BehaviourChosen{ParticipantID: p, ChoiceID: choice, CompetencyID: s.compA.ID, Behaviour: "zelf problemen oplossen", Choice: journey.ChoiceDevelop, At: day(4)})
	l.Append(js, journey.BehaviourChoiceRevised{ChoiceID: choice, Choice: journey.ChoiceLetGo, At: day(5)})
	l.Append(js, journey.LearningGoalFormulated{ParticipantID: p, GoalID: s.goalID, Kind: journey.KindGoal, Text: "Binnen drie maanden voer ik elk gesprek volgens 5R",
		CompetencyIDs: []string{s.compA.ID}, ModuleGoalIDs: []string{s.moduleGoalID}, At: day(5).Add(time.Hour)})
	l.Append(js, journey.LearningGoalFormulated{ParticipantID: p, GoalID: s.otherGoalID, Kind: journey.KindQuestion, Text: "Hoe bouw ik vertrouwen?",
		CompetencyIDs: []string{s.compB.ID}, At: day(5).Add(2 * time.Hour)})
	l.Append(fixture.CohortStream(s.cohortID), cohort.AttendanceRecorded{CohortID: s.cohortID, DeliveryID: s.deliveryID, ParticipantID: p, Status: cohort.Absent, At: day(10).Add(time.Hour)})
	l.Append(fixture.CohortStream(s.cohortID), cohort.AttendanceRecorded{CohortID: s.cohortID, DeliveryID: s.deliveryID, ParticipantID: p, Status: cohort.Present, At: day(10).Add(2 * time.Hour)})
	l.Append(js, journey.AssignmentGiven{AssignmentID: s.assignmentID, ModuleID: s.moduleID, TrainerID: l.ID(), Title: "Voer een 5R-gesprek", DueOn: day(24), At: day(11)})
	l.Append(js, journey.ModuleEvaluated{ParticipantID: p, DeliveryID: s.deliveryID, ModuleID: s.moduleID, ModuleVersion: 2,
		Scores: []journey.Score{{Question: journey.QuestionRelevance, Score: 5}, {Question: journey.QuestionOverall, Score: 4}}, Comments: "Veel geleerd", At: day(11).Add(time.Hour)})
	l.Append(js, journey.IntervisionAttended{ParticipantID: p, SessionID: l.ID(), GroupID: l.ID(), HeldOn: day(12), Method: "incidentmethode",
		CaseBroughtIn: true, Case: "Conflict tussen twee teamleden", At: day(12).Add(3 * time.Hour)})
	l.Append(js, journey.ExperimentLogged{ParticipantID: p, ExperimentID: s.experimentID, LearningGoalID: s.goalID, Intention: "Eerst vragen, dan pas adviseren",
		PlannedFor: day(17), At: day(14)})
	l.Append(js, journey.ExperimentTried{ParticipantID: p, ExperimentID: s.experimentID, WhatWasTried: "Gesprek met Ahmed", TriedOn: day(17), At: day(17).Add(5 * time.Hour)})
	l.Append(js, journey.ExperimentReflected{ParticipantID: p, ExperimentID: s.experimentID, Outcome: "Hij kwam zelf met een oplossing", Reflection: "Stilte laten vallen werkt", At: day(18)})
	l.Append(js, journey.ExperimentConcluded{ParticipantID: p, ExperimentID: s.experimentID, NextStep: "Ook in het teamoverleg proberen", At: day(19)})
	l.Append(js, journey.AssignmentHandedIn{ParticipantID: p, AssignmentID: s.assignmentID, Reflection: "Het model gaf houvast", At: day(20)})
	l.Append(js, journey.CoachingSessionHeld{ParticipantID: p, SessionID: l.ID(), CoachID: l.ID(), HeldOn: day(21), Notes: "Over loslaten", At: day(21).Add(time.Hour)})
	l.Append(js, journey.MeasurementRecorded{ParticipantID: p, MeasurementID: l.ID(), Kind: journey.MeasurementTeamRole, Instrument: "Belbin", Result: "Voorzitter", TakenOn: day(6), At: day(6)})
	l.Append(js, journey.ConversationRecorded{ParticipantID: p, ConversationID: s.convID, ManagerID: s.managerID, HeldOn: day(25),
		Agreements: []string{"Maandelijks 5R-gesprek"}, NextQuestions: []string{"Hoe delegeer ik meer?"}, At: day(25).Add(2 * time.Hour)})
	l.Append(js, journey.ConversationConfirmed{ConversationID: s.convID, Party: journey.PartyParticipant, ConfirmedBy: p, At: day(25).Add(3 * time.Hour)})
	l.Append(js, journey.ConversationConfirmed{ConversationID: s.convID, Party: journey.PartyManager, ConfirmedBy: s.managerID, At: day(26)})
	l.Append(js, journey.ConversationFinalised{ConversationID: s.convID, At: day(26)})
}

func group(t *testing.T, c view.CompetencyResult, g feedback.RaterGroup) view.GroupResult {
	t.Helper()
	i := slices.IndexFunc(c.Groups, func(r view.GroupResult) bool { return r.Group == g })
	if i < 0 {
		t.Fatalf("competency %s: no %s group in %+v", c.Name, g, c.Groups)
	}
	return c.Groups[i]
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestPortfolio(t *testing.T) {
	s := newScene()
	s.round(feedback.RoundPre, day(3), mainRound)
	s.journeyEvents()
	events := s.l.Events

	m := portfolio.New(portfolio.Config{})
	feed(t, m, events)
	v, err := m.Current(s.journeyID)
	if err != nil {
		t.Fatal(err)
	}

	if v.ParticipantID != s.participantID || v.CohortID != s.cohortID || v.Status != journey.StatusActive || v.ManagerID != s.managerID {
		t.Fatalf("journey = %+v", v)
	}
	if !reflect.DeepEqual(v.Shared, []journey.Section{journey.SectionLearningGoals}) {
		t.Fatalf("shared = %v", v.Shared)
	}
	if v.WhyAndValues == nil || v.WhyAndValues.Why != "Ik wil mensen laten groeien" {
		t.Fatalf("why = %+v", v.WhyAndValues)
	}
	if c := v.BehaviourChoices; len(c) != 1 || c[0].Choice != journey.ChoiceLetGo || len(c[0].Earlier) != 1 || c[0].Earlier[0].Choice != journey.ChoiceDevelop {
		t.Fatalf("choices = %+v", c)
	}

	// Goals and what stands behind them.
	details := v.GoalDetails()
	if len(details) != 2 {
		t.Fatalf("goals = %+v", details)
	}
	g := details[0]
	if g.GoalID != s.goalID || !reflect.DeepEqual(g.ModuleIDs, []string{s.moduleID}) {
		t.Fatalf("goal = %+v", g.LearningGoal)
	}
	if len(g.Experiments) != 1 || g.Experiments[0].Step != journey.StepConcluded || g.Experiments[0].Reflection != "Stilte laten vallen werkt" {
		t.Fatalf("experiments behind goal = %+v", g.Experiments)
	}
	if len(g.Assignments) != 1 || g.Assignments[0].Reflection != "Het model gaf houvast" || !g.Assignments[0].OnTime {
		t.Fatalf("assignments behind goal = %+v", g.Assignments)
	}
	if o := details[1]; len(o.Experiments) != 0 || len(o.Assignments) != 0 {
		t.Fatalf("other goal = %+v", o)
	}
	if a := v.Assignments[0]; !reflect.DeepEqual(a.LearningGoalIDs, []string{s.goalID}) {
		t.Fatalf("assignment goals = %v", a.LearningGoalIDs)
	}

	// Participation: attendance corrected to present, evaluated, assignment handed in.
	want := view.ModuleDelivery{DeliveryID: s.deliveryID, ModuleID: s.moduleID, ModuleVersion: 2, StartsAt: day(10), EndsAt: day(11),
		Attendance: cohort.Present, Evaluated: true, AssignmentsGiven: 1, AssignmentsHandedIn: 1}
	if !reflect.DeepEqual(v.Modules, []view.ModuleDelivery{want}) {
		t.Fatalf("modules = %+v", v.Modules)
	}
	if len(v.Intervision) != 1 || !v.Intervision[0].CaseBroughtIn {
		t.Fatalf("intervision = %+v", v.Intervision)
	}
	if len(v.Coaching) != 1 || len(v.Evaluations) != 1 || len(v.Measurements) != 1 {
		t.Fatalf("coaching %d evaluations %d measurements %d", len(v.Coaching), len(v.Evaluations), len(v.Measurements))
	}
	if c := v.Conversations; len(c) != 1 || !c[0].Final || len(c[0].ConfirmedBy) != 2 || c[0].Agreements[0] != "Maandelijks 5R-gesprek" {
		t.Fatalf("conversations = %+v", c)
	}

	// 360: the anonymity rule and the self-other gap.
	if len(v.FeedbackRounds) != 1 {
		t.Fatalf("rounds = %+v", v.FeedbackRounds)
	}
	r := v.FeedbackRounds[0]
	if r.ClosedAt == nil || len(r.Competencies) != 2 {
		t.Fatalf("round = %+v", r)
	}
	a, b := r.Competencies[0], r.Competencies[1]
	if self := group(t, a, feedback.GroupSelf); self.Mean == nil || !near(*self.Mean, 4.5) || self.Raters != 1 {
		t.Fatalf("self on A = %+v", self)
	}
	if mgr := group(t, a, feedback.GroupManager); mgr.Mean == nil || !near(*mgr.Mean, 3) {
		t.Fatalf("manager on A = %+v", mgr)
	}
	for _, gr := range []feedback.RaterGroup{feedback.GroupPeer, feedback.GroupOther} {
		if x := group(t, a, gr); !x.Suppressed || x.Mean != nil || x.Raters != 0 {
			t.Fatalf("%s on A = %+v, want suppressed", gr, x)
		}
	}
	if dr := group(t, a, feedback.GroupDirectReport); dr.Suppressed || dr.Raters != 3 || !near(*dr.Mean, 22.0/6) {
		t.Fatalf("direct reports on A = %+v", dr)
	}
	// Only two direct reports observed B: suppressed there, though three answered.
	if dr := group(t, b, feedback.GroupDirectReport); !dr.Suppressed {
		t.Fatalf("direct reports on B = %+v, want suppressed", dr)
	}
	// The others composite takes only groups that count: the manager and
	// the direct reports on A (3 and 4, 4, 3: 14/4), each rater equally.
	if gap := a.Gap; gap == nil || !near(gap.Self, 4.5) || !near(gap.Others, 3.5) || gap.OtherRaters != 4 || !near(gap.Gap, 1) {
		t.Fatalf("gap on A = %+v", gap)
	}
	// On B the manager alone counts: no composite of fewer than three
	// raters, so no gap (IMPACT §1).
	if gap := b.Gap; gap != nil {
		t.Fatalf("gap on B = %+v, want none", gap)
	}
	var texts []string
	for _, c := range r.Comments {
		texts = append(texts, c.Text)
	}
	if want := []string{"Ik wil meer loslaten", "Neemt initiatief", "Geeft ruimte", "Luistert goed"}; !reflect.DeepEqual(texts, want) {
		t.Fatalf("comments = %q, want %q", texts, want)
	}

	// The timeline has every step, and no single response or nomination.
	for _, e := range v.Timeline {
		if e.Event == "feedback.response_submitted" || e.Event == "feedback.rater_nominated" {
			t.Fatalf("timeline shows %s", e.Event)
		}
	}
	if !slices.IsSortedFunc(v.Timeline, func(a, b view.TimelineEntry) int { return a.At.Compare(b.At) }) {
		t.Fatal("timeline not in time order")
	}
	if n := len(v.Timeline); n != 25 {
		t.Fatalf("timeline has %d entries, want 25: %+v", n, v.Timeline)
	}

	// Feeding the same events again changes nothing.
	asOf, err := m.AsOf(context.Background(), s.journeyID, day(15))
	if err != nil {
		t.Fatal(err)
	}
	pos, unknown := m.Position(), m.Unknown()
	feed(t, m, events)
	again, _ := m.Current(s.journeyID)
	asOfAgain, _ := m.AsOf(context.Background(), s.journeyID, day(15))
	if !reflect.DeepEqual(again, v) || !reflect.DeepEqual(asOfAgain, asOf) || m.Position() != pos || m.Unknown() != unknown {
		t.Fatal("feeding the events again changed the read model")
	}
	if pos != events[len(events)-1].Position {
		t.Fatalf("position = %d, want %d", pos, events[len(events)-1].Position)
	}
}

func TestSuppression(t *testing.T) {
	for _, tc := range []struct {
		name         string
		peers        int
		shown        bool
		peerComment  bool
		othersRaters int // raters behind the gap's others on A; no gap below 3
	}{
		{"two peers are suppressed", 2, false, false, 0},
		{"three peers are shown", 3, true, true, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newScene()
			rs := []response{{feedback.GroupSelf, 4, 4, 4, 4, ""}, {feedback.GroupManager, 2, 2, 2, 2, ""}}
			for range tc.peers {
				rs = append(rs, response{feedback.GroupPeer, 5, 5, 5, 5, "Collega-opmerking"})
			}
			rs = append(rs, response{feedback.GroupDirectReport, 1, 1, 1, 1, "Eén medewerker"}) // one direct report: never merged
			s.round(feedback.RoundPre, day(3), rs)
			m := portfolio.New(portfolio.Config{})
			feed(t, m, s.l.Events)
			v, err := m.Current(s.journeyID)
			if err != nil {
				t.Fatal(err)
			}
			r := v.FeedbackRounds[0]
			a := r.Competencies[0]
			peer := group(t, a, feedback.GroupPeer)
			if peer.Suppressed == tc.shown || (peer.Mean != nil) != tc.shown {
				t.Fatalf("peers = %+v, shown %v", peer, tc.shown)
			}
			if tc.shown && (peer.Raters != 3 || !near(*peer.Mean, 5)) {
				t.Fatalf("peers = %+v", peer)
			}
			if dr := group(t, a, feedback.GroupDirectReport); !dr.Suppressed {
				t.Fatalf("single direct report = %+v, want suppressed", dr)
			}
			if mgr := group(t, a, feedback.GroupManager); !near(*mgr.Mean, 2) || mgr.Raters != 1 {
				t.Fatalf("manager mean = %v: a suppressed group was merged into it", *mgr.Mean)
			}
			// Others of the gap: the manager (2) alone, too few for a
			// composite, or with three peers (5).
			switch wantOthers := (2 + 5*3) / 4.0; {
			case !tc.shown && a.Gap != nil:
				t.Fatalf("gap = %+v over the manager alone, want none", a.Gap)
			case tc.shown && (a.Gap == nil || a.Gap.OtherRaters != tc.othersRaters || !near(a.Gap.Others, wantOthers) || !near(a.Gap.Gap, 4-wantOthers)):
				t.Fatalf("gap = %+v, want others %v over %d raters", a.Gap, wantOthers, tc.othersRaters)
			}
			var peerComments, drComments int
			for _, c := range r.Comments {
				switch c.Group {
				case feedback.GroupPeer:
					peerComments++
				case feedback.GroupDirectReport:
					drComments++
				}
			}
			if (peerComments == 3) != tc.peerComment || (peerComments != 0 && peerComments != 3) || drComments != 0 {
				t.Fatalf("peer comments %d, direct-report comments %d", peerComments, drComments)
			}
		})
	}
}

func TestRoundResultsOnlyWhenClosed(t *testing.T) {
	s := newScene()
	id := s.l.ID()
	st := fixture.RoundStream(id)
	s.l.Append(st, feedback.RoundOpened{RoundID: id, JourneyID: s.journeyID, ParticipantID: s.participantID, ManagerID: s.managerID,
		InstrumentID: s.instrument.ID, Kind: feedback.RoundPre, At: day(3)})
	s.l.Append(st, feedback.RaterNominated{RoundID: id, RaterID: s.participantID, Group: feedback.GroupSelf, At: day(3)})
	s.l.Append(st, feedback.ResponseSubmitted{RoundID: id, RaterID: s.participantID, Group: feedback.GroupSelf, Answers: s.answers(3, 3, 3, 3), At: day(4)})
	m := portfolio.New(portfolio.Config{})
	feed(t, m, s.l.Events)
	v, _ := m.Current(s.journeyID)
	r := v.FeedbackRounds[0]
	if r.ClosedAt != nil || r.Competencies != nil || r.Comments != nil {
		t.Fatalf("open round shows results: %+v", r)
	}
	if !reflect.DeepEqual(r.Raters, []view.RaterCount{{Group: feedback.GroupSelf, Nominated: 1, Responded: 1}}) {
		t.Fatalf("raters = %+v", r.Raters)
	}
	feed(t, m, []projections.Event{s.l.Append(st, feedback.RoundClosed{RoundID: id, At: day(10)})})
	v, _ = m.Current(s.journeyID)
	if len(v.FeedbackRounds[0].Competencies) != 2 {
		t.Fatalf("closed round = %+v", v.FeedbackRounds[0])
	}
}

func TestFeedbackChange(t *testing.T) {
	s := newScene()
	three := func(self, mgr, peer int) []response {
		return []response{{feedback.GroupSelf, self, self, self, self, ""}, {feedback.GroupManager, mgr, mgr, mgr, mgr, ""},
			{feedback.GroupPeer, peer, peer, peer, peer, ""}, {feedback.GroupPeer, peer, peer, peer, peer, ""}, {feedback.GroupPeer, peer, peer, peer, peer, ""}}
	}
	s.round(feedback.RoundPre, day(3), three(4, 2, 3))
	post := three(4, 4, 4)[:4] // only two peers after: no peer change
	s.round(feedback.RoundPost, day(60), post)
	m := portfolio.New(portfolio.Config{})
	feed(t, m, s.l.Events)
	v, _ := m.Current(s.journeyID)
	var got []string
	for _, c := range v.FeedbackChange {
		if c.CompetencyID == s.compA.ID {
			got = append(got, c.Group.String())
			if c.Group == feedback.GroupManager && (!near(c.Pre, 2) || !near(c.Post, 4) || !near(c.Change, 2)) {
				t.Fatalf("manager change = %+v", c)
			}
		}
	}
	if !reflect.DeepEqual(got, []string{"self", "manager"}) {
		t.Fatalf("changes on A for %v, want self and manager", got)
	}
}

func TestAsOf(t *testing.T) {
	s := newScene()
	s.journeyEvents()
	m := portfolio.New(portfolio.Config{})
	feed(t, m, s.l.Events)
	ctx := context.Background()

	before, err := m.AsOf(ctx, s.journeyID, day(13)) // the experiment was logged on day 14
	if err != nil {
		t.Fatal(err)
	}
	if len(before.Experiments) != 0 || len(before.GoalDetails()[0].Experiments) != 0 {
		t.Fatalf("as of day 13 the portfolio shows experiments: %+v", before.Experiments)
	}
	if before.AsOf == nil || !before.AsOf.Equal(day(13)) {
		t.Fatalf("asOf = %v", before.AsOf)
	}
	if len(before.Assignments) != 1 || before.Assignments[0].HandedInAt != nil {
		t.Fatalf("as of day 13 the assignment = %+v, want given, not handed in", before.Assignments)
	}
	for _, e := range before.Timeline {
		if e.At.After(day(13)) {
			t.Fatalf("timeline as of day 13 holds %+v", e)
		}
	}

	mid, _ := m.AsOf(ctx, s.journeyID, day(17).Add(6*time.Hour))
	if x := mid.Experiments; len(x) != 1 || x[0].Step != journey.StepTried || x[0].Reflection != "" {
		t.Fatalf("as of day 17 experiments = %+v, want tried only", x)
	}

	// On the day of the development conversation: not yet recorded or final.
	conv, err := m.AtConversation(ctx, s.journeyID, s.convID)
	if err != nil {
		t.Fatal(err)
	}
	if len(conv.Conversations) != 0 || len(conv.Experiments) != 1 || conv.Experiments[0].Step != journey.StepConcluded {
		t.Fatalf("at the conversation: %+v, %+v", conv.Conversations, conv.Experiments)
	}

	// Before the delivery was scheduled the module is not there; attendance
	// between the two records is the first one.
	early, _ := m.AsOf(ctx, s.journeyID, day(2).Add(150*time.Minute))
	if len(early.Modules) != 1 || early.Modules[0].Attendance != (cohort.AttendanceStatus{}) {
		t.Fatalf("modules early = %+v", early.Modules)
	}
	between, _ := m.AsOf(ctx, s.journeyID, day(10).Add(90*time.Minute))
	if between.Modules[0].Attendance != cohort.Absent {
		t.Fatalf("attendance between records = %v", between.Modules[0].Attendance)
	}

	// As of a moment after everything equals the current portfolio.
	cur, _ := m.Current(s.journeyID)
	late, _ := m.AsOf(ctx, s.journeyID, day(400))
	late.AsOf = nil
	if !reflect.DeepEqual(cur, late) {
		t.Fatalf("as of the end differs from current:\n%+v\n%+v", cur, late)
	}

	if _, err := m.AsOf(ctx, s.journeyID, day(1)); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("as of before enrolment: %v, want ErrNotFound", err)
	}
	if _, err := m.Current("nope"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("unknown journey: %v, want ErrNotFound", err)
	}
	if _, err := m.AtConversation(ctx, s.journeyID, "nope"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("unknown conversation: %v, want ErrNotFound", err)
	}
}

func TestSharingAndManagerChange(t *testing.T) {
	s := newScene()
	js := fixture.JourneyStream(s.journeyID)
	s.l.Append(js, journey.SharingGranted{Section: journey.SectionExperiments, ManagerID: s.managerID, At: day(3)})
	s.l.Append(js, journey.SharingGranted{Section: journey.SectionWhyAndValues, ManagerID: s.managerID, At: day(3)})
	m := portfolio.New(portfolio.Config{})
	feed(t, m, s.l.Events)
	sh, err := m.Sharing(s.journeyID)
	if err != nil {
		t.Fatal(err)
	}
	if sh.ManagerID != s.managerID || !reflect.DeepEqual(sh.Sections, []journey.Section{journey.SectionWhyAndValues, journey.SectionExperiments}) {
		t.Fatalf("sharing = %+v", sh)
	}
	next := s.l.ID()
	feed(t, m, []projections.Event{s.l.Append(js, journey.ManagerChanged{ManagerID: next, At: day(8)})})
	sh, _ = m.Sharing(s.journeyID)
	if sh.ManagerID != next || len(sh.Sections) != 0 {
		t.Fatalf("after a new manager: %+v, want nothing shared", sh)
	}
	old, _ := m.AsOf(context.Background(), s.journeyID, day(4))
	if old.ManagerID != s.managerID || len(old.Shared) != 2 {
		t.Fatalf("as of day 4: manager %s shared %v", old.ManagerID, old.Shared)
	}
	if got := m.Journeys(s.participantID); !reflect.DeepEqual(got, []string{s.journeyID}) {
		t.Fatalf("journeys = %v", got)
	}
	if p, ok := view.SectionOf(view.PartExperiments); !ok || p != journey.SectionExperiments {
		t.Fatal("experiments is a section")
	}
	if _, ok := view.SectionOf(view.PartIntervision); ok {
		t.Fatal("intervision is no shareable section")
	}
}

// TestManagedJourneys: a manager's list holds the journeys they manage now,
// in the order they became theirs; a change of manager moves the journey
// from the former manager's list to the new one's. Feeding the events again
// changes nothing, and a rebuild from the events and a restore from a
// snapshot give the same lists.
func TestManagedJourneys(t *testing.T) {
	s := newScene()
	second, otherParticipant := s.l.ID(), s.l.ID()
	s.l.Append(fixture.CohortStream(s.cohortID), cohort.ParticipantEnrolled{CohortID: s.cohortID, ParticipantID: otherParticipant, Name: "Bram", Email: "bram@minbzk.example", At: day(2)})
	s.l.Append(fixture.JourneyStream(second), journey.Enrolled{JourneyID: second, ParticipantID: otherParticipant, CohortID: s.cohortID, ProgrammeID: "p", EntityID: "e",
		Role: journey.RoleCoordinator, ManagerID: s.managerID, At: day(2).Add(3 * time.Hour)})
	m := portfolio.New(portfolio.Config{})
	feed(t, m, s.l.Events)
	want := func(manager string, ids ...string) {
		t.Helper()
		if got := m.Managed(manager); !reflect.DeepEqual(got, append([]string{}, ids...)) {
			t.Fatalf("Managed = %v, want %v", got, ids)
		}
	}
	want(s.managerID, s.journeyID, second)

	next := s.l.ID()
	feed(t, m, []projections.Event{s.l.Append(fixture.JourneyStream(s.journeyID), journey.ManagerChanged{ManagerID: next, At: day(8)})})
	want(s.managerID, second)
	want(next, s.journeyID)

	// Back to the first manager: the journey goes to the end of their list.
	feed(t, m, []projections.Event{s.l.Append(fixture.JourneyStream(s.journeyID), journey.ManagerChanged{ManagerID: s.managerID, At: day(9)})})
	want(s.managerID, second, s.journeyID)
	want(next)

	feed(t, m, s.l.Events)
	want(s.managerID, second, s.journeyID)
	want(next)
	rebuilt := portfolio.New(portfolio.Config{})
	feed(t, rebuilt, s.l.Events)
	if got := rebuilt.Managed(s.managerID); !reflect.DeepEqual(got, []string{second, s.journeyID}) {
		t.Fatalf("rebuilt: Managed = %v", got)
	}
	if got := m.Managed(s.participantID); len(got) != 0 {
		t.Fatalf("a participant manages %v", got)
	}

	// A restart restores the read model from a snapshot: the lists survive it.
	dir := t.TempDir()
	if _, err := projections.WriteSnapshot(dir, m); err != nil {
		t.Fatal(err)
	}
	restored := portfolio.New(portfolio.Config{})
	if _, err := projections.ReadSnapshot(dir, restored, m.Position()); err != nil {
		t.Fatal(err)
	}
	for _, manager := range []string{s.managerID, next} {
		if got, want := restored.Managed(manager), m.Managed(manager); !reflect.DeepEqual(got, want) {
			t.Fatalf("restored from a snapshot: Managed(%s) = %v, want %v", manager, got, want)
		}
	}
}

type foreign struct{}

func (foreign) EventName() string { return "billing.invoice_sent" }

func TestUnknownEventsSkippedAndCounted(t *testing.T) {
	s := newScene()
	js := fixture.JourneyStream(s.journeyID)
	s.l.Append(js, projections.UnknownEvent{Name: "journey.badge_awarded"})
	s.l.Append("invoice-1", foreign{})
	s.l.Append(fixture.ModuleStream(s.moduleID), catalogue.ModuleRetired{ModuleID: s.moduleID, At: day(9)}) // known, of no use: not counted
	s.l.Append(js, journey.WhyStated{ParticipantID: s.participantID, Why: "Verbinden", At: day(9)})
	m := portfolio.New(portfolio.Config{})
	feed(t, m, s.l.Events)
	if m.Unknown() != 2 {
		t.Fatalf("unknown = %d, want 2", m.Unknown())
	}
	if last := s.l.Events[len(s.l.Events)-1]; m.Position() != last.Position {
		t.Fatalf("position = %d, want %d", m.Position(), last.Position)
	}
	v, _ := m.Current(s.journeyID)
	if v.WhyAndValues == nil || v.WhyAndValues.Why != "Verbinden" {
		t.Fatal("the event after the unknown ones was not applied")
	}
	feed(t, m, s.l.Events)
	if m.Unknown() != 2 {
		t.Fatalf("unknown after feeding again = %d, want 2", m.Unknown())
	}
	if err := m.Handle(context.Background(), projections.Event{Stream: js, Revision: 99}); !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("handle without data: %v, want ErrInvalid", err)
	}
	if m.Name() != portfolio.Name {
		t.Fatal("name")
	}
}

func TestConcurrentQueries(t *testing.T) {
	h := fixture.Cohort(fixture.CohortOptions{Participants: 12, Seed: 3})
	m := portfolio.New(portfolio.Config{})
	ctx := context.Background()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := h.Participants[i]
			for {
				select {
				case <-stop:
					return
				case <-time.After(200 * time.Microsecond):
				}
				_, _ = m.Current(p.JourneyID)
				_, _ = m.AsOf(ctx, p.JourneyID, h.StartsOn.AddDate(0, 1, 0))
				_ = m.Position()
			}
		}()
	}
	feed(t, m, h.Log.Events)
	close(stop)
	wg.Wait()
	v, err := m.Current(h.Participants[0].JourneyID)
	if err != nil {
		t.Fatal(err)
	}
	if v.Status != journey.StatusCompleted || len(v.FeedbackRounds) != 2 || len(v.FeedbackChange) == 0 || len(v.Experiments) != len(h.Participants[0].ExperimentIDs) {
		t.Fatalf("generated journey: status %v rounds %d change %d experiments %d", v.Status, len(v.FeedbackRounds), len(v.FeedbackChange), len(v.Experiments))
	}
	if m.Unknown() != 0 {
		t.Fatalf("unknown = %d", m.Unknown())
	}
}
