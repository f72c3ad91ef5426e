package projections

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/components/metrics"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/leerpad/leerpad/domain"
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

// RetryConfig shapes how often and how patiently a failing handler is tried
// again before its event goes to the poison queue.
type RetryConfig struct {
	// MaxRetries is how many times a failed event is tried again after the
	// first attempt (default 3; negative means no retry).
	MaxRetries int
	// InitialInterval is the wait before the first retry (default 100 ms).
	InitialInterval time.Duration
	// MaxInterval caps the wait between retries (default 2 s).
	MaxInterval time.Duration
	// Multiplier grows the wait from one retry to the next (default 2).
	Multiplier float64
}

// RunnerConfig configures a Runner. Zero values take the documented defaults.
type RunnerConfig struct {
	// Projections are the read models to keep; their names must be unique.
	Projections []Projection
	// Source is the log. Required.
	Source Source
	// Poison keeps the events a projection could not handle, one topic per
	// projection (PoisonTopic). Required.
	Poison PoisonQueue
	// Registerer receives the runner's metrics and watermill's. Required:
	// the project passes its one registry in, there are no globals.
	Registerer prometheus.Registerer
	// Logger receives the runner's and the router's logs (default: discard).
	Logger *slog.Logger
	// Retry shapes the retries of a failing handler.
	Retry RetryConfig
	// HeadInterval is how often the head of the log is read for the lag
	// gauges (default 1 s).
	HeadInterval time.Duration
	// NackResendSleep is the wait before a nacked message is delivered to
	// its handler again (default 100 ms). A handler's message is nacked
	// only when even the poison queue failed.
	NackResendSleep time.Duration
	// QueueSize is how many decoded events may wait for each projection
	// (default 4096). A projection that falls this far behind the others
	// holds the shared subscription back.
	QueueSize int
	// MaxBatch is the most events one router message carries to a
	// projection's handler (default 256; 1 gives a message per event).
	MaxBatch int
	// CloseTimeout bounds how long stopping waits for handlers in flight
	// (default 30 s).
	CloseTimeout time.Duration
	// CatchUpGCPercent is the garbage collector's target percentage (see
	// runtime/debug.SetGCPercent) while the runner catches up with the head
	// observed at start, when that is above the process's own setting
	// (default 400; negative leaves the collector alone). A rebuild
	// allocates for every event while the read models grow, so with the
	// default of 100 the collector marks the whole heap again and again; a
	// higher percentage trades a larger heap during the catch-up for fewer
	// cycles. The previous setting is restored once every projection has
	// caught up, or when Run returns, unless something else changed it in
	// the meantime. See "Read side" in docs/benchmarks.md.
	CatchUpGCPercent int
	// Snapshots configures the read models' snapshots (see SnapshotConfig);
	// without a directory there are none and every start rebuilds.
	Snapshots SnapshotConfig
	// CatchUpDecoders is how many goroutines decode the events read in bulk
	// while catching up, when the Source is a BulkSource (default
	// GOMAXPROCS; negative reads the whole log through Subscribe, one
	// message at a time, as when live).
	CatchUpDecoders int
}

func (c *RunnerConfig) setDefaults() {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Retry.MaxRetries == 0 {
		c.Retry.MaxRetries = 3
	}
	if c.Retry.MaxRetries < 0 {
		c.Retry.MaxRetries = 0
	}
	if c.Retry.InitialInterval == 0 {
		c.Retry.InitialInterval = 100 * time.Millisecond
	}
	if c.Retry.MaxInterval == 0 {
		c.Retry.MaxInterval = 2 * time.Second
	}
	if c.Retry.Multiplier == 0 {
		c.Retry.Multiplier = 2
	}
	if c.HeadInterval == 0 {
		c.HeadInterval = time.Second
	}
	if c.NackResendSleep == 0 {
		c.NackResendSleep = 100 * time.Millisecond
	}
	if c.QueueSize == 0 {
		c.QueueSize = 4096
	}
	if c.CloseTimeout == 0 {
		c.CloseTimeout = 30 * time.Second
	}
	if c.MaxBatch == 0 {
		c.MaxBatch = 256
	}
	if c.CatchUpGCPercent == 0 {
		c.CatchUpGCPercent = 400
	}
	c.Snapshots.setDefaults()
	if c.CatchUpDecoders == 0 {
		c.CatchUpDecoders = runtime.GOMAXPROCS(0)
	}
}

func (c *RunnerConfig) validate() error {
	switch {
	case len(c.Projections) == 0:
		return domain.Invalid("projections", "at least one is required")
	case c.Source == nil:
		return domain.Invalid("source", "is required")
	case c.Poison == nil:
		return domain.Invalid("poison", "a poison queue is required")
	case c.Registerer == nil:
		return domain.Invalid("registerer", "is required")
	case c.HeadInterval < 0, c.NackResendSleep < 0, c.CloseTimeout < 0, c.Retry.InitialInterval < 0, c.Retry.MaxInterval < 0:
		return domain.Invalid("durations", "must not be negative")
	case c.QueueSize < 0, c.MaxBatch < 0:
		return domain.Invalid("queue size and batch", "must not be negative")
	}
	seen := map[string]bool{}
	for _, p := range c.Projections {
		if p == nil || p.Name() == "" {
			return domain.Invalid("projections", "every projection needs a name")
		}
		if seen[p.Name()] {
			return domain.Invalid("projections", "name %q used twice", p.Name())
		}
		seen[p.Name()] = true
	}
	return nil
}

// PoisonTopic is the poison queue of the projection called name: in the
// event store, the stream "poison-<name>".
func PoisonTopic(name string) string { return "poison-" + name }

// ErrBehind is wrapped by the error of WaitFor when the projection did not
// reach the position in time.
var ErrBehind = errors.New("projection has not reached the position")

// BehindError is the error of a WaitFor that ran out of time: the projection
// had handled the log up to Position, not yet up to Want. It wraps ErrBehind
// and the context's error (context.DeadlineExceeded or context.Canceled).
type BehindError struct {
	Projection string
	Position   uint64
	Want       uint64
	Err        error
}

func (e *BehindError) Error() string {
	return fmt.Sprintf("projection %s is at position %d, has not reached position %d: %v", e.Projection, e.Position, e.Want, e.Err)
}

// Unwrap returns ErrBehind and the context's error.
func (e *BehindError) Unwrap() []error { return []error{ErrBehind, e.Err} }

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

// lane is one projection's path through the runner.
type lane struct {
	p     Projection
	name  string
	log   *slog.Logger
	queue chan []*item
	start uint64 // the projection's position when Run started

	inFlight atomic.Pointer[batch] // the batch of the message the handler has; see deliver
	done     atomic.Uint64         // position of the last event acked by the handler
	handled  atomic.Uint64         // events acked by the handler
	failures prometheus.Counter
	poisoned prometheus.Counter
	nPoison  atomic.Uint64
	nFail    atomic.Uint64

	waiting atomic.Int64
	wakeMu  sync.Mutex
	wake    chan struct{}
}

// item is one event of the log, decoded once and shared by the lanes.
type item struct {
	msg  *message.Message // from the subscription; read only
	st   *Stored          // read in bulk instead (msg is nil); read only
	ev   Event
	corr string // correlation id
	err  error  // decoding error
}

// id returns the event's id.
func (it *item) id() string {
	if it.st != nil {
		return uuid.UUID(it.st.ID).String()
	}
	return it.msg.UUID
}

// sourceMessage returns the message of it as the Source delivers it: the
// subscription's own, or for an event read in bulk a new one, made only now
// that a handler failed on it (the poison queue keeps the Source's form).
func (r *Runner) sourceMessage(it *item) *message.Message {
	if it.st != nil {
		return r.cfg.Source.(BulkSource).Message(it.st)
	}
	return it.msg
}

// redecode decodes the event of it again.
func (r *Runner) redecode(it *item) (Event, error) {
	if it.st != nil {
		ev, _, err := r.cfg.Source.(BulkSource).DecodeStored(it.st)
		return ev, err
	}
	return r.cfg.Source.Decode(it.msg)
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

// handlerOf is the router handler of a lane: it applies the events of a
// batch in order. When one fails (an error, a panic, a payload that does not
// decode), the message becomes that event (its UUID, payload and metadata)
// for the middlewares above, so that Retry tries again from that event and
// the poison queue takes that event alone; the lane then delivers the rest
// of the batch.
func (r *Runner) handlerOf(l *lane) message.NoPublishHandlerFunc {
	return func(msg *message.Message) error {
		b := l.inFlight.Load()
		if b == nil || b.msg != msg {
			return fmt.Errorf("%s: message %s is not the lane's message in flight: %w", l.name, msg.UUID, domain.ErrInvalid)
		}
		defer func() {
			// Also while panicking: Recoverer above turns the panic into
			// an error about this event.
			if b.next < len(b.items) {
				b.failing(msg, r.sourceMessage(b.items[b.next]))
			}
		}()
		ctx := msg.Context()
		for ; b.next < len(b.items); b.next++ {
			it := b.items[b.next]
			ev, err := it.ev, it.err
			if err != nil {
				if ev, err = r.redecode(it); err != nil {
					return fmt.Errorf("%s: decode event at position %d: %w", l.name, ev.Position, err)
				}
			}
			evCtx := ctx
			if it.corr != "" {
				evCtx = WithCorrelationID(ctx, it.corr)
			}
			if err := l.p.Handle(evCtx, ev); err != nil {
				return err
			}
		}
		return nil
	}
}

// failureCounter counts every failed attempt of the handler below it.
func (l *lane) failureCounter(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		out, err := h(msg)
		if err != nil {
			l.failures.Inc()
			l.nFail.Add(1)
		}
		return out, err
	}
}

// poisonCounter counts the events the poison queue below it took, and
// logs each with its correlation id.
func (l *lane) poisonCounter(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		before := msg.Metadata.Get(middleware.ReasonForPoisonedKey)
		out, err := h(msg)
		if reason := msg.Metadata.Get(middleware.ReasonForPoisonedKey); err == nil && reason != "" && reason != before {
			l.poisoned.Inc()
			l.nPoison.Add(1)
			md := msg.Metadata
			l.log.Error("event sent to the poison queue; the projection goes on",
				"projection", l.name, "poison_topic", PoisonTopic(l.name), "stream", md.Get("stream"), "revision", md.Get("revision"),
				"position", md.Get("position"), "event_type", md.Get("event_type"), "correlation_id", md.Get(CorrelationIDKey), "reason", reason)
		}
		return out, err
	}
}

// laneSubscriber is the router's subscriber for every lane: the topic is the
// projection's name, and its messages are the lane's queue, one at a time.
type laneSubscriber Runner

var _ message.Subscriber = (*laneSubscriber)(nil)

// Subscribe delivers the events queued for the projection called topic.
func (s *laneSubscriber) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	l, ok := s.byName[topic]
	if !ok {
		return nil, fmt.Errorf("subscribe to projection %q: %w", topic, domain.ErrNotFound)
	}
	out := make(chan *message.Message)
	go func() {
		defer close(out)
		(*Runner)(s).deliver(ctx, l, out)
	}()
	return out, nil
}

// Close does nothing: the lanes stop with the router's context.
func (s *laneSubscriber) Close() error { return nil }

// batch is the events one message of a lane carries: the lane hands it to
// its handler explicitly (lane.inFlight, with the message it goes with), not
// in the message's context. Only the handler touches next while the message
// is in flight; the lane reads it after the ack or nack.
type batch struct {
	msg   *message.Message // the router's message that carries the batch
	items []*item
	next  int // the first event not yet handled
}

// failing makes msg the event at next, as the Source delivered it (src), for
// Retry and the poison queue.
func (b *batch) failing(msg, src *message.Message) {
	msg.UUID = src.UUID
	msg.Payload = src.Payload
	msg.Metadata = copyMetadata(src.Metadata)
	if id := msg.Metadata.Get(CorrelationIDKey); id != "" {
		msg.Metadata.Set(middleware.CorrelationIDMetadataKey, id)
	}
}

func copyMetadata(md message.Metadata) message.Metadata {
	out := make(message.Metadata, len(md)+4) // room for the poison queue's keys
	for k, v := range md {
		out[k] = v
	}
	return out
}

// deliver hands the lane's events to its handler, in order, one message at a
// time, each carrying as many queued events as there are, up to MaxBatch: one
// at a time when live, big batches while catching up, so that the router's
// cost per message is spread over many events. It notes each ack.
//
// The router's message is the only form the events take on their way to the
// handler: it carries no copy of their payloads or metadata, only the id of
// the first event, and its batch is stored in lane.inFlight before the
// message is sent (the send happens before the handler receives it; the ack
// or nack the lane waits for happens after the handler is done with it). One
// message is in flight per lane. When the handler fails on an event, the
// message takes that event's form as the Source delivered it (batch.failing),
// which is all that Retry and the poison queue need.
func (r *Runner) deliver(ctx context.Context, l *lane, out chan<- *message.Message) {
	var items []*item
	for {
		select {
		case c := <-l.queue:
			items = append(items[:0], c...)
		case <-ctx.Done():
			return
		}
	fill:
		for len(items) < r.cfg.MaxBatch {
			select {
			case c := <-l.queue:
				items = append(items, c...)
			default:
				break fill
			}
		}
		for rest := items; len(rest) > 0; {
			msg := message.NewMessage(rest[0].id(), nil)
			msg.SetContext(ctx)
			b := &batch{msg: msg, items: rest}
			l.inFlight.Store(b)
			select {
			case out <- msg:
			case <-ctx.Done():
				return
			}
			var acked bool
			select {
			case <-msg.Acked():
				acked = true
			case <-msg.Nacked():
			case <-ctx.Done():
				return
			}
			done := b.next // handled
			if acked && done < len(rest) {
				done++ // the poison queue took the event at next
			}
			if done > 0 {
				l.handled.Add(uint64(done))
				l.advance(rest[done-1].ev.Position)
			}
			rest = rest[done:]
			if !acked {
				// Even the poison queue failed: try again from the
				// failing event, after a pause.
				t := time.NewTimer(r.cfg.NackResendSleep)
				select {
				case <-t.C:
				case <-ctx.Done():
					t.Stop()
					return
				}
			}
		}
	}
}

// advance notes that the lane is done with the event at pos.
func (l *lane) advance(pos uint64) {
	if pos <= l.done.Load() {
		return
	}
	l.done.Store(pos)
	if l.waiting.Load() > 0 {
		l.wakeMu.Lock()
		close(l.wake)
		l.wake = make(chan struct{})
		l.wakeMu.Unlock()
	}
}

// position is the position of the last event the lane is done with: the
// read model's own, or further when the last events were poisoned.
func (l *lane) position() uint64 { return max(l.done.Load(), l.p.Position()) }

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
	wg.Go(func() { r.restoreWhenCaughtUp(ctx, restoreGC) })
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

// catchUpLinger bounds how long a chunk waits to fill while catching up.
const catchUpLinger = 20 * time.Millisecond

// dispatch decodes each event of the log once and hands it to every lane
// that has not applied it yet, in chunks. While catching up (below the head
// observed at start) a chunk fills up to MaxBatch events (or for at most
// catchUpLinger), so that each lane wakes once per chunk rather than once
// per event; after that, every event is handed on at once. It reports
// whether the log's channel closed while ctx was still live.
func (r *Runner) dispatch(ctx context.Context, upstream <-chan *message.Message) (ended bool) {
	startHead := r.startHead.Load()
	var chunk []*item
	var slab []item // items are allocated MaxBatch at a time
	var linger *time.Timer
	var lingerC <-chan time.Time
	defer func() {
		if linger != nil {
			linger.Stop()
		}
	}()
	flush := func() bool {
		if lingerC != nil {
			linger.Stop()
			lingerC = nil
		}
		ok := r.handOut(ctx, chunk)
		chunk = nil
		return ok
	}
	for {
		var msg *message.Message
		select {
		case m, ok := <-upstream:
			if !ok {
				return ctx.Err() == nil
			}
			msg = m
		case <-lingerC:
			lingerC = nil
			if !flush() {
				return false
			}
			continue
		case <-ctx.Done():
			return false
		}
		// The read models keep their own checkpoints, so the log's message
		// is acked at once: the subscription fetches the next event while
		// this one is decoded.
		msg.Ack()
		ev, err := r.cfg.Source.Decode(msg)
		r.dispatched.Add(1)
		if len(slab) == 0 {
			slab = make([]item, r.cfg.MaxBatch)
		}
		it := &slab[0]
		slab = slab[1:]
		*it = item{msg: msg, ev: ev, corr: msg.Metadata.Get(CorrelationIDKey), err: err}
		chunk = append(chunk, it)
		if len(chunk) < r.cfg.MaxBatch && ev.Position != 0 && ev.Position < startHead {
			if lingerC == nil {
				if linger == nil {
					linger = time.NewTimer(catchUpLinger)
				} else {
					linger.Reset(catchUpLinger)
				}
				lingerC = linger.C
			}
			continue
		}
		if !flush() {
			return false
		}
	}
}

// handOut queues chunk for every lane that has not applied its events yet.
// It reports false when ctx ended first.
func (r *Runner) handOut(ctx context.Context, chunk []*item) bool {
	if len(chunk) == 0 {
		return true
	}
	for _, l := range r.lanes {
		c := chunk
		if first := c[0].ev.Position; first != 0 && first <= l.start {
			// Resumed lane: leave out what it applied before Run.
			c = make([]*item, 0, len(chunk))
			for _, it := range chunk {
				if it.ev.Position == 0 || it.ev.Position > l.start {
					c = append(c, it)
				}
			}
			if len(c) == 0 {
				continue
			}
		}
		select {
		case l.queue <- c:
		case <-ctx.Done():
			return false
		}
	}
	return true
}

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

// WaitFor blocks until the projection called name is done with the log up to
// position (a write's Receipt position): it has applied, skipped or poisoned
// every event up to and including it. It is bounded by ctx: give it a
// deadline. It returns nil at once for position 0, a *BehindError (wrapping
// ErrBehind and ctx's error) when ctx ends first, and an error wrapping
// domain.ErrNotFound for an unknown name.
func (r *Runner) WaitFor(ctx context.Context, name string, position uint64) error {
	l, ok := r.byName[name]
	if !ok {
		return fmt.Errorf("wait for projection %q: %w", name, domain.ErrNotFound)
	}
	if position == 0 || l.position() >= position {
		return nil
	}
	l.waiting.Add(1)
	defer l.waiting.Add(-1)
	for {
		l.wakeMu.Lock()
		wake := l.wake
		l.wakeMu.Unlock()
		// The read model's own position is polled as well: a Replay, or
		// Handle called from outside, moves it without the lane knowing.
		if l.position() >= position {
			return nil
		}
		t := time.NewTimer(50 * time.Millisecond)
		select {
		case <-wake:
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return &BehindError{Projection: name, Position: l.position(), Want: position, Err: ctx.Err()}
		}
		t.Stop()
	}
}

// CaughtUp reports whether Run has started and every projection has reached
// the head of the log observed when it started: the read models then answer
// with at least what was written before the process started (/readyz).
func (r *Runner) CaughtUp() bool {
	if !r.started.Load() {
		return false
	}
	select {
	case <-r.running:
	default:
		return false
	}
	head := r.startHead.Load()
	for _, l := range r.lanes {
		if l.position() < head {
			return false
		}
	}
	return true
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
