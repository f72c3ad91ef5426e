package projections_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/metrics"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/leerpad/leerpad/eventstore"
	"github.com/leerpad/leerpad/eventstore/eventstoretest"
	"github.com/leerpad/leerpad/eventstore/node"
	"github.com/leerpad/leerpad/eventstore/projectionlog"
	"github.com/leerpad/leerpad/projections"
	"github.com/leerpad/leerpad/projections/internal/fixture"
)

const (
	millionEvents = 1_000_000
	// benchParticipants per generated cohort: small cohorts give many
	// independent histories, appended concurrently so that the node's
	// group commit batches them.
	benchParticipants = 50
)

// buildMillion starts a node and writes 1,000,000 domain events to it:
// fixture cohorts of benchParticipants participants (realistic payloads,
// encoded by the codec, with the Store's metadata), each cohort's history in
// its own order, one append per run of events of one stream, as commands
// write them, through Engine.Append (no client round trip) from one
// goroutine per cohort.
func buildMillion(b *testing.B, codec *eventstore.Codec) *node.Node {
	b.Helper()
	n := eventstoretest.StartNode(b)
	e := n.Engine()
	var written atomic.Int64
	var seeds atomic.Uint64
	var failed atomic.Value
	var wg sync.WaitGroup
	const workers = 160
	for range workers {
		wg.Go(func() {
			for written.Load() < millionEvents && failed.Load() == nil {
				seed := seeds.Add(1)
				h := fixture.Cohort(fixture.CohortOptions{Participants: benchParticipants, Seed: 1000 + seed})
				evs := h.Log.Events
				// Claim this cohort's share of the million.
				claimed := written.Add(int64(len(evs)))
				if over := claimed - millionEvents; over > 0 {
					if over >= int64(len(evs)) {
						return
					}
					evs = evs[:int64(len(evs))-over]
				}
				if err := appendHistory(e, codec, seed, evs); err != nil {
					failed.Store(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err, ok := failed.Load().(error); ok {
		b.Fatal(err)
	}
	if got := e.EventCount(); got != millionEvents {
		b.Fatalf("wrote %d events, want %d", got, millionEvents)
	}
	return n
}

func appendHistory(e *node.Engine, codec *eventstore.Codec, seed uint64, evs []projections.Event) error {
	var id [16]byte
	binary.LittleEndian.PutUint64(id[:8], seed)
	seq := uint64(0)
	for i := 0; i < len(evs); {
		j := i + 1
		for j < len(evs) && evs[j].Stream == evs[i].Stream {
			j++
		}
		batch := make([]node.ProposedEvent, 0, j-i)
		for _, ev := range evs[i:j] {
			name, payload, version, err := codec.Encode(ev.Data)
			if err != nil {
				return err
			}
			seq++
			binary.LittleEndian.PutUint64(id[8:], seq)
			meta := fmt.Appendf(nil, `{"correlationId":"%08x-0000-4000-8000-%012x","actor":"%08x-0000-4000-8000-000000000001","schemaVersion":%d}`,
				uint32(seed), seq, uint32(seed), version)
			batch = append(batch, node.ProposedEvent{ID: id, Type: name, ContentType: "application/json", CustomMetadata: meta, Data: payload})
		}
		res, err := e.Append(context.Background(), evs[i].Stream, node.Expected{Kind: node.ExpectAny}, batch)
		if err != nil {
			return fmt.Errorf("append %s: %w", evs[i].Stream, err)
		}
		if !res.Success {
			return fmt.Errorf("append %s: %+v", evs[i].Stream, res)
		}
		i = j
	}
	return nil
}

// replayAll reads $all from the start through the client and returns the
// rate in events/s.
func replayAll(b *testing.B, c *esdb.Client) float64 {
	b.Helper()
	t0 := time.Now()
	rs, err := c.ReadAll(context.Background(), esdb.ReadAllOptions{From: esdb.Start{}}, millionEvents)
	if err != nil {
		b.Fatal(err)
	}
	defer rs.Close()
	got := 0
	for {
		_, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		got++
	}
	if got != millionEvents {
		b.Fatalf("replayed %d events, want %d", got, millionEvents)
	}
	return float64(got) / time.Since(t0).Seconds()
}

// subscribeRaw reads the domain events of $all through a filtered catch-up
// subscription of the client alone, and returns the rate in events/s.
func subscribeRaw(b *testing.B, c *esdb.Client) float64 {
	b.Helper()
	t0 := time.Now()
	sub, err := c.SubscribeToAll(context.Background(), esdb.SubscribeToAllOptions{From: esdb.Start{},
		Filter: &esdb.SubscriptionFilter{Type: esdb.StreamFilterType, Prefixes: projectionlog.Prefixes()}})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = sub.Close() }()
	for got := 0; got < millionEvents; {
		ev := sub.Recv()
		switch {
		case ev.SubscriptionDropped != nil:
			b.Fatal(ev.SubscriptionDropped.Error)
		case ev.EventAppeared != nil:
			got++
		}
	}
	return millionEvents / time.Since(t0).Seconds()
}

// subscribeWatermill reads the same through the event store's watermill
// Subscriber (as projectionlog.Source does), acking each message at once:
// the ceiling of any runner built on it.
func subscribeWatermill(b *testing.B, c *esdb.Client, codec *eventstore.Codec) float64 {
	b.Helper()
	src, err := projectionlog.NewSource(projectionlog.Config{Client: c, Codec: codec})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	t0 := time.Now()
	msgs, err := src.Subscribe(ctx, 0)
	if err != nil {
		b.Fatal(err)
	}
	got := 0
	for msg := range msgs {
		msg.Ack()
		if got++; got == millionEvents {
			break
		}
	}
	if got != millionEvents {
		b.Fatalf("subscriber delivered %d events, want %d", got, millionEvents)
	}
	return millionEvents / time.Since(t0).Seconds()
}

// rebuildAll builds the three read models from the log with the runner, as
// a start of the service does, and returns the rate in events/s (from Run
// until CaughtUp), the CPU time of the process per event, and the peak size
// of the heap's objects in MiB (the node's included), sampled every 2 ms.
func rebuildAll(b *testing.B, c *esdb.Client, codec *eventstore.Codec) (rate, cpuPerEvent, peakHeap float64) {
	b.Helper()
	m := newModels(b)
	src, err := projectionlog.NewSource(projectionlog.Config{Client: c, Codec: codec})
	if err != nil {
		b.Fatal(err)
	}
	poison, err := projectionlog.NewPoisonQueue(c, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = poison.Close() }()
	cfg := projections.RunnerConfig{Projections: m.all(), Source: src, Poison: poison, Registerer: prometheus.NewRegistry()}
	if v := os.Getenv("LEERPAD_REBUILD_GCPERCENT"); v != "" {
		if cfg.CatchUpGCPercent, err = strconv.Atoi(v); err != nil {
			b.Fatal(err)
		}
	}
	if v := os.Getenv("LEERPAD_REBUILD_DECODERS"); v != "" {
		if cfg.CatchUpDecoders, err = strconv.Atoi(v); err != nil {
			b.Fatal(err)
		}
	}
	r, err := projections.NewRunner(cfg)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	if path := os.Getenv("LEERPAD_REBUILD_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		defer func() { _ = f.Close() }()
		if err := pprof.StartCPUProfile(f); err != nil {
			b.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	heap := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	cpu0 := cpuTime()
	t0 := time.Now()
	go func() { done <- r.Run(ctx) }()
	for !r.CaughtUp() {
		select {
		case err := <-done:
			b.Fatalf("runner stopped: %v", err)
		case <-time.After(2 * time.Millisecond):
		}
		metrics.Read(heap)
		peakHeap = max(peakHeap, float64(heap[0].Value.Uint64())/(1<<20))
	}
	elapsed := time.Since(t0)
	cpu := cpuTime() - cpu0
	cancel()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	if got := r.Read(); got != millionEvents {
		b.Fatalf("read %d events, want %d", got, millionEvents)
	}
	for _, s := range r.Status() {
		if s.Handled != millionEvents || s.Unknown != 0 || s.Poisoned != 0 {
			b.Fatalf("%s: %+v", s.Name, s)
		}
	}
	return millionEvents / elapsed.Seconds(), float64(cpu.Microseconds()) / millionEvents, peakHeap
}

// loadAverage returns the machine's load averages over 1, 5 and 15 minutes
// (as uptime shows them), or "?" where /proc/loadavg is missing.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "?"
}

// cpuTime is the CPU time (user and system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkRebuildMillion rebuilds the three read models from 1,000,000
// domain events through the official client (target at least 60,000
// events/s), and in the same iteration replays $all plainly through the same
// client, for the ratio. Two ceilings in between show where the time goes:
// a filtered catch-up subscription of the client alone, and the event
// store's watermill Subscriber drained with an immediate ack.
// LEERPAD_REBUILD_CPUPROFILE=file writes a CPU profile of the rebuilds;
// LEERPAD_REBUILD_GCPERCENT sets the runner's CatchUpGCPercent (-1: off);
// LEERPAD_REBUILD_DECODERS its CatchUpDecoders (-1: no bulk read, the whole
// log through the watermill Subscriber). The machine's load average is
// logged before and after each iteration: the figures are only as good as
// the CPUs the benchmark got.
func BenchmarkRebuildMillion(b *testing.B) {
	codec := newCodec(b)
	t0 := time.Now()
	n := buildMillion(b, codec)
	b.Logf("wrote %d domain events in %v", millionEvents, time.Since(t0).Round(time.Millisecond))
	c := eventstoretest.Connect(b, n.ConnectionString())
	var replay, rebuild, ratio, cpus, raw, wm, heaps []float64
	for b.Loop() {
		load0 := loadAverage()
		rp := replayAll(b, c)
		raw = append(raw, subscribeRaw(b, c))
		wm = append(wm, subscribeWatermill(b, c, codec))
		rb, cpu, heap := rebuildAll(b, c, codec)
		replay, rebuild, ratio, cpus, heaps = append(replay, rp), append(rebuild, rb), append(ratio, rb/rp), append(cpus, cpu), append(heaps, heap)
		b.Logf("replay %.0f events/s, raw subscription %.0f, watermill subscriber %.0f, rebuild %.0f events/s (%.1f µs CPU/event, peak heap %.0f MiB), ratio %.2f; load average %s before, %s after",
			rp, raw[len(raw)-1], wm[len(wm)-1], rb, cpu, heap, rb/rp, load0, loadAverage())
	}
	b.ReportMetric(median(rebuild), "rebuild-events/s")
	b.ReportMetric(median(replay), "replay-events/s")
	b.ReportMetric(median(ratio), "rebuild/replay")
	b.ReportMetric(median(cpus), "rebuild-cpu-µs/event")
	b.ReportMetric(median(raw), "subscription-events/s")
	b.ReportMetric(median(wm), "wm-subscriber-events/s")
	b.ReportMetric(median(heaps), "rebuild-peak-heap-MiB")
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
