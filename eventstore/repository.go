package eventstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/leerpad/leerpad/domain"
)

// Aggregate is what a Repository needs of a domain aggregate: how many events
// it was loaded from, and the events its last decision recorded.
type Aggregate interface {
	ID() string
	Version() int
	Uncommitted() []domain.Event
}

// Repository persists one kind of aggregate as streams <category>-<id>. It
// implements the domain's closure-style repository interfaces.
type Repository[A Aggregate] struct {
	store    *Store
	category string
	replay   func(events ...domain.Event) A
}

// NewRepository returns a repository for the aggregates of one stream
// category, rebuilt with replay.
func NewRepository[A Aggregate](store *Store, category string, replay func(events ...domain.Event) A) *Repository[A] {
	return &Repository[A]{store: store, category: category, replay: replay}
}

// Create appends the events of a new aggregate; the stream must not exist
// (domain.ErrConflict otherwise).
func (r *Repository[A]) Create(ctx context.Context, a A) error {
	stream := StreamID(r.category, a.ID())
	events := a.Uncommitted()
	if len(events) == 0 {
		return fmt.Errorf("create %s: no events recorded: %w", stream, domain.ErrInvalid)
	}
	ids := r.ids(ctx, stream, len(events))
	_, err := r.store.Append(ctx, stream, NoStream(), events, ids)
	if err != nil {
		if errors.Is(err, domain.ErrConflict) && ids != nil {
			// A retried create: the stream exists because this very command
			// created it. Deterministic ids recognise it.
			if done, derr := r.alreadyApplied(ctx, stream, ids); derr == nil && done {
				return nil
			}
		}
		return fmt.Errorf("create %s: %w", stream, err)
	}
	return nil
}

// Load rebuilds an aggregate from its stream (domain.ErrNotFound if none).
func (r *Repository[A]) Load(ctx context.Context, id string) (A, error) {
	a, _, err := r.load(ctx, StreamID(r.category, id))
	return a, err
}

func (r *Repository[A]) load(ctx context.Context, stream string) (A, []Recorded, error) {
	var zero A
	recs, err := r.store.Load(ctx, stream)
	if err != nil {
		return zero, nil, err
	}
	events := make([]domain.Event, len(recs))
	for i, rec := range recs {
		events[i] = rec.Event
	}
	return r.replay(events...), recs, nil
}

// Update loads the aggregate, lets decide record new events and appends them
// expecting the revision that was loaded: a concurrent writer yields
// domain.ErrConflict (the domain service retries once). A command carrying an
// idempotency key whose events are already in the stream is not applied
// again, and succeeds without deciding: deciding on the state it produced
// would refuse it (an assignment handed in twice, a participant enrolled
// twice), while its retry must get the answer of the first attempt.
func (r *Repository[A]) Update(ctx context.Context, id string, decide func(A) error) error {
	stream := StreamID(r.category, id)
	a, recs, err := r.load(ctx, stream)
	if err != nil {
		return err
	}
	if key := domain.IdempotencyKey(ctx); key != "" {
		if i := indexOfID(recs, deterministicID(stream, key, 0)); i >= 0 {
			// The same command was applied before: record nothing twice, and
			// report where its last event was written.
			n := 1
			for i+n < len(recs) && recs[i+n].ID == deterministicID(stream, key, n) {
				n++
			}
			noteWrite(ctx, recs[i+n-1].Position)
			return nil
		}
	}
	if err := decide(a); err != nil {
		return err
	}
	events := a.Uncommitted()
	if len(events) == 0 {
		return nil
	}
	ids := r.ids(ctx, stream, len(events))
	// Revisions are 0-based: a stream loaded from n events has its last event
	// at revision n-1, which is what the append must expect.
	last := recs[len(recs)-1].Revision
	_, err = r.store.Append(ctx, stream, AtRevision(last), events, ids)
	if err != nil {
		return fmt.Errorf("update %s: %w", stream, err)
	}
	return nil
}

func (r *Repository[A]) ids(ctx context.Context, stream string, n int) []uuid.UUID {
	key := domain.IdempotencyKey(ctx)
	if key == "" {
		return nil
	}
	return DeterministicIDs(stream, key, n)
}

func (r *Repository[A]) alreadyApplied(ctx context.Context, stream string, ids []uuid.UUID) (bool, error) {
	recs, err := r.store.Load(ctx, stream)
	if err != nil {
		return false, err
	}
	if i := indexOfID(recs, ids[0]); i >= 0 {
		noteWrite(ctx, recs[min(i+len(ids), len(recs))-1].Position)
		return true, nil
	}
	return false, nil
}

// indexOfID returns the index of the record with the given event id, or -1.
func indexOfID(recs []Recorded, id uuid.UUID) int {
	for i := len(recs) - 1; i >= 0; i-- {
		if recs[i].ID == id {
			return i
		}
	}
	return -1
}
