package projections_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/leerpad/leerpad/domain"
	behaviourchangeview "github.com/leerpad/leerpad/domain/behaviourchange"
	cohortdashboardview "github.com/leerpad/leerpad/domain/cohortdashboard"
	"github.com/leerpad/leerpad/domain/journey"
	portfolioview "github.com/leerpad/leerpad/domain/portfolio"
	"github.com/leerpad/leerpad/domain/registry"
	"github.com/leerpad/leerpad/eventstore"
	"github.com/leerpad/leerpad/eventstore/eventstoretest"
	"github.com/leerpad/leerpad/eventstore/projectionlog"
	"github.com/leerpad/leerpad/projections"
	"github.com/leerpad/leerpad/projections/behaviourchange"
	"github.com/leerpad/leerpad/projections/cohortdashboard"
	"github.com/leerpad/leerpad/projections/internal/fixture"
	"github.com/leerpad/leerpad/projections/portfolio"
)

// models are the three read models.
type models struct {
	folio  *portfolio.ReadModel
	dash   *cohortdashboard.ReadModel
	change *behaviourchange.ReadModel
}

func newModels(tb testing.TB) models {
	tb.Helper()
	dash, err := cohortdashboard.New(cohortdashboard.Config{})
	if err != nil {
		tb.Fatal(err)
	}
	return models{folio: portfolio.New(portfolio.Config{}), dash: dash, change: behaviourchange.New(behaviourchange.Config{})}
}

func (m models) all() []projections.Projection {
	return []projections.Projection{m.folio, m.dash, m.change}
}

// answers is what the read models say about a cohort: every journey's
// portfolio, the dashboard and the change measurement.
type answers struct {
	Portfolios map[string]portfolioview.View
	Dashboard  cohortdashboardview.View
	Change     behaviourchangeview.Cohort
}

func (m models) answers(tb testing.TB, h *fixture.History) answers {
	tb.Helper()
	a := answers{Portfolios: map[string]portfolioview.View{}}
	for _, p := range h.Participants {
		v, err := m.folio.Current(p.JourneyID)
		if err != nil {
			tb.Fatalf("portfolio of journey %s: %v", p.JourneyID, err)
		}
		a.Portfolios[p.JourneyID] = v
	}
	var err error
	if a.Dashboard, err = m.dash.Dashboard(h.CohortID, h.EndsOn); err != nil {
		tb.Fatalf("dashboard of cohort %s: %v", h.CohortID, err)
	}
	if a.Change, err = m.change.Cohort(h.CohortID); err != nil {
		tb.Fatalf("change measurement of cohort %s: %v", h.CohortID, err)
	}
	return a
}

// reference feeds the history straight into fresh read models, as the
// read-model tests do: what the runner must arrive at through the log.
func reference(tb testing.TB, h *fixture.History) answers {
	tb.Helper()
	m := newModels(tb)
	for _, ev := range h.Log.Events {
		for _, p := range m.all() {
			if err := p.Handle(context.Background(), ev); err != nil {
				tb.Fatal(err)
			}
		}
	}
	return m.answers(tb, h)
}

func newCodec(tb testing.TB) *eventstore.Codec {
	tb.Helper()
	c, err := eventstore.NewCodec(registry.EventTypes())
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// writeHistory appends the events through the Store (codec, metadata with the
// correlation id), a run of consecutive events of one stream per append, and
// returns the receipt: the position of the last write.
func writeHistory(tb testing.TB, store *eventstore.Store, events []projections.Event, correlationID string) uint64 {
	tb.Helper()
	ctx := context.Background()
	meta := eventstore.Metadata{CorrelationID: correlationID, Actor: "test"}
	var last uint64
	for i := 0; i < len(events); {
		j := i + 1
		for j < len(events) && events[j].Stream == events[i].Stream {
			j++
		}
		batch := make([]domain.Event, 0, j-i)
		for _, ev := range events[i:j] {
			batch = append(batch, ev.Data)
		}
		x := eventstore.NoStream()
		if events[i].Revision > 0 {
			x = eventstore.AtRevision(events[i].Revision - 1)
		}
		pos, err := store.Append(ctx, events[i].Stream, x, batch, nil, meta)
		if err != nil {
			tb.Fatalf("append %s@%d: %v", events[i].Stream, events[i].Revision, err)
		}
		last = max(last, pos)
		i = j
	}
	return last
}

// rig is a node, a client, and a runner over them.
type rig struct {
	client *esdb.Client
	store  *eventstore.Store
	codec  *eventstore.Codec
	reg    *prometheus.Registry
	runner *projections.Runner
	poison *projectionlog.PoisonQueue
	logs   *syncBuffer
	stop   func() error

	decoders int                                            // RunnerConfig.CatchUpDecoders
	maxBatch int                                            // RunnerConfig.MaxBatch
	wrap     func(*projectionlog.Source) projections.Source // the runner's Source, when set
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newRig(tb testing.TB) *rig {
	tb.Helper()
	if testing.Short() {
		tb.Skip("integration test: starts an event-store node")
	}
	client := eventstoretest.Client(tb)
	codec := newCodec(tb)
	return &rig{client: client, codec: codec, store: eventstore.NewStore(client, codec)}
}

// start runs a runner over ps until the test ends (or stop is called).
func (r *rig) start(tb testing.TB, ps []projections.Projection, retry projections.RetryConfig) {
	tb.Helper()
	r.reg = prometheus.NewRegistry()
	r.logs = &syncBuffer{}
	log := slog.New(slog.NewTextHandler(r.logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	src, err := projectionlog.NewSource(projectionlog.Config{Client: r.client, Codec: r.codec, Logger: log})
	if err != nil {
		tb.Fatal(err)
	}
	if r.poison, err = projectionlog.NewPoisonQueue(r.client, log); err != nil {
		tb.Fatal(err)
	}
	var source projections.Source = src
	if r.wrap != nil {
		source = r.wrap(src)
	}
	r.runner, err = projections.NewRunner(projections.RunnerConfig{
		Projections: ps, Source: source, Poison: r.poison, Registerer: r.reg, Logger: log,
		Retry: retry, HeadInterval: 20 * time.Millisecond, NackResendSleep: 10 * time.Millisecond,
		CatchUpDecoders: r.decoders, MaxBatch: r.maxBatch,
	})
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.runner.Run(ctx) }()
	var once sync.Once
	var runErr error
	r.stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case runErr = <-done:
			case <-time.After(30 * time.Second):
				runErr = errors.New("runner did not stop within 30 s")
			}
			runErr = errors.Join(runErr, r.poison.Close())
		})
		return runErr
	}
	tb.Cleanup(func() {
		if err := r.stop(); err != nil {
			tb.Errorf("stop runner: %v", err)
		}
	})
	select {
	case <-r.runner.Running():
	case err := <-done:
		tb.Fatalf("runner stopped at start: %v", err)
	case <-time.After(10 * time.Second):
		tb.Fatal("runner did not start within 10 s")
	}
}

func (r *rig) waitFor(tb testing.TB, name string, pos uint64) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := r.runner.WaitFor(ctx, name, pos); err != nil {
		tb.Fatal(err)
	}
}

func (r *rig) waitAll(tb testing.TB, pos uint64) {
	tb.Helper()
	for _, n := range []string{portfolio.Name, cohortdashboard.Name, behaviourchange.Name} {
		r.waitFor(tb, n, pos)
	}
}

// metric returns the value of the metric family name with the label
// projection=projection ("" for none), and whether it was found.
func metric(tb testing.TB, reg *prometheus.Registry, name, projection string) (float64, bool) {
	tb.Helper()
	fams, err := reg.Gather()
	if err != nil {
		tb.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			if projection != "" && label(m, "projection") != projection {
				continue
			}
			switch {
			case m.GetGauge() != nil:
				return m.GetGauge().GetValue(), true
			case m.GetCounter() != nil:
				return m.GetCounter().GetValue(), true
			}
			return 0, true
		}
	}
	return 0, false
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

func eventually(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestRunnerBuildsTheReadModelsFromTheLog writes a cohort's history through
// the Store, runs the read models through the real path (node → watermill
// Subscriber → router → read model) and expects the answers of read models
// fed directly. It then writes live and reads its own writes, and checks
// lag, readiness and the metrics in the registry passed in.
func TestRunnerBuildsTheReadModelsFromTheLog(t *testing.T) {
	r := newRig(t)
	h := fixture.Cohort(fixture.CohortOptions{Participants: 8, Seed: 11})
	before, after := h.Log.Events[:len(h.Log.Events)/2], h.Log.Events[len(h.Log.Events)/2:]
	firstReceipt := writeHistory(t, r.store, before, "corr-before")

	m := newModels(t)
	r.start(t, m.all(), projections.RetryConfig{})
	if !strings.Contains(r.logs.String(), "projection rebuilds from the start of $all") {
		t.Errorf("logs do not say the projections rebuild:\n%s", r.logs)
	}
	r.waitAll(t, firstReceipt)
	eventually(t, "caught up with the head at start", r.runner.CaughtUp)

	// Live: read your writes with the receipt of the last write.
	receipt := writeHistory(t, r.store, after, "corr-after")
	if receipt <= firstReceipt {
		t.Fatalf("receipt %d not after %d", receipt, firstReceipt)
	}
	r.waitAll(t, receipt)
	if got, want := m.answers(t, h), reference(t, h); !reflect.DeepEqual(got, want) {
		t.Fatalf("read models through the log differ from read models fed directly:\ngot  %+v\nwant %+v", got.Dashboard, want.Dashboard)
	}

	for _, p := range m.all() {
		eventually(t, p.Name()+" lag 0", func() bool {
			lag, ok := metric(t, r.reg, "leerpad_projection_lag_positions", p.Name())
			head, _ := metric(t, r.reg, "leerpad_projection_head_position", "")
			return ok && lag == 0 && head >= float64(receipt)
		})
		if n, _ := metric(t, r.reg, "leerpad_projection_events_total", p.Name()); int(n) != len(h.Log.Events) {
			t.Errorf("%s handled %v events, want %d", p.Name(), n, len(h.Log.Events))
		}
	}
	for _, name := range []string{
		"leerpad_projection_lag_positions", "leerpad_projection_position", "leerpad_projection_head_position",
		"leerpad_projection_unknown_events_total", "leerpad_projection_handler_failures_total", "leerpad_projection_poisoned_total",
		"leerpad_projection_events_total", "leerpad_projection_log_events_total",
		"leerpad_projection_router_handler_execution_time_seconds", "leerpad_projection_router_subscriber_messages_received_total",
	} {
		if _, ok := metric(t, r.reg, name, ""); !ok {
			t.Errorf("metric %s is not in the registry", name)
		}
	}
	fams, _ := r.reg.Gather()
	for _, f := range fams {
		if !strings.HasPrefix(f.GetName(), "leerpad_") {
			t.Errorf("metric %s lacks the leerpad_ prefix", f.GetName())
		}
	}
}

// TestWaitFor covers the bounds of read-your-writes.
func TestWaitFor(t *testing.T) {
	r := newRig(t)
	m := newModels(t)
	r.start(t, m.all(), projections.RetryConfig{})
	if !r.runner.CaughtUp() {
		t.Error("CaughtUp is false on an empty log")
	}
	h := fixture.Cohort(fixture.CohortOptions{Participants: 1, Seed: 3})
	receipt := writeHistory(t, r.store, h.Log.Events[:20], "c")

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.runner.WaitFor(ctx, portfolio.Name, receipt); err != nil {
		t.Fatalf("WaitFor the receipt: %v", err)
	}
	if m.folio.Position() < receipt {
		t.Fatalf("portfolio at %d after WaitFor(%d)", m.folio.Position(), receipt)
	}
	if err := r.runner.WaitFor(ctx, portfolio.Name, 0); err != nil {
		t.Fatalf("WaitFor(0): %v", err)
	}

	short, cancelShort := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancelShort()
	err := r.runner.WaitFor(short, cohortdashboard.Name, receipt+1_000_000)
	var behind *projections.BehindError
	if !errors.Is(err, projections.ErrBehind) || !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &behind) {
		t.Fatalf("WaitFor a position never written: %v, want ErrBehind and DeadlineExceeded", err)
	}
	if behind.Projection != cohortdashboard.Name || behind.Position < receipt || behind.Want != receipt+1_000_000 {
		t.Errorf("BehindError = %+v", behind)
	}
	if err := r.runner.WaitFor(ctx, "nope", 1); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("WaitFor an unknown projection: %v, want ErrNotFound", err)
	}
}

// flaky is a read model that fails (or panics) on the events of one stream
// while broken.
type flaky struct {
	projections.Projection
	stream   string
	panics   bool
	broken   atomic.Bool
	attempts atomic.Int64
}

func (f *flaky) Handle(ctx context.Context, e projections.Event) error {
	if e.Stream == f.stream && f.broken.Load() {
		f.attempts.Add(1)
		if f.panics {
			panic("flaky read model: " + e.Stream)
		}
		return fmt.Errorf("flaky read model: %s@%d", e.Stream, e.Revision)
	}
	return f.Projection.Handle(ctx, e)
}

// TestRunnerPoisonsAndReplays: a handler that keeps failing is retried, then
// its events go to the poison queue and later events still apply; the
// poisoned events can be read back (with where they were stored, the reason
// and the correlation id) and, once the handler is fixed, replayed into the
// read model, which then answers as if nothing had happened.
func TestRunnerPoisonsAndReplays(t *testing.T) {
	for _, tc := range []struct {
		name        string
		panics      bool
		beforeStart bool // written before the runner starts: caught up in batches
	}{
		{"error while live", false, false},
		{"panic while live", true, false},
		{"error while catching up", false, true},
		{"panic while catching up", true, true},
	} {
		panics := tc.panics
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			h := fixture.Cohort(fixture.CohortOptions{Participants: 4, Seed: 5})
			victim := h.Participants[2].JourneyID
			stream := fixture.JourneyStream(victim)
			var victimEvents int
			for _, ev := range h.Log.Events {
				if ev.Stream == stream {
					victimEvents++
				}
			}

			m := newModels(t)
			f := &flaky{Projection: m.folio, stream: stream, panics: panics}
			f.broken.Store(true)
			const retries = 2
			var receipt uint64
			if tc.beforeStart {
				receipt = writeHistory(t, r.store, h.Log.Events, "corr-poison")
			}
			r.start(t, []projections.Projection{f, m.dash, m.change}, projections.RetryConfig{
				MaxRetries: retries, InitialInterval: time.Millisecond, MaxInterval: 2 * time.Millisecond})
			if !tc.beforeStart {
				receipt = writeHistory(t, r.store, h.Log.Events, "corr-poison")
			}
			r.waitAll(t, receipt)
			if bulk := strings.Contains(r.logs.String(), bulkLog); bulk != tc.beforeStart {
				t.Errorf("read in bulk: %v, want %v", bulk, tc.beforeStart)
			}

			// Later events applied: the other journeys are whole.
			want := reference(t, h)
			for _, p := range h.Participants {
				got, err := m.folio.Current(p.JourneyID)
				if p.JourneyID == victim {
					if err == nil {
						t.Fatalf("journey %s shows although all its events were poisoned", victim)
					}
					continue
				}
				if err != nil || !reflect.DeepEqual(got, want.Portfolios[p.JourneyID]) {
					t.Fatalf("journey %s: %v, differs from the reference", p.JourneyID, err)
				}
			}
			if got := f.attempts.Load(); got != int64(victimEvents*(retries+1)) {
				t.Errorf("%d attempts, want %d (%d events × %d tries)", got, victimEvents*(retries+1), victimEvents, retries+1)
			}
			if n, _ := metric(t, r.reg, "leerpad_projection_poisoned_total", portfolio.Name); int(n) != victimEvents {
				t.Errorf("poisoned_total %v, want %d", n, victimEvents)
			}
			if n, _ := metric(t, r.reg, "leerpad_projection_handler_failures_total", portfolio.Name); int(n) != victimEvents*(retries+1) {
				t.Errorf("handler_failures_total %v, want %d", n, victimEvents*(retries+1))
			}
			if n, _ := metric(t, r.reg, "leerpad_projection_poisoned_total", cohortdashboard.Name); n != 0 {
				t.Errorf("cohort dashboard poisoned %v events", n)
			}
			if !strings.Contains(r.logs.String(), "event sent to the poison queue") || !strings.Contains(r.logs.String(), "correlation_id=corr-poison") {
				t.Errorf("the poisoned events are not logged with their correlation id:\n%s", r.logs)
			}

			// Inspect.
			ctx := context.Background()
			poisoned, err := r.runner.Poisoned(ctx, portfolio.Name)
			if err != nil {
				t.Fatal(err)
			}
			if len(poisoned) != victimEvents {
				t.Fatalf("%d events in the poison queue, want %d", len(poisoned), victimEvents)
			}
			for i, p := range poisoned {
				if p.DecodeErr != nil || p.Event.Stream != stream || p.Event.Revision != uint64(i) || p.Event.Position == 0 || p.Event.Data == nil {
					t.Fatalf("poisoned event %d = %+v (decode error %v)", i, p.Event, p.DecodeErr)
				}
				if p.CorrelationID != "corr-poison" || !strings.Contains(p.Reason, "flaky read model") {
					t.Fatalf("poisoned event %d: correlation id %q, reason %q", i, p.CorrelationID, p.Reason)
				}
			}
			// The queue is a stream any client can read.
			rs, err := r.client.ReadStream(ctx, projections.PoisonTopic(portfolio.Name), esdb.ReadStreamOptions{From: esdb.Start{}}, 1)
			if err != nil {
				t.Fatal(err)
			}
			first, err := rs.Recv()
			rs.Close()
			if err != nil || first.Event.EventType != poisoned[0].Message.Metadata.Get("event_type") {
				t.Fatalf("first event of the poison stream: %v, %v", first, err)
			}

			// Replay while still broken: nothing moves.
			res, err := r.runner.Replay(ctx, portfolio.Name)
			if err == nil || res.Replayed != 0 || res.Left != victimEvents {
				t.Fatalf("replay while broken = %+v, %v", res, err)
			}
			// Fixed: the journey appears, exactly as the reference.
			f.broken.Store(false)
			res, err = r.runner.Replay(ctx, portfolio.Name)
			if err != nil || res.Replayed != victimEvents || res.Left != 0 {
				t.Fatalf("replay = %+v, %v", res, err)
			}
			if got, err := m.folio.Current(victim); err != nil || !reflect.DeepEqual(got, want.Portfolios[victim]) {
				t.Fatalf("journey %s after replay: %v, differs from the reference", victim, err)
			}
			if left, err := r.runner.Poisoned(ctx, portfolio.Name); err != nil || len(left) != 0 {
				t.Fatalf("poison queue after replay: %d events, %v", len(left), err)
			}
			if res, err := r.runner.Replay(ctx, portfolio.Name); err != nil || res.Replayed != 0 {
				t.Fatalf("second replay = %+v, %v", res, err)
			}
		})
	}
}

// TestRunnerSkipsUnknownAndPoisonsUndecodable: an event type the codec does
// not know is skipped and counted by every read model; a known type whose
// payload does not decode is poisoned; both are passed, later events apply.
func TestRunnerSkipsUnknownAndPoisonsUndecodable(t *testing.T) {
	r := newRig(t)
	m := newModels(t)
	r.start(t, m.all(), projections.RetryConfig{MaxRetries: 1, InitialInterval: time.Millisecond})
	h := fixture.Cohort(fixture.CohortOptions{Participants: 2, Seed: 9})
	half := len(h.Log.Events) / 2
	writeHistory(t, r.store, h.Log.Events[:half], "c1")

	ctx := context.Background()
	stream := journey.StreamCategory + "-" + uuid.NewString()
	unknown := esdb.EventData{EventType: "journey.teleported", ContentType: esdb.ContentTypeJson, Data: []byte(`{"to":"mars"}`),
		Metadata: []byte(`{"correlationId":"c-unknown","schemaVersion":1}`)}
	broken := esdb.EventData{EventType: "journey.experiment_logged", ContentType: esdb.ContentTypeJson, Data: []byte(`{"journeyId":`),
		Metadata: []byte(`{"correlationId":"c-broken","schemaVersion":1}`)}
	if _, err := r.client.AppendToStream(ctx, stream, esdb.AppendToStreamOptions{ExpectedRevision: esdb.NoStream{}}, unknown, broken); err != nil {
		t.Fatal(err)
	}
	receipt := writeHistory(t, r.store, h.Log.Events[half:], "c2")
	r.waitAll(t, receipt)

	if got, want := m.answers(t, h), reference(t, h); !reflect.DeepEqual(got, want) {
		t.Fatal("read models differ from the reference after an unknown and an undecodable event")
	}
	for _, p := range m.all() {
		if p.Unknown() != 1 {
			t.Errorf("%s skipped %d unknown events, want 1", p.Name(), p.Unknown())
		}
		if n, _ := metric(t, r.reg, "leerpad_projection_unknown_events_total", p.Name()); n != 1 {
			t.Errorf("%s unknown_events_total %v, want 1", p.Name(), n)
		}
		if n, _ := metric(t, r.reg, "leerpad_projection_poisoned_total", p.Name()); n != 1 {
			t.Errorf("%s poisoned_total %v, want 1", p.Name(), n)
		}
		poisoned, err := r.runner.Poisoned(ctx, p.Name())
		if err != nil || len(poisoned) != 1 || poisoned[0].DecodeErr == nil || poisoned[0].Event.Stream != stream || poisoned[0].Event.Revision != 1 {
			t.Fatalf("%s poison queue: %+v, %v", p.Name(), poisoned, err)
		}
	}
}

// TestRunnerRestart: a new process (fresh read models) rebuilds from the log
// and answers the same; a runner restarted over read models that kept their
// state resumes from their checkpoints and does not read the past again.
// Both say which in the logs.
func TestRunnerRestart(t *testing.T) {
	r := newRig(t)
	h := fixture.Cohort(fixture.CohortOptions{Participants: 4, Seed: 21})
	half := len(h.Log.Events) / 2
	receipt := writeHistory(t, r.store, h.Log.Events[:half], "c")

	m := newModels(t)
	r.start(t, m.all(), projections.RetryConfig{})
	r.waitAll(t, receipt)
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}

	// Resume: the same read models, a new runner.
	receipt = writeHistory(t, r.store, h.Log.Events[half:], "c")
	r.start(t, m.all(), projections.RetryConfig{})
	logs := r.logs.String()
	if !strings.Contains(logs, "projection resumes from its checkpoint") || strings.Contains(logs, "rebuilds from the start") {
		t.Errorf("restart over kept read models does not say it resumes:\n%s", logs)
	}
	r.waitAll(t, receipt)
	want := reference(t, h)
	if got := m.answers(t, h); !reflect.DeepEqual(got, want) {
		t.Fatal("resumed read models differ from the reference")
	}
	if n := r.runner.Read(); n != uint64(len(h.Log.Events)-half) {
		t.Errorf("the resumed runner read %d events, want the %d after the checkpoint", n, len(h.Log.Events)-half)
	}
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}

	// Rebuild: a new process, empty read models.
	fresh := newModels(t)
	r.start(t, fresh.all(), projections.RetryConfig{})
	if logs := r.logs.String(); !strings.Contains(logs, "projection rebuilds from the start of $all") {
		t.Errorf("restart with empty read models does not say it rebuilds:\n%s", logs)
	}
	eventually(t, "caught up after the rebuild", r.runner.CaughtUp)
	if got := fresh.answers(t, h); !reflect.DeepEqual(got, want) {
		t.Fatal("rebuilt read models differ from the reference")
	}
}

// nopPoison is a poison queue that keeps nothing.
type nopPoison struct{}

var _ projections.PoisonQueue = nopPoison{}

func (nopPoison) Publish(string, ...*message.Message) error { return nil }
func (nopPoison) Close() error                              { return nil }
func (nopPoison) Read(context.Context, string) ([]projections.PoisonedMessage, error) {
	return nil, nil
}
func (nopPoison) Remove(context.Context, string, uint64) error { return nil }

func TestNewRunnerRefusesBadConfigs(t *testing.T) {
	m := newModels(t)
	src := &projectionlog.Source{}
	reg := prometheus.NewRegistry()
	for name, cfg := range map[string]projections.RunnerConfig{
		"no projections": {Source: src, Poison: nopPoison{}, Registerer: reg},
		"no source":      {Projections: m.all(), Poison: nopPoison{}, Registerer: reg},
		"no poison":      {Projections: m.all(), Source: src, Registerer: reg},
		"no registry":    {Projections: m.all(), Source: src, Poison: nopPoison{}},
		"twice":          {Projections: []projections.Projection{m.folio, m.folio}, Source: src, Poison: nopPoison{}, Registerer: reg},
	} {
		if _, err := projections.NewRunner(cfg); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
}

// warming is a read model that counts its Warm calls and notes where it
// stood at the first.
type warming struct {
	projections.Projection
	warms   atomic.Int64
	warmAt  atomic.Uint64
	warmed  chan struct{}
	onceCls sync.Once
}

func (w *warming) Warm(context.Context) {
	if w.warms.Add(1) == 1 {
		w.warmAt.Store(w.Position())
	}
	w.onceCls.Do(func() { close(w.warmed) })
}

// TestRunnerWarmsOnceCaughtUp: a read model that is a projections.Warmer is
// warmed once, after every projection has caught up with the log as it
// stood at the start, not during the catch-up.
func TestRunnerWarmsOnceCaughtUp(t *testing.T) {
	r := newRig(t)
	h := fixture.Cohort(fixture.CohortOptions{Participants: 2, Seed: 5})
	head := writeHistory(t, r.store, h.Log.Events, "c")
	m := newModels(t)
	w := &warming{Projection: m.folio, warmed: make(chan struct{})}
	r.start(t, []projections.Projection{w}, projections.RetryConfig{})
	select {
	case <-w.warmed:
	case <-time.After(20 * time.Second):
		t.Fatal("the read model was not warmed after catching up")
	}
	if at := w.warmAt.Load(); at < head {
		t.Errorf("warmed at position %d, before the head %d it had to catch up with", at, head)
	}
	later := fixture.Cohort(fixture.CohortOptions{Participants: 1, Seed: 99})
	receipt := writeHistory(t, r.store, later.Log.Events, "d")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.runner.WaitFor(ctx, m.folio.Name(), receipt); err != nil {
		t.Fatal(err)
	}
	if n := w.warms.Load(); n != 1 {
		t.Errorf("warmed %d times, want once", n)
	}
}
