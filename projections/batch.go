package projections

import (
	"context"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"github.com/google/uuid"
)

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
			// The handler is done with the batch: the ack or nack comes
			// after it returned.
			l.inFlight.Store(nil)
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
