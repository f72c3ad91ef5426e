package portfolio_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/leerpad/leerpad/projections"
	"github.com/leerpad/leerpad/projections/internal/fixture"
	"github.com/leerpad/leerpad/projections/portfolio"
)

// BenchmarkSnapshot reports, for a portfolio of 1,000 participants (five
// cohorts of 200, about 150,000 events), how long replaying their events
// takes, how long encoding a snapshot of it and restoring it take, and the
// snapshot's size.
func BenchmarkSnapshot(b *testing.B) {
	var evs []projections.Event
	for c := range 5 {
		evs = append(evs, fixture.Cohort(fixture.CohortOptions{Participants: cohortSize, Seed: uint64(100 + c)}).Log.Events...)
	}
	for b.Loop() {
		t := time.Now()
		m := portfolio.New(portfolio.Config{})
		feed(b, m, evs)
		replay := time.Since(t)
		t = time.Now()
		_, encode := m.Snapshot()
		var buf bytes.Buffer
		if err := encode(&buf); err != nil {
			b.Fatal(err)
		}
		enc := time.Since(t)
		t = time.Now()
		r := portfolio.New(portfolio.Config{})
		if err := r.Restore(bytes.NewReader(buf.Bytes())); err != nil {
			b.Fatal(err)
		}
		restore := time.Since(t)
		b.ReportMetric(float64(len(evs)), "events")
		b.ReportMetric(replay.Seconds(), "replay-s")
		b.ReportMetric(enc.Seconds(), "encode-s")
		b.ReportMetric(restore.Seconds(), "restore-s")
		b.ReportMetric(float64(buf.Len())/float64(len(evs)), "bytes/event")
	}
}
