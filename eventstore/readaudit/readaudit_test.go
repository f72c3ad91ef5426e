package readaudit

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/leerpad/leerpad/domain/privacy"
	"github.com/leerpad/leerpad/domain/registry"
	"github.com/leerpad/leerpad/eventstore"
	"github.com/leerpad/leerpad/eventstore/eventstoretest"
)

func newStore(tb testing.TB) *eventstore.Store {
	tb.Helper()
	codec, err := eventstore.NewCodec(registry.EventTypes())
	if err != nil {
		tb.Fatal(err)
	}
	return eventstore.NewStore(eventstoretest.Client(tb), codec)
}

// Reads queued are shown at once; a flush appends them, one stream per
// journey with the programme's retention as its $maxAge, and they read back
// in order; Close appends what is left.
func TestAuditorBatchesPerJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded event-store node")
	}
	store := newStore(t)
	asked := 0
	a, err := New(Config{Store: store, Interval: time.Hour, ReadAuditDays: func(context.Context, string) (int, error) { asked++; return 90, nil }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	j1, j2, prog := uuid.NewString(), uuid.NewString(), uuid.NewString()
	at := time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)
	for i := range 5 {
		a.Record(privacy.PortfolioRead{JourneyID: j1, ReaderID: fmt.Sprint("m", i), ReaderRole: "manager", Parts: []string{"journey"}, At: at.Add(time.Duration(i) * time.Minute)}, prog)
	}
	a.Record(privacy.PortfolioRead{JourneyID: j2, ReaderID: "m9", ReaderRole: "manager", Parts: []string{"journey"}, At: at}, prog)
	if got, err := a.Reads(ctx, j1); err != nil || len(got) != 5 {
		t.Fatalf("queued reads of j1: %d, %v", len(got), err)
	}
	if err := a.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if a.Queued() != 0 {
		t.Fatalf("%d still queued", a.Queued())
	}
	got, err := a.Reads(ctx, j1)
	if err != nil || len(got) != 5 || got[0].ReaderID != "m0" || got[4].ReaderID != "m4" {
		t.Fatalf("stored reads of j1: %+v, %v", got, err)
	}
	meta, err := store.Client().GetStreamMetadata(ctx, eventstore.StreamID(privacy.ReadAuditCategory, j1), esdbReadOptions())
	if err != nil || meta.MaxAge() == nil || *meta.MaxAge() != privacy.Days(90) {
		t.Fatalf("metadata of j1's stream: %+v, %v", meta, err)
	}
	if asked != 1 {
		t.Fatalf("the programme's retention was looked up %d times, want once", asked)
	}
	a.Record(privacy.PortfolioRead{JourneyID: j2, ReaderID: "m10", ReaderRole: "manager", Parts: []string{"journey"}, At: at}, prog)
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if got, err := a.Reads(ctx, j2); err != nil || len(got) != 2 {
		t.Fatalf("reads of j2 after Close: %+v, %v", got, err)
	}
	if got, err := a.Reads(ctx, uuid.NewString()); err != nil || len(got) != 0 {
		t.Fatalf("reads of a journey never read: %+v, %v", got, err)
	}
}

// BenchmarkRecord is what the read audit adds to a portfolio read: queuing
// one record (the appends happen off the read's path).
func BenchmarkRecord(b *testing.B) {
	codec, err := eventstore.NewCodec(registry.EventTypes())
	if err != nil {
		b.Fatal(err)
	}
	a, err := New(Config{Store: eventstore.NewStore(nil, codec), MaxBatch: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	r := privacy.PortfolioRead{JourneyID: uuid.NewString(), ReaderID: uuid.NewString(), ReaderRole: "manager", Parts: []string{"journey", "learning-goals"}, At: time.Now()}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		a.Record(r, "p")
		if i%(MaxQueued/2) == 0 {
			a.mu.Lock()
			a.queue = a.queue[:0]
			a.mu.Unlock()
		}
	}
}

func esdbReadOptions() esdb.ReadStreamOptions { return esdb.ReadStreamOptions{} }
