package watermillesdb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
)

// Checkpoint is how far a catch-up subscription has processed: the last
// acked event of its topic. For a stream topic Revision is that event's
// revision and the subscription resumes after it; for an $all topic
// (AllTopic or a filtered one) Commit and Prepare are its position in $all
// (or a later one the server reported while scanning past filtered-out
// events) and the subscription resumes after that position.
type Checkpoint struct {
	// Revision is the stream revision of the last acked event (stream topics).
	Revision uint64 `json:"revision"`
	// Commit is the commit position in $all of the last acked event.
	Commit uint64 `json:"commit"`
	// Prepare is the prepare position in $all of the last acked event.
	Prepare uint64 `json:"prepare"`
}

// CheckpointStore keeps catch-up checkpoints by name. The Subscriber names
// them "<SubscriberConfig.Name>@<topic>". Implementations must be safe for
// concurrent use.
type CheckpointStore interface {
	// Load returns the checkpoint saved under name; ok is false when none
	// was saved. Errors are storage failures.
	Load(ctx context.Context, name string) (cp Checkpoint, ok bool, err error)
	// Save replaces the checkpoint saved under name.
	Save(ctx context.Context, name string, cp Checkpoint) error
}

// MemoryCheckpointStore keeps checkpoints in memory: they last as long as the
// process, which suits read models that are rebuilt at start. The zero value
// is ready to use.
type MemoryCheckpointStore struct {
	mu  sync.Mutex
	cps map[string]Checkpoint
}

var _ CheckpointStore = (*MemoryCheckpointStore)(nil)

// NewMemoryCheckpointStore returns an empty in-memory store.
func NewMemoryCheckpointStore() *MemoryCheckpointStore { return &MemoryCheckpointStore{} }

// Load returns the checkpoint saved under name. It never fails.
func (m *MemoryCheckpointStore) Load(_ context.Context, name string) (Checkpoint, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	cp, ok := m.cps[name]
	return cp, ok, nil
}

// Save replaces the checkpoint saved under name. It never fails.
func (m *MemoryCheckpointStore) Save(_ context.Context, name string, cp Checkpoint) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cps == nil {
		m.cps = make(map[string]Checkpoint)
	}
	m.cps[name] = cp
	return nil
}

// CheckpointEventType is the event type of the checkpoint events a
// StreamCheckpointStore appends. It starts with "$" so that $all
// subscriptions excluding system events (the default for AllTopic) do not
// see them.
const CheckpointEventType = "$watermill.checkpoint"

// DefaultCheckpointStreamPrefix is the default StreamCheckpointStore prefix.
const DefaultCheckpointStreamPrefix = "$checkpoint-"

// StreamCheckpointStore keeps each checkpoint as an event in its own stream,
// "<prefix><name>" (default prefix "$checkpoint-"), through the official
// client. Save appends a new event (JSON Checkpoint, type
// CheckpointEventType); Load reads the latest one. The first Save of a name
// in a store sets $maxCount 1 on the stream, so the server keeps only the
// latest checkpoint. The checkpoints live as long as the event store and are
// shared by every process using the same names.
type StreamCheckpointStore struct {
	client *esdb.Client
	prefix string

	mu      sync.Mutex
	limited map[string]bool // streams whose $maxCount this store has ensured
}

var _ CheckpointStore = (*StreamCheckpointStore)(nil)

// NewStreamCheckpointStore returns a store writing to "<prefix><name>"
// streams; an empty prefix takes DefaultCheckpointStreamPrefix.
func NewStreamCheckpointStore(client *esdb.Client, prefix string) *StreamCheckpointStore {
	if prefix == "" {
		prefix = DefaultCheckpointStreamPrefix
	}
	return &StreamCheckpointStore{client: client, prefix: prefix, limited: make(map[string]bool)}
}

// Stream is the stream the checkpoint called name is kept in.
func (s *StreamCheckpointStore) Stream(name string) string { return s.prefix + name }

// Load reads the latest checkpoint event of the name's stream. A missing
// stream is no checkpoint (ok false), not an error.
func (s *StreamCheckpointStore) Load(ctx context.Context, name string) (Checkpoint, bool, error) {
	stream := s.Stream(name)
	rs, err := s.client.ReadStream(ctx, stream, esdb.ReadStreamOptions{Direction: esdb.Backwards, From: esdb.End{}}, 1)
	if err != nil {
		return Checkpoint{}, false, fmt.Errorf("read checkpoint stream %s: %w", stream, err)
	}
	defer rs.Close()
	ev, err := rs.Recv()
	if err != nil {
		var esErr *esdb.Error
		if errors.Is(err, io.EOF) || (errors.As(err, &esErr) && esErr.IsErrorCode(esdb.ErrorCodeResourceNotFound)) {
			return Checkpoint{}, false, nil
		}
		return Checkpoint{}, false, fmt.Errorf("read checkpoint stream %s: %w", stream, err)
	}
	var cp Checkpoint
	if err := json.Unmarshal(recordedOf(ev).Data, &cp); err != nil {
		return Checkpoint{}, false, fmt.Errorf("decode checkpoint in stream %s: %w", stream, err)
	}
	return cp, true, nil
}

// Save appends the checkpoint to the name's stream.
func (s *StreamCheckpointStore) Save(ctx context.Context, name string, cp Checkpoint) error {
	stream := s.Stream(name)
	data, err := json.Marshal(cp)
	if err != nil {
		return fmt.Errorf("encode checkpoint for stream %s: %w", stream, err)
	}
	ev := esdb.EventData{EventType: CheckpointEventType, ContentType: esdb.ContentTypeJson, Data: data}
	if _, err := s.client.AppendToStream(ctx, stream, esdb.AppendToStreamOptions{ExpectedRevision: esdb.Any{}}, ev); err != nil {
		return fmt.Errorf("append checkpoint to stream %s: %w", stream, err)
	}
	return s.limit(ctx, stream)
}

// limit sets $maxCount 1 on stream unless this store did so already or the
// stream carries it.
func (s *StreamCheckpointStore) limit(ctx context.Context, stream string) error {
	s.mu.Lock()
	done := s.limited[stream]
	s.mu.Unlock()
	if done {
		return nil
	}
	meta, err := s.client.GetStreamMetadata(ctx, stream, esdb.ReadStreamOptions{})
	var esErr *esdb.Error
	switch {
	case err == nil:
		if n := meta.MaxCount(); n != nil && *n == 1 {
			s.markLimited(stream)
			return nil
		}
	case errors.As(err, &esErr) && esErr.IsErrorCode(esdb.ErrorCodeResourceNotFound):
		meta = &esdb.StreamMetadata{}
	default:
		return fmt.Errorf("read metadata of checkpoint stream %s: %w", stream, err)
	}
	meta.SetMaxCount(1)
	if _, err := s.client.SetStreamMetadata(ctx, stream, esdb.AppendToStreamOptions{ExpectedRevision: esdb.Any{}}, *meta); err != nil {
		return fmt.Errorf("set $maxCount on checkpoint stream %s: %w", stream, err)
	}
	s.markLimited(stream)
	return nil
}

func (s *StreamCheckpointStore) markLimited(stream string) {
	s.mu.Lock()
	s.limited[stream] = true
	s.mu.Unlock()
}
