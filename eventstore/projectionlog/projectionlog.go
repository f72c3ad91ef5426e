// Package projectionlog connects the projection runner to the event store:
// the log the read models are built from (a catch-up subscription to $all,
// filtered on the server by Leerpad's stream prefixes, through the event
// store's watermill Subscriber), its head, the decoding of its messages with
// the codec, and the poison queues (one stream per projection, written
// through the event store's watermill Publisher).
//
// It implements projections.Source and projections.PoisonQueue, so that the
// projections package does not depend on the event store.
package projectionlog

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/leerpad/leerpad/eventstore"
	"github.com/leerpad/leerpad/eventstore/watermillesdb"
	"github.com/leerpad/leerpad/projections"
)

// Prefixes returns the stream-name prefixes of Leerpad's domain streams, the
// categories of shared/ARCHITECTURE.md: the events the read models are built
// from. Everything else in $all (checkpoints, poison queues, system streams)
// is filtered out on the server.
func Prefixes() []string {
	return []string{"module-", "programme-", "entity-", "cohort-", "journey-", "instrument-", "feedback-"}
}

// Topic is the watermill topic of the filtered $all subscription.
const Topic = "leerpad-domain"

// Config configures a Source.
type Config struct {
	// Client is the official client, owned by the caller. Required.
	Client *esdb.Client
	// Codec decodes the events. Required.
	Codec *eventstore.Codec
	// Logger receives the subscription's logs (default: discard).
	Logger *slog.Logger
	// Prefixes are the stream prefixes read (default Prefixes()).
	Prefixes []string
	// Name is the subscriber's name, in logs (default "projections").
	Name string
}

// Source is the log of Leerpad's domain events, read through the official
// client. It implements projections.Source and is safe for concurrent use.
type Source struct {
	cfg    Config
	filter *esdb.SubscriptionFilter
	wlog   watermill.LoggerAdapter
}

var _ projections.Source = (*Source)(nil)

// NewSource returns the log over cfg.Client.
func NewSource(cfg Config) (*Source, error) {
	if cfg.Client == nil || cfg.Codec == nil {
		return nil, errors.New("new projection log: a client and a codec are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if len(cfg.Prefixes) == 0 {
		cfg.Prefixes = Prefixes()
	}
	if cfg.Name == "" {
		cfg.Name = "projections"
	}
	return &Source{
		cfg:    cfg,
		filter: &esdb.SubscriptionFilter{Type: esdb.StreamFilterType, Prefixes: cfg.Prefixes},
		wlog:   watermill.NewSlogLoggerWithLevelMapping(cfg.Logger, map[slog.Level]slog.Level{slog.LevelInfo: slog.LevelDebug}),
	}, nil
}

// Subscribe opens a catch-up subscription to $all, filtered by the prefixes,
// after position after (from the start when 0), through a watermillesdb
// Subscriber of its own, which is closed when ctx ends. The read models keep
// their checkpoints themselves (in the same critical section as their data),
// so the Subscriber's checkpoint store only gives the start and saves
// nothing.
//
// The event store resumes $all after a (commit, prepare) pair; the read
// models keep the commit position, and both are equal on the embedded node.
func (s *Source) Subscribe(ctx context.Context, after uint64) (<-chan *message.Message, error) {
	sub, err := watermillesdb.NewSubscriber(watermillesdb.SubscriberConfig{
		Name:            s.cfg.Name,
		Filters:         map[string]*esdb.SubscriptionFilter{Topic: s.filter},
		Checkpoints:     startAt(after),
		CheckpointEvery: 1 << 30, // saving is a no-op anyway
	}, s.cfg.Client, s.wlog)
	if err != nil {
		return nil, fmt.Errorf("subscribe to the domain events of $all: %w", err)
	}
	msgs, err := sub.Subscribe(ctx, Topic)
	if err != nil {
		_ = sub.Close()
		return nil, fmt.Errorf("subscribe to the domain events of $all after position %d: %w", after, err)
	}
	go func() {
		<-ctx.Done()
		_ = sub.Close()
	}()
	return msgs, nil
}

// startAt is a checkpoint store that only knows where to start.
type startAt uint64

func (p startAt) Load(context.Context, string) (watermillesdb.Checkpoint, bool, error) {
	return watermillesdb.Checkpoint{Commit: uint64(p), Prepare: uint64(p)}, p > 0, nil
}

func (startAt) Save(context.Context, string, watermillesdb.Checkpoint) error { return nil }

// headPage is how many events Head reads per call backwards.
const headPage = 64

// Head returns the position of the last domain event in $all: it reads $all
// backwards from the end, a page at a time, up to the first event in one of
// the prefixes (usually the very last one). An empty log has head 0.
func (s *Source) Head(ctx context.Context) (uint64, error) {
	from := esdb.AllPosition(esdb.End{})
	for {
		rs, err := s.cfg.Client.ReadAll(ctx, esdb.ReadAllOptions{Direction: esdb.Backwards, From: from}, headPage)
		if err != nil {
			return 0, fmt.Errorf("read the head of $all: %w", err)
		}
		n, last, found, pos, err := s.scan(rs)
		rs.Close()
		if err != nil {
			return 0, fmt.Errorf("read the head of $all: %w", err)
		}
		if found {
			return pos, nil
		}
		if n < headPage {
			return 0, nil // the start of the log
		}
		from = last
	}
}

// scan reads one backward page; it returns how many events it read, the
// position of the last one (where the next page starts), and the position of
// the first domain event, if any.
func (s *Source) scan(rs *esdb.ReadStream) (n int, last esdb.Position, found bool, pos uint64, err error) {
	for {
		ev, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			return n, last, false, 0, nil
		}
		if err != nil {
			return n, last, false, 0, err
		}
		rec := ev.OriginalEvent()
		if rec == nil {
			continue
		}
		n++
		last = rec.Position
		if !strings.HasPrefix(rec.EventType, "$") && s.domainStream(rec.StreamID) {
			return n, last, true, rec.Position.Commit, nil
		}
	}
}

func (s *Source) domainStream(stream string) bool {
	for _, p := range s.cfg.Prefixes {
		if strings.HasPrefix(stream, p) {
			return true
		}
	}
	return false
}

// schemaVersionKey is where eventstore.Metadata keeps the schema version.
const schemaVersionKey = "schemaVersion"

// Decode returns the envelope of a message of the subscription (or of a
// poison queue, whose messages keep the original event's metadata): stream,
// revision, position and recorded time from the Subscriber's metadata keys,
// and the payload decoded by the codec at the schema version in the event's
// metadata. An unknown event type decodes to a projections.UnknownEvent. A
// known type whose payload does not decode is an error; the envelope then
// still holds stream, revision and position.
func (s *Source) Decode(msg *message.Message) (projections.Event, error) {
	var ev projections.Event
	md := msg.Metadata
	ev.Stream = md[watermillesdb.MetadataStream]
	var err error
	if ev.Revision, err = strconv.ParseUint(md[watermillesdb.MetadataRevision], 10, 64); err != nil {
		return ev, fmt.Errorf("decode message %s: revision: %w", msg.UUID, err)
	}
	if ev.Position, err = strconv.ParseUint(md[watermillesdb.MetadataPosition], 10, 64); err != nil {
		return ev, fmt.Errorf("decode message %s: position: %w", msg.UUID, err)
	}
	if c := md[watermillesdb.MetadataCreated]; c != "" {
		if ev.Recorded, err = time.Parse(time.RFC3339Nano, c); err != nil {
			return ev, fmt.Errorf("decode message %s: created: %w", msg.UUID, err)
		}
	}
	name := md[watermillesdb.MetadataEventType]
	if !s.cfg.Codec.Known(name) {
		ev.Data = projections.UnknownEvent{Name: name}
		return ev, nil
	}
	version := 0
	if v := md[schemaVersionKey]; v != "" {
		if version, err = strconv.Atoi(v); err != nil {
			return ev, fmt.Errorf("decode %s@%d: schema version %q: %w", ev.Stream, ev.Revision, v, err)
		}
	}
	if ev.Data, err = s.cfg.Codec.Decode(name, version, msg.Payload); err != nil {
		return ev, fmt.Errorf("decode %s@%d: %w", ev.Stream, ev.Revision, err)
	}
	return ev, nil
}
