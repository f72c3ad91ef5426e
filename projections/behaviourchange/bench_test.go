package behaviourchange_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/leerpad/leerpad/projections/behaviourchange"
	"github.com/leerpad/leerpad/projections/internal/fixture"
)

const cohortSize = 200

func heap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkMemoryPerParticipant reports the heap the behaviour-change read
// model holds per participant after a whole cohort's history.
func BenchmarkMemoryPerParticipant(b *testing.B) {
	var perParticipant float64
	for b.Loop() {
		before := heap()
		h := fixture.Cohort(fixture.CohortOptions{Participants: cohortSize, Seed: 1})
		m := behaviourchange.New(behaviourchange.Config{})
		feed(b, m, h.Log.Events)
		h = nil
		perParticipant = float64(heap()-before) / cohortSize
		runtime.KeepAlive(m)
	}
	b.ReportMetric(perParticipant, "bytes/participant")
}

// BenchmarkApply reports how fast the read model applies a cohort's history.
func BenchmarkApply(b *testing.B) {
	h := fixture.Cohort(fixture.CohortOptions{Participants: cohortSize, Seed: 1})
	n := 0
	var elapsed time.Duration
	for b.Loop() {
		m := behaviourchange.New(behaviourchange.Config{})
		start := time.Now()
		feed(b, m, h.Log.Events)
		elapsed += time.Since(start)
		n += len(h.Log.Events)
	}
	b.ReportMetric(float64(n)/elapsed.Seconds(), "events/s")
}

// BenchmarkCohortQuery reports the latency of a 200-participant cohort's
// mean change per competency and rater group.
func BenchmarkCohortQuery(b *testing.B) {
	h := fixture.Cohort(fixture.CohortOptions{Participants: cohortSize, Seed: 1})
	m := behaviourchange.New(behaviourchange.Config{})
	feed(b, m, h.Log.Events)
	runtime.GC() // the set-up's garbage is no part of a query's latency
	var ds []time.Duration
	for b.Loop() {
		start := time.Now()
		if _, err := m.Cohort(h.CohortID); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(start))
	}
	b.ReportMetric(float64(fixture.Percentile(ds, 50))/1e6, "p50-ms")
	b.ReportMetric(float64(fixture.Percentile(ds, 99))/1e6, "p99-ms")
}
