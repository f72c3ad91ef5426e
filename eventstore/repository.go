package eventstore

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"sync"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/leerpad/leerpad/domain"
)

// Aggregate is what a Repository needs of a domain aggregate: its id, how
// many events it was loaded from, the events its last decision recorded,
// and the two steps that let a decided aggregate be kept instead of being
// loaded again: CatchUp (apply what another writer appended) and Committed
// (the recorded events are stored).
type Aggregate interface {
	ID() string
	Version() int
	Uncommitted() []domain.Event
	CatchUp(events ...domain.Event)
	Committed()
}

// Repository persists one kind of aggregate as streams <category>-<id>. It
// implements the domain's closure-style repository interfaces.
//
// It keeps decided aggregates (an LRU of the most recently used, see
// aggregateCache), keyed by stream and revision, so that a command costs the
// same on a long stream as on a short one: a cached aggregate is brought up to
// date with the events appended after its revision (one short read), or, when
// the command expects exactly the cached revision, with no read at all, since
// the append itself expects that revision and fails with domain.ErrStale
// when another writer (another replica) appended in between.
//
// Commands and views of one aggregate in one process take turns (turn): a
// command waits for the one before it instead of losing a race against it,
// and a view waits for the command under way instead of replaying the
// stream beside it. Only a write of another process (another replica) can
// make an append stale.
type Repository[A Aggregate] struct {
	store    *Store
	category string
	replay   func(events ...domain.Event) A
	cache    *aggregateCache[A]
	turns    [256]sync.Mutex // by a hash of the stream name
}

// NewRepository returns a repository for the aggregates of one stream
// category, rebuilt with replay, that keeps up to cached decided aggregates
// in memory (0: none; every command replays its stream).
func NewRepository[A Aggregate](store *Store, category string, replay func(events ...domain.Event) A, cached int) *Repository[A] {
	return &Repository[A]{store: store, category: category, replay: replay, cache: newAggregateCache[A](cached)}
}

// Create appends the events of a new aggregate; the stream must not exist
// (domain.ErrConflict otherwise). A create retried with the same idempotency
// key succeeds as the first one did.
func (r *Repository[A]) Create(ctx context.Context, a A, env domain.Envelope) (domain.Written, error) {
	stream := StreamID(r.category, a.ID())
	events := a.Uncommitted()
	if len(events) == 0 {
		return domain.Written{}, fmt.Errorf("create %s: no events recorded: %w", stream, domain.ErrInvalid)
	}
	ids := eventIDs(stream, env.IdempotencyKey, len(events))
	pos, err := r.store.Append(ctx, stream, NoStream(), events, ids, metadataOf(env))
	if err != nil {
		if errors.Is(err, domain.ErrConflict) && env.IdempotencyKey != "" {
			// A retried create: the stream exists because this very command
			// created it. Deterministic ids recognise it.
			if e, lerr := r.current(ctx, stream, domain.Revision{}); lerr == nil {
				defer r.cache.put(stream, e)
				if w, done := e.applied(stream, env.IdempotencyKey); done {
					return w, nil
				}
			}
			return domain.Written{}, fmt.Errorf("create %s: %w", stream, domain.ErrConflict)
		}
		return domain.Written{}, fmt.Errorf("create %s: %w", stream, err)
	}
	// a stays the caller's: the first command on the stream reads it.
	return domain.Written{Revision: uint64(len(events) - 1), Position: pos}, nil
}

// Load rebuilds an aggregate from its stream (domain.ErrNotFound if none).
// The aggregate is the caller's own: it is not the one the repository keeps.
func (r *Repository[A]) Load(ctx context.Context, id string) (A, error) {
	var zero A
	recs, err := r.store.Load(ctx, StreamID(r.category, id))
	if err != nil {
		return zero, err
	}
	events := make([]domain.Event, len(recs))
	for i, rec := range recs {
		events[i] = rec.Event
	}
	return r.replay(events...), nil
}

// View calls see with the aggregate as its stream holds it now, and returns
// the stream's revision (domain.ErrNotFound for a missing stream). see must
// only read the aggregate, and not keep it: it is the one the repository
// keeps for the next command. This is how use cases read the facts of an
// access decision without replaying the stream.
func (r *Repository[A]) View(ctx context.Context, id string, see func(A)) (uint64, error) {
	stream := StreamID(r.category, id)
	defer r.turn(stream)()
	e, err := r.current(ctx, stream, domain.Revision{})
	if err != nil {
		return 0, err
	}
	defer r.cache.put(stream, e)
	see(e.agg)
	return e.revision(), nil
}

// Update brings the aggregate up to date, lets decide record new events and
// appends them expecting the revision decide saw. It returns
// domain.ErrNotFound for a missing stream, domain.ErrStale when env.Expected
// is not the stream's revision or another writer appended before the
// append, and decide's own error unchanged.
//
// A command carrying an idempotency key whose events are already in the
// stream is not applied again, and succeeds without deciding: deciding on
// the state it produced would refuse it (an assignment handed in twice, a
// participant enrolled twice), while its retry must get the answer of the
// first attempt.
func (r *Repository[A]) Update(ctx context.Context, id string, env domain.Envelope, decide func(A) error) (domain.Written, error) {
	stream := StreamID(r.category, id)
	defer r.turn(stream)()
	e, err := r.decidable(ctx, stream, env.IdempotencyKey, env.Expected)
	if err != nil {
		return domain.Written{}, err
	}
	if w, done := e.applied(stream, env.IdempotencyKey); done {
		r.cache.put(stream, e)
		return w, nil
	}
	last := e.revision()
	if want, set := env.Expected.Get(); set && want != last {
		r.cache.put(stream, e)
		return domain.Written{}, fmt.Errorf("update %s at revision %d, expected %d: %w", stream, last, want, domain.ErrStale)
	}
	if err := decide(e.agg); err != nil {
		if len(e.agg.Uncommitted()) == 0 {
			r.cache.put(stream, e) // untouched: still the stream as it is
		}
		return domain.Written{}, err
	}
	events := e.agg.Uncommitted()
	if len(events) == 0 {
		r.cache.put(stream, e)
		return domain.Written{Revision: last}, nil
	}
	ids := eventIDs(stream, env.IdempotencyKey, len(events))
	pos, err := r.store.Append(ctx, stream, AtRevision(last), events, ids, metadataOf(env))
	if err != nil {
		// The aggregate holds a decision that was not stored: it is dropped,
		// and the next command reads the stream whole.
		return domain.Written{}, fmt.Errorf("update %s: %w", stream, err)
	}
	e.agg.Committed()
	e.add(ids, len(events), pos)
	w := domain.Written{Revision: e.revision(), Position: pos}
	r.cache.put(stream, e) // from here on e is another caller's
	return w, nil
}

// turn waits for the stream's turn and returns the function that ends it.
func (r *Repository[A]) turn(stream string) (done func()) {
	h := fnv.New32a()
	_, _ = h.Write([]byte(stream))
	mu := &r.turns[h.Sum32()%uint32(len(r.turns))]
	mu.Lock()
	return mu.Unlock
}

// decidable returns the aggregate of stream for a decision, taken out of the
// cache for the caller's exclusive use. A cached aggregate is used as it is,
// without a read: the append expects its revision, so a write another
// replica made since fails the append with domain.ErrStale, and the next
// attempt catches up. The stream is read first only when expected names a
// later revision than the cached one (the caller read it elsewhere), or for
// a command with an idempotency key the cached aggregate does not know.
func (r *Repository[A]) decidable(ctx context.Context, stream, key string, expected domain.Revision) (*entry[A], error) {
	e := r.cache.take(stream)
	if e == nil {
		return r.current(ctx, stream, domain.Revision{})
	}
	if want, set := expected.Get(); set && want > e.revision() || key != "" && !e.has(stream, key) {
		// Behind what the caller read, or a retried command whose first
		// attempt may have reached another replica: catch up first.
		r.cache.put(stream, e)
		return r.current(ctx, stream, expected)
	}
	return e, nil
}

// current returns the cached aggregate of stream, taken out of the cache
// for the caller's exclusive use, brought up to date with what was appended
// after it; with expected set to the cached revision no read is made (the
// append checks it). Without a cached aggregate the stream is read whole.
func (r *Repository[A]) current(ctx context.Context, stream string, expected domain.Revision) (*entry[A], error) {
	gen := r.cache.generation() // before anything is read
	e := r.cache.take(stream)
	if e != nil {
		if want, set := expected.Get(); set && want == e.revision() {
			return e, nil
		}
		fresh, err := r.store.read(ctx, stream, esdb.Revision(e.revision()+1))
		if err != nil {
			return nil, err
		}
		if len(fresh) == 0 || fresh[0].Revision == e.revision()+1 {
			e.catchUp(fresh)
			return e, nil
		}
		// Not a continuation (the stream was deleted and written again):
		// read it whole.
	}
	recs, err := r.store.read(ctx, stream, esdb.Start{})
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("read %s: %w", stream, domain.ErrNotFound)
	}
	e = &entry[A]{agg: r.replay(), gen: gen}
	e.catchUp(recs)
	return e, nil
}

// DropKept drops every decided aggregate the repository keeps in memory
// (each holds its people's data in plain text), and those in use now once
// their command ends; the next command on each reads its stream again. The
// Shredder calls it when it forgets a person: erasures are rare, and
// dropping all is surely complete where finding the aggregates that hold one
// person would not be.
func (r *Repository[A]) DropKept() { r.cache.clear() }

// eventIDs derives the ids of a command's events from its idempotency key:
// nil (random ids) without one.
func eventIDs(stream, key string, n int) []uuid.UUID {
	if key == "" {
		return nil
	}
	return DeterministicIDs(stream, key, n)
}

// metadataOf is the metadata the events of a command carry.
func metadataOf(env domain.Envelope) Metadata {
	return Metadata{CorrelationID: env.CorrelationID, Actor: env.Actor}
}
