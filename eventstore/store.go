package eventstore

import (
	"context"
	"crypto/sha1" //nolint:gosec // see deterministicID
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/leerpad/leerpad/domain"
)

// Metadata travels with every event: who caused it and why. It never holds
// personal data: actors are pseudonymous subject ids.
type Metadata struct {
	CorrelationID string `json:"correlationId,omitempty"`
	CausationID   string `json:"causationId,omitempty"`
	Actor         string `json:"actor,omitempty"`
	SchemaVersion int    `json:"schemaVersion"`
}

// Recorded is a decoded event with where and when it was stored.
type Recorded struct {
	ID       uuid.UUID
	Event    domain.Event
	Revision uint64
	Position uint64
	Created  time.Time
	Metadata Metadata
}

// Store reads and appends domain events through the official client. It is
// the one place where client errors become domain error kinds.
type Store struct {
	client  *esdb.Client
	codec   *Codec
	appends *prometheus.HistogramVec // nil until RegisterMetrics
	cache   *streamCache             // nil: every Load reads the whole stream
}

// NewStore returns a Store over a connected client.
func NewStore(client *esdb.Client, codec *Codec) *Store {
	return &Store{client: client, codec: codec}
}

// RegisterMetrics registers the store's append-latency histogram
// (leerpad_eventstore_append_duration_seconds, labelled by stream category
// and outcome) with reg. Call it once, before the store is used.
func (s *Store) RegisterMetrics(reg prometheus.Registerer) error {
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "leerpad_eventstore_append_duration_seconds",
		Help:    "Time to append events through the event-store client, from request to acknowledgement (after fsync).",
		Buckets: []float64{.0005, .001, .002, .005, .01, .02, .05, .1, .25, .5, 1, 2.5},
	}, []string{"category", "outcome"})
	if err := reg.Register(h); err != nil {
		return fmt.Errorf("register event-store metrics: %w", err)
	}
	s.appends = h
	return nil
}

// Client returns the underlying client (for subscriptions).
func (s *Store) Client() *esdb.Client { return s.client }

// Codec returns the store's codec.
func (s *Store) Codec() *Codec { return s.codec }

// Load reads a whole stream and decodes it. A stream with no events returns
// domain.ErrNotFound; an unknown event name fails (aggregates must know all
// of their history). With a stream cache (EnableStreamCache) only the events
// after the cached ones are read. The returned slice is shared: callers must
// not modify it.
func (s *Store) Load(ctx context.Context, stream string) ([]Recorded, error) {
	gen := s.cache.generation()
	have := s.cache.get(stream)
	var from esdb.StreamPosition = esdb.Start{}
	if len(have) > 0 {
		from = esdb.Revision(have[len(have)-1].Revision + 1)
	}
	fresh, err := s.read(ctx, stream, from)
	if err != nil {
		s.cache.drop(stream)
		return nil, err
	}
	out := have
	if len(fresh) > 0 {
		if len(have) > 0 && fresh[0].Revision != have[len(have)-1].Revision+1 {
			// Not a continuation (the stream was truncated or recreated):
			// read it whole.
			s.cache.drop(stream)
			if out, err = s.read(ctx, stream, esdb.Start{}); err != nil {
				return nil, err
			}
		} else {
			// A full slice expression: appending never writes into an
			// array another caller holds.
			out = append(have[:len(have):len(have)], fresh...)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("read %s: %w", stream, domain.ErrNotFound)
	}
	s.cache.put(stream, out, gen)
	return out, nil
}

// read decodes the events of stream from a position on.
func (s *Store) read(ctx context.Context, stream string, from esdb.StreamPosition) ([]Recorded, error) {
	rs, err := s.client.ReadStream(ctx, stream, esdb.ReadStreamOptions{From: from}, ^uint64(0))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", stream, translate(err))
	}
	defer rs.Close()
	var out []Recorded
	for {
		ev, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", stream, translate(err))
		}
		r, err := s.decode(ev.Event)
		if err != nil {
			return nil, fmt.Errorf("read %s at revision %d: %w", stream, ev.Event.EventNumber, err)
		}
		out = append(out, r)
	}
}

// EnableStreamCache keeps the decoded history of up to maxStreams recently
// loaded streams. Events never change once written, so a later Load reads
// only what was appended since: checking access to a journey or running a
// command on it costs one short read instead of the whole stream, and every
// answer still reflects the log as it is now (replicas stay consistent).
// Call it before the store is used.
func (s *Store) EnableStreamCache(maxStreams int) {
	if maxStreams > 0 {
		s.cache = newStreamCache(maxStreams)
	}
}

// DropStreamCache drops every decoded history the stream cache holds (they
// hold people's data in plain text), and those being read now.
func (s *Store) DropStreamCache() { s.cache.clear() }

// Decode turns a recorded event of the client into a domain event.
func (s *Store) Decode(ev *esdb.RecordedEvent) (Recorded, error) { return s.decode(ev) }

func (s *Store) decode(ev *esdb.RecordedEvent) (Recorded, error) {
	var m Metadata
	if len(ev.UserMetadata) > 0 {
		if err := json.Unmarshal(ev.UserMetadata, &m); err != nil {
			return Recorded{}, fmt.Errorf("event metadata: %w", err)
		}
	}
	e, err := s.codec.Decode(ev.EventType, m.SchemaVersion, ev.Data)
	if err != nil {
		return Recorded{}, err
	}
	return Recorded{ID: ev.EventID, Event: e, Revision: ev.EventNumber, Position: ev.Position.Commit,
		Created: ev.CreatedDate, Metadata: m}, nil
}

// Expected is the revision a stream must be at for an append: NoStream, or
// the revision of the last event loaded.
type Expected struct {
	noStream bool
	revision uint64
}

// NoStream expects the stream not to exist.
func NoStream() Expected { return Expected{noStream: true} }

// AtRevision expects the stream's last event to be at revision r.
func AtRevision(r uint64) Expected { return Expected{revision: r} }

func (x Expected) esdb() esdb.ExpectedRevision {
	if x.noStream {
		return esdb.NoStream{}
	}
	return esdb.Revision(x.revision)
}

// Append encodes events and appends them atomically, each with meta (its
// schema version set per event). ids, when not nil, gives each event its id
// (deterministic ids make retries idempotent on the server); otherwise ids
// are random. A stream that is not at x yields domain.ErrStale (for
// NoStream: the stream exists). It returns the position of the last event.
func (s *Store) Append(ctx context.Context, stream string, x Expected, events []domain.Event, ids []uuid.UUID, meta Metadata) (uint64, error) {
	data := make([]esdb.EventData, len(events))
	for i, e := range events {
		name, payload, version, err := s.codec.Encode(e)
		if err != nil {
			return 0, err
		}
		m := meta
		m.SchemaVersion = version
		mb, err := json.Marshal(m)
		if err != nil {
			return 0, fmt.Errorf("encode metadata: %w", err)
		}
		data[i] = esdb.EventData{EventType: name, ContentType: esdb.ContentTypeJson, Data: payload, Metadata: mb}
		if ids != nil {
			data[i].EventID = ids[i]
		} else {
			data[i].EventID = uuid.New()
		}
	}
	start := time.Now()
	res, err := s.client.AppendToStream(ctx, stream, esdb.AppendToStreamOptions{ExpectedRevision: x.esdb()}, data...)
	s.observeAppend(stream, start, err)
	if err != nil {
		return 0, fmt.Errorf("append to %s: %w", stream, translate(err))
	}
	return res.CommitPosition, nil
}

func (s *Store) observeAppend(stream string, start time.Time, err error) {
	if s.appends == nil {
		return
	}
	category, _, _ := ParseStreamID(stream)
	outcome := "ok"
	switch {
	case err == nil:
	case errors.Is(translate(err), domain.ErrConflict):
		outcome = "conflict"
	default:
		outcome = "error"
	}
	s.appends.WithLabelValues(category, outcome).Observe(time.Since(start).Seconds())
}

// eventIDNamespace scopes Leerpad's name-based event ids.
var eventIDNamespace = uuid.MustParse("6f1c9a4e-2b0d-4c5e-9a7f-1d3e5b7c9a20")

// DeterministicIDs derives n event ids from an idempotency key and a stream:
// the same key, stream and index always give the same id.
func DeterministicIDs(stream, key string, n int) []uuid.UUID {
	ids := make([]uuid.UUID, n)
	for i := range ids {
		ids[i] = deterministicID(stream, key, i)
	}
	return ids
}

// deterministicID is the id of the i-th event (from 0) of DeterministicIDs.
func deterministicID(stream, key string, i int) uuid.UUID {
	return uuid.NewHash(sha1.New(), eventIDNamespace, []byte(fmt.Sprintf("%s\x00%s\x00%d", stream, key, i)), 5) //nolint:gosec // RFC 9562 v5 names use SHA-1; not a security use
}

// translate turns client errors into domain error kinds, here and nowhere
// else. (esdb.FromError is not used: its boolean is inverted and it misses
// wrapped errors.)
func translate(err error) error {
	var ee *esdb.Error
	if errors.As(err, &ee) {
		switch {
		case ee.IsErrorCode(esdb.ErrorCodeWrongExpectedVersion):
			return fmt.Errorf("%w: %w", domain.ErrStale, err)
		case ee.IsErrorCode(esdb.ErrorCodeResourceNotFound):
			// The client's wording adds nothing a caller can use (and the API
			// shows error texts of this kind): the caller says what was read.
			return domain.ErrNotFound
		case ee.IsErrorCode(esdb.ErrorCodeStreamDeleted):
			return fmt.Errorf("deleted: %w", domain.ErrNotFound)
		}
	}
	return err
}

// StreamID is the stream name of an entity: <category>-<id>.
func StreamID(category, id string) string { return category + "-" + id }

// ParseStreamID splits a stream name at the first hyphen (ids contain
// hyphens themselves).
func ParseStreamID(stream string) (category, id string, ok bool) {
	category, id, ok = strings.Cut(stream, "-")
	return category, id, ok && category != "" && id != ""
}
