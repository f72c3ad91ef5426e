package projections

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
)

// Stored is one event of the log as a BulkSource reads it, not yet decoded:
// what the Source's subscription would put in a message.
type Stored struct {
	// ID is the event's id (a UUID).
	ID [16]byte
	// Stream is the stream the event belongs to.
	Stream string
	// Revision is the event's number within its stream, from 0.
	Revision uint64
	// Position is the event's commit position in the log.
	Position uint64
	// Created is when the store committed the event.
	Created time.Time
	// Type is the stored event name.
	Type string
	// Data is the payload.
	Data []byte
	// Metadata is the event's custom metadata, as stored (JSON).
	Metadata []byte
}

// BulkSource is a Source that can also read a stretch of the log in bulk,
// without a message per event. The runner reads through it while it catches
// up with the head it observed at start (a rebuild), decoding on several
// goroutines, and then goes on through Subscribe, after the last event read
// in bulk: the live path stays the Source's subscription. See
// docs/decisions/0005-bulk-catch-up.md.
type BulkSource interface {
	Source
	// ReadBulk reads the events Subscribe would deliver after position
	// after, up to and including position until, in log order, and calls
	// deliver with them in batches of at most max events, one batch at a
	// time. deliver owns the batch it is given. ReadBulk returns nil once
	// the events up to until were delivered (or the log ended before
	// until), the error of deliver when it failed, and an error when the
	// log could not be read; the events delivered until then stay
	// delivered.
	ReadBulk(ctx context.Context, after, until uint64, max int, deliver func([]Stored) error) error
	// DecodeStored returns what Decode returns for the message Subscribe
	// would deliver for s (the same envelope, the same error), and the
	// correlation id in s's metadata (CorrelationIDKey). It is safe for
	// concurrent use.
	DecodeStored(s *Stored) (ev Event, correlationID string, err error)
	// Message returns a new message as Subscribe would deliver it for s:
	// the runner gives it to Retry and the poison queue when a handler
	// fails on s.
	Message(s *Stored) *message.Message
}

// decodeJob is one batch read in bulk, decoded by one of the decoders and
// handed out in log order.
type decodeJob struct {
	in    []Stored
	chunk []*item
	done  chan struct{} // closed once chunk is ready
}

func (j *decodeJob) decode(src BulkSource) {
	items := make([]item, len(j.in))
	j.chunk = make([]*item, len(j.in))
	for i := range j.in {
		st := &j.in[i]
		ev, corr, err := src.DecodeStored(st)
		items[i] = item{st: st, ev: ev, corr: corr, err: err}
		j.chunk[i] = &items[i]
	}
}

// catchUp reads the log after from up to until through src in bulk, and
// hands its events to the lanes in log order, as dispatch would, in chunks
// of up to MaxBatch events. One goroutine reads (ReadBulk), CatchUpDecoders
// goroutines decode the batches, and this one hands them out in the order
// they were read; at most about 2 × CatchUpDecoders batches wait in between.
// It returns the position of the last event handed out (from when none) and
// the error that stopped the bulk read before until, if any (ctx's error
// when ctx ended).
func (r *Runner) catchUp(ctx context.Context, src BulkSource, from, until uint64) (last uint64, err error) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
	}()
	n := r.cfg.CatchUpDecoders
	jobs := make(chan *decodeJob, 2*n)   // in log order, to this goroutine
	work := make(chan *decodeJob, 2*n+2) // to the decoders; see below
	for range n {
		wg.Go(func() {
			for j := range work {
				j.decode(src)
				close(j.done)
			}
		})
	}
	var readErr error
	wg.Go(func() {
		defer close(work)
		defer close(jobs)
		readErr = src.ReadBulk(ctx, from, until, r.cfg.MaxBatch, func(batch []Stored) error {
			j := &decodeJob{in: batch, done: make(chan struct{})}
			select {
			case jobs <- j:
			case <-ctx.Done():
				return ctx.Err()
			}
			// A job waits in work only while it is not decoded yet, so at
			// most the 2n in jobs, the one this goroutine waits for, and
			// this one: the send never blocks.
			work <- j
			return nil
		})
	})
	last = from
	for j := range jobs {
		select {
		case <-j.done:
		case <-ctx.Done():
			return last, ctx.Err()
		}
		if len(j.chunk) == 0 {
			continue
		}
		r.dispatched.Add(uint64(len(j.chunk)))
		if !r.handOut(ctx, j.chunk) {
			return last, ctx.Err()
		}
		last = j.in[len(j.in)-1].Position
	}
	if readErr == nil {
		readErr = ctx.Err()
	}
	return last, readErr
}

// openLog subscribes to the log for Run. Without a bulk read (a Source that
// is not a BulkSource, CatchUpDecoders negative, or nothing to catch up) it
// subscribes after from, and catchUp returns the subscription as it is.
// Otherwise it subscribes after head, the live path, which waits unread
// meanwhile, and catchUp first reads the events after from up to head in
// bulk; should the bulk read fail, catchUp drops that subscription and
// subscribes again after the last event read in bulk, so that nothing is
// lost or handed out twice. catchUp returns the subscription to go on with,
// or nil when ctx ended or subscribing again failed (then it records the
// error for Run and calls stop).
func (r *Runner) openLog(ctx context.Context, stop func(), from, head uint64) (upstream <-chan *message.Message, catchUp func(<-chan *message.Message) <-chan *message.Message, err error) {
	bulk, ok := r.cfg.Source.(BulkSource)
	if !ok || r.cfg.CatchUpDecoders < 0 || from >= head {
		if upstream, err = r.cfg.Source.Subscribe(ctx, from); err != nil {
			return nil, nil, fmt.Errorf("run projections: subscribe to the log after position %d: %w", from, err)
		}
		return upstream, func(up <-chan *message.Message) <-chan *message.Message { return up }, nil
	}
	r.log.Info("catching up by reading the log in bulk, then through the subscription", "after", from, "head", head,
		"decoders", r.cfg.CatchUpDecoders)
	liveCtx, stopLive := context.WithCancel(ctx)
	if upstream, err = r.cfg.Source.Subscribe(liveCtx, head); err != nil {
		stopLive()
		return nil, nil, fmt.Errorf("run projections: subscribe to the log after position %d: %w", head, err)
	}
	catchUp = func(live <-chan *message.Message) <-chan *message.Message {
		last, err := r.catchUp(ctx, bulk, from, head)
		if ctx.Err() != nil {
			stopLive()
			return nil
		}
		if err == nil {
			return live
		}
		r.log.Warn("reading the log in bulk failed; going on through the subscription", "after", last, "head", head, "err", err)
		stopLive()
		up, err := r.cfg.Source.Subscribe(ctx, last)
		if err != nil {
			r.setRunErr(fmt.Errorf("run projections: subscribe to the log after position %d: %w", last, err))
			r.log.Error("cannot subscribe to the log after the bulk read; stopping the projections", "after", last, "err", err)
			stop()
			return nil
		}
		return up
	}
	return upstream, catchUp, nil
}
