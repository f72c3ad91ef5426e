// Package precondition makes the API's optimistic concurrency (ETag and
// If-Match on the revision of an aggregate's stream) exact: the expected
// revision is checked inside the repository's decision, against the revision
// the repository loaded and will expect when it appends. A check before the
// command would leave a window in which another writer appends unseen.
//
// The API puts the revision from If-Match on the context (Expect) and asks
// for the written revision (Track); the wiring wraps each closure repository
// with Guard before it builds the services. Without Expect on the context a
// guarded repository behaves exactly like the one it wraps.
package precondition

import (
	"context"
	"errors"
	"fmt"

	"github.com/leerpad/leerpad/domain"
)

// ErrMismatch means the stream is not at the revision the request expected
// (If-Match). The API answers it 412.
var ErrMismatch = errors.New("stream revision does not match If-Match")

// Aggregate is what Guard needs of a domain aggregate: the number of events
// it was loaded from and the events its decision recorded.
type Aggregate interface {
	Version() int
	Uncommitted() []domain.Event
}

// Repository is the closure-style repository of the domain (journey,
// cohort, catalogue, feedback) over aggregate A, as the event store's
// repository implements it.
type Repository[A Aggregate] interface {
	Create(ctx context.Context, a A) error
	Update(ctx context.Context, id string, decide func(a A) error) error
	Load(ctx context.Context, id string) (A, error)
}

type expectKey struct{}
type trackKey struct{}

// Expect returns ctx carrying the revision (0-based, of the stream's last
// event) the next update must find.
func Expect(ctx context.Context, revision uint64) context.Context {
	return context.WithValue(ctx, expectKey{}, revision)
}

// Written is where Track reports the revision of the stream after a write.
type Written struct {
	Revision uint64
	// Known is false when nothing was decided: no write, or a retried
	// command that the repository recognised by its idempotency key.
	Known bool
}

// Track returns ctx and the Written that a guarded repository fills in.
func Track(ctx context.Context) (context.Context, *Written) {
	w := &Written{}
	return context.WithValue(ctx, trackKey{}, w), w
}

// unguarded is the value Unguarded puts in place of an expected revision
// and a Written: neither a uint64 nor a *Written, so neither applies.
type unguarded struct{}

// Unguarded returns ctx without the expected revision of Expect and the
// Written of Track: for a second write of a request, to another stream than
// the one the If-Match and the ETag are about.
func Unguarded(ctx context.Context) context.Context {
	return context.WithValue(context.WithValue(ctx, expectKey{}, unguarded{}), trackKey{}, unguarded{})
}

// Revision returns the revision of the stream a was loaded from: the ETag
// of the aggregate. It is false for an aggregate loaded from no events.
func Revision(a Aggregate) (uint64, bool) {
	if a.Version() <= 0 {
		return 0, false
	}
	return uint64(a.Version() - 1), true
}

// Guarded is a repository whose Update honours Expect and whose writes
// report the revision they wrote to Track.
type Guarded[A Aggregate] struct {
	Repository[A]
}

// Guard wraps r.
func Guard[A Aggregate](r Repository[A]) Guarded[A] { return Guarded[A]{Repository: r} }

// Create creates a through the wrapped repository and reports its revision.
func (g Guarded[A]) Create(ctx context.Context, a A) error {
	n := len(a.Uncommitted())
	if err := g.Repository.Create(ctx, a); err != nil {
		return err
	}
	note(ctx, a.Version()+n-1)
	return nil
}

// Update runs decide through the wrapped repository, refusing first with
// ErrMismatch when ctx expects another revision than the one loaded.
func (g Guarded[A]) Update(ctx context.Context, id string, decide func(a A) error) error {
	want, expecting := ctx.Value(expectKey{}).(uint64)
	var (
		last    A
		decided bool
	)
	err := g.Repository.Update(ctx, id, func(a A) error {
		if have, ok := Revision(a); expecting && (!ok || have != want) {
			return fmt.Errorf("stream of %s is at revision %d, If-Match expected %d: %w", id, have, want, ErrMismatch)
		}
		last, decided = a, true
		return decide(a)
	})
	if err == nil && decided {
		note(ctx, last.Version()+len(last.Uncommitted())-1)
	}
	return err
}

func note(ctx context.Context, revision int) {
	if w, ok := ctx.Value(trackKey{}).(*Written); ok && revision >= 0 {
		w.Revision, w.Known = uint64(revision), true
	}
}
