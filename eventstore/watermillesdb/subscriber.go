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

// AllTopic is the topic of the whole log: Subscribe("$all") is a
// subscription to $all, which by default excludes system events (event types
// starting with "$"); set Filters[AllTopic] to change that.
const AllTopic = "$all"

// SubscriberConfig configures a Subscriber. Zero values take the documented
// defaults.
type SubscriberConfig struct {
	// Name is the subscriber's stable name. Catch-up subscriptions keep
	// their checkpoints under "<Name>@<topic>"; renaming it starts them
	// over. Required unless ConsumerGroup is set.
	Name string

	// ConsumerGroup, when set, makes Subscribe join the persistent
	// subscription group of that name instead of running a catch-up
	// subscription, so that every process using the same group shares the
	// topic's messages. A stream topic uses the stream's group of that name;
	// AllTopic uses the $all group of that name; a topic in Filters uses the
	// $all group "<ConsumerGroup>@<topic>". Missing groups are created
	// starting at the beginning of the log, with GroupSettings.
	ConsumerGroup string

	// Checkpoints keeps catch-up progress (default: a MemoryCheckpointStore
	// of this Subscriber alone, so every start replays from the beginning).
	// Use a StreamCheckpointStore, or the read model's own store, to resume
	// across restarts.
	Checkpoints CheckpointStore

	// Filters maps topics to server-side $all filters: such a topic is a
	// subscription to $all with that filter (stream-name or event-type
	// prefixes or regex) instead of to the stream of that name. A nil
	// filter means every event, system events included (also the events
	// of a StreamCheckpointStore, so such a subscription sees its own
	// checkpoints). AllTopic without an entry uses
	// esdb.ExcludeSystemEventsFilter().
	Filters map[string]*esdb.SubscriptionFilter

	// NackResendSleep is how long a nacked message waits before it is
	// delivered again (default 100 ms). With a consumer group it is the
	// wait before the nack is sent to the server, which then redelivers.
	NackResendSleep time.Duration

	// CheckpointEvery saves the checkpoint after this many acks (default
	// 100). Saving happens in the background, never between a message and
	// the next; the last progress is always saved when a subscription
	// stops. A checkpoint that lags behind costs redeliveries after a
	// crash, never lost messages.
	CheckpointEvery int

	// CheckpointInterval saves progress not yet saved at least this often
	// (default 1 s).
	CheckpointInterval time.Duration

	// ResubscribeBackoff is the first wait before resubscribing after a
	// transient failure (the node unavailable, the connection dropped)
	// (default 100 ms). It doubles up to MaxResubscribeBackoff.
	ResubscribeBackoff time.Duration

	// MaxResubscribeBackoff is the longest wait between resubscribe
	// attempts (default 5 s).
	MaxResubscribeBackoff time.Duration

	// GroupSettings are the settings of the consumer groups this Subscriber
	// creates (default esdb.SubscriptionSettingsDefault()). Existing groups
	// are not changed.
	GroupSettings *esdb.PersistentSubscriptionSettings

	// BufferSize is how many unacked events the server may send ahead to
	// one consumer of a group (default 10).
	BufferSize uint32
}

func (c *SubscriberConfig) setDefaults() {
	if c.Checkpoints == nil {
		c.Checkpoints = NewMemoryCheckpointStore()
	}
	if c.NackResendSleep == 0 {
		c.NackResendSleep = 100 * time.Millisecond
	}
	if c.CheckpointEvery == 0 {
		c.CheckpointEvery = 100
	}
	if c.CheckpointInterval == 0 {
		c.CheckpointInterval = time.Second
	}
	if c.ResubscribeBackoff == 0 {
		c.ResubscribeBackoff = 100 * time.Millisecond
	}
	if c.MaxResubscribeBackoff == 0 {
		c.MaxResubscribeBackoff = 5 * time.Second
	}
	if c.GroupSettings == nil {
		s := esdb.SubscriptionSettingsDefault()
		c.GroupSettings = &s
	}
	if c.BufferSize == 0 {
		c.BufferSize = 10
	}
}

// Validate reports a configuration that cannot work.
func (c SubscriberConfig) Validate() error {
	switch {
	case c.Name == "" && c.ConsumerGroup == "":
		return fmt.Errorf("%w: a subscriber needs a Name (for its checkpoints) or a ConsumerGroup", ErrInvalidConfig)
	case c.NackResendSleep < 0, c.CheckpointInterval < 0, c.ResubscribeBackoff < 0, c.MaxResubscribeBackoff < 0:
		return fmt.Errorf("%w: negative duration", ErrInvalidConfig)
	case c.CheckpointEvery < 0:
		return fmt.Errorf("%w: negative CheckpointEvery", ErrInvalidConfig)
	}
	for topic, f := range c.Filters {
		if f != nil && (len(f.Prefixes) == 0) == (f.Regex == "") {
			return fmt.Errorf("%w: filter of topic %s needs either prefixes or a regex", ErrInvalidConfig, topic)
		}
	}
	return nil
}

// Subscriber delivers the events of event-store streams as watermill
// messages. It is safe for concurrent use; each Subscribe runs on its own.
type Subscriber struct {
	cfg    SubscriberConfig
	client *esdb.Client
	logger watermill.LoggerAdapter

	ctx    context.Context // cancelled by Close; every subscription derives from it
	cancel context.CancelFunc

	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup
}

var (
	_ message.Subscriber           = (*Subscriber)(nil)
	_ message.SubscribeInitializer = (*Subscriber)(nil)
)

// NewSubscriber returns a Subscriber over client. The client stays owned by
// the caller: Close does not close it. A nil logger discards logs.
func NewSubscriber(cfg SubscriberConfig, client *esdb.Client, logger watermill.LoggerAdapter) (*Subscriber, error) {
	if client == nil {
		return nil, fmt.Errorf("%w: nil event-store client", ErrInvalidConfig)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.setDefaults()
	if logger == nil {
		logger = watermill.NopLogger{}
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Subscriber{cfg: cfg, client: client, logger: logger, ctx: ctx, cancel: cancel}, nil
}

// source is what a topic subscribes to: a stream, or $all with a filter.
type source struct {
	topic  string
	stream string // "" for $all
	filter *esdb.SubscriptionFilter
}

func (s source) isAll() bool { return s.stream == "" }

func (s *Subscriber) sourceOf(topic string) source {
	if f, ok := s.cfg.Filters[topic]; ok {
		return source{topic: topic, filter: f}
	}
	if topic == AllTopic {
		return source{topic: topic, filter: esdb.ExcludeSystemEventsFilter()}
	}
	return source{topic: topic, stream: topic}
}

// Subscribe starts delivering the messages of topic on the returned channel,
// one at a time: the next message comes after the previous one was acked
// (or, nacked, the same message again after NackResendSleep; with a consumer
// group the server redelivers it). The channel is closed when ctx is done,
// when Close is called, or when the subscription fails for good (a
// tombstoned stream, access denied), which is logged; transient failures
// resubscribe with backoff from the last acked message. Every message's
// context derives from ctx and ends when the message is acked or nacked.
//
// Subscribe returns ErrClosed after Close, and the error of the first
// attempt to subscribe (or to create the consumer group).
func (s *Subscriber) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	if topic == "" {
		return nil, fmt.Errorf("subscribe: %w: empty topic", ErrInvalidConfig)
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, ErrClosed
	}
	s.wg.Add(1)
	s.mu.Unlock()

	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(s.ctx, cancel)
	done := func() {
		stop()
		cancel()
		s.wg.Done()
	}
	src := s.sourceOf(topic)
	logger := s.logger.With(watermill.LogFields{"topic": topic, "subscriber": s.cfg.Name, "consumer_group": s.cfg.ConsumerGroup})
	out := make(chan *message.Message)

	if s.cfg.ConsumerGroup != "" {
		g := &groupSubscription{s: s, src: src, group: s.groupName(src), out: out, logger: logger}
		first, err := g.open(ctx)
		if err != nil {
			done()
			return nil, fmt.Errorf("subscribe to topic %s in consumer group %s: %w", topic, g.group, translate(err))
		}
		go func() {
			defer done()
			defer close(out)
			g.run(ctx, first)
		}()
		return out, nil
	}

	c := &catchUpSubscription{s: s, src: src, name: s.checkpointName(topic), out: out, logger: logger}
	first, err := c.start(ctx)
	if err != nil {
		done()
		return nil, fmt.Errorf("subscribe to topic %s: %w", topic, translate(err))
	}
	go func() {
		defer done()
		defer close(out)
		c.run(ctx, first)
	}()
	return out, nil
}

// SubscribeInitialize prepares topic for subscribing: with a consumer group
// it creates the group if missing; otherwise there is nothing to prepare.
func (s *Subscriber) SubscribeInitialize(topic string) error {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return ErrClosed
	}
	if s.cfg.ConsumerGroup == "" {
		return nil
	}
	src := s.sourceOf(topic)
	ctx, cancel := context.WithTimeout(s.ctx, 30*time.Second)
	defer cancel()
	g := &groupSubscription{s: s, src: src, group: s.groupName(src)}
	if err := g.ensureGroup(ctx); err != nil {
		return fmt.Errorf("initialise topic %s for consumer group %s: %w", topic, g.group, translate(err))
	}
	return nil
}

// Close stops every subscription, waits for them (saving their checkpoints)
// and closes their channels. Subscribe fails with ErrClosed afterwards.
// Close is idempotent.
func (s *Subscriber) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
	return nil
}

func (s *Subscriber) checkpointName(topic string) string { return s.cfg.Name + "@" + topic }

func (s *Subscriber) groupName(src source) string {
	if src.isAll() && src.topic != AllTopic {
		return s.cfg.ConsumerGroup + "@" + src.topic
	}
	return s.cfg.ConsumerGroup
}

// outcome is what became of one delivered message.
type outcome int

const (
	acked outcome = iota
	nacked
	stopped // ctx done before an ack or nack
)

// deliver hands one message to the consumer and waits for its ack or nack.
func deliver(ctx context.Context, out chan<- *message.Message, msg *message.Message) outcome {
	if ctx.Err() != nil {
		return stopped
	}
	msgCtx, cancel := context.WithCancel(ctx)
	defer cancel() // a message's context ends with its ack or nack
	msg.SetContext(msgCtx)
	select {
	case out <- msg:
	case <-ctx.Done():
		return stopped
	}
	select {
	case <-msg.Acked():
		return acked
	case <-msg.Nacked():
		return nacked
	case <-ctx.Done():
		// An ack racing with the stop still counts, so that its checkpoint
		// is saved and the message is not delivered twice needlessly.
		select {
		case <-msg.Acked():
			return acked
		default:
			return stopped
		}
	}
}

// sleep waits d or until ctx is done; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// backoff doubles a wait up to a ceiling.
type backoff struct {
	first, max, next time.Duration
}

func newBackoff(first, ceiling time.Duration) *backoff {
	return &backoff{first: first, max: ceiling, next: first}
}

func (b *backoff) wait() time.Duration {
	d := b.next
	b.next = min(b.next*2, b.max)
	return d
}

func (b *backoff) reset() { b.next = b.first }
