package watermillesdb

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
)

// catchUpSubscription is one Subscribe without a consumer group. Only its
// run goroutine touches its position.
type catchUpSubscription struct {
	s      *Subscriber
	src    source
	name   string // checkpoint name
	out    chan *message.Message
	logger watermill.LoggerAdapter

	have bool       // a message was acked (or a checkpoint loaded)
	pos  Checkpoint // the last acked message; resubscribing starts after it
}

// start loads the checkpoint and opens the first subscription.
func (c *catchUpSubscription) start(ctx context.Context) (*esdb.Subscription, error) {
	cp, ok, err := c.s.cfg.Checkpoints.Load(ctx, c.name)
	if err != nil {
		return nil, fmt.Errorf("load checkpoint %s: %w", c.name, err)
	}
	c.have, c.pos = ok, cp
	if ok {
		c.logger.Debug("resuming from checkpoint", watermill.LogFields{"revision": cp.Revision, "commit": cp.Commit})
	}
	return c.open(ctx)
}

// open subscribes after the last acked message (the start is exclusive),
// or from the beginning.
func (c *catchUpSubscription) open(ctx context.Context) (*esdb.Subscription, error) {
	if c.src.isAll() {
		opts := esdb.SubscribeToAllOptions{From: esdb.Start{}, Filter: c.src.filter}
		if c.have {
			opts.From = esdb.Position{Commit: c.pos.Commit, Prepare: c.pos.Prepare}
		}
		sub, err := c.s.client.SubscribeToAll(ctx, opts)
		if err != nil {
			return nil, fmt.Errorf("subscribe to $all: %w", err)
		}
		return sub, nil
	}
	opts := esdb.SubscribeToStreamOptions{From: esdb.Start{}}
	if c.have {
		opts.From = esdb.Revision(c.pos.Revision)
	}
	sub, err := c.s.client.SubscribeToStream(ctx, c.src.stream, opts)
	if err != nil {
		return nil, fmt.Errorf("subscribe to stream %s: %w", c.src.stream, err)
	}
	return sub, nil
}

// run consumes sub, resubscribing after transient failures, until ctx is
// done or a failure is permanent; it saves the last checkpoint on the way out.
func (c *catchUpSubscription) run(ctx context.Context, sub *esdb.Subscription) {
	saver := &checkpointer{
		store: c.s.cfg.Checkpoints, name: c.name, every: c.s.cfg.CheckpointEvery,
		interval: c.s.cfg.CheckpointInterval, logger: c.logger, kick: make(chan struct{}, 1),
	}
	stopSaver := make(chan struct{})
	saverDone := make(chan struct{})
	go func() {
		defer close(saverDone)
		saver.run(stopSaver)
	}()
	defer func() {
		close(stopSaver)
		<-saverDone
	}()

	b := newBackoff(c.s.cfg.ResubscribeBackoff, c.s.cfg.MaxResubscribeBackoff)
	for {
		if sub == nil {
			var err error
			if sub, err = c.open(ctx); err != nil {
				if ctx.Err() != nil {
					return
				}
				if isPermanent(err) {
					c.logger.Error("cannot resubscribe; closing the subscription", translate(err), nil)
					return
				}
				d := b.wait()
				c.logger.Info("resubscribe failed; retrying", watermill.LogFields{"err": err.Error(), "backoff": d.String()})
				if !sleep(ctx, d) {
					return
				}
				continue
			}
		}
		progressed, err := c.consume(ctx, sub, saver)
		_ = sub.Close()
		sub = nil
		if ctx.Err() != nil {
			return
		}
		if isPermanent(err) {
			c.logger.Error("subscription dropped for good; closing the subscription", translate(err), nil)
			return
		}
		if progressed {
			b.reset()
		}
		d := b.wait()
		c.logger.Info("subscription dropped; resubscribing after the last ack", watermill.LogFields{"err": fmt.Sprint(err), "backoff": d.String()})
		if !sleep(ctx, d) {
			return
		}
	}
}

// consume delivers the events of one subscription until it drops or ctx is
// done. It reports whether any message was acked.
func (c *catchUpSubscription) consume(ctx context.Context, sub *esdb.Subscription, saver *checkpointer) (progressed bool, err error) {
	for {
		ev := sub.Recv()
		switch {
		case ev.SubscriptionDropped != nil:
			return progressed, ev.SubscriptionDropped.Error
		case ev.CheckPointReached != nil:
			// The server scanned this far in $all without a match after
			// the last delivered event, which was acked (one at a time).
			if c.src.isAll() {
				c.have = true
				c.pos = Checkpoint{Commit: ev.CheckPointReached.Commit, Prepare: ev.CheckPointReached.Prepare}
				saver.advance(c.pos, false)
			}
		case ev.CaughtUp != nil:
			c.logger.Trace("caught up", nil)
		case ev.EventAppeared != nil:
			orig := ev.EventAppeared.OriginalEvent()
			rec := recordedOf(ev.EventAppeared)
			for redeliver := true; redeliver; {
				redeliver = false
				switch deliver(ctx, c.out, toMessage(rec)) {
				case acked:
					c.have = true
					c.pos = Checkpoint{Revision: orig.EventNumber, Commit: orig.Position.Commit, Prepare: orig.Position.Prepare}
					saver.advance(c.pos, true)
					progressed = true
				case nacked:
					if !sleep(ctx, c.s.cfg.NackResendSleep) {
						return progressed, ctx.Err()
					}
					redeliver = true
				case stopped:
					return progressed, ctx.Err()
				}
			}
		}
	}
}

// checkpointer saves a subscription's progress in the background, so that
// saving never slows delivery: after every CheckpointEvery acks, every
// CheckpointInterval when there is unsaved progress, and once more on stop.
type checkpointer struct {
	store    CheckpointStore
	name     string
	every    int
	interval time.Duration
	logger   watermill.LoggerAdapter
	kick     chan struct{} // buffered 1: "enough acks, save now"

	mu     sync.Mutex
	latest Checkpoint
	dirty  bool
	acks   int
}

// saveTimeout bounds one checkpoint save, also the last one on Close.
const saveTimeout = 5 * time.Second

func (k *checkpointer) advance(cp Checkpoint, ack bool) {
	k.mu.Lock()
	k.latest, k.dirty = cp, true
	if ack {
		k.acks++
	}
	full := k.acks >= k.every
	k.mu.Unlock()
	if full {
		select {
		case k.kick <- struct{}{}:
		default:
		}
	}
}

func (k *checkpointer) run(stop <-chan struct{}) {
	t := time.NewTicker(k.interval)
	defer t.Stop()
	for {
		select {
		case <-k.kick:
			k.flush()
		case <-t.C:
			k.flush()
		case <-stop:
			k.flush()
			return
		}
	}
}

func (k *checkpointer) flush() {
	k.mu.Lock()
	if !k.dirty {
		k.mu.Unlock()
		return
	}
	cp := k.latest
	k.dirty, k.acks = false, 0
	k.mu.Unlock()

	ctx, cancel := context.WithTimeout(context.Background(), saveTimeout)
	defer cancel()
	if err := k.store.Save(ctx, k.name, cp); err != nil {
		k.logger.Error("cannot save checkpoint; retrying later", fmt.Errorf("save checkpoint %s: %w", k.name, err), nil)
		k.mu.Lock()
		if !k.dirty { // nothing newer arrived meanwhile: keep this one pending
			k.latest, k.dirty = cp, true
		}
		k.mu.Unlock()
		return
	}
	k.logger.Trace("checkpoint saved", watermill.LogFields{"revision": cp.Revision, "commit": cp.Commit})
}
