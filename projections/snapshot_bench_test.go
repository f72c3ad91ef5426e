package projections_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/leerpad/leerpad/eventstore"
	"github.com/leerpad/leerpad/eventstore/eventstoretest"
	"github.com/leerpad/leerpad/eventstore/projectionlog"
	"github.com/leerpad/leerpad/projections"
	"github.com/leerpad/leerpad/projections/raterlinks"
)

// snapshotModels are the four read models of serve, as Snapshotters.
func snapshotModels(b *testing.B) []projections.Snapshotter {
	b.Helper()
	m := newModels(b)
	return []projections.Snapshotter{m.folio, m.dash, m.change, raterlinks.New()}
}

// runUntilCaughtUp runs a runner over ps until it caught up and returns how
// long that took, then stops it (writing the snapshots that are due).
func runUntilCaughtUp(b *testing.B, c *esdb.Client, codec *eventstore.Codec, ps []projections.Snapshotter, snaps projections.SnapshotConfig) (time.Duration, *projections.Runner) {
	b.Helper()
	src, err := projectionlog.NewSource(projectionlog.Config{Client: c, Codec: codec})
	if err != nil {
		b.Fatal(err)
	}
	poison, err := projectionlog.NewPoisonQueue(c, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = poison.Close() }()
	all := make([]projections.Projection, len(ps))
	for i, p := range ps {
		all[i] = p
	}
	r, err := projections.NewRunner(projections.RunnerConfig{Projections: all, Source: src, Poison: poison,
		Registerer: prometheus.NewRegistry(), Snapshots: snaps})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	t0 := time.Now()
	go func() { done <- r.Run(ctx) }()
	for !r.CaughtUp() {
		select {
		case err := <-done:
			b.Fatalf("runner stopped: %v", err)
		case <-time.After(time.Millisecond):
		}
	}
	took := time.Since(t0)
	cancel()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	return took, r
}

// BenchmarkSnapshotMillion compares a start that rebuilds the four read
// models of serve from 1,000,000 domain events (through the official client,
// as BenchmarkRebuildMillion) with a start that restores them from their
// snapshots: the time from Run until CaughtUp for each. It also reports
// each snapshot's size and the time to write it and to restore it alone.
func BenchmarkSnapshotMillion(b *testing.B) {
	codec := newCodec(b)
	t0 := time.Now()
	n := buildMillion(b, codec)
	b.Logf("wrote %d domain events in %v", millionEvents, time.Since(t0).Round(time.Millisecond))
	c := eventstoretest.Connect(b, n.ConnectionString())
	for b.Loop() {
		dir := b.TempDir()
		// A start without snapshots: everything rebuilt.
		ps := snapshotModels(b)
		rebuild, rr := runUntilCaughtUp(b, c, codec, ps, projections.SnapshotConfig{})
		head := rr.StartHead()
		var total int64
		for _, p := range ps {
			t := time.Now()
			info, err := projections.WriteSnapshot(dir, p)
			if err != nil {
				b.Fatal(err)
			}
			total += info.Bytes
			b.Logf("%-16s snapshot written in %6.2f s: %7.1f MiB", p.Name(), time.Since(t).Seconds(), float64(info.Bytes)/(1<<20))
			b.ReportMetric(float64(info.Bytes)/(1<<20), p.Name()+"-MiB")
		}
		runtime.GC()
		// Each restored alone, one after the other.
		for _, p := range snapshotModels(b) {
			t := time.Now()
			if _, err := projections.ReadSnapshot(dir, p, head); err != nil {
				b.Fatal(err)
			}
			took := time.Since(t)
			b.Logf("%-16s restored in %6.2f s", p.Name(), took.Seconds())
			b.ReportMetric(took.Seconds(), p.Name()+"-restore-s")
		}
		runtime.GC()
		// A start with the snapshots: restored at once, nothing to read.
		resume, r := runUntilCaughtUp(b, c, codec, snapshotModels(b), projections.SnapshotConfig{Dir: dir})
		if r.Read() != 0 {
			b.Fatalf("the resumed runner read %d events, want none", r.Read())
		}
		b.Logf("start with rebuild %.2f s, start from snapshots %.2f s (%.1f× faster); snapshots %.1f MiB in all",
			rebuild.Seconds(), resume.Seconds(), rebuild.Seconds()/resume.Seconds(), float64(total)/(1<<20))
		b.ReportMetric(rebuild.Seconds(), "start-rebuild-s")
		b.ReportMetric(resume.Seconds(), "start-from-snapshots-s")
		b.ReportMetric(float64(total)/(1<<20), "snapshots-MiB")
		runtime.GC()
	}
}
