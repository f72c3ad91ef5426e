package behaviourchange_test

import (
	"context"
	"errors"
	"math"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/leerpad/leerpad/domain"
	view "github.com/leerpad/leerpad/domain/behaviourchange"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/projections"
	"github.com/leerpad/leerpad/projections/behaviourchange"
	"github.com/leerpad/leerpad/projections/internal/fixture"
)

func day(d int) time.Time { return time.Date(2025, 1, d, 9, 0, 0, 0, time.UTC) }

func feed(tb testing.TB, m projections.Projection, events []projections.Event) {
	tb.Helper()
	for _, ev := range events {
		if err := m.Handle(context.Background(), ev); err != nil {
			tb.Fatalf("handle %s@%d: %v", ev.Stream, ev.Revision, err)
		}
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

type scene struct {
	l          *fixture.Log
	cohortID   string
	instrument fixture.Instrument
}

func newScene() *scene {
	l := fixture.NewLog(13)
	s := &scene{l: l, cohortID: l.ID()}
	s.instrument = fixture.PublishInstrument(l, 2, 2, day(1))
	return s
}

// rater scores competency A (both items) with a and B with b; 0 is "not observed".
type rater struct {
	group feedback.RaterGroup
	a, b  int
}

func (s *scene) participant() (journeyID, participantID string) {
	j, p := s.l.ID(), s.l.ID()
	s.l.Append(fixture.JourneyStream(j), journey.Enrolled{JourneyID: j, ParticipantID: p, CohortID: s.cohortID, ProgrammeID: "blg", EntityID: "minbzk",
		Role: journey.RoleBeginningManager, ManagerID: s.l.ID(), At: day(2)})
	return j, p
}

func (s *scene) round(journeyID, participantID string, kind feedback.RoundKind, at time.Time, closed bool, raters []rater) {
	id := s.l.ID()
	st := fixture.RoundStream(id)
	s.l.Append(st, feedback.RoundOpened{RoundID: id, JourneyID: journeyID, ParticipantID: participantID, InstrumentID: s.instrument.ID, Kind: kind, At: at})
	a, b := s.instrument.Competencies[0], s.instrument.Competencies[1]
	score := func(item string, v int) feedback.Answer {
		if v == 0 {
			return feedback.Answer{ItemID: item, NotObserved: true}
		}
		return feedback.Answer{ItemID: item, Score: v}
	}
	for i, r := range raters {
		rid := s.l.ID()
		if r.group == feedback.GroupSelf {
			rid = participantID
		}
		s.l.Append(st, feedback.ResponseSubmitted{RoundID: id, RaterID: rid, Group: r.group, At: at.Add(time.Duration(i+1) * time.Hour),
			Answers:  []feedback.Answer{score(a.Items[0].ID, r.a), score(a.Items[1].ID, r.a), score(b.Items[0].ID, r.b), score(b.Items[1].ID, r.b)},
			Comments: []feedback.Comment{{Text: "Persoonlijke opmerking"}}})
	}
	if closed {
		s.l.Append(st, feedback.RoundClosed{RoundID: id, At: at.AddDate(0, 0, 14)})
	}
}

func raters(self, mgr, peer, peers, dr, drs int) []rater {
	rs := []rater{{feedback.GroupSelf, self, self}, {feedback.GroupManager, mgr, mgr}}
	for range peers {
		rs = append(rs, rater{feedback.GroupPeer, peer, peer})
	}
	for range drs {
		rs = append(rs, rater{feedback.GroupDirectReport, dr, dr})
	}
	return rs
}

func TestBehaviourChange(t *testing.T) {
	s := newScene()
	var journeys []string
	for i := range 6 {
		j, p := s.participant()
		journeys = append(journeys, j)
		// Before: self 4, manager 2, three peers 3, two direct reports 5 (suppressed).
		s.round(j, p, feedback.RoundPre, day(10), true, raters(4, 2, 3, 3, 5, 2))
		// After: the manager sees growth of 1 + i/5; peers 4; participant 5 has two peers only.
		post := raters(4, 3, 4, 3, 1, 2)
		post[1] = rater{feedback.GroupManager, 3 + i%2, 3 + i%2}
		if i == 5 {
			post = append(post[:3], post[4:]...) // drop a peer: two left
		}
		if i < 2 {
			post[0].b = 0 // self did not observe B: no self score on B
		}
		s.round(j, p, feedback.RoundPost, day(100), true, post)
	}
	// An open extra round changes nothing.
	s.round(journeys[0], "x", feedback.RoundPost, day(120), false, raters(1, 1, 1, 1, 3, 3))
	events := s.l.Events

	m := behaviourchange.New(behaviourchange.Config{})
	feed(t, m, events)

	p0, err := m.Participant(journeys[0])
	if err != nil {
		t.Fatal(err)
	}
	a := s.instrument.Competencies[0].ID
	find := func(p behaviourchange.Participant, comp string, g feedback.RaterGroup) *behaviourchange.Score {
		for i := range p.Scores {
			if p.Scores[i].CompetencyID == comp && p.Scores[i].Group == g {
				return &p.Scores[i]
			}
		}
		return nil
	}
	if sc := find(p0, a, feedback.GroupManager); sc == nil || !near(sc.Pre.Mean, 2) || !near(sc.Post.Mean, 3) || !near(*sc.Change, 1) || sc.Post.Raters != 1 || sc.Post.Answers != 2 {
		t.Fatalf("manager on A = %+v", sc)
	}
	if sc := find(p0, a, feedback.GroupPeer); sc == nil || !near(sc.Pre.Mean, 3) || !near(sc.Post.Mean, 4) || sc.Pre.Raters != 3 {
		t.Fatalf("peers on A = %+v", sc)
	}
	if sc := find(p0, a, feedback.GroupDirectReport); sc == nil || sc.Pre != nil || sc.Post != nil || !sc.PreSuppressed || !sc.PostSuppressed || sc.Change != nil {
		t.Fatalf("direct reports on A = %+v, want suppressed", sc)
	}
	if p0.PreRoundID == "" || p0.PostRoundID == "" || p0.CohortID != s.cohortID || p0.EntityID != "minbzk" {
		t.Fatalf("participant = %+v", p0)
	}
	p5, _ := m.Participant(journeys[5])
	if sc := find(p5, a, feedback.GroupPeer); sc == nil || sc.Pre == nil || sc.Post != nil || !sc.PostSuppressed {
		t.Fatalf("participant 5 peers on A = %+v, want the after score suppressed", sc)
	}

	c, err := m.Cohort(s.cohortID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]view.CompetencyChange{}
	for _, cc := range c.Competencies {
		got[cc.Name+"/"+cc.Group.String()] = cc
	}
	nameA, nameB := s.instrument.Competencies[0].Name, s.instrument.Competencies[1].Name
	// Manager: changes 1,2,1,2,1,2 on both competencies.
	if mg := got[nameA+"/manager"]; mg.Participants != 6 || !near(mg.MeanChange, 1.5) || !near(mg.MeanPre, 2) || !near(mg.MeanPost, 3.5) || !near(mg.SDChange, math.Sqrt(1.5/5)) {
		t.Fatalf("manager change on A = %+v", mg)
	}
	// Peers: five participants contribute (participant 5 is suppressed after): shown.
	if pg := got[nameA+"/peer"]; pg.Participants != 5 || !near(pg.MeanChange, 1) {
		t.Fatalf("peer change on A = %+v", pg)
	}
	// Self on B: only four participants observed B after: not shown at all.
	if sb, ok := got[nameB+"/self"]; ok {
		t.Fatalf("self change on B shown with %d participants", sb.Participants)
	}
	if _, ok := got[nameA+"/self"]; !ok {
		t.Fatal("self change on A not shown")
	}
	for k := range got {
		if k == nameA+"/direct-report" || k == nameB+"/direct-report" {
			t.Fatalf("suppressed direct reports appear as %s", k)
		}
	}
	if c.Participants != 6 || c.MinParticipants != behaviourchange.MinParticipants {
		t.Fatalf("cohort = %+v", c)
	}
	if n := len(m.Participants(s.cohortID)); n != 6 {
		t.Fatalf("participants = %d", n)
	}

	// Feeding the same events again changes nothing.
	pos := m.Position()
	feed(t, m, events)
	again, _ := m.Cohort(s.cohortID)
	p0again, _ := m.Participant(journeys[0])
	if !reflect.DeepEqual(again, c) || !reflect.DeepEqual(p0again, p0) || m.Position() != pos {
		t.Fatal("feeding the events again changed the read model")
	}
}

func TestCohortMeansNeedFiveParticipants(t *testing.T) {
	for _, n := range []int{4, 5} {
		s := newScene()
		for range n {
			j, p := s.participant()
			s.round(j, p, feedback.RoundPre, day(10), true, raters(3, 2, 0, 0, 0, 0))
			s.round(j, p, feedback.RoundPost, day(100), true, raters(4, 4, 0, 0, 0, 0))
		}
		m := behaviourchange.New(behaviourchange.Config{})
		feed(t, m, s.l.Events)
		c, err := m.Cohort(s.cohortID)
		if err != nil {
			t.Fatal(err)
		}
		if shown := len(c.Competencies) > 0; shown != (n >= 5) {
			t.Fatalf("%d participants: %d means shown", n, len(c.Competencies))
		}
		if n == 5 && len(c.Competencies) != 4 { // two competencies, self and manager
			t.Fatalf("5 participants: %+v", c.Competencies)
		}
		// A stricter threshold hides them again; a laxer one is refused.
		strict := behaviourchange.New(behaviourchange.Config{MinParticipants: 6})
		lax := behaviourchange.New(behaviourchange.Config{MinParticipants: 2, MinRaters: 1})
		feed(t, strict, s.l.Events)
		feed(t, lax, s.l.Events)
		if c, _ := strict.Cohort(s.cohortID); len(c.Competencies) != 0 {
			t.Fatalf("threshold 6 shows %d", len(c.Competencies))
		}
		if c, _ := lax.Cohort(s.cohortID); (len(c.Competencies) > 0) != (n >= 5) || c.MinParticipants != 5 {
			t.Fatalf("a threshold below 5 was accepted: %+v", c)
		}
	}
}

type foreign struct{}

func (foreign) EventName() string { return "billing.invoice_sent" }

func TestUnknownEventsSkippedAndCounted(t *testing.T) {
	s := newScene()
	j, _ := s.participant()
	s.l.Append(fixture.JourneyStream(j), projections.UnknownEvent{Name: "journey.badge_awarded"})
	s.l.Append("invoice-1", foreign{})
	s.l.Append(fixture.JourneyStream(j), journey.Completed{At: day(200)}) // of no use here: not counted
	m := behaviourchange.New(behaviourchange.Config{})
	feed(t, m, s.l.Events)
	feed(t, m, s.l.Events)
	if m.Unknown() != 2 || m.Position() != s.l.Events[len(s.l.Events)-1].Position {
		t.Fatalf("unknown %d position %d", m.Unknown(), m.Position())
	}
	if _, err := m.Participant("nope"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("unknown journey: %v", err)
	}
	if _, err := m.Cohort("nope"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("unknown cohort: %v", err)
	}
	if m.Name() != behaviourchange.Name || !reflect.DeepEqual(m.Cohorts(), []string{s.cohortID}) {
		t.Fatal("name or cohorts")
	}
}

func TestConcurrentQueries(t *testing.T) {
	h := fixture.Cohort(fixture.CohortOptions{Participants: 20, Seed: 9})
	m := behaviourchange.New(behaviourchange.Config{})
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
				_, _ = m.Cohort(h.CohortID)
			}
		}()
	}
	feed(t, m, h.Log.Events)
	close(stop)
	wg.Wait()
	c, err := m.Cohort(h.CohortID)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Competencies) == 0 {
		t.Fatal("no cohort means for a generated cohort of 20")
	}
	for _, cc := range c.Competencies {
		if cc.Participants < behaviourchange.MinParticipants {
			t.Fatalf("mean over %d participants shown", cc.Participants)
		}
	}
}
