package projections

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/leerpad/leerpad/domain"
)

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
