package projectionlog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/google/uuid"

	"github.com/leerpad/leerpad/eventstore/watermillesdb"
	"github.com/leerpad/leerpad/projections"
)

// PoisonQueue keeps the events the projections could not handle, one stream
// per topic ("poison-<projection>"), in the event store: it implements
// projections.PoisonQueue. A poisoned event keeps its payload and event type,
// and its custom metadata holds the original event's metadata (correlation
// id, schema version, and the stream, revision and position it was stored
// at), the reason and the handler. Inspect one with any client:
//
//	leerpad node … ; then read stream poison-portfolio
//
// It is safe for concurrent use.
type PoisonQueue struct {
	client *esdb.Client
	pub    *watermillesdb.Publisher
}

var _ projections.PoisonQueue = (*PoisonQueue)(nil)

// NewPoisonQueue returns the poison queues over client, owned by the caller.
func NewPoisonQueue(client *esdb.Client, logger *slog.Logger) (*PoisonQueue, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	pub, err := watermillesdb.NewPublisher(watermillesdb.PublisherConfig{}, client, watermill.NewSlogLogger(logger))
	if err != nil {
		return nil, fmt.Errorf("new poison queue: %w", err)
	}
	return &PoisonQueue{client: client, pub: pub}, nil
}

// poisonIDNamespace scopes the event ids of poisoned messages.
func poisonIDNamespace() uuid.UUID { return uuid.MustParse("0b7d3c52-8f0e-4a61-9d2b-6c1e4f8a7d30") }

// Publish appends msgs to the stream topic. Each is stored under an event id
// derived from the topic and the message's UUID (the original event's id), so
// that two projections poisoning the same event write distinct events, and a
// retried publish is deduplicated by the server.
func (q *PoisonQueue) Publish(topic string, msgs ...*message.Message) error {
	out := make([]*message.Message, len(msgs))
	for i, m := range msgs {
		c := message.NewMessage(uuid.NewSHA1(poisonIDNamespace(), []byte(topic+"\x00"+m.UUID)).String(), m.Payload)
		for k, v := range m.Metadata {
			c.Metadata[k] = v
		}
		out[i] = c
	}
	if err := q.pub.Publish(topic, out...); err != nil {
		return fmt.Errorf("publish to poison queue %s: %w", topic, err)
	}
	return nil
}

// Read returns the poisoned messages in stream topic, oldest first; Seq is
// the revision in that stream. The metadata is the stored custom metadata
// as it is, so the stream, revision and position keys are the original
// event's (a watermillesdb Subscriber would overwrite them with the poison
// stream's).
func (q *PoisonQueue) Read(ctx context.Context, topic string) ([]projections.PoisonedMessage, error) {
	rs, err := q.client.ReadStream(ctx, topic, esdb.ReadStreamOptions{From: esdb.Start{}}, ^uint64(0))
	if err != nil {
		return nil, fmt.Errorf("read poison queue %s: %w", topic, err)
	}
	defer rs.Close()
	var out []projections.PoisonedMessage
	for {
		ev, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if isNotFound(err) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read poison queue %s: %w", topic, err)
		}
		rec := ev.OriginalEvent()
		msg := message.NewMessage(rec.EventID.String(), rec.Data)
		if len(rec.UserMetadata) > 0 {
			var md map[string]string
			if err := json.Unmarshal(rec.UserMetadata, &md); err != nil {
				return nil, fmt.Errorf("read poison queue %s: metadata of event %d: %w", topic, rec.EventNumber, err)
			}
			for k, v := range md {
				msg.Metadata[k] = v
			}
		}
		out = append(out, projections.PoisonedMessage{Seq: rec.EventNumber, Message: msg})
	}
}

// Remove truncates stream topic before through+1 ($tb), so that reads no
// longer see the messages up to through; the server scavenges them.
func (q *PoisonQueue) Remove(ctx context.Context, topic string, through uint64) error {
	meta, err := q.client.GetStreamMetadata(ctx, topic, esdb.ReadStreamOptions{})
	if isNotFound(err) {
		meta, err = &esdb.StreamMetadata{}, nil
	}
	if err != nil {
		return fmt.Errorf("remove from poison queue %s: read its metadata: %w", topic, err)
	}
	meta.SetTruncateBefore(through + 1)
	if _, err := q.client.SetStreamMetadata(ctx, topic, esdb.AppendToStreamOptions{ExpectedRevision: esdb.Any{}}, *meta); err != nil {
		return fmt.Errorf("remove from poison queue %s up to %d: %w", topic, through, err)
	}
	return nil
}

// Close stops the publisher; the client stays open.
func (q *PoisonQueue) Close() error { return q.pub.Close() }

func isNotFound(err error) bool {
	var esErr *esdb.Error
	return errors.As(err, &esErr) && esErr.IsErrorCode(esdb.ErrorCodeResourceNotFound)
}
