package impact

import (
	"context"
	"testing"
	"time"

	"github.com/leerpad/leerpad/domain/cohort"
	view "github.com/leerpad/leerpad/domain/impact"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/projections/internal/fixture"
)

// TestReleaseRefreshesWhatWasAsked: a release computes again the
// populations it touches that were asked before (so their next question
// is answered from the cache), and leaves the others alone.
func TestReleaseRefreshesWhatWasAsked(t *testing.T) {
	m := New()
	release, cached := releaser(t, m)
	release("p", "e1")
	if _, err := m.Programme("p", 0); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Entity("e1", "p", 0); err != nil {
		t.Fatal(err)
	}
	release("p", "e2")
	if !cached(cacheKey{kind: view.KindProgramme, a: "p", na: 2}) {
		t.Error("the programme asked before was not computed again at the release")
	}
	// e1 within p: its complement in the programme grew.
	if !cached(cacheKey{kind: view.KindEntityInProgramme, a: "e1", b: "p", na: 1, nb: 2}) {
		t.Error("e1 within p was not computed again")
	}
	if cached(cacheKey{kind: view.KindEntity, a: "e2", na: 1}) {
		t.Error("an entity nobody asked was computed")
	}
}

// TestWarmComputesEveryPopulation: once the read models have caught up,
// Warm computes every population with a released cohort, so that nobody's
// first question after a start waits for a computation; after it, a
// release computes every population it touches, asked or not.
func TestWarmComputesEveryPopulation(t *testing.T) {
	m := New()
	release, cached := releaser(t, m)
	release("p", "e1")
	release("q", "e1")
	m.Warm(context.Background())
	for _, k := range []cacheKey{
		{kind: view.KindProgramme, a: "p", na: 1},
		{kind: view.KindProgramme, a: "q", na: 1},
		{kind: view.KindEntity, a: "e1", na: 2},
		{kind: view.KindEntityInProgramme, a: "e1", b: "p", na: 2, nb: 1},
		{kind: view.KindEntityInProgramme, a: "e1", b: "q", na: 2, nb: 1},
	} {
		if !cached(k) {
			t.Errorf("%+v not computed by Warm", k)
		}
	}
	release("p", "e2")
	for _, k := range []cacheKey{
		{kind: view.KindProgramme, a: "p", na: 2},
		{kind: view.KindEntity, a: "e2", na: 1},
		{kind: view.KindEntityInProgramme, a: "e2", b: "p", na: 1, nb: 2},
	} {
		if !cached(k) {
			t.Errorf("%+v not computed at the release after Warm", k)
		}
	}
	if cached(cacheKey{kind: view.KindProgramme, a: "q", na: 2}) {
		t.Error("a programme the release does not touch was computed")
	}
}

// releaser returns a function that releases a cohort of five of a
// programme and an entity into m, and one that says whether a population
// is in m's cache.
func releaser(t *testing.T, m *ReadModel) (release func(programme, entity string), cached func(cacheKey) bool) {
	t.Helper()
	l := fixture.NewLog(5)
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	release = func(programme, entity string) {
		c := l.ID()
		l.Append(fixture.CohortStream(c), cohort.Planned{CohortID: c, ProgrammeID: programme, EntityID: entity, At: at})
		var ps []string
		for range 5 {
			j, p := l.ID(), l.ID()
			ps = append(ps, p)
			l.Append(fixture.JourneyStream(j), journey.Enrolled{JourneyID: j, ParticipantID: p, CohortID: c, ProgrammeID: programme, EntityID: entity, At: at})
		}
		l.Append(fixture.CohortStream(c), cohort.MeasurementClosed{CohortID: c, ParticipantIDs: ps, At: at})
		for _, ev := range l.Events {
			if err := m.Handle(context.Background(), ev); err != nil {
				t.Fatal(err)
			}
		}
	}
	cached = func(k cacheKey) bool {
		m.cacheMu.Lock()
		defer m.cacheMu.Unlock()
		_, ok := m.cache[k]
		return ok
	}
	return release, cached
}
