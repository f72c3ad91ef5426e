package projections

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/components/metrics"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"github.com/prometheus/client_golang/prometheus"
)

// Source is the log the read models are built from, as the runner sees it:
// a catch-up subscription, the position of the last event it would deliver,
// and the decoding of its messages. cmd builds one over the event store
// (package eventstore/projectionlog), so that this package does not depend
// on the store.
type Source interface {
	// Subscribe delivers the messages of the events after position after
	// (from the start of the log when after is 0), in log order and one at a
	// time: the next comes once the previous was acked; a nacked message
	// comes again. The channel is closed when ctx ends or when the
	// subscription fails for good. Errors are those of the first attempt to
	// subscribe.
	Subscribe(ctx context.Context, after uint64) (<-chan *message.Message, error)
	// Head returns the position of the last event Subscribe would deliver,
	// or 0 when the log holds none. Errors are read failures.
	Head(ctx context.Context) (uint64, error)
	// Decode returns the envelope of a delivered message. An event whose
	// name the codec does not know decodes to an UnknownEvent, without
	// error. On error (a payload that does not decode) the envelope still
	// holds what could be read, at least the position when the message
	// carries one, so that the runner can account for the event.
	Decode(msg *message.Message) (Event, error)
}

// Runner keeps the read models up to date on a watermill router.
//
// # Transport
//
// The runner reads the log once: one catch-up subscription from the Source
// (in production the event store's watermill Subscriber on $all, filtered
// server side by Leerpad's stream prefixes), starting after the lowest
// checkpoint of its projections. Each event is decoded once and handed to
// every projection that has not applied it yet, through a router handler per
// projection (a consumer handler, watermill's former NoPublisherHandler: it
// publishes nothing). A projection's handler receives its events in log
// order, one message at a time: while catching up a message carries up to
// MaxBatch events, so that the router's cost per message (a goroutine, the
// middlewares, the metrics) is spread over many; when live, one event each.
// Projections run concurrently, each at its own pace, with at most about
// QueueSize events between the fastest and the slowest. Reading and decoding
// the log once instead of once per projection, and batching, are what make a
// rebuild fast enough (see "Read side" in docs/benchmarks.md).
//
// While catching up with the head of the log observed at start, a Source
// that is a BulkSource is read in bulk instead (BulkSource.ReadBulk: no
// watermill message and ack per event), decoded on CatchUpDecoders
// goroutines and handed to the lanes in log order; the subscription is
// opened after that head at start and takes over once the bulk read has
// reached it, so that no event is lost or handed out twice. The lanes,
// handlers and middlewares are the same for both (docs/decisions/0005).
//
// # Checkpoints
//
// A read model's checkpoint is its own Position, kept in the same critical
// section as its data (see Checkpoint), so that the two never disagree; the
// runner resumes each projection after it. Read models are in memory; with a
// snapshot directory (RunnerConfig.Snapshots, runner_snapshots.go) Run first
// restores each from its snapshot when that is valid, and the read models
// without one are rebuilt from the start of the log. Run logs, for each
// projection, whether it resumes or rebuilds and why.
//
// # Failures
//
// Every handler runs behind Recoverer (a panic becomes an error), Retry with
// exponential backoff, and watermill's poison queue middleware: an event
// still failing after the retries is published to PoisonTopic(name),
// counted, logged with its correlation id, and the projection goes on with
// the next event. Within a batch, the events before the failing one stay
// applied, the retries start at the failing event, the poison queue receives
// that event alone (its id, payload and metadata) and the rest of the batch
// follows in a new message. Poisoned
// events can be listed (Poisoned) and replayed (Replay). Unknown event types
// are skipped by the read models and counted. Correlation ids from the
// events' metadata travel on the context each read model's Handle gets
// (CorrelationID), and on a poisoned message.
//
// # Positions
//
// A projection's position is the position of the last event it is done with:
// applied, skipped, or poisoned. WaitFor waits for it; CaughtUp reports
// whether every projection reached the head observed at start.
type Runner struct {
	cfg    RunnerConfig
	lanes  []*lane
	byName map[string]*lane
	router *message.Router
	log    *slog.Logger

	head       atomic.Uint64 // last head read
	startHead  atomic.Uint64 // head when Run started
	started    atomic.Bool   // Run was called
	running    chan struct{} // closed when the router runs
	dispatched atomic.Uint64 // events read from the log

	poisonPub message.Publisher // Poison, decorated with publish metrics
	snaps     *snapshots        // the read models' snapshots (runner_snapshots.go)

	mu     sync.Mutex
	runErr error // why the log's subscription ended, when it ended by itself
}

// NewRunner returns a runner for cfg.Projections, with its metrics
// registered. It returns an error wrapping domain.ErrInvalid for an unusable
// configuration, and the registry's error when a metric is already
// registered.
func NewRunner(cfg RunnerConfig) (*Runner, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("new projection runner: %w", err)
	}
	cfg.setDefaults()
	r := &Runner{cfg: cfg, byName: map[string]*lane{}, log: cfg.Logger, running: make(chan struct{})}
	wlog := watermill.NewSlogLoggerWithLevelMapping(cfg.Logger, map[slog.Level]slog.Level{slog.LevelInfo: slog.LevelDebug})
	router, err := message.NewRouter(message.RouterConfig{CloseTimeout: cfg.CloseTimeout}, wlog)
	if err != nil {
		return nil, fmt.Errorf("new projection runner: %w", err)
	}
	r.router = router

	if err := r.registerMetrics(); err != nil {
		return nil, fmt.Errorf("new projection runner: register metrics: %w", err)
	}
	if r.snaps, err = newSnapshots(r); err != nil {
		return nil, fmt.Errorf("new projection runner: register snapshot metrics: %w", err)
	}
	builder := metrics.NewPrometheusMetricsBuilder(cfg.Registerer, "leerpad", "projection_router")
	builder.AddPrometheusRouterMetrics(router)
	if r.poisonPub, err = builder.DecoratePublisher(cfg.Poison); err != nil {
		return nil, fmt.Errorf("new projection runner: decorate the poison queue: %w", err)
	}
	router.AddMiddleware(middleware.Recoverer) // a panic in a middleware below is not lost either

	for _, l := range r.lanes {
		// An event whose retries were cut short by the runner stopping is
		// not poison: it is delivered again at the next start.
		pq, err := middleware.PoisonQueueWithFilter(r.poisonPub, PoisonTopic(l.name), func(err error) bool {
			return !errors.Is(err, context.Canceled)
		})
		if err != nil {
			return nil, fmt.Errorf("new projection runner: poison queue of %s: %w", l.name, err)
		}
		retry := middleware.Retry{
			MaxRetries:      cfg.Retry.MaxRetries,
			InitialInterval: cfg.Retry.InitialInterval,
			MaxInterval:     cfg.Retry.MaxInterval,
			Multiplier:      cfg.Retry.Multiplier,
			// Each attempt gets the message's own context back, so that
			// a value one attempt set does not leak into the next.
			ResetContextOnRetry: true,
		}
		h := router.AddConsumerHandler(l.name, l.name, (*laneSubscriber)(r), r.handlerOf(l))
		// Outermost first: the poison queue takes what still fails after
		// the retries; every failed attempt is counted; Recoverer turns a
		// panic of the read model into an error that is retried. The
		// handler puts each event's correlation id on the context it
		// hands the read model, and batch.failing puts the failing
		// event's in the message's metadata for the poison queue.
		h.AddMiddleware(l.poisonCounter, pq, retry.Middleware, l.failureCounter, middleware.Recoverer)
	}
	return r, nil
}

// registerMetrics creates the lanes' metrics in the registry.
func (r *Runner) registerMetrics() error {
	reg := r.cfg.Registerer
	var cs []prometheus.Collector
	head := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "leerpad_projection_head_position",
		Help: "Position of the last event in the log that the projections read, as last polled.",
	}, func() float64 { return float64(r.head.Load()) })
	dispatched := prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "leerpad_projection_log_events_total",
		Help: "Events read from the log by the projection runner (each is handed to every projection).",
	}, func() float64 { return float64(r.dispatched.Load()) })
	cs = append(cs, head, dispatched)
	for _, p := range r.cfg.Projections {
		l := &lane{p: p, name: p.Name(), log: r.log, queue: make(chan []*item, max(1, r.cfg.QueueSize/r.cfg.MaxBatch)), wake: make(chan struct{})}
		labels := prometheus.Labels{"projection": l.name}
		l.failures = prometheus.NewCounter(prometheus.CounterOpts{
			Name: "leerpad_projection_handler_failures_total", ConstLabels: labels,
			Help: "Failed attempts to handle an event (each retry counts), including panics.",
		})
		l.poisoned = prometheus.NewCounter(prometheus.CounterOpts{
			Name: "leerpad_projection_poisoned_total", ConstLabels: labels,
			Help: "Events sent to the projection's poison queue after the retries failed.",
		})
		cs = append(cs, l.failures, l.poisoned,
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "leerpad_projection_lag_positions", ConstLabels: labels,
				Help: "Head position of the log minus the projection's position (0 when caught up).",
			}, func() float64 { return float64(r.lag(l)) }),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "leerpad_projection_position", ConstLabels: labels,
				Help: "Position of the last event the projection is done with (applied, skipped or poisoned).",
			}, func() float64 { return float64(l.position()) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name: "leerpad_projection_unknown_events_total", ConstLabels: labels,
				Help: "Events of unknown types the projection skipped.",
			}, func() float64 { return float64(l.p.Unknown()) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name: "leerpad_projection_events_total", ConstLabels: labels,
				Help: "Events the projection's handler finished with since start (applied, skipped or poisoned).",
			}, func() float64 { return float64(l.handled.Load()) }),
		)
		r.lanes = append(r.lanes, l)
		r.byName[l.name] = l
	}
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}

func (r *Runner) lag(l *lane) uint64 {
	head, pos := r.head.Load(), l.position()
	if pos >= head {
		return 0
	}
	return head - pos
}

// Run reads the log into the projections until ctx ends; it then stops the
// router, waiting for handlers in flight (CloseTimeout), and returns nil. It
// returns an error when the log cannot be read at start, or when the
// subscription to the log ended by itself (a permanent failure), so that a
// projection never stops silently. Run may be called once.
func (r *Runner) Run(ctx context.Context) error {
	if !r.started.CompareAndSwap(false, true) {
		return errors.New("run projections: the runner ran already")
	}
	head, err := r.cfg.Source.Head(ctx)
	if err != nil {
		return fmt.Errorf("run projections: read the head of the log: %w", err)
	}
	r.head.Store(head)
	r.startHead.Store(head)
	notes := r.snaps.restore(head)

	from := ^uint64(0)
	for _, l := range r.lanes {
		l.start = l.p.Position()
		l.done.Store(l.start)
		from = min(from, l.start)
		note, noted := notes[l]
		if !noted {
			note = startNote{level: slog.LevelInfo, why: "the read model holds the log up to its checkpoint"}
		}
		if l.start > 0 {
			r.log.Log(ctx, note.level, "projection resumes from its checkpoint", "projection", l.name, "position", l.start, "head", head,
				"why", note.why)
		} else {
			r.log.Log(ctx, note.level, "projection rebuilds from the start of $all", "projection", l.name, "head", head,
				"why", note.why)
		}
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	restoreGC := func() {}
	if from < head {
		restoreGC = raiseGCPercent(r.cfg.CatchUpGCPercent)
	}
	defer restoreGC()
	upstream, catchUp, err := r.openLog(ctx, cancel, from, head)
	if err != nil {
		return err
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		if upstream = catchUp(upstream); upstream != nil && r.dispatch(ctx, upstream) {
			r.setRunErr(errors.New("run projections: the subscription to the log ended"))
			r.log.Error("the subscription to the log ended; stopping the projections")
			cancel()
		}
	})
	wg.Go(func() { r.pollHead(ctx) })
	wg.Go(func() { r.restoreWhenCaughtUp(ctx, func() { restoreGC(); r.warm(ctx, &wg) }) })
	wg.Go(func() { r.snaps.run(ctx, r) })
	wg.Go(func() {
		select {
		case <-r.router.Running():
			close(r.running)
		case <-ctx.Done():
		}
	})
	err = r.router.Run(ctx)
	cancel()
	wg.Wait()
	r.snaps.final() // the handlers stopped: the state is the last one
	if err != nil {
		return fmt.Errorf("run projections: %w", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.runErr
}

func (r *Runner) setRunErr(err error) {
	r.mu.Lock()
	r.runErr = err
	r.mu.Unlock()
}

// raiseGCPercent sets the collector's percentage to percent when that is
// above the current one (a negative current one means the collector is off),
// and returns the function that puts the previous one back, once, unless
// something else changed it meanwhile.
func raiseGCPercent(percent int) (restore func()) {
	if percent <= 0 {
		return func() {}
	}
	prev := debug.SetGCPercent(percent)
	if prev < 0 || prev >= percent {
		debug.SetGCPercent(prev)
		return func() {}
	}
	return sync.OnceFunc(func() {
		if now := debug.SetGCPercent(prev); now != percent {
			debug.SetGCPercent(now) // changed by someone else: theirs stands
		}
	})
}

// catchUpPoll is how often the runner checks whether the catch-up is over.
const catchUpPoll = 20 * time.Millisecond

// warm starts the Warm of every projection that is a Warmer.
func (r *Runner) warm(ctx context.Context, wg *sync.WaitGroup) {
	for _, l := range r.lanes {
		if w, ok := l.p.(Warmer); ok {
			wg.Go(func() { w.Warm(ctx) })
		}
	}
}

// restoreWhenCaughtUp calls restore once every projection has caught up.
func (r *Runner) restoreWhenCaughtUp(ctx context.Context, restore func()) {
	t := time.NewTicker(catchUpPoll)
	defer t.Stop()
	for !r.CaughtUp() {
		select {
		case <-t.C:
		case <-ctx.Done():
			return
		}
	}
	restore()
}

// Running is closed once the router runs its handlers.
func (r *Runner) Running() <-chan struct{} { return r.running }

// pollHead reads the head of the log every HeadInterval, for the lag gauges.
func (r *Runner) pollHead(ctx context.Context) {
	t := time.NewTicker(r.cfg.HeadInterval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-ctx.Done():
			return
		}
		head, err := r.cfg.Source.Head(ctx)
		if err != nil {
			if ctx.Err() == nil {
				r.log.Warn("cannot read the head of the log; lag gauges keep the last value", "err", err)
			}
			continue
		}
		if head > r.head.Load() {
			r.head.Store(head)
		}
	}
}

// Status is where one projection stands.
type Status struct {
	// Name is the projection's stable name.
	Name string
	// Position is the position of the last event it is done with.
	Position uint64
	// Head is the head of the log as last polled.
	Head uint64
	// Lag is Head minus Position, 0 when caught up.
	Lag uint64
	// Handled counts the events its handler finished with since Run.
	Handled uint64
	// Unknown counts the events of unknown types it skipped.
	Unknown uint64
	// Failures counts failed attempts (each retry counts).
	Failures uint64
	// Poisoned counts events sent to its poison queue since Run.
	Poisoned uint64
}

// Status returns where each projection stands, in configuration order.
func (r *Runner) Status() []Status {
	out := make([]Status, 0, len(r.lanes))
	head := r.head.Load()
	for _, l := range r.lanes {
		out = append(out, Status{Name: l.name, Position: l.position(), Head: head, Lag: r.lag(l), Handled: l.handled.Load(),
			Unknown: l.p.Unknown(), Failures: l.nFail.Load(), Poisoned: l.nPoison.Load()})
	}
	return out
}

// Read returns how many events the runner has read from the log since Run
// (each is handed to every projection that needs it).
func (r *Runner) Read() uint64 { return r.dispatched.Load() }

// StartHead returns the head of the log observed when Run started.
func (r *Runner) StartHead() uint64 { return r.startHead.Load() }
