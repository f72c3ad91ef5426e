package cohortdashboard_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/leerpad/leerpad/projections/cohortdashboard"
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

// BenchmarkMemoryPerParticipant reports the heap the dashboard holds per
// participant after a whole cohort's history (see fixture.Cohort).
func BenchmarkMemoryPerParticipant(b *testing.B) {
	var perParticipant float64
	for b.Loop() {
		before := heap()
		h := fixture.Cohort(fixture.CohortOptions{Participants: cohortSize, Seed: 1})
		m := newModel(b, cohortdashboard.Config{})
		feed(b, m, h.Log.Events)
		h = nil
		perParticipant = float64(heap()-before) / cohortSize
		runtime.KeepAlive(m)
	}
	b.ReportMetric(perParticipant, "bytes/participant")
}

// BenchmarkApply reports how fast the dashboard applies a cohort's history.
func BenchmarkApply(b *testing.B) {
	h := fixture.Cohort(fixture.CohortOptions{Participants: cohortSize, Seed: 1})
	n := 0
	var elapsed time.Duration
	for b.Loop() {
		m := newModel(b, cohortdashboard.Config{})
		start := time.Now()
		feed(b, m, h.Log.Events)
		elapsed += time.Since(start)
		n += len(h.Log.Events)
	}
	b.ReportMetric(float64(n)/elapsed.Seconds(), "events/s")
}

// BenchmarkQuery reports the latency of the dashboard of a 200-participant
// cohort, in a read model that also holds four other cohorts. Target: p99
// at most 10 ms.
func BenchmarkQuery(b *testing.B) {
	m := newModel(b, cohortdashboard.Config{})
	var cohortID string
	var now time.Time
	for seed := range uint64(5) {
		h := fixture.Cohort(fixture.CohortOptions{Participants: cohortSize, Seed: seed + 1})
		feed(b, m, h.Log.Events)
		cohortID, now = h.CohortID, h.StartsOn.AddDate(0, 3, 0)
	}
	runtime.GC() // the set-up's garbage is no part of a query's latency
	var ds []time.Duration
	for b.Loop() {
		start := time.Now()
		v, err := m.Dashboard(cohortID, now)
		if err != nil || len(v.Participants) != cohortSize {
			b.Fatal(err, len(v.Participants))
		}
		ds = append(ds, time.Since(start))
	}
	b.ReportMetric(float64(fixture.Percentile(ds, 50))/1e6, "p50-ms")
	b.ReportMetric(float64(fixture.Percentile(ds, 99))/1e6, "p99-ms")
}
