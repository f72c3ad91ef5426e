package node

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
)

func TestConformanceAppendExpectedRevision(t *testing.T) {
	t.Parallel()
	_, c := startTestNode(t)
	for _, tc := range []struct {
		name     string
		existing int // events in the stream before the append
		expected esdb.ExpectedRevision
		ok       bool
	}{
		{"any on a new stream", 0, esdb.Any{}, true},
		{"no stream on a new stream", 0, esdb.NoStream{}, true},
		{"stream exists on a new stream", 0, esdb.StreamExists{}, false},
		{"revision 0 on a new stream", 0, esdb.Revision(0), false},
		{"any on an existing stream", 2, esdb.Any{}, true},
		{"no stream on an existing stream", 2, esdb.NoStream{}, false},
		{"stream exists on an existing stream", 2, esdb.StreamExists{}, true},
		{"last revision", 2, esdb.Revision(1), true},
		{"an older revision", 2, esdb.Revision(0), false},
		{"a future revision", 2, esdb.Revision(5), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			stream := newStreamID("append")
			if tc.existing > 0 {
				mustAppend(t, c, stream, esdb.NoStream{}, jsonEvents("Seeded", 0, tc.existing)...)
			}
			res, err := c.AppendToStream(context.Background(), stream, esdb.AppendToStreamOptions{ExpectedRevision: tc.expected},
				jsonEvent("Appended", 99))
			if !tc.ok {
				requireCode(t, err, esdb.ErrorCodeWrongExpectedVersion)
				evs, rerr := readStream(t, c, stream, esdb.ReadStreamOptions{}, 100)
				if tc.existing == 0 {
					requireCode(t, rerr, esdb.ErrorCodeResourceNotFound)
				} else if rerr != nil || len(evs) != tc.existing {
					t.Fatalf("after a rejected append: %d events, err %v; want %d", len(evs), rerr, tc.existing)
				}
				return
			}
			if err != nil {
				t.Fatalf("append: %v", err)
			}
			if res.NextExpectedVersion != uint64(tc.existing) {
				t.Fatalf("next expected version = %d, want %d", res.NextExpectedVersion, tc.existing)
			}
			if res.CommitPosition == 0 || res.CommitPosition != res.PreparePosition {
				t.Fatalf("position = %d/%d, want commit = prepare > 0", res.CommitPosition, res.PreparePosition)
			}
			evs := mustReadStream(t, c, stream, esdb.ReadStreamOptions{}, 100)
			requireRevs(t, evs, revRange(0, uint64(tc.existing)))
			if last := evs[len(evs)-1].OriginalEvent(); last.Position.Commit != res.CommitPosition || last.EventType != "Appended" {
				t.Fatalf("last event %s at %d, want Appended at %d", last.EventType, last.Position.Commit, res.CommitPosition)
			}
		})
	}
}

func TestConformanceAppendMultiEvent(t *testing.T) {
	t.Parallel()
	_, c := startTestNode(t)

	t.Run("contiguous revisions and increasing positions", func(t *testing.T) {
		t.Parallel()
		stream := newStreamID("multi")
		mustAppend(t, c, stream, esdb.NoStream{}, jsonEvent("First", 0))
		sent := jsonEvents("Batch", 1, 5)
		sent[2].ContentType = esdb.ContentTypeBinary
		sent[2].Data = []byte{0, 1, 2, 0xff}
		sent[3].Metadata = nil
		res := mustAppend(t, c, stream, esdb.Revision(0), sent...)
		if res.NextExpectedVersion != 5 {
			t.Fatalf("next expected version = %d, want 5", res.NextExpectedVersion)
		}
		evs := mustReadStream(t, c, stream, esdb.ReadStreamOptions{}, 100)
		requireRevs(t, evs, revRange(0, 5))
		for i, ev := range evs[1:] {
			got, want := ev.OriginalEvent(), sent[i]
			if got.EventID != want.EventID || got.EventType != want.EventType || !bytes.Equal(got.Data, want.Data) ||
				!bytes.Equal(got.UserMetadata, want.Metadata) {
				t.Fatalf("event %d = %+v, want %+v", i+1, got, want)
			}
			wantCT := "application/json"
			if want.ContentType == esdb.ContentTypeBinary {
				wantCT = "application/octet-stream"
			}
			if got.ContentType != wantCT {
				t.Fatalf("event %d content type = %q, want %q", i+1, got.ContentType, wantCT)
			}
			if prev := evs[i].OriginalEvent().Position.Commit; got.Position.Commit <= prev {
				t.Fatalf("event %d position %d not after %d", i+1, got.Position.Commit, prev)
			}
		}
		if last := evs[5].OriginalEvent().Position; last.Commit != res.CommitPosition || last.Prepare != res.PreparePosition {
			t.Fatalf("append reported position %d/%d, last event is at %d/%d", res.CommitPosition, res.PreparePosition, last.Commit, last.Prepare)
		}
	})

	t.Run("a rejected batch writes nothing", func(t *testing.T) {
		t.Parallel()
		stream := newStreamID("multi")
		mustAppend(t, c, stream, esdb.NoStream{}, jsonEvents("First", 0, 2)...)
		_, err := c.AppendToStream(context.Background(), stream, esdb.AppendToStreamOptions{ExpectedRevision: esdb.Revision(0)},
			jsonEvents("Batch", 2, 3)...)
		requireCode(t, err, esdb.ErrorCodeWrongExpectedVersion)
		requireRevs(t, mustReadStream(t, c, stream, esdb.ReadStreamOptions{}, 100), revRange(0, 1))
	})

	t.Run("concurrent batches stay whole in $all", func(t *testing.T) {
		_, c := startTestNode(t) // own node: the whole of $all is this test's
		const writers, batches, size = 6, 10, 7
		var wg sync.WaitGroup
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				stream := fmt.Sprintf("batch-%d", w)
				for b := range batches {
					if _, err := c.AppendToStream(context.Background(), stream, esdb.AppendToStreamOptions{},
						jsonEvents(fmt.Sprintf("B%d", b), 0, size)...); err != nil {
						t.Errorf("append: %v", err)
						return
					}
				}
			}()
		}
		wg.Wait()
		all := mustReadAll(t, c, esdb.ReadAllOptions{}, 10_000)
		if len(all) != writers*batches*size {
			t.Fatalf("$all has %d events, want %d", len(all), writers*batches*size)
		}
		for i := 0; i < len(all); i += size {
			first := all[i].OriginalEvent()
			for j := 1; j < size; j++ {
				ev := all[i+j].OriginalEvent()
				if ev.StreamID != first.StreamID || ev.EventType != first.EventType || ev.EventNumber != first.EventNumber+uint64(j) {
					t.Fatalf("$all[%d] = %s@%d %s interleaves the batch starting at %s@%d %s",
						i+j, ev.StreamID, ev.EventNumber, ev.EventType, first.StreamID, first.EventNumber, first.EventType)
				}
			}
		}
	})
}

func TestConformanceAppendIdempotent(t *testing.T) {
	t.Parallel()
	_, c := startTestNode(t)
	stream := newStreamID("idem")
	count := func() int {
		t.Helper()
		return len(mustReadStream(t, c, stream, esdb.ReadStreamOptions{}, 1000))
	}
	same := func(t *testing.T, got, want *esdb.WriteResult) {
		t.Helper()
		if *got != *want {
			t.Fatalf("retry result = %+v, want the first result %+v", *got, *want)
		}
	}

	first := jsonEvents("Idem", 0, 2)
	r1 := mustAppend(t, c, stream, esdb.NoStream{}, first...)
	same(t, mustAppend(t, c, stream, esdb.NoStream{}, first...), r1)
	if n := count(); n != 2 {
		t.Fatalf("%d events after a retried no-stream append, want 2", n)
	}

	second := jsonEvents("Idem", 2, 1)
	r2 := mustAppend(t, c, stream, esdb.Revision(1), second...)
	same(t, mustAppend(t, c, stream, esdb.Revision(1), second...), r2)
	if n := count(); n != 3 {
		t.Fatalf("%d events after a retried exact-revision append, want 3", n)
	}

	// A retry still recognised after the stream moved on.
	same(t, mustAppend(t, c, stream, esdb.NoStream{}, first...), r1)
	// With any, best effort: the node recognises it too.
	same(t, mustAppend(t, c, stream, esdb.Any{}, second...), r2)
	if n := count(); n != 3 {
		t.Fatalf("%d events after late retries, want 3", n)
	}

	// New ids after the same expected revision are a conflict, not a retry;
	// so is a batch of which only a prefix was written.
	_, err := c.AppendToStream(context.Background(), stream, esdb.AppendToStreamOptions{ExpectedRevision: esdb.Revision(1)},
		jsonEvent("Idem", 9))
	requireCode(t, err, esdb.ErrorCodeWrongExpectedVersion)
	_, err = c.AppendToStream(context.Background(), stream, esdb.AppendToStreamOptions{ExpectedRevision: esdb.Revision(1)},
		second[0], jsonEvent("Idem", 10))
	requireCode(t, err, esdb.ErrorCodeWrongExpectedVersion)
	if n := count(); n != 3 {
		t.Fatalf("%d events after conflicting appends, want 3", n)
	}
}

// Idempotency is per stream, as on the real server: event ids that were
// later written to another stream too still make a retry to the first
// stream a retry, and the other stream's retries are recognised as well.
func TestConformanceAppendIdempotentAcrossStreams(t *testing.T) {
	t.Parallel()
	n, c := startTestNode(t)
	a, b := newStreamID("idem-a"), newStreamID("idem-b")
	evs := jsonEvents("Idem", 0, 2)
	ra := mustAppend(t, c, a, esdb.NoStream{}, evs...)
	rb := mustAppend(t, c, b, esdb.NoStream{}, evs...) // the same ids in another stream
	before := n.Engine().EventCount()
	for _, tc := range []struct {
		stream string
		want   *esdb.WriteResult
	}{{a, ra}, {b, rb}, {a, ra}} {
		got := mustAppend(t, c, tc.stream, esdb.NoStream{}, evs...)
		if *got != *tc.want {
			t.Fatalf("retry to %s = %+v, want the first result %+v", tc.stream, *got, *tc.want)
		}
	}
	if after := n.Engine().EventCount(); after != before {
		t.Fatalf("retries wrote %d events", after-before)
	}
	for _, s := range []string{a, b} {
		requireRevs(t, mustReadStream(t, c, s, esdb.ReadStreamOptions{}, 10), revRange(0, 1))
	}
}

func TestConformanceAppendZeroEvents(t *testing.T) {
	t.Parallel()
	_, c := startTestNode(t)

	stream := newStreamID("empty")
	if _, err := c.AppendToStream(context.Background(), stream, esdb.AppendToStreamOptions{ExpectedRevision: esdb.NoStream{}}); err != nil {
		t.Fatalf("zero-event append to a new stream: %v", err)
	}
	_, err := readStream(t, c, stream, esdb.ReadStreamOptions{}, 10)
	requireCode(t, err, esdb.ErrorCodeResourceNotFound)

	mustAppend(t, c, stream, esdb.NoStream{}, jsonEvents("E", 0, 3)...)
	res, err := c.AppendToStream(context.Background(), stream, esdb.AppendToStreamOptions{ExpectedRevision: esdb.Revision(2)})
	if err != nil {
		t.Fatalf("zero-event append: %v", err)
	}
	if res.NextExpectedVersion != 2 {
		t.Fatalf("next expected version = %d, want 2 (current state)", res.NextExpectedVersion)
	}
	_, err = c.AppendToStream(context.Background(), stream, esdb.AppendToStreamOptions{ExpectedRevision: esdb.Revision(0)})
	requireCode(t, err, esdb.ErrorCodeWrongExpectedVersion)
	requireRevs(t, mustReadStream(t, c, stream, esdb.ReadStreamOptions{}, 10), revRange(0, 2))
}

func TestConformanceAppendConcurrentExactRevisions(t *testing.T) {
	t.Parallel()
	_, c := startTestNode(t)
	stream := newStreamID("race")
	const writers, revs = 8, 40

	type win struct {
		writer int
		next   uint64
	}
	var mu sync.Mutex
	wins := map[uint64][]win{}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range uint64(revs) {
				var expected esdb.ExpectedRevision = esdb.Revision(r - 1)
				if r == 0 {
					expected = esdb.NoStream{}
				}
				ev := jsonEvent("Race", w)
				res, err := c.AppendToStream(context.Background(), stream, esdb.AppendToStreamOptions{ExpectedRevision: expected}, ev)
				if err != nil {
					if errorCode(err) != esdb.ErrorCodeWrongExpectedVersion {
						t.Errorf("writer %d revision %d: %v", w, r, err)
						return
					}
					continue
				}
				mu.Lock()
				wins[r] = append(wins[r], win{writer: w, next: res.NextExpectedVersion})
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	evs := mustReadStream(t, c, stream, esdb.ReadStreamOptions{}, 1000)
	requireRevs(t, evs, revRange(0, revs-1))
	for r := range uint64(revs) {
		ws := wins[r]
		if len(ws) != 1 {
			t.Fatalf("revision %d has %d winners %v, want exactly one", r, len(ws), ws)
		}
		if ws[0].next != r {
			t.Fatalf("winner of revision %d reported next expected version %d", r, ws[0].next)
		}
		if want := fmt.Sprintf(`{"n":%d}`, ws[0].writer); string(evs[r].OriginalEvent().Data) != want {
			t.Fatalf("revision %d holds %s, but writer %d won it", r, evs[r].OriginalEvent().Data, ws[0].writer)
		}
	}
}

// TestConformanceAppendRetryInFlight sends retries of an append while the
// original is still waiting for its fsync, so they share its group commit:
// each must get the original's result and nothing may be written twice.
func TestConformanceAppendRetryInFlight(t *testing.T) {
	t.Parallel()
	slowSync := func(f *os.File) error { time.Sleep(20 * time.Millisecond); return f.Sync() }
	_, c := startNodeWith(t, Options{syncFile: slowSync})
	for _, tc := range []struct {
		name     string
		existing int
		expected esdb.ExpectedRevision
	}{
		{"no stream", 0, esdb.NoStream{}},
		{"exact revision", 2, esdb.Revision(1)},
		{"stream exists", 2, esdb.StreamExists{}},
		{"any", 0, esdb.Any{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stream := newStreamID("retry")
			if tc.existing > 0 {
				mustAppend(t, c, stream, esdb.NoStream{}, jsonEvents("Seeded", 0, tc.existing)...)
			}
			// Keep the committer busy so the copies queue up together.
			busy := make(chan struct{})
			go func() {
				defer close(busy)
				mustAppend(t, c, newStreamID("busy"), esdb.Any{}, jsonEvent("Busy", 0))
			}()
			time.Sleep(5 * time.Millisecond)
			evs := jsonEvents("Retried", 0, 2)
			const copies = 8
			results := make([]*esdb.WriteResult, copies)
			errs := make([]error, copies)
			var wg sync.WaitGroup
			for i := range copies {
				wg.Add(1)
				go func() {
					defer wg.Done()
					results[i], errs[i] = c.AppendToStream(context.Background(), stream,
						esdb.AppendToStreamOptions{ExpectedRevision: tc.expected}, evs...)
				}()
			}
			wg.Wait()
			<-busy
			for i := range copies {
				if errs[i] != nil {
					t.Fatalf("copy %d: %v", i, errs[i])
				}
				if *results[i] != *results[0] {
					t.Fatalf("copy %d result %+v, copy 0 result %+v", i, *results[i], *results[0])
				}
			}
			requireRevs(t, mustReadStream(t, c, stream, esdb.ReadStreamOptions{}, 100), revRange(0, uint64(tc.existing+1)))
		})
	}
}
