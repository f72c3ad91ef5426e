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

	"github.com/leerpad/leerpad/domain/catalogue"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/domain/feedback"
	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/domain/privacy"
	"github.com/leerpad/leerpad/eventstore"
	"github.com/leerpad/leerpad/eventstore/watermillesdb"
	"github.com/leerpad/leerpad/projections"
)

// Prefixes returns the stream-name prefixes of Leerpad's domain streams, the
// categories the domain packages own: the events the read models are built
// from, and the erasures, which every read model obeys. The read audit
// (portfolioreads-) is left out: it is read where it is shown. Everything else in $all (checkpoints, poison queues, system streams)
// is filtered out on the server.
func Prefixes() []string {
	categories := []string{
		catalogue.ModuleCategory, catalogue.ProgrammeCategory, catalogue.EntityCategory,
		cohort.StreamCategory, journey.StreamCategory, feedback.InstrumentCategory, feedback.RoundCategory,
		privacy.ErasureCategory,
	}
	out := make([]string, len(categories))
	for i, c := range categories {
		out[i] = c + "-"
	}
	return out
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

var _ projections.BulkSource = (*Source)(nil)

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
	return s.decodePayload(ev, md[watermillesdb.MetadataEventType], md[schemaVersionKey], msg.Payload)
}

// decodePayload sets ev.Data: the payload of an event named name decoded by
// the codec at schema version version (the text in the event's metadata), or
// an UnknownEvent.
func (s *Source) decodePayload(ev projections.Event, name, version string, payload []byte) (projections.Event, error) {
	if !s.cfg.Codec.Known(name) {
		ev.Data = projections.UnknownEvent{Name: name}
		return ev, nil
	}
	v := 0
	if version != "" {
		var err error
		if v, err = strconv.Atoi(version); err != nil {
			return ev, fmt.Errorf("decode %s@%d: schema version %q: %w", ev.Stream, ev.Revision, version, err)
		}
	}
	var err error
	if ev.Data, err = s.cfg.Codec.Decode(name, v, payload); err != nil {
		return ev, fmt.Errorf("decode %s@%d: %w", ev.Stream, ev.Revision, err)
	}
	return ev, nil
}

// ReadBulk reads the domain events after position after up to and including
// position until through a catch-up subscription to $all of the client itself,
// with the same server-side filter as Subscribe but without the watermill
// Subscriber (no message, no ack per event), and hands them to deliver in
// batches of up to size events. It returns nil once it delivered the event at
// until, or saw that the log holds nothing more up to until (a later
// position, or the server's caught-up message).
func (s *Source) ReadBulk(ctx context.Context, after, until uint64, size int, deliver func([]projections.Stored) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	opts := esdb.SubscribeToAllOptions{From: esdb.Start{}, Filter: s.filter}
	if after > 0 {
		opts.From = esdb.Position{Commit: after, Prepare: after}
	}
	sub, err := s.cfg.Client.SubscribeToAll(ctx, opts)
	if err != nil {
		return fmt.Errorf("read the domain events of $all after position %d in bulk: %w", after, err)
	}
	defer func() { _ = sub.Close() }()
	size = min(max(size, 1), 1<<16)
	batch := make([]projections.Stored, 0, size)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := deliver(batch)
		batch = make([]projections.Stored, 0, size)
		return err
	}
	for {
		ev := sub.Recv()
		switch {
		case ev.SubscriptionDropped != nil:
			if err := flush(); err != nil {
				return err
			}
			return fmt.Errorf("read the domain events of $all in bulk up to position %d: %w", until, ev.SubscriptionDropped.Error)
		case ev.CaughtUp != nil:
			return flush()
		case ev.CheckPointReached != nil:
			if ev.CheckPointReached.Commit >= until {
				return flush()
			}
		case ev.EventAppeared != nil:
			rec := ev.EventAppeared.Event // as the Subscriber: the link target when resolved
			if rec == nil {
				rec = ev.EventAppeared.Link
			}
			if rec == nil {
				continue
			}
			if rec.Position.Commit > until {
				return flush()
			}
			batch = append(batch, projections.Stored{
				ID: rec.EventID, Stream: rec.StreamID, Revision: rec.EventNumber, Position: rec.Position.Commit,
				Created: rec.CreatedDate, Type: rec.EventType, Data: rec.Data, Metadata: rec.UserMetadata,
			})
			if rec.Position.Commit == until || len(batch) == size {
				if err := flush(); err != nil || rec.Position.Commit == until {
					return err
				}
			}
		}
	}
}

// DecodeStored returns what Decode returns for the message Subscribe would
// deliver for st, and the correlation id in its metadata.
func (s *Source) DecodeStored(st *projections.Stored) (projections.Event, string, error) {
	md := watermillesdb.CustomMetadata(st.Metadata)
	// The Subscriber writes the created time as RFC 3339 in UTC, which
	// Decode parses back: the same instant, in UTC.
	ev := projections.Event{Stream: st.Stream, Revision: st.Revision, Position: st.Position, Recorded: st.Created.UTC()}
	ev, err := s.decodePayload(ev, st.Type, md[schemaVersionKey], st.Data)
	return ev, md[projections.CorrelationIDKey], err
}

// Message returns a new message for st, as Subscribe would deliver it.
func (s *Source) Message(st *projections.Stored) *message.Message {
	return watermillesdb.NewMessage(&esdb.RecordedEvent{
		EventID: st.ID, EventType: st.Type, StreamID: st.Stream, EventNumber: st.Revision, CreatedDate: st.Created,
		Position: esdb.Position{Commit: st.Position, Prepare: st.Position}, Data: st.Data, UserMetadata: st.Metadata,
	})
}
