package portfolio_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/leerpad/leerpad/projections/internal/fixture"
	"github.com/leerpad/leerpad/projections/portfolio"
)

const cohortSize = 200

func heap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkMemoryPerParticipant reports the heap a portfolio read model
// holds per participant after a whole cohort's history (about half a year:
// see fixture.Cohort), including the events it keeps for "as of" queries.
// Only the read model keeps the events alive, as in production.
func BenchmarkMemoryPerParticipant(b *testing.B) {
	var perParticipant, events float64
	for b.Loop() {
		before := heap()
		h := fixture.Cohort(fixture.CohortOptions{Participants: cohortSize, Seed: 1})
		m := portfolio.New(portfolio.Config{})
		feed(b, m, h.Log.Events)
		events = float64(len(h.Log.Events)) / cohortSize
		h = nil
		after := heap()
		perParticipant = float64(after-before) / cohortSize
		runtime.KeepAlive(m)
	}
	b.ReportMetric(perParticipant, "bytes/participant")
	b.ReportMetric(events, "events/participant")
}

// BenchmarkApply reports how fast the portfolio applies a cohort's history.
func BenchmarkApply(b *testing.B) {
	h := fixture.Cohort(fixture.CohortOptions{Participants: cohortSize, Seed: 1})
	n := 0
	var elapsed time.Duration
	for b.Loop() {
		m := portfolio.New(portfolio.Config{})
		start := time.Now()
		feed(b, m, h.Log.Events)
		elapsed += time.Since(start)
		n += len(h.Log.Events)
	}
	b.ReportMetric(float64(n)/elapsed.Seconds(), "events/s")
}

// BenchmarkQuery reports the latency of a portfolio query (current, and as
// of the day of the first development conversation) in a read model holding
// a 200-participant cohort. Target: p99 at most 2 ms.
func BenchmarkQuery(b *testing.B) {
	h := fixture.Cohort(fixture.CohortOptions{Participants: cohortSize, Seed: 1})
	m := portfolio.New(portfolio.Config{})
	feed(b, m, h.Log.Events)
	ctx := context.Background()
	asOf := h.StartsOn.AddDate(0, 0, 46)
	for _, tc := range []struct {
		name  string
		query func(journeyID string) error
	}{
		{"current", func(id string) error { _, err := m.Current(id); return err }},
		{"as-of", func(id string) error { _, err := m.AsOf(ctx, id, asOf); return err }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			runtime.GC() // the set-up's garbage is no part of a query's latency
			var ds []time.Duration
			i := 0
			for b.Loop() {
				id := h.Participants[i%cohortSize].JourneyID
				i++
				start := time.Now()
				if err := tc.query(id); err != nil {
					b.Fatal(err)
				}
				ds = append(ds, time.Since(start))
			}
			b.ReportMetric(float64(fixture.Percentile(ds, 50))/1e6, "p50-ms")
			b.ReportMetric(float64(fixture.Percentile(ds, 99))/1e6, "p99-ms")
		})
	}
}
