package impact

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/projections/internal/fixture"
)

// The benchmark fixture: one programme of cohorts of 200 journeys, each
// journey with a pre and a post round of 360 feedback (self, manager, three
// peers, three direct reports, on an instrument of four competencies of four
// items), an evaluation of each of five module versions and retrospective
// ratings of three learning goals; every cohort released. It is built in
// memory and fed through Handle, as the runner feeds the read model.

const benchCohortSize = 200

type benchFixture struct {
	m        *ReadModel
	l        *fixture.Log
	in       fixture.Instrument
	cohorts  []string
	events   int
	position uint64
}

func buildBench(tb testing.TB, journeys int) *benchFixture {
	tb.Helper()
	l := fixture.NewLog(99)
	rng := rand.New(rand.NewPCG(99, 1)) //nolint:gosec // reproducible test data
	f := &benchFixture{m: New(), l: l}
	at := time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC)
	f.in = fixture.PublishInstrument(l, 4, 4, at)
	feedAll := func() {
		for _, ev := range l.Events {
			if err := f.m.Handle(context.Background(), ev); err != nil {
				tb.Fatal(err)
			}
		}
		f.events += len(l.Events)
		f.position = l.Events[len(l.Events)-1].Position
		l.Events = l.Events[:0] // fed: let the envelopes go
	}
	feedAll()
	for c := 0; c*benchCohortSize < journeys; c++ {
		f.addCohort(rng, fmt.Sprintf("entity-%d", c%7), true)
		feedAll()
	}
	return f
}

func (f *benchFixture) addCohort(rng *rand.Rand, entity string, release bool) string {
	l := f.l
	at := time.Date(2025, 2, 1, 9, 0, 0, 0, time.UTC)
	id := l.ID()
	cs := fixture.CohortStream(id)
	l.Append(cs, cohort.Planned{CohortID: id, ProgrammeID: "programme", EntityID: entity, Title: "BLG", StartsOn: at, EndsOn: at.AddDate(0, 6, 0), At: at})
	var participants []string
	groups := []feedback.RaterGroup{feedback.GroupSelf, feedback.GroupManager, feedback.GroupPeer, feedback.GroupPeer, feedback.GroupPeer,
		feedback.GroupDirectReport, feedback.GroupDirectReport, feedback.GroupDirectReport}
	for range benchCohortSize {
		j, p := l.ID(), l.ID()
		participants = append(participants, p)
		js := fixture.JourneyStream(j)
		l.Append(js, journey.Enrolled{JourneyID: j, ParticipantID: p, CohortID: id, ProgrammeID: "programme", EntityID: entity, Role: journey.RoleBeginningManager, At: at})
		level := 2 + rng.Float64()*2
		for _, kind := range []feedback.RoundKind{feedback.RoundPre, feedback.RoundPost} {
			r := l.ID()
			rs := fixture.RoundStream(r)
			l.Append(rs, feedback.RoundOpened{RoundID: r, JourneyID: j, ParticipantID: p, InstrumentID: f.in.ID, Kind: kind, At: at})
			for _, g := range groups {
				l.Append(rs, feedback.ResponseSubmitted{RoundID: r, RaterID: l.ID(), Group: g, Answers: fixture.Answers(rng, f.in, level), At: at})
			}
			l.Append(rs, feedback.RoundClosed{RoundID: r, At: at})
			level += rng.Float64() * 0.8
		}
		for v := range 5 {
			var scores []journey.Score
			for _, q := range journey.Questions() {
				scores = append(scores, journey.Score{Question: q, Score: 1 + rng.IntN(5)})
			}
			l.Append(js, journey.ModuleEvaluated{ParticipantID: p, DeliveryID: fmt.Sprint("d", v), ModuleID: fmt.Sprint("m", v), ModuleVersion: 1, Scores: scores, At: at})
		}
		var ratings []journey.GoalRating
		for g := range 3 {
			b := 1 + rng.IntN(3)
			ratings = append(ratings, journey.GoalRating{LearningGoalID: fmt.Sprint("lg", g), Before: b, Now: min(5, b+rng.IntN(3))})
		}
		l.Append(js, journey.LearningRated{ParticipantID: p, DeliveryID: "d0", ModuleID: "m0", ModuleVersion: 1, Ratings: ratings, At: at})
	}
	if release {
		l.Append(cs, cohort.MeasurementClosed{CohortID: id, ParticipantIDs: participants, At: at.AddDate(0, 7, 0)})
	}
	f.cohorts = append(f.cohorts, id)
	return id
}

func (m *ReadModel) clearCache() {
	m.cacheMu.Lock()
	m.cache = map[cacheKey]*computed{}
	m.cacheMu.Unlock()
}

// BenchmarkImpactProgramme reports the latency of a programme's impact over
// 10,000 released journeys: answered from the cache (warm: what every
// question but the first after a release costs) and computed from the
// released cohorts' blocks (cold: the first question after a release).
func BenchmarkImpactProgramme(b *testing.B) {
	f := buildBench(b, 10_000)
	p, err := f.m.Programme("programme", 0)
	if err != nil || p.Journeys != 10_000 || len(p.Behaviour) == 0 {
		b.Fatalf("programme: %d journeys, %d cells, %v", p.Journeys, len(p.Behaviour), err)
	}
	runtime.GC()
	for _, mode := range []string{"warm", "cold"} {
		b.Run(mode, func(b *testing.B) {
			var ds []time.Duration
			for b.Loop() {
				if mode == "cold" {
					f.m.clearCache()
				}
				start := time.Now()
				if _, err := f.m.Programme("programme", 0); err != nil {
					b.Fatal(err)
				}
				ds = append(ds, time.Since(start))
			}
			b.ReportMetric(float64(fixture.Percentile(ds, 50))/1e6, "p50-ms")
			b.ReportMetric(float64(fixture.Percentile(ds, 99))/1e6, "p99-ms")
			b.ReportMetric(float64(f.events), "events")
		})
	}
}

// BenchmarkImpactRelease reports what releasing one more cohort of 200
// journeys costs with 10,000 released already, for a programme that was
// asked before: handling its cohort.measurement_closed (freezing it, and
// computing the programme again outside the write lock) and the
// programme's first question after it.
func BenchmarkImpactRelease(b *testing.B) {
	f := buildBench(b, 10_000)
	rng := rand.New(rand.NewPCG(7, 7)) //nolint:gosec // reproducible test data
	id := f.addCohort(rng, "entity-new", false)
	for _, ev := range f.l.Events {
		if err := f.m.Handle(context.Background(), ev); err != nil {
			b.Fatal(err)
		}
	}
	c := f.m.s.Cohorts[id]
	var participants []string
	for _, j := range c.Journeys {
		participants = append(participants, f.m.s.Journeys[j].ParticipantID)
	}
	e := cohort.MeasurementClosed{CohortID: id, ParticipantIDs: participants}
	pos := f.l.Events[len(f.l.Events)-1].Position
	runtime.GC()
	var release, query []time.Duration
	for b.Loop() {
		if _, err := f.m.Programme("programme", 0); err != nil { // someone follows the programme
			b.Fatal(err)
		}
		start := time.Now()
		f.m.mu.Lock()
		r := f.m.onMeasurementClosed(pos, e)
		f.m.mu.Unlock()
		f.m.refresh(r) // as Handle does after the write lock
		mid := time.Now()
		if _, err := f.m.Programme("programme", 0); err != nil {
			b.Fatal(err)
		}
		release, query = append(release, mid.Sub(start)), append(query, time.Since(mid))
		// Undo the release for the next round.
		f.m.mu.Lock()
		c.Released = false
		f.m.s.Releases = f.m.s.Releases[:len(f.m.s.Releases)-1]
		f.m.byProgramme["programme"] = f.m.byProgramme["programme"][:len(f.m.byProgramme["programme"])-1]
		f.m.byEntity["entity-new"] = nil
		f.m.mu.Unlock()
		f.m.clearCache()
	}
	b.ReportMetric(float64(fixture.Percentile(release, 50))/1e6, "release-p50-ms")
	b.ReportMetric(float64(fixture.Percentile(release, 99))/1e6, "release-p99-ms")
	b.ReportMetric(float64(fixture.Percentile(query, 50))/1e6, "query-p50-ms")
	b.ReportMetric(float64(fixture.Percentile(query, 99))/1e6, "query-p99-ms")
}
