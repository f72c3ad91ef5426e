package projections

import (
	"context"
	"fmt"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"

	"github.com/leerpad/leerpad/domain"
)

// PoisonQueue keeps, per topic, the events a projection could not handle, so
// that they can be inspected and replayed. cmd builds one over the event
// store (package eventstore/projectionlog), where a topic is a stream.
type PoisonQueue interface {
	// Publish appends poisoned messages to topic; the runner's poison
	// middleware calls it with the failed message, its metadata (that of
	// the event, with where it was stored) completed with the reason.
	// Errors are storage failures.
	message.Publisher
	// Read returns the messages in topic, oldest first, each with its
	// sequence number. A topic never written is empty, not an error.
	Read(ctx context.Context, topic string) ([]PoisonedMessage, error)
	// Remove drops the messages of topic up to and including sequence
	// number through. Errors are storage failures.
	Remove(ctx context.Context, topic string, through uint64) error
}

// PoisonedMessage is a message in a poison queue.
type PoisonedMessage struct {
	// Seq is the message's number in its queue.
	Seq uint64
	// Message holds the event's payload and metadata as they were
	// delivered, and the reason it was poisoned.
	Message *message.Message
}

// Poisoned is an event in a projection's poison queue.
type Poisoned struct {
	// Seq is its number in the poison queue (Replay removes up to it).
	Seq uint64
	// Event is the event as the projection would have received it; Data
	// is nil when it does not decode (DecodeErr).
	Event     Event
	DecodeErr error
	// Reason is the error of the last attempt.
	Reason string
	// CorrelationID is the correlation id of the command behind the event.
	CorrelationID string
	// Message is the poisoned message itself.
	Message *message.Message
}

// Poisoned lists the events in the poison queue of the projection called
// name, oldest first. It returns an error wrapping domain.ErrNotFound for an
// unknown name, and the poison queue's read errors.
func (r *Runner) Poisoned(ctx context.Context, name string) ([]Poisoned, error) {
	if _, ok := r.byName[name]; !ok {
		return nil, fmt.Errorf("list poisoned events of projection %q: %w", name, domain.ErrNotFound)
	}
	msgs, err := r.cfg.Poison.Read(ctx, PoisonTopic(name))
	if err != nil {
		return nil, fmt.Errorf("list poisoned events of projection %s: %w", name, err)
	}
	out := make([]Poisoned, 0, len(msgs))
	for _, pm := range msgs {
		ev, err := r.cfg.Source.Decode(pm.Message)
		out = append(out, Poisoned{
			Seq: pm.Seq, Event: ev, DecodeErr: err, Message: pm.Message,
			Reason:        pm.Message.Metadata.Get(middleware.ReasonForPoisonedKey),
			CorrelationID: pm.Message.Metadata.Get(CorrelationIDKey),
		})
	}
	return out, nil
}

// ReplayResult is what Replay did.
type ReplayResult struct {
	// Replayed counts the events handed to the projection and handled
	// without error; they were removed from the poison queue.
	Replayed int
	// Left counts the events still in the poison queue.
	Left int
}

// Replay hands the events in the poison queue of the projection called name
// back to it, oldest first, and removes those it handled from the queue. It
// stops at the first event that fails again (decoding, an error or a panic
// of the read model), which stays in the queue with those after it, and
// returns that failure. Run the fixed code first: Replay is how an event
// poisoned by a bug reaches the read model once the bug is gone.
//
// The read models are idempotent per stream revision: a poisoned event whose
// stream has since moved on (a later event of the same stream was applied) is
// skipped, not applied, when replayed. Such a read model is made whole by a
// rebuild (a restart, or leerpad rebuild), which reads the log again.
//
// It returns an error wrapping domain.ErrNotFound for an unknown name.
func (r *Runner) Replay(ctx context.Context, name string) (ReplayResult, error) {
	l, ok := r.byName[name]
	if !ok {
		return ReplayResult{}, fmt.Errorf("replay poisoned events of projection %q: %w", name, domain.ErrNotFound)
	}
	topic := PoisonTopic(name)
	msgs, err := r.cfg.Poison.Read(ctx, topic)
	if err != nil {
		return ReplayResult{}, fmt.Errorf("replay poisoned events of projection %s: %w", name, err)
	}
	var res ReplayResult
	var failed error
	for _, pm := range msgs {
		if failed = r.replayOne(ctx, l, pm); failed != nil {
			break
		}
		res.Replayed++
	}
	res.Left = len(msgs) - res.Replayed
	if res.Replayed > 0 {
		if err := r.cfg.Poison.Remove(ctx, topic, msgs[res.Replayed-1].Seq); err != nil {
			return res, fmt.Errorf("replay poisoned events of projection %s: remove the %d replayed: %w", name, res.Replayed, err)
		}
	}
	r.log.Info("replayed poisoned events", "projection", name, "replayed", res.Replayed, "left", res.Left)
	if failed != nil {
		return res, fmt.Errorf("replay poisoned events of projection %s: %w", name, failed)
	}
	return res, nil
}

func (r *Runner) replayOne(ctx context.Context, l *lane, pm PoisonedMessage) (err error) {
	ev, err := r.cfg.Source.Decode(pm.Message)
	if err != nil {
		return fmt.Errorf("event %d in the poison queue does not decode: %w", pm.Seq, err)
	}
	if id := pm.Message.Metadata.Get(CorrelationIDKey); id != "" {
		ctx = WithCorrelationID(ctx, id)
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("event %d in the poison queue (%s@%d): panic: %v", pm.Seq, ev.Stream, ev.Revision, p)
		}
	}()
	if err := l.p.Handle(ctx, ev); err != nil {
		return fmt.Errorf("event %d in the poison queue (%s@%d) failed again: %w", pm.Seq, ev.Stream, ev.Revision, err)
	}
	return nil
}

// PoisonTopic is the poison queue of the projection called name: in the
// event store, the stream "poison-<name>".
func PoisonTopic(name string) string { return "poison-" + name }
