package eventstore_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/domain/cohort"
	"github.com/leerpad/leerpad/eventstore"
	"github.com/leerpad/leerpad/eventstore/eventstoretest"
)

// roster is an aggregate of enrolled names, kept by a repository like every
// domain aggregate.
type roster struct {
	id      string
	names   []string
	changes []domain.Event
	version int
}

func replayRoster(events ...domain.Event) *roster {
	r := &roster{}
	r.CatchUp(events...)
	return r
}

func (r *roster) ID() string                  { return r.id }
func (r *roster) Version() int                { return r.version }
func (r *roster) Uncommitted() []domain.Event { return r.changes }
func (r *roster) Committed()                  { r.changes = nil }
func (r *roster) CatchUp(events ...domain.Event) {
	for _, e := range events {
		r.apply(e)
		r.version++
	}
}

func (r *roster) apply(e domain.Event) {
	if p, ok := e.(cohort.ParticipantEnrolled); ok {
		r.id = p.CohortID
		r.names = append(r.names, p.Name)
	}
}

// Forget makes a person's data unreadable through the real path: the log
// holds only ciphertext of their name, the repository's kept aggregate and
// the store's stream cache (which held the name in plain text) are dropped,
// and the events read again show the person erased, another person intact.
func TestShredderForgetsThroughTheRepository(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded event-store node")
	}
	ctx := context.Background()
	client := eventstoretest.Client(t)
	codec, ks := encryptingCodec(t)
	store := eventstore.NewStore(client, codec)
	store.EnableStreamCache(16)
	repo := eventstore.NewRepository(store, "roster", replayRoster, 16)
	shredder := eventstore.NewShredder(ks, store, repo)

	id, alice, bob := uuid.NewString(), uuid.NewString(), uuid.NewString()
	first := &roster{id: id}
	first.changes = []domain.Event{cohort.ParticipantEnrolled{CohortID: id, ParticipantID: alice, Name: "Alice de Vries", Email: "alice@example.org", At: at}}
	if _, err := repo.Create(ctx, first, domain.Envelope{}); err != nil {
		t.Fatal(err)
	}
	if _, err := repo.Update(ctx, id, domain.Envelope{}, func(r *roster) error {
		r.changes = append(r.changes, cohort.ParticipantEnrolled{CohortID: id, ParticipantID: bob, Name: "Bob Jansen", Email: "bob@example.org", At: at})
		r.apply(r.changes[0])
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	names := func() []string {
		t.Helper()
		var out []string
		if _, err := repo.View(ctx, id, func(r *roster) { out = append(out, r.names...) }); err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got := names(); len(got) != 2 || got[0] != "Alice de Vries" {
		t.Fatalf("names before = %v", got)
	}
	if _, err := store.Load(ctx, "roster-"+id); err != nil { // fills the stream cache
		t.Fatal(err)
	}
	rs, err := client.ReadStream(ctx, "roster-"+id, esdb.ReadStreamOptions{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	for {
		ev, err := rs.Recv()
		if err != nil {
			break
		}
		if bytes.Contains(ev.Event.Data, []byte("Alice")) || bytes.Contains(ev.Event.Data, []byte("alice@")) {
			t.Errorf("the log holds a name in plain text: %s", ev.Event.Data)
		}
	}
	rs.Close()

	if err := shredder.Forget(ctx, alice); err != nil {
		t.Fatal(err)
	}
	if got := names(); len(got) != 2 || !domain.IsErased(got[0]) || got[1] != "Bob Jansen" {
		t.Fatalf("names after Forget(alice) = %v, want [%s Bob Jansen]", got, domain.Erased)
	}
	recs, err := store.Load(ctx, "roster-"+id)
	if err != nil {
		t.Fatal(err)
	}
	if p := recs[0].Event.(cohort.ParticipantEnrolled); !domain.IsErased(p.Name) || !domain.IsErased(p.Email) {
		t.Fatalf("stream after Forget(alice) = %#v, want the marker", p)
	}
	if err := shredder.Forget(ctx, "../kek"); !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("Forget of a path: err = %v, want ErrInvalid", err)
	}
}
