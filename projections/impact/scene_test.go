package impact_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/projections"
	"github.com/leerpad/leerpad/projections/impact"
	"github.com/leerpad/leerpad/projections/internal/fixture"
)

// The scene of the read model's tests: a log with one 360 instrument of one
// competency of three items, cohorts of programmes and entities, and
// participants whose raters' answers are listed by hand, so that every
// score is known.

func day(d int) time.Time { return time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC).AddDate(0, 0, d) }

type scene struct {
	t   testing.TB
	l   *fixture.Log
	in  fixture.Instrument
	now int // days, grows with every event written by a helper
}

func newScene(t testing.TB) *scene {
	l := fixture.NewLog(7)
	s := &scene{t: t, l: l}
	s.in = fixture.PublishInstrument(l, 1, 3, day(0))
	return s
}

func (s *scene) tick() time.Time { s.now++; return day(s.now) }

func (s *scene) competency() string { return s.in.Competencies[0].ID }

// cohort plans a cohort of programme for entity, running from day 30 to
// day 200 (2025-Q1 to 2025-Q3).
func (s *scene) cohort(programme, entity string) string {
	id := s.l.ID()
	s.l.Append(fixture.CohortStream(id), cohort.Planned{CohortID: id, ProgrammeID: programme, EntityID: entity, Title: "BLG",
		TrainerIDs: []string{s.l.ID()}, StartsOn: day(30), EndsOn: day(200), At: s.tick()})
	return id
}

type member struct{ cohortID, journeyID, participantID, programmeID, entityID string }

func (s *scene) enrol(cohortID, programme, entity string) member {
	m := member{cohortID: cohortID, journeyID: s.l.ID(), participantID: s.l.ID(), programmeID: programme, entityID: entity}
	s.l.Append(fixture.CohortStream(cohortID), cohort.ParticipantEnrolled{CohortID: cohortID, ParticipantID: m.participantID, At: s.tick()})
	s.l.Append(fixture.JourneyStream(m.journeyID), journey.Enrolled{JourneyID: m.journeyID, ParticipantID: m.participantID, CohortID: cohortID,
		ProgrammeID: programme, EntityID: entity, Role: journey.RoleBeginningManager, ManagerID: s.l.ID(), At: s.tick()})
	return m
}

// rater answers the three items of the competency; 0 is "not observed".
type rater struct {
	group feedback.RaterGroup
	items [3]int
}

func same(g feedback.RaterGroup, v int) rater { return rater{g, [3]int{v, v, v}} }

// round opens, answers and closes a round of kind for m.
func (s *scene) round(m member, kind feedback.RoundKind, raters []rater) string {
	id := s.l.ID()
	st := fixture.RoundStream(id)
	s.l.Append(st, feedback.RoundOpened{RoundID: id, JourneyID: m.journeyID, ParticipantID: m.participantID, InstrumentID: s.in.ID, Kind: kind, At: s.tick()})
	items := s.in.Competencies[0].Items
	for _, r := range raters {
		rid := s.l.ID()
		if r.group == feedback.GroupSelf {
			rid = m.participantID
		}
		var as []feedback.Answer
		for i, v := range r.items {
			if v == 0 {
				as = append(as, feedback.Answer{ItemID: items[i].ID, NotObserved: true})
				continue
			}
			as = append(as, feedback.Answer{ItemID: items[i].ID, Score: v})
		}
		s.l.Append(st, feedback.ResponseSubmitted{RoundID: id, RaterID: rid, Group: r.group, Answers: as, At: s.tick()})
	}
	s.l.Append(st, feedback.RoundClosed{RoundID: id, At: s.tick()})
	return id
}

// measured enrols a participant whose manager scores pre then post (every
// item), with self 3 then 4 and three peers of mean 3 then 4.
func (s *scene) measured(cohortID, programme, entity string, pre, post int) member {
	m := s.enrol(cohortID, programme, entity)
	s.round(m, feedback.RoundPre, []rater{same(feedback.GroupSelf, 3), same(feedback.GroupManager, pre),
		{feedback.GroupPeer, [3]int{2, 3, 4}}, {feedback.GroupPeer, [3]int{3, 3, 3}}, {feedback.GroupPeer, [3]int{4, 3, 2}}})
	s.round(m, feedback.RoundPost, []rater{same(feedback.GroupSelf, 4), same(feedback.GroupManager, post),
		{feedback.GroupPeer, [3]int{3, 4, 5}}, {feedback.GroupPeer, [3]int{4, 4, 4}}, {feedback.GroupPeer, [3]int{5, 4, 3}}})
	return m
}

// release closes a cohort's measurement for members and returns its
// position.
func (s *scene) release(cohortID string, members ...member) uint64 {
	var ids []string
	for _, m := range members {
		ids = append(ids, m.participantID)
	}
	return s.l.Append(fixture.CohortStream(cohortID), cohort.MeasurementClosed{CohortID: cohortID, ParticipantIDs: ids, At: s.tick()}).Position
}

func (s *scene) figures(entity, quarter string, absenteeism, turnover float64) uint64 {
	return s.l.Append(catalogue.EntityCategory+"-"+entity, catalogue.KeyFiguresRecorded{EntityID: entity, Quarter: quarter,
		AbsenteeismPct: &absenteeism, TurnoverPct: &turnover, At: s.tick()}).Position
}

// model feeds the whole log to a new read model.
func (s *scene) model() *impact.ReadModel {
	m := impact.New()
	feed(s.t, m, s.l.Events)
	return m
}

func feed(tb testing.TB, m projections.Projection, events []projections.Event) {
	tb.Helper()
	for _, ev := range events {
		if err := m.Handle(context.Background(), ev); err != nil {
			tb.Fatalf("handle %s@%d: %v", ev.Stream, ev.Revision, err)
		}
	}
}

func jsonOf(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func must[T any](tb testing.TB) func(T, error) T {
	return func(v T, err error) T {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
		return v
	}
}
