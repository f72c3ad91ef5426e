package precondition_test

import (
	"context"
	"errors"
	"testing"

	"github.com/leerpad/leerpad/api/precondition"
	"github.com/leerpad/leerpad/domain"
)

// agg is an aggregate of n loaded events that records one event per decision.
type agg struct {
	n       int
	changes []domain.Event
}

func (a *agg) Version() int                { return a.n }
func (a *agg) Uncommitted() []domain.Event { return a.changes }

type note struct{}

func (note) EventName() string { return "test.noted" }

// repo is a closure repository over streams of n events each.
type repo struct{ streams map[string]int }

var _ precondition.Repository[*agg] = repo{}

func (r repo) Create(context.Context, *agg) error { return nil }
func (r repo) Load(_ context.Context, id string) (*agg, error) {
	return &agg{n: r.streams[id]}, nil
}
func (r repo) Update(_ context.Context, id string, decide func(*agg) error) error {
	a := &agg{n: r.streams[id]}
	if err := decide(a); err != nil {
		return err
	}
	r.streams[id] += len(a.changes)
	return nil
}

func record(a *agg) error { a.changes = append(a.changes, note{}); return nil }

// TestUnguarded: a second write of a request, to another stream, is checked
// against no If-Match and does not report its revision as the ETag.
func TestUnguarded(t *testing.T) {
	g := precondition.Guard[*agg](repo{streams: map[string]int{"journey": 3, "cohort": 10}})
	ctx, w := precondition.Track(precondition.Expect(context.Background(), 2))
	if err := g.Update(ctx, "journey", record); err != nil {
		t.Fatalf("the journey at the expected revision: %v", err)
	}
	if !w.Known || w.Revision != 3 {
		t.Fatalf("written %+v, want revision 3", *w)
	}
	if err := g.Update(ctx, "cohort", record); !errors.Is(err, precondition.ErrMismatch) {
		t.Fatalf("the cohort with the journey's If-Match: err = %v, want a mismatch", err)
	}
	if err := g.Update(precondition.Unguarded(ctx), "cohort", record); err != nil {
		t.Fatalf("the cohort unguarded: %v", err)
	}
	if !w.Known || w.Revision != 3 {
		t.Fatalf("after the unguarded write: written %+v, want the journey's revision 3", *w)
	}
}
