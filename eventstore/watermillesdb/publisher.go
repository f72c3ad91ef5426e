package watermillesdb

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
)

// PublisherConfig configures a Publisher. Zero values take the documented
// defaults.
type PublisherConfig struct {
	// EventTypeMetadataKey is the metadata key whose value becomes the
	// event type (default "event_type", the key the Subscriber sets).
	EventTypeMetadataKey string
	// DefaultEventType is the event type of a message without that key
	// (default "watermill.message").
	DefaultEventType string
	// Timeout bounds one Publish call (default 10 s).
	Timeout time.Duration
}

func (c *PublisherConfig) setDefaults() {
	if c.EventTypeMetadataKey == "" {
		c.EventTypeMetadataKey = MetadataEventType
	}
	if c.DefaultEventType == "" {
		c.DefaultEventType = "watermill.message"
	}
	if c.Timeout == 0 {
		c.Timeout = 10 * time.Second
	}
}

// Validate reports a configuration that cannot work.
func (c PublisherConfig) Validate() error {
	if c.Timeout < 0 {
		return fmt.Errorf("%w: negative publish timeout %s", ErrInvalidConfig, c.Timeout)
	}
	return nil
}

// Publisher appends watermill messages to event-store streams: the topic is
// the stream name. It is safe for concurrent use.
type Publisher struct {
	cfg    PublisherConfig
	client *esdb.Client
	logger watermill.LoggerAdapter

	mu     sync.RWMutex
	closed bool
	wg     sync.WaitGroup
}

var _ message.Publisher = (*Publisher)(nil)

// NewPublisher returns a Publisher over client. The client stays owned by the
// caller: Close does not close it. A nil logger discards logs.
func NewPublisher(cfg PublisherConfig, client *esdb.Client, logger watermill.LoggerAdapter) (*Publisher, error) {
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
	return &Publisher{cfg: cfg, client: client, logger: logger}, nil
}

// Publish appends msgs, in order, to the stream named by topic in one atomic
// append: all of them are stored or none. The expected revision is "any";
// a retried publish of the same messages right away is deduplicated by the
// server through the event ids (see EventID). It returns ErrClosed after
// Close and ErrTopicDeleted (wrapped) for a tombstoned stream.
//
// The messages' contexts are not used: a message received from a Subscriber
// and published on (a poison queue, a forwarder) has a context that ends with
// its ack, which must not abort the append. Timeout bounds the call.
func (p *Publisher) Publish(topic string, msgs ...*message.Message) error {
	p.mu.RLock()
	if p.closed {
		p.mu.RUnlock()
		return ErrClosed
	}
	p.wg.Add(1)
	p.mu.RUnlock()
	defer p.wg.Done()

	if err := checkPublishTopic(topic); err != nil {
		return err
	}
	if len(msgs) == 0 {
		return nil
	}
	events := make([]esdb.EventData, 0, len(msgs))
	for _, msg := range msgs {
		ev, err := toEventData(msg, p.cfg)
		if err != nil {
			return fmt.Errorf("encode message %s for stream %s: %w", msg.UUID, topic, err)
		}
		events = append(events, ev)
	}
	ctx, cancel := context.WithTimeout(context.Background(), p.cfg.Timeout)
	defer cancel()
	res, err := p.client.AppendToStream(ctx, topic, esdb.AppendToStreamOptions{ExpectedRevision: esdb.Any{}}, events...)
	if err != nil {
		return fmt.Errorf("append %d messages to stream %s: %w", len(events), topic, translate(err))
	}
	p.logger.Trace("messages published", watermill.LogFields{
		"topic": topic, "count": len(events), "last_revision": res.NextExpectedVersion, "position": res.CommitPosition,
	})
	return nil
}

// checkPublishTopic refuses topics that are not a stream one may append to.
func checkPublishTopic(topic string) error {
	switch {
	case topic == "":
		return fmt.Errorf("publish: %w: empty topic", ErrInvalidConfig)
	case topic == AllTopic:
		return fmt.Errorf("publish: %w: cannot append to %s", ErrInvalidConfig, AllTopic)
	case strings.HasPrefix(topic, "$$"):
		return fmt.Errorf("publish: %w: %s is a metadata stream", ErrInvalidConfig, topic)
	}
	return nil
}

// Close stops the Publisher: later calls to Publish return ErrClosed, and
// publishes in flight are waited for (each is bounded by Timeout), so none
// is cut off half-way. Close is idempotent.
func (p *Publisher) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	p.mu.Unlock()
	p.wg.Wait()
	return nil
}
