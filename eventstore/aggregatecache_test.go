package eventstore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/eventstore"
)

// The repository keeps decided aggregates, yet answers exactly what the log
// holds: another replica's appends are caught up with, a command decided on
// a revision another writer moved past is refused as stale (never appended
// on top), and a decision that failed half-way leaves nothing behind.
func TestRepositoryKeepsAggregatesAndFollowsTheLog(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded event-store node")
	}
	f := newFixture(t)
	other := eventstore.NewRepository(f.store, "tally", replayTally, 16) // another replica
	ctx := context.Background()
	id := uuid.NewString()
	if _, err := f.repo.Create(ctx, openTally(id), domain.Envelope{}); err != nil {
		t.Fatal(err)
	}
	view := func(r *eventstore.Repository[*tally]) (int, uint64) {
		t.Helper()
		var total int
		rev, err := r.View(ctx, id, func(tl *tally) { total = tl.total })
		if err != nil {
			t.Fatal(err)
		}
		return total, rev
	}
	w, err := f.repo.Update(ctx, id, domain.Envelope{}, add(1))
	if err != nil || w.Revision != 1 || w.Position == 0 {
		t.Fatalf("update = %+v, %v; want revision 1 and a position", w, err)
	}
	if total, rev := view(f.repo); total != 1 || rev != 1 {
		t.Fatalf("view = %d at %d, want 1 at 1", total, rev)
	}
	// The other replica appends twice; this one sees it on its next view
	// and decides its next command on it.
	for range 2 {
		if _, err := other.Update(ctx, id, domain.Envelope{}, add(10)); err != nil {
			t.Fatal(err)
		}
	}
	if total, rev := view(f.repo); total != 21 || rev != 3 {
		t.Fatalf("view after the other replica wrote = %d at %d, want 21 at 3", total, rev)
	}
	// Expected revision: the one read is accepted...
	if w, err := f.repo.Update(ctx, id, domain.Envelope{Expected: domain.AtRevision(3)}, add(100)); err != nil || w.Revision != 4 {
		t.Fatalf("update at the revision read = %+v, %v; want revision 4", w, err)
	}
	// ...an older one is refused as stale, with nothing written.
	if _, err := f.repo.Update(ctx, id, domain.Envelope{Expected: domain.AtRevision(3)}, add(1000)); !errors.Is(err, domain.ErrStale) || !errors.Is(err, domain.ErrConflict) {
		t.Fatalf("update at an old revision: err = %v, want ErrStale (a conflict)", err)
	}
	// The other replica decides on the aggregate it keeps (revision 3)
	// without reading: its append must fail as stale, not land on top, and
	// its next attempt catches up and is written.
	if _, err := other.Update(ctx, id, domain.Envelope{}, add(5)); !errors.Is(err, domain.ErrStale) {
		t.Fatalf("update on a kept aggregate another replica moved past: err = %v, want ErrStale", err)
	}
	if w, err := other.Update(ctx, id, domain.Envelope{}, add(5)); err != nil || w.Revision != 5 {
		t.Fatalf("the next attempt = %+v, %v; want revision 5", w, err)
	}
	// This replica holds revision 4 and expects it; the other replica has
	// appended meanwhile: the append must fail, not land on top.
	if _, err := f.repo.Update(ctx, id, domain.Envelope{Expected: domain.AtRevision(4)}, add(7)); !errors.Is(err, domain.ErrStale) {
		t.Fatalf("update expecting the cached revision after another replica wrote: err = %v, want ErrStale", err)
	}
	if total, rev := view(f.repo); total != 126 || rev != 5 {
		t.Fatalf("view = %d at %d, want 126 at 5 (the stale command wrote nothing)", total, rev)
	}
	// A decision that records and then fails is not kept.
	failed := fmt.Errorf("changed my mind: %w", domain.ErrInvalid)
	if _, err := f.repo.Update(ctx, id, domain.Envelope{}, func(tl *tally) error {
		tl.record(tallyAdded{By: 99999})
		return failed
	}); !errors.Is(err, failed) {
		t.Fatalf("err = %v, want the decision's", err)
	}
	if total, _ := view(f.repo); total != 126 {
		t.Fatalf("total after a failed decision = %d, want 126", total)
	}
	// A stream deleted and written again is read whole, not continued.
	if _, err := f.client.DeleteStream(ctx, eventstore.StreamID("tally", id), esdb.DeleteStreamOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.repo.View(ctx, id, func(*tally) {}); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("view of a deleted stream: err = %v, want ErrNotFound", err)
	}
}

// Many concurrent commands on one aggregate in one process take turns: each
// is appended, none is refused, and the log holds them all.
func TestRepositoryConcurrentCommandsOnOneAggregate(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded event-store node")
	}
	f := newFixture(t)
	ctx := context.Background()
	id := uuid.NewString()
	if _, err := f.repo.Create(ctx, openTally(id), domain.Envelope{}); err != nil {
		t.Fatal(err)
	}
	const writers, each = 4, 10
	errs := make(chan error, writers*each)
	for range writers {
		go func() {
			for range each {
				_, err := f.repo.Update(ctx, id, domain.Envelope{}, add(1))
				errs <- err
			}
		}()
	}
	wrote := 0
	for range writers * each {
		if err := <-errs; err != nil {
			t.Fatalf("update: %v", err)
		}
		wrote++
	}
	var total int
	if _, err := f.repo.View(ctx, id, func(tl *tally) { total = tl.total }); err != nil {
		t.Fatal(err)
	}
	if total != wrote {
		t.Fatalf("total = %d, want %d (one per successful update)", total, wrote)
	}
	fresh, err := f.repo.Load(ctx, id)
	if err != nil || fresh.total != wrote {
		t.Fatalf("replayed total = %d (%v), want %d", fresh.total, err, wrote)
	}
}
