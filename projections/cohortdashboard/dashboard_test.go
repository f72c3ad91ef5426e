package cohortdashboard_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/cohort"
	view "github.com/leerpad/leerpad/domain/cohortdashboard"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/projections"
	"github.com/leerpad/leerpad/projections/cohortdashboard"
	"github.com/leerpad/leerpad/projections/internal/fixture"
)

var ams = mustZone("Europe/Amsterdam")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func day(d int) time.Time { return time.Date(2025, 3, d, 9, 0, 0, 0, ams) }

func feed(tb testing.TB, m projections.Projection, events []projections.Event) {
	tb.Helper()
	for _, ev := range events {
		if err := m.Handle(context.Background(), ev); err != nil {
			tb.Fatalf("handle %s@%d: %v", ev.Stream, ev.Revision, err)
		}
	}
}

func newModel(tb testing.TB, cfg cohortdashboard.Config) *cohortdashboard.ReadModel {
	tb.Helper()
	m, err := cohortdashboard.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// cohortScene is a planned cohort with participants enrolled in the cohort
// and in their journeys.
type cohortScene struct {
	l            *fixture.Log
	cohortID     string
	modules      []string
	participants []string
	journeys     []string
}

func newCohort(n int) *cohortScene {
	l := fixture.NewLog(11)
	s := &cohortScene{l: l, cohortID: l.ID(), modules: []string{l.ID(), l.ID()}}
	cs := fixture.CohortStream(s.cohortID)
	l.Append(cs, cohort.Planned{CohortID: s.cohortID, ProgrammeID: l.ID(), EntityID: l.ID(), Title: "SMEC najaar 2025", ModuleIDs: s.modules,
		TrainerIDs: []string{l.ID()}, StartsOn: day(3), EndsOn: day(3).AddDate(0, 5, 0), At: day(1)})
	for i := range n {
		p, j := l.ID(), l.ID()
		s.participants, s.journeys = append(s.participants, p), append(s.journeys, j)
		l.Append(cs, cohort.ParticipantEnrolled{CohortID: s.cohortID, ParticipantID: p, Name: "Deelnemer", Email: "deelnemer@vlaanderen.example", At: day(2)})
		l.Append(fixture.JourneyStream(j), journey.Enrolled{JourneyID: j, ParticipantID: p, CohortID: s.cohortID, ProgrammeID: "p", EntityID: "e",
			Role: journey.RoleCoordinator, ManagerID: l.ID(), At: day(2).Add(time.Duration(i) * time.Minute)})
	}
	return s
}

func (s *cohortScene) j(i int) string { return fixture.JourneyStream(s.journeys[i]) }

func TestDashboard(t *testing.T) {
	s := newCohort(6)
	l, cs, P := s.l, fixture.CohortStream(s.cohortID), s.participants
	d1, d2 := l.ID(), l.ID()
	l.Append(cs, cohort.DeliveryScheduled{CohortID: s.cohortID, DeliveryID: d1, ModuleID: s.modules[0], ModuleVersion: 3, StartsAt: day(10), EndsAt: day(11), At: day(2)})
	l.Append(cs, cohort.DeliveryScheduled{CohortID: s.cohortID, DeliveryID: d2, ModuleID: s.modules[1], ModuleVersion: 1, StartsAt: day(40), EndsAt: day(41), At: day(2)})
	group := l.ID()
	l.Append(cs, cohort.IntervisionGroupFormed{CohortID: s.cohortID, GroupID: group, MemberIDs: P[:5], At: day(10)})
	// Participant 5 withdraws before the second delivery.
	l.Append(s.j(5), journey.Withdrawn{ParticipantID: P[5], Reason: "Nieuwe baan buiten de overheid", At: day(20)})
	l.Append(cs, cohort.ParticipantWithdrawn{CohortID: s.cohortID, ParticipantID: P[5], At: day(20)})
	l.Append(cs, cohort.IntervisionGroupReformed{CohortID: s.cohortID, GroupID: group, MemberIDs: P[:4], At: day(21)})

	statuses := []cohort.AttendanceStatus{cohort.Present, cohort.Present, cohort.Absent, cohort.Excused, cohort.Present}
	for i, st := range statuses {
		l.Append(cs, cohort.AttendanceRecorded{CohortID: s.cohortID, DeliveryID: d1, ParticipantID: P[i], Status: st, At: day(10).Add(time.Hour)})
	}
	l.Append(cs, cohort.AttendanceRecorded{CohortID: s.cohortID, DeliveryID: d1, ParticipantID: P[2], Status: cohort.Present, At: day(11)}) // corrected
	l.Append(cs, cohort.AttendanceRecorded{CohortID: s.cohortID, DeliveryID: d2, ParticipantID: P[0], Status: cohort.Present, At: day(40).Add(time.Hour)})

	// Assignments: everyone but 5 gets one for module 1; 0 and 1 hand in, 1 late.
	for i := range 5 {
		a := l.ID()
		l.Append(s.j(i), journey.AssignmentGiven{AssignmentID: a, ModuleID: s.modules[0], TrainerID: l.ID(), Title: "Situationeel leidinggeven", DueOn: day(24), At: day(11)})
		switch i {
		case 0:
			l.Append(s.j(i), journey.AssignmentHandedIn{ParticipantID: P[i], AssignmentID: a, Reflection: "GEHEIM verslag van de opdracht", At: day(20)})
		case 1:
			l.Append(s.j(i), journey.AssignmentHandedIn{ParticipantID: P[i], AssignmentID: a, Reflection: "GEHEIM verslag van de opdracht", At: day(26)})
		}
	}
	// Evaluations of two module versions.
	eval := func(i int, d, module string, version, relevance, overall int) {
		l.Append(s.j(i), journey.ModuleEvaluated{ParticipantID: P[i], DeliveryID: d, ModuleID: module, ModuleVersion: version,
			Scores:   []journey.Score{{Question: journey.QuestionRelevance, Score: relevance}, {Question: journey.QuestionOverall, Score: overall}},
			Comments: "GEHEIM oordeel over de trainer", At: day(12)})
	}
	eval(0, d1, s.modules[0], 3, 5, 4)
	eval(1, d1, s.modules[0], 3, 4, 4)
	eval(4, d1, s.modules[0], 3, 3, 5)
	eval(0, d2, s.modules[1], 1, 2, 3)
	// Intervision: three sessions, 14 and 21 days apart.
	sessions := []struct {
		id        string
		held      time.Time
		attendees []int
	}{{l.ID(), day(14), []int{0, 1, 2, 3}}, {l.ID(), day(28), []int{0, 1, 2}}, {l.ID(), day(49), []int{0, 1, 2, 3}}}
	for _, ss := range sessions {
		for k, i := range ss.attendees {
			e := journey.IntervisionAttended{ParticipantID: P[i], SessionID: ss.id, GroupID: group, HeldOn: ss.held, Method: "intervisie",
				CaseBroughtIn: k == 0, At: ss.held.Add(4 * time.Hour)}
			if k == 0 {
				e.Case = "GEHEIME CASUS"
			}
			l.Append(s.j(i), e)
		}
	}
	l.Append(s.j(0), journey.Completed{At: day(60)})

	events := l.Events
	m := newModel(t, cohortdashboard.Config{AtRiskWeeks: 3})
	feed(t, m, events)
	now := day(55)
	v, err := m.Dashboard(s.cohortID, now)
	if err != nil {
		t.Fatal(err)
	}

	if want := (view.Enrolment{Enrolled: 6, Active: 4, Completed: 1, Withdrawn: 1, CompletionRate: 1.0 / 6}); v.Enrolment != want {
		t.Fatalf("enrolment = %+v, want %+v", v.Enrolment, want)
	}
	if len(v.Deliveries) != 2 {
		t.Fatalf("deliveries = %+v", v.Deliveries)
	}
	if d := v.Deliveries[0]; d.Present != 4 || d.Absent != 0 || d.Excused != 1 || d.NotRecorded != 1 || d.ModuleVersion != 3 {
		t.Fatalf("first delivery = %+v", d)
	}
	// Participant 5 withdrew before the second delivery: not expected there.
	if d := v.Deliveries[1]; d.Present != 1 || d.NotRecorded != 4 || d.AttendanceRate != 0.2 {
		t.Fatalf("second delivery = %+v", d)
	}
	if a := v.Assignments; a.Given != 5 || a.HandedIn != 2 || a.OnTime != 1 ||
		!reflect.DeepEqual(a.PerModule, []view.ModuleAssignments{{ModuleID: s.modules[0], Given: 5, HandedIn: 2, OnTime: 1}}) {
		t.Fatalf("assignments = %+v", a)
	}
	if len(v.Evaluations) != 2 {
		t.Fatalf("evaluations = %+v", v.Evaluations)
	}
	e1 := v.Evaluations[0]
	if e1.ModuleID != s.modules[0] || e1.ModuleVersion != 3 || e1.Evaluations != 3 ||
		!reflect.DeepEqual(e1.Questions, []view.QuestionScore{{Question: journey.QuestionRelevance, N: 3, Mean: 4}, {Question: journey.QuestionOverall, N: 3, Mean: 13.0 / 3}}) {
		t.Fatalf("evaluation of module 1 v3 = %+v", e1)
	}
	if e2 := v.Evaluations[1]; e2.ModuleVersion != 1 || e2.Evaluations != 1 {
		t.Fatalf("evaluation of module 2 v1 = %+v", e2)
	}
	if len(v.Intervision) != 1 {
		t.Fatalf("intervision = %+v", v.Intervision)
	}
	g := v.Intervision[0]
	if g.Members != 4 || len(g.Sessions) != 3 || g.Sessions[1].Attendees != 3 || g.Sessions[0].Cases != 1 ||
		g.MeanDaysBetween != 17.5 || g.MaxDaysBetween != 21 || g.DaysSinceLast == nil || *g.DaysSinceLast != 6 {
		t.Fatalf("rhythm = %+v", g)
	}
	rows := map[string]view.Participant{}
	for _, p := range v.Participants {
		rows[p.ParticipantID] = p
	}
	if r := rows[P[0]]; r.Status != journey.StatusCompleted || r.Present != 2 || r.AssignmentsHandedIn != 1 || r.Intervision != 3 || r.Evaluations != 2 {
		t.Fatalf("participant 0 = %+v", r)
	}
	if r := rows[P[5]]; r.Status != journey.StatusWithdrawn || r.ClosedAt == nil || r.AtRisk {
		t.Fatalf("participant 5 = %+v", r)
	}

	// No free text reaches the dashboard.
	raw, _ := json.Marshal(v)
	for _, secret := range []string{"GEHEIM", "Nieuwe baan", "Deelnemer", "vlaanderen.example"} {
		if strings.Contains(string(raw), secret) {
			t.Fatalf("dashboard holds %q", secret)
		}
	}

	// Feeding the same events again changes nothing.
	pos := m.Position()
	feed(t, m, events)
	again, _ := m.Dashboard(s.cohortID, now)
	if !reflect.DeepEqual(again, v) || m.Position() != pos {
		t.Fatal("feeding the events again changed the read model")
	}
	if _, err := m.Dashboard("nope", now); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("unknown cohort: %v", err)
	}
}

func TestExperimentsPerISOWeekInAmsterdam(t *testing.T) {
	s := newCohort(1)
	l, p := s.l, s.participants[0]
	utc := func(y int, mo time.Month, d, h, mi int) time.Time { return time.Date(y, mo, d, h, mi, 0, 0, time.UTC) }
	logged := []time.Time{
		// Spring forward, Sunday 30 March 2025: 23:30 UTC is already Monday 01:30 CEST, week 14.
		utc(2025, 3, 30, 21, 30), // Sunday 23:30 CEST: week 13
		utc(2025, 3, 30, 22, 30), // Monday 00:30 CEST: week 14 (UTC says week 13)
		// Fall back, Sunday 26 October 2025.
		utc(2025, 10, 26, 22, 59), // Sunday 23:59 CET: week 43
		utc(2025, 10, 26, 23, 0),  // Monday 00:00 CET: week 44 (UTC says week 43)
		// Year end: 2020 has 53 ISO weeks.
		utc(2021, 1, 3, 22, 30), // Sunday 3 January 23:30 CET: 2020-W53
		utc(2021, 1, 3, 23, 30), // Monday 4 January 00:30 CET: 2021-W01 (UTC says 2020-W53)
		// And 31 December can belong to next year's first week.
		utc(2024, 12, 31, 23, 30), // Wednesday 1 January 2025 00:30: 2025-W01
	}
	for _, at := range logged {
		l.Append(s.j(0), journey.ExperimentLogged{ParticipantID: p, ExperimentID: l.ID(), LearningGoalID: l.ID(), Intention: "Delegeren", PlannedFor: at, At: at})
	}
	// Tried counts by the day tried, not the day recorded.
	x := l.ID()
	l.Append(s.j(0), journey.ExperimentLogged{ParticipantID: p, ExperimentID: x, LearningGoalID: l.ID(), Intention: "Feedback vragen", At: utc(2025, 3, 24, 10, 0)})
	l.Append(s.j(0), journey.ExperimentTried{ParticipantID: p, ExperimentID: x, WhatWasTried: "Gevraagd", TriedOn: utc(2025, 3, 30, 23, 0), At: utc(2025, 4, 8, 10, 0)})

	m := newModel(t, cohortdashboard.Config{})
	feed(t, m, l.Events)
	v, err := m.Dashboard(s.cohortID, utc(2025, 11, 1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][2]int{}
	for _, w := range v.Participants[0].Weeks {
		got[w.Week.String()] = [2]int{w.Logged, w.Tried}
	}
	want := map[string][2]int{
		"2020-W53": {1, 0}, "2021-W01": {1, 0}, "2025-W01": {1, 0},
		"2025-W13": {2, 0}, "2025-W14": {1, 1},
		"2025-W43": {1, 0}, "2025-W44": {1, 0},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("weeks = %v, want %v", got, want)
	}
	weeks := v.Participants[0].Weeks
	for i := 1; i < len(weeks); i++ {
		if !weeks[i-1].Week.Before(weeks[i].Week) {
			t.Fatalf("weeks out of order: %v", weeks)
		}
	}
	if w := cohortdashboard.ISOWeek(utc(2025, 3, 30, 22, 30), ams); w.String() != "2025-W14" {
		t.Fatalf("ISOWeek = %s", w)
	}
}

func TestAtRisk(t *testing.T) {
	s := newCohort(4)
	l, P := s.l, s.participants
	d := l.ID()
	cs := fixture.CohortStream(s.cohortID)
	l.Append(cs, cohort.DeliveryScheduled{CohortID: s.cohortID, DeliveryID: d, ModuleID: s.modules[0], ModuleVersion: 1, StartsAt: day(20), EndsAt: day(21), At: day(2)})
	// 0: active on day 30. 1: present at the delivery on day 20. 2: nothing
	// since enrolment on day 2, but completed. 3: nothing since enrolment.
	l.Append(s.j(0), journey.ExperimentReflected{ParticipantID: P[0], ExperimentID: l.ID(), Outcome: "Werkte", Reflection: "Goed", At: day(30)})
	l.Append(cs, cohort.AttendanceRecorded{CohortID: s.cohortID, DeliveryID: d, ParticipantID: P[1], Status: cohort.Present, At: day(22)})
	l.Append(s.j(2), journey.Completed{At: day(25)})
	// The trainer giving an assignment is no activity of the participant.
	l.Append(s.j(3), journey.AssignmentGiven{AssignmentID: l.ID(), ModuleID: s.modules[0], TrainerID: l.ID(), Title: "Opdracht", DueOn: day(40), At: day(30)})

	ids := func(rs []view.AtRisk) []string {
		out := []string{}
		for _, r := range rs {
			out = append(out, r.ParticipantID)
		}
		return out
	}
	now := day(44) // 14 days after day 30, 24 after day 20, 42 after day 2
	for _, tc := range []struct {
		weeks int
		want  []string
	}{
		{1, []string{P[3], P[1], P[0]}},
		{2, []string{P[3], P[1], P[0]}},
		{3, []string{P[3], P[1]}},
		{4, []string{P[3]}},
		{5, []string{P[3]}},
		{7, []string{}},
	} {
		m := newModel(t, cohortdashboard.Config{AtRiskWeeks: tc.weeks})
		feed(t, m, l.Events)
		v, err := m.Dashboard(s.cohortID, now)
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(v.AtRisk); !sameSet(got, tc.want) {
			t.Fatalf("%d weeks: at risk %v, want %v", tc.weeks, got, tc.want)
		}
		direct, _ := m.AtRiskParticipants(s.cohortID, now, 0)
		if got := ids(direct); !reflect.DeepEqual(got, tc.want) {
			t.Fatalf("%d weeks: AtRiskParticipants %v, want %v (longest inactive first)", tc.weeks, got, tc.want)
		}
	}
	// The query time decides: on day 19 the delivery has not started yet,
	// so participant 1 has been inactive since enrolment. (The completion of
	// participant 2 is state, not activity: the dashboard shows the state
	// after every event handled.)
	m := newModel(t, cohortdashboard.Config{})
	feed(t, m, l.Events)
	early, _ := m.AtRiskParticipants(s.cohortID, day(19), 2)
	if got := ids(early); !sameSet(got, []string{P[1], P[3]}) {
		t.Fatalf("on day 19 at risk: %v", got)
	}
	if v, _ := m.DashboardAtRisk(s.cohortID, now, 7); len(v.AtRisk) != 0 || v.AtRiskWeeks != 7 {
		t.Fatalf("DashboardAtRisk with 7 weeks: %+v", v.AtRisk)
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, x := range a {
		seen[x]++
	}
	for _, x := range b {
		seen[x]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return true
}

type foreign struct{}

func (foreign) EventName() string { return "billing.invoice_sent" }

func TestUnknownEventsSkippedAndCounted(t *testing.T) {
	s := newCohort(1)
	s.l.Append(s.j(0), projections.UnknownEvent{Name: "journey.badge_awarded"})
	s.l.Append("invoice-1", foreign{})
	s.l.Append(s.j(0), journey.SharingGranted{Section: journey.SectionExperiments, ManagerID: "m", At: day(4)}) // of no use here: not counted
	s.l.Append(s.j(0), journey.WhyStated{ParticipantID: s.participants[0], Why: "Groei", At: day(5)})
	m := newModel(t, cohortdashboard.Config{})
	feed(t, m, s.l.Events)
	feed(t, m, s.l.Events)
	if m.Unknown() != 2 || m.Position() != s.l.Events[len(s.l.Events)-1].Position {
		t.Fatalf("unknown %d position %d", m.Unknown(), m.Position())
	}
	v, _ := m.Dashboard(s.cohortID, day(6))
	if !v.Participants[0].LastActivity.Equal(day(5)) {
		t.Fatalf("last activity = %v", v.Participants[0].LastActivity)
	}
	if m.Name() != cohortdashboard.Name || !reflect.DeepEqual(m.Cohorts(), []string{s.cohortID}) {
		t.Fatal("name or cohorts")
	}
}

func TestConcurrentQueries(t *testing.T) {
	h := fixture.Cohort(fixture.CohortOptions{Participants: 30, Seed: 5})
	m := newModel(t, cohortdashboard.Config{})
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				case <-time.After(200 * time.Microsecond):
				}
				_, _ = m.Dashboard(h.CohortID, h.StartsOn.AddDate(0, 2, 0))
			}
		}()
	}
	feed(t, m, h.Log.Events)
	close(stop)
	wg.Wait()
	v, err := m.Dashboard(h.CohortID, h.EndsOn)
	if err != nil {
		t.Fatal(err)
	}
	if v.Enrolment.Enrolled != 30 || v.Enrolment.Withdrawn != 1 || v.Enrolment.Completed != 29 || len(v.Deliveries) != 5 || len(v.Intervision) != 6 {
		t.Fatalf("generated cohort: %+v, %d deliveries, %d groups", v.Enrolment, len(v.Deliveries), len(v.Intervision))
	}
	if m.Unknown() != 0 {
		t.Fatalf("unknown = %d", m.Unknown())
	}
}
