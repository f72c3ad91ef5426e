package projections_test

import (
	"context"
	"testing"
	"time"

	"github.com/leerpad/leerpad/projections"
	"github.com/leerpad/leerpad/projections/behaviourchange"
	"github.com/leerpad/leerpad/projections/cohortdashboard"
	"github.com/leerpad/leerpad/projections/internal/fixture"
	"github.com/leerpad/leerpad/projections/portfolio"
)

// BenchmarkRebuildAll reports how fast the three read models together apply
// decoded events in process, each event handed to all three as the runner
// does (five cohorts of 200 participants, about 150,000 events). It leaves
// out decoding and the transport; compare it with the 60,000 events/s
// rebuild target measured end to end through the official client.
func BenchmarkRebuildAll(b *testing.B) {
	var events []projections.Event
	for seed := range uint64(5) {
		h := fixture.Cohort(fixture.CohortOptions{Participants: 200, Seed: seed + 1})
		events = append(events, h.Log.Events...)
	}
	ctx := context.Background()
	n := 0
	var elapsed time.Duration
	for b.Loop() {
		dash, err := cohortdashboard.New(cohortdashboard.Config{})
		if err != nil {
			b.Fatal(err)
		}
		models := []projections.Projection{portfolio.New(portfolio.Config{}), dash, behaviourchange.New(behaviourchange.Config{})}
		start := time.Now()
		for _, ev := range events {
			for _, m := range models {
				if err := m.Handle(ctx, ev); err != nil {
					b.Fatal(err)
				}
			}
		}
		elapsed += time.Since(start)
		n += len(events)
	}
	b.ReportMetric(float64(n)/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(len(events)), "events")
}
