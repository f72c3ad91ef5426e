package eventstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/leerpad/leerpad/domain"
	"github.com/leerpad/leerpad/eventstore"
	"github.com/leerpad/leerpad/eventstore/eventstoretest"
)

// tally is a minimal aggregate for testing the adapter on its own.
type tally struct {
	id      string
	total   int
	loaded  int
	changes []domain.Event
}

type tallyOpened struct {
	TallyID string `json:"tallyId"`
}

func (tallyOpened) EventName() string { return "test.tally_opened" }

type tallyAdded struct {
	By int `json:"by"`
}

func (tallyAdded) EventName() string { return "test.tally_added" }

func replayTally(events ...domain.Event) *tally {
	t := &tally{}
	for _, e := range events {
		t.apply(e)
	}
	t.loaded = len(events)
	return t
}

func (t *tally) apply(e domain.Event) {
	switch e := e.(type) {
	case tallyOpened:
		t.id = e.TallyID
	case tallyAdded:
		t.total += e.By
	}
}

func (t *tally) record(e domain.Event) { t.apply(e); t.changes = append(t.changes, e) }

func (t *tally) ID() string                  { return t.id }
func (t *tally) Version() int                { return t.loaded }
func (t *tally) Uncommitted() []domain.Event { return t.changes }
func (t *tally) Committed()                  { t.loaded += len(t.changes); t.changes = nil }
func (t *tally) CatchUp(events ...domain.Event) {
	for _, e := range events {
		t.apply(e)
	}
	t.loaded += len(events)
}

// addedV2 upcasts the old payload {"amount":"3"} to {"by":3}.
func upcastAdded(from int, payload []byte) ([]byte, error) {
	var old struct {
		Amount string `json:"amount"`
	}
	if err := json.Unmarshal(payload, &old); err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(old.Amount)
	if err != nil {
		return nil, fmt.Errorf("amount %q: %w", old.Amount, err)
	}
	return json.Marshal(tallyAdded{By: n})
}

type fixture struct {
	client *esdb.Client
	store  *eventstore.Store
	repo   *eventstore.Repository[*tally]
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	client := eventstoretest.Client(t)
	codec, err := eventstore.NewCodec([]domain.EventType{
		domain.NewEventType[tallyOpened](),
		domain.NewEventType[tallyAdded]().WithUpcast(2, upcastAdded),
	})
	if err != nil {
		t.Fatal(err)
	}
	store := eventstore.NewStore(client, codec)
	return fixture{client: client, store: store, repo: eventstore.NewRepository(store, "tally", replayTally, 16)}
}

func openTally(id string) *tally {
	t := &tally{}
	t.record(tallyOpened{TallyID: id})
	return t
}

func add(by int) func(*tally) error {
	return func(t *tally) error { t.record(tallyAdded{By: by}); return nil }
}

func TestRepositoryRoundTrip(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded event-store node")
	}
	f := newFixture(t)
	ctx := context.Background()
	id := uuid.NewString() // hyphenated: the stream name is split at the first hyphen only
	if _, err := f.repo.Create(ctx, openTally(id), domain.Envelope{}); err != nil {
		t.Fatalf("create: %v", err)
	}
	for i := 1; i <= 3; i++ {
		if _, err := f.repo.Update(ctx, id, domain.Envelope{}, add(i)); err != nil {
			t.Fatalf("update %d: %v", i, err)
		}
	}
	got, err := f.repo.Load(ctx, id)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if got.id != id || got.total != 6 || got.Version() != 4 {
		t.Fatalf("loaded tally = {id %s total %d version %d}, want {%s 6 4}", got.id, got.total, got.Version(), id)
	}
	cat, rest, ok := eventstore.ParseStreamID(eventstore.StreamID("tally", id))
	if !ok || cat != "tally" || rest != id {
		t.Fatalf("ParseStreamID = %q %q %v", cat, rest, ok)
	}
}

func TestRepositoryErrorKinds(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded event-store node")
	}
	f := newFixture(t)
	ctx := context.Background()
	id := uuid.NewString()
	if _, err := f.repo.Load(ctx, id); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("load of a missing stream: err = %v, want ErrNotFound", err)
	}
	if _, err := f.repo.Update(ctx, id, domain.Envelope{}, add(1)); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("update of a missing stream: err = %v, want ErrNotFound", err)
	}
	if _, err := f.repo.Create(ctx, openTally(id), domain.Envelope{}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.repo.Create(ctx, openTally(id), domain.Envelope{}); !errors.Is(err, domain.ErrConflict) {
		t.Fatalf("second create: err = %v, want ErrConflict", err)
	}
	decideErr := fmt.Errorf("no: %w", domain.ErrInvalid)
	if _, err := f.repo.Update(ctx, id, domain.Envelope{}, func(*tally) error { return decideErr }); !errors.Is(err, decideErr) {
		t.Fatalf("update whose decision fails: err = %v, want the decision's error", err)
	}
}

// Two writers (two processes: a repository each) load the same revision;
// the second append must be refused as a conflict, never silently
// interleaved. (Within one process commands on one aggregate take turns.)
func TestRepositoryOptimisticConcurrency(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded event-store node")
	}
	f := newFixture(t)
	ctx := context.Background()
	id := uuid.NewString()
	if _, err := f.repo.Create(ctx, openTally(id), domain.Envelope{}); err != nil {
		t.Fatal(err)
	}
	loaded := make(chan struct{})
	release := make(chan struct{})
	var wg sync.WaitGroup
	var slowErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, slowErr = f.repo.Update(ctx, id, domain.Envelope{}, func(tl *tally) error {
			close(loaded)
			<-release // the other writer appends meanwhile
			tl.record(tallyAdded{By: 100})
			return nil
		})
	}()
	<-loaded
	other := eventstore.NewRepository(f.store, "tally", replayTally, 16)
	if _, err := other.Update(ctx, id, domain.Envelope{}, add(1)); err != nil {
		t.Fatalf("fast writer: %v", err)
	}
	close(release)
	wg.Wait()
	if !errors.Is(slowErr, domain.ErrConflict) {
		t.Fatalf("slow writer: err = %v, want ErrConflict", slowErr)
	}
	got, _ := f.repo.Load(ctx, id)
	if got.total != 1 {
		t.Fatalf("total = %d, want 1 (only the fast writer's event)", got.total)
	}
}

// A command retried with the same idempotency key records its events once.
func TestRepositoryIdempotencyKey(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded event-store node")
	}
	f := newFixture(t)
	id := uuid.NewString()
	ctx := context.Background()
	for range 2 {
		if _, err := f.repo.Create(ctx, openTally(id), domain.Envelope{IdempotencyKey: "create-" + id}); err != nil {
			t.Fatalf("create with key: %v", err)
		}
	}
	var first domain.Written
	for i := range 3 {
		w, err := f.repo.Update(ctx, id, domain.Envelope{IdempotencyKey: "add-once"}, add(5))
		if err != nil {
			t.Fatalf("update with key: %v", err)
		}
		if w.Position == 0 || w.Revision != 1 {
			t.Fatalf("attempt %d wrote %+v, want revision 1 and a position", i+1, w)
		}
		if i == 0 {
			first = w
		} else if w != first {
			t.Fatalf("retry %d reports %+v, want what the first attempt wrote, %+v", i, w, first)
		}
	}
	if _, err := f.repo.Update(context.Background(), id, domain.Envelope{}, add(1)); err != nil {
		t.Fatal(err)
	}
	recs, err := f.store.Load(context.Background(), eventstore.StreamID("tally", id))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 {
		t.Fatalf("stream has %d events, want 3 (opened, added once, added without key)", len(recs))
	}
}

// A retried command whose decision would refuse the state it produced itself
// (here: a tally that may be started only once) still succeeds: the key is
// recognised before deciding. Another key is decided, and refused.
func TestRepositoryIdempotencyKeyBeforeDecision(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded event-store node")
	}
	f := newFixture(t)
	id := uuid.NewString()
	if _, err := f.repo.Create(context.Background(), openTally(id), domain.Envelope{}); err != nil {
		t.Fatal(err)
	}
	refused := fmt.Errorf("already counted: %w", domain.ErrConflict)
	once := func(t *tally) error {
		if t.total > 0 {
			return refused
		}
		t.record(tallyAdded{By: 2})
		t.record(tallyAdded{By: 3})
		return nil
	}
	for i := range 3 {
		w, err := f.repo.Update(context.Background(), id, domain.Envelope{IdempotencyKey: "count-once"}, once)
		if err != nil {
			t.Fatalf("attempt %d with the same key: %v", i+1, err)
		}
		if w.Position == 0 || w.Revision != 2 {
			t.Fatalf("attempt %d wrote %+v, want revision 2 (the decision's last event) and a position", i+1, w)
		}
	}
	if _, err := f.repo.Update(context.Background(), id, domain.Envelope{IdempotencyKey: "another"}, once); !errors.Is(err, refused) {
		t.Fatalf("another key: err = %v, want the decision's refusal", err)
	}
	recs, err := f.store.Load(context.Background(), eventstore.StreamID("tally", id))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 {
		t.Fatalf("stream has %d events, want 3 (opened, and the two events of one decision)", len(recs))
	}
}

// Events written with an older schema are upcast on read; metadata is stored
// with the correlation id and schema version, and nothing personal.
func TestStoreUpcastAndMetadata(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded event-store node")
	}
	f := newFixture(t)
	id := uuid.NewString()
	stream := eventstore.StreamID("tally", id)
	ctx := context.Background()
	if _, err := f.repo.Create(ctx, openTally(id), domain.Envelope{CorrelationID: "corr-1", Actor: "subject-7"}); err != nil {
		t.Fatal(err)
	}
	// An event as an older release wrote it: schema version 1, old shape.
	_, err := f.client.AppendToStream(context.Background(), stream, esdb.AppendToStreamOptions{ExpectedRevision: esdb.Revision(0)},
		esdb.EventData{EventType: "test.tally_added", ContentType: esdb.ContentTypeJson,
			Data: []byte(`{"amount":"41"}`), Metadata: []byte(`{"schemaVersion":1}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.repo.Update(ctx, id, domain.Envelope{CorrelationID: "corr-1", Actor: "subject-7"}, add(1)); err != nil {
		t.Fatal(err)
	}
	got, err := f.repo.Load(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if got.total != 42 {
		t.Fatalf("total = %d, want 42 (41 upcast from v1 + 1)", got.total)
	}
	recs, _ := f.store.Load(context.Background(), stream)
	last := recs[len(recs)-1]
	if last.Metadata.CorrelationID != "corr-1" || last.Metadata.Actor != "subject-7" || last.Metadata.SchemaVersion != 2 {
		t.Fatalf("metadata = %+v, want correlation corr-1, actor subject-7, schema 2", last.Metadata)
	}
	// An unknown event name in an aggregate's history fails loudly.
	_, err = f.client.AppendToStream(context.Background(), stream, esdb.AppendToStreamOptions{},
		esdb.EventData{EventType: "test.never_heard_of", ContentType: esdb.ContentTypeJson, Data: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.repo.Load(context.Background(), id); !errors.Is(err, eventstore.ErrUnknownEventType) {
		t.Fatalf("load with an unknown event: err = %v, want ErrUnknownEventType", err)
	}
}

// Appends are timed per stream category and outcome; the histogram is what
// the dashboards show as append latency.
func TestStoreAppendMetrics(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded event-store node")
	}
	f := newFixture(t)
	reg := prometheus.NewRegistry()
	if err := f.store.RegisterMetrics(reg); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	id := uuid.NewString()
	if _, err := f.repo.Create(ctx, openTally(id), domain.Envelope{}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.repo.Create(ctx, openTally(id), domain.Envelope{}); !errors.Is(err, domain.ErrConflict) {
		t.Fatalf("second create: %v", err)
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]uint64{}
	for _, mf := range families {
		if mf.GetName() != "leerpad_eventstore_append_duration_seconds" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			counts[labels["category"]+"/"+labels["outcome"]] += m.GetHistogram().GetSampleCount()
		}
	}
	if counts["tally/ok"] != 1 || counts["tally/conflict"] != 1 {
		t.Fatalf("append observations = %v, want tally/ok 1 and tally/conflict 1", counts)
	}
}
