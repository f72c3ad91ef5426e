package watermillesdb

import (
	"context"
	"errors"
	"fmt"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
)

// groupSubscription is one Subscribe with a consumer group: a connection to
// a persistent subscription group. The server keeps the group's checkpoint.
type groupSubscription struct {
	s      *Subscriber
	src    source
	group  string
	out    chan *message.Message
	logger watermill.LoggerAdapter
}

// ensureGroup creates the group, starting at the beginning of its stream (or
// of $all), unless it exists.
func (g *groupSubscription) ensureGroup(ctx context.Context) error {
	var err error
	if g.src.isAll() {
		err = g.s.client.CreatePersistentSubscriptionToAll(ctx, g.group, esdb.PersistentAllSubscriptionOptions{
			StartFrom: esdb.Start{}, Filter: g.src.filter, Settings: g.s.cfg.GroupSettings,
		})
	} else {
		err = g.s.client.CreatePersistentSubscription(ctx, g.src.stream, g.group, esdb.PersistentStreamSubscriptionOptions{
			StartFrom: esdb.Start{}, Settings: g.s.cfg.GroupSettings,
		})
	}
	var esErr *esdb.Error
	if err == nil || (errors.As(err, &esErr) && esErr.IsErrorCode(esdb.ErrorCodeResourceAlreadyExists)) {
		return nil
	}
	return fmt.Errorf("create consumer group %s: %w", g.group, err)
}

// open connects to the group, creating it first when the server does not
// know it.
func (g *groupSubscription) open(ctx context.Context) (*esdb.PersistentSubscription, error) {
	ps, err := g.connect(ctx)
	var esErr *esdb.Error
	if err != nil && errors.As(err, &esErr) && esErr.IsErrorCode(esdb.ErrorCodeResourceNotFound) {
		if err := g.ensureGroup(ctx); err != nil {
			return nil, err
		}
		ps, err = g.connect(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("connect to consumer group %s: %w", g.group, err)
	}
	return ps, nil
}

func (g *groupSubscription) connect(ctx context.Context) (*esdb.PersistentSubscription, error) {
	opts := esdb.SubscribeToPersistentSubscriptionOptions{BufferSize: g.s.cfg.BufferSize}
	if g.src.isAll() {
		return g.s.client.SubscribeToPersistentSubscriptionToAll(ctx, g.group, opts)
	}
	return g.s.client.SubscribeToPersistentSubscription(ctx, g.src.stream, g.group, opts)
}

// run consumes ps, reconnecting after transient failures, until ctx is done
// or a failure is permanent. Messages in flight when it stops are not
// acked; the server gives them to another consumer (at least once).
func (g *groupSubscription) run(ctx context.Context, ps *esdb.PersistentSubscription) {
	b := newBackoff(g.s.cfg.ResubscribeBackoff, g.s.cfg.MaxResubscribeBackoff)
	for {
		if ps == nil {
			var err error
			if ps, err = g.open(ctx); err != nil {
				if ctx.Err() != nil {
					return
				}
				if isPermanent(err) {
					g.logger.Error("cannot reconnect to the consumer group; closing the subscription", translate(err), nil)
					return
				}
				d := b.wait()
				g.logger.Info("reconnecting to the consumer group failed; retrying", watermill.LogFields{"err": err.Error(), "backoff": d.String()})
				if !sleep(ctx, d) {
					return
				}
				continue
			}
		}
		progressed, err := g.consume(ctx, ps)
		_ = ps.Close()
		ps = nil
		if ctx.Err() != nil {
			return
		}
		if isPermanent(err) {
			g.logger.Error("consumer group connection dropped for good; closing the subscription", translate(err), nil)
			return
		}
		if progressed {
			b.reset()
		}
		d := b.wait()
		g.logger.Info("consumer group connection dropped; reconnecting", watermill.LogFields{"err": fmt.Sprint(err), "backoff": d.String()})
		if !sleep(ctx, d) {
			return
		}
	}
}

// consume delivers the events of one connection until it drops or ctx is
// done, acking and nacking on the server. It reports whether any message
// was acked.
func (g *groupSubscription) consume(ctx context.Context, ps *esdb.PersistentSubscription) (progressed bool, err error) {
	for {
		ev := ps.Recv()
		if ev.SubscriptionDropped != nil {
			return progressed, ev.SubscriptionDropped.Error
		}
		if ev.EventAppeared == nil || ev.EventAppeared.Event == nil {
			continue
		}
		resolved := ev.EventAppeared.Event
		switch deliver(ctx, g.out, toMessage(recordedOf(resolved))) {
		case acked:
			if err := ps.Ack(resolved); err != nil {
				return progressed, fmt.Errorf("ack event %s: %w", resolved.OriginalEvent().EventID, err)
			}
			progressed = true
		case nacked:
			if !sleep(ctx, g.s.cfg.NackResendSleep) {
				return progressed, ctx.Err()
			}
			if err := ps.Nack("nacked by the consumer", esdb.NackActionRetry, resolved); err != nil {
				return progressed, fmt.Errorf("nack event %s: %w", resolved.OriginalEvent().EventID, err)
			}
		case stopped:
			return progressed, ctx.Err()
		}
	}
}
