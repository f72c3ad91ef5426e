package projections_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/leerpad/leerpad/domain/journey"
	"github.com/leerpad/leerpad/eventstore/projectionlog"
	"github.com/leerpad/leerpad/projections"
	"github.com/leerpad/leerpad/projections/internal/fixture"
)

const bulkLog = "catching up by reading the log in bulk"

// outcome is what a catch-up left: the read models' answers, per
// projection where it stands and what it counted, and what the handlers saw.
type outcome struct {
	Answers answers
	Status  []projections.Status
	Read    uint64
	Seen    map[uint64]seen
}

func (r *rig) outcome(tb testing.TB, m models, h *fixture.History, rec *recorder) outcome {
	tb.Helper()
	st := r.runner.Status()
	for i := range st {
		st[i].Head, st[i].Lag = 0, 0 // polled, not the projections' own
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return outcome{Answers: m.answers(tb, h), Status: st, Read: r.runner.Read(), Seen: maps.Clone(rec.seen)}
}

// seen is what a handler was given for one event.
type seen struct {
	Stream        string
	Revision      uint64
	Recorded      time.Time
	Type          string
	CorrelationID string // on the handler's context
	Times         int
}

// recorder is a projection that notes what its handler is given.
type recorder struct {
	mu      sync.Mutex
	seen    map[uint64]seen
	pos     uint64
	unknown uint64
}

func (*recorder) Name() string { return "recorder" }
func (r *recorder) Handle(ctx context.Context, e projections.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.seen[e.Position]
	r.seen[e.Position] = seen{Stream: e.Stream, Revision: e.Revision, Recorded: e.Recorded, Type: e.Data.EventName(),
		CorrelationID: projections.CorrelationID(ctx), Times: s.Times + 1}
	r.pos = max(r.pos, e.Position)
	if _, ok := e.Data.(projections.UnknownEvent); ok {
		r.unknown++
	}
	return nil
}
func (r *recorder) Position() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pos
}
func (r *recorder) Unknown() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.unknown
}

// writeOddEvents appends an event of a type the codec does not know and one
// whose payload does not decode, to a journey stream of its own.
func writeOddEvents(tb testing.TB, r *rig) {
	tb.Helper()
	unknown := esdb.EventData{EventType: "journey.teleported", ContentType: esdb.ContentTypeJson, Data: []byte(`{"to":"mars"}`),
		Metadata: []byte(`{"correlationId":"c-unknown","schemaVersion":1}`)}
	broken := esdb.EventData{EventType: "journey.experiment_logged", ContentType: esdb.ContentTypeJson, Data: []byte(`{"journeyId":`),
		Metadata: []byte(`{"correlationId":"c-broken","schemaVersion":1}`)}
	if _, err := r.client.AppendToStream(context.Background(), journey.StreamCategory+"-"+uuid.NewString(),
		esdb.AppendToStreamOptions{ExpectedRevision: esdb.NoStream{}}, unknown, broken); err != nil {
		tb.Fatal(err)
	}
}

// TestBulkCatchUpMatchesTheSubscription builds fresh read models from the
// same log twice, once catching up in bulk (the default) and once through
// the subscription alone, one message per event (CatchUpDecoders -1). The
// log holds three cohorts' histories with an unknown and an undecodable
// event in between. Both must answer exactly as read models fed the events
// directly, and every projection must have handled, skipped, retried and
// poisoned the same events and stand at the same position.
func TestBulkCatchUpMatchesTheSubscription(t *testing.T) {
	r := newRig(t)
	var hs []*fixture.History
	for seed := range uint64(3) {
		hs = append(hs, fixture.Cohort(fixture.CohortOptions{Participants: 6, Seed: 40 + seed}))
	}
	all := fixture.NewLog(0)
	for i, h := range hs {
		writeHistory(t, r.store, h.Log.Events, fmt.Sprint("c", i))
		all.Events = append(all.Events, h.Log.Events...)
		if i == 0 {
			writeOddEvents(t, r)
		}
	}
	written := uint64(len(all.Events) + 2)
	retry := projections.RetryConfig{MaxRetries: 1, InitialInterval: time.Millisecond}

	run := func(decoders, maxBatch int) outcome {
		t.Helper()
		r.decoders, r.maxBatch = decoders, maxBatch
		m := newModels(t)
		rec := &recorder{seen: map[uint64]seen{}}
		r.start(t, append(m.all(), rec), retry)
		eventually(t, "caught up", r.runner.CaughtUp)
		if bulk := strings.Contains(r.logs.String(), bulkLog); bulk != (decoders >= 0) {
			t.Errorf("decoders %d: read in bulk = %v", decoders, bulk)
		}
		var o outcome
		for i, h := range hs {
			a := m.answers(t, h)
			if want := reference(t, h); !reflect.DeepEqual(a, want) {
				t.Fatalf("decoders %d: cohort %d differs from read models fed directly", decoders, i)
			}
			if i == 0 {
				o = r.outcome(t, m, h, rec)
			}
		}
		if err := r.stop(); err != nil {
			t.Fatal(err)
		}
		return o
	}
	plain := run(-1, 0)
	for _, s := range plain.Status {
		if s.Handled != written || s.Unknown != 1 || s.Poisoned != 1 || s.Failures != 2 {
			t.Fatalf("through the subscription: %+v, want %d handled, 1 unknown, 1 poisoned after 2 attempts", s, written)
		}
	}
	// The handlers see every event but the one that does not decode.
	if plain.Read != written || len(plain.Seen) != int(written)-1 {
		t.Fatalf("through the subscription: read %d events, %d seen by the handler, want %d and %d", plain.Read, len(plain.Seen), written, written-1)
	}
	for pos, s := range plain.Seen {
		if s.Times != 1 || s.CorrelationID == "" || s.Recorded.IsZero() {
			t.Fatalf("through the subscription, the event at %d: %+v", pos, s)
		}
	}
	for _, tc := range []struct{ decoders, maxBatch int }{{0, 0}, {1, 1}, {3, 7}} {
		got := run(tc.decoders, tc.maxBatch)
		if !reflect.DeepEqual(got.Seen, plain.Seen) {
			for pos, s := range got.Seen {
				if s != plain.Seen[pos] {
					t.Errorf("in bulk (decoders %d, batches of %d), the event at %d: %+v, through the subscription %+v",
						tc.decoders, tc.maxBatch, pos, s, plain.Seen[pos])
					break
				}
			}
		}
		if !reflect.DeepEqual(got, plain) {
			t.Errorf("in bulk (decoders %d, batches of %d):\n%+v\nthrough the subscription:\n%+v", tc.decoders, tc.maxBatch, got.Status, plain.Status)
		}
	}
}

// TestBulkCatchUpHandsOverToTheSubscription writes while the runner catches
// up in bulk: whatever comes after the head observed at start arrives
// through the subscription, nothing lost and nothing twice, and read your
// writes works with the last receipt.
func TestBulkCatchUpHandsOverToTheSubscription(t *testing.T) {
	r := newRig(t)
	h := fixture.Cohort(fixture.CohortOptions{Participants: 8, Seed: 51})
	half := len(h.Log.Events) / 2
	writeHistory(t, r.store, h.Log.Events[:half], "before")
	r.maxBatch = 5
	m := newModels(t)
	r.start(t, m.all(), projections.RetryConfig{})
	receipt := writeHistory(t, r.store, h.Log.Events[half:], "while")
	r.waitAll(t, receipt)
	if !strings.Contains(r.logs.String(), bulkLog) {
		t.Fatalf("the runner did not read in bulk:\n%s", r.logs)
	}
	if got, want := m.answers(t, h), reference(t, h); !reflect.DeepEqual(got, want) {
		t.Fatal("read models differ from read models fed directly")
	}
	if n := r.runner.Read(); n != uint64(len(h.Log.Events)) {
		t.Errorf("read %d events, want %d", n, len(h.Log.Events))
	}
	for _, s := range r.runner.Status() {
		if s.Handled != uint64(len(h.Log.Events)) {
			t.Errorf("%s handled %d events, want %d", s.Name, s.Handled, len(h.Log.Events))
		}
	}
}

// failingBulk is the event store's Source whose bulk read fails after a
// number of batches.
type failingBulk struct {
	*projectionlog.Source
	batches int
	failed  atomic.Bool
}

var errBulk = errors.New("bulk read broke off")

func (f *failingBulk) ReadBulk(ctx context.Context, after, until uint64, size int, deliver func([]projections.Stored) error) error {
	n := 0
	err := f.Source.ReadBulk(ctx, after, until, size, func(b []projections.Stored) error {
		if n == f.batches {
			return errBulk
		}
		n++
		return deliver(b)
	})
	if errors.Is(err, errBulk) {
		f.failed.Store(true)
	}
	return err
}

// TestBulkCatchUpFailureGoesOnThroughTheSubscription: when the bulk read
// breaks off, the runner goes on through the subscription after the last
// event it read in bulk, nothing lost and nothing twice, and says so.
func TestBulkCatchUpFailureGoesOnThroughTheSubscription(t *testing.T) {
	r := newRig(t)
	h := fixture.Cohort(fixture.CohortOptions{Participants: 4, Seed: 61})
	writeHistory(t, r.store, h.Log.Events, "c")
	fb := &failingBulk{batches: 3}
	r.wrap = func(s *projectionlog.Source) projections.Source {
		fb.Source = s
		return fb
	}
	r.maxBatch = 10
	m := newModels(t)
	r.start(t, m.all(), projections.RetryConfig{})
	eventually(t, "caught up", r.runner.CaughtUp)
	if !fb.failed.Load() || !strings.Contains(r.logs.String(), "reading the log in bulk failed; going on through the subscription") {
		t.Fatalf("the bulk read did not fail as arranged, or the runner did not say so:\n%s", r.logs)
	}
	if got, want := m.answers(t, h), reference(t, h); !reflect.DeepEqual(got, want) {
		t.Fatal("read models differ from read models fed directly")
	}
	if n := r.runner.Read(); n != uint64(len(h.Log.Events)) {
		t.Errorf("read %d events, want %d", n, len(h.Log.Events))
	}
}
