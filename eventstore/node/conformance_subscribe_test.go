package node

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestConformanceSubscribeStream(t *testing.T) {
	t.Parallel()
	_, c := startTestNode(t)
	for _, tc := range []struct {
		name     string
		from     esdb.StreamPosition
		catchUp  []uint64
		existing int
	}{
		{"from start", esdb.Start{}, revRange(0, 4), 5},
		{"from a revision (exclusive)", esdb.Revision(2), revRange(3, 4), 5},
		{"from the last revision", esdb.Revision(4), nil, 5},
		{"from end", esdb.End{}, nil, 5},
		{"non-existent stream from start", esdb.Start{}, nil, 0},
		{"non-existent stream from end", esdb.End{}, nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			stream := newStreamID("sub")
			if tc.existing > 0 {
				appendMany(t, c, stream, "Old", tc.existing)
			}
			other := newStreamID("sub")
			mustAppend(t, c, other, esdb.Any{}, jsonEvent("Other", 0))
			sub := subscribeStream(t, c, stream, tc.from)
			if got := recordedRevs(sub.untilCaughtUp(t)); !equalRevs(got, tc.catchUp) {
				t.Fatalf("catch-up revisions = %v, want %v", got, tc.catchUp)
			}
			mustAppend(t, c, other, esdb.Any{}, jsonEvent("Other", 1))
			mustAppend(t, c, stream, esdb.Any{}, jsonEvents("New", 0, 2)...)
			for i := range 2 {
				ev := sub.nextEvent(t)
				if ev.StreamID != stream || ev.EventType != "New" || ev.EventNumber != uint64(tc.existing+i) {
					t.Fatalf("live event %d = %s@%d %s, want %s@%d New", i, ev.StreamID, ev.EventNumber, ev.EventType, stream, tc.existing+i)
				}
			}
			sub.quiet(t, 50*time.Millisecond)
		})
	}
}

func TestConformanceSubscribeAll(t *testing.T) {
	t.Parallel()
	_, c := startTestNode(t) // own node: the whole of $all is this test's
	a, b := newStreamID("all"), newStreamID("all")
	for i := range 10 {
		mustAppend(t, c, []string{a, b}[i%2], esdb.Any{}, jsonEvent("Old", i))
	}
	for _, tc := range []struct {
		name  string
		after int // index into $all of the start point; -1: start; -2: end
	}{
		{"from start", -1},
		{"from a position (exclusive)", 4},
		{"from the last seeded position", 9},
		{"from end", -2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Earlier subtests append live events: read $all afresh.
			all := mustReadAll(t, c, esdb.ReadAllOptions{}, 100)
			var from esdb.AllPosition
			var catchUp []*esdb.ResolvedEvent
			switch tc.after {
			case -1:
				from, catchUp = esdb.Start{}, all
			case -2:
				from = esdb.End{}
			default:
				from, catchUp = all[tc.after].OriginalEvent().Position, all[tc.after+1:]
			}
			sub := subscribeAll(t, c, esdb.SubscribeToAllOptions{From: from})
			got := sub.untilCaughtUp(t)
			if len(got) != len(catchUp) {
				t.Fatalf("caught up after %d events, want %d", len(got), len(catchUp))
			}
			for i, ev := range got {
				if ev.Position != catchUp[i].OriginalEvent().Position {
					t.Fatalf("catch-up event %d at %v, want %v", i, ev.Position, catchUp[i].OriginalEvent().Position)
				}
			}
			stream := newStreamID("live")
			res := mustAppend(t, c, stream, esdb.NoStream{}, jsonEvent("New", 0))
			if ev := sub.nextEvent(t); ev.StreamID != stream || ev.Position.Commit != res.CommitPosition {
				t.Fatalf("live event %s at %v, want %s at %d", ev.StreamID, ev.Position, stream, res.CommitPosition)
			}
			sub.quiet(t, 50*time.Millisecond)
		})
	}
}

// TestConformanceSubscribeCatchUpUnderLoad is the real server's caught-up
// test (6000 events, then caught-up) with writers appending concurrently:
// every event arrives once, in order, with no gap.
func TestConformanceSubscribeCatchUpUnderLoad(t *testing.T) {
	t.Parallel()
	const existing, writers, perWriter = 6000, 4, 50
	const total = existing + writers*perWriter

	t.Run("stream", func(t *testing.T) {
		t.Parallel()
		_, c := startTestNode(t)
		stream := newStreamID("dataset")
		appendMany(t, c, stream, "Old", existing)
		sub := subscribeStream(t, c, stream, esdb.Start{})
		writeConcurrently(t, c, func(int) string { return stream }, writers, perWriter)
		caughtUpAt := -1
		for next := uint64(0); next < total; {
			m := sub.next(t)
			switch {
			case m.SubscriptionDropped != nil:
				t.Fatalf("dropped after %d events: %v", next, m.SubscriptionDropped.Error)
			case m.CaughtUp != nil:
				if caughtUpAt >= 0 {
					t.Fatalf("a second caught-up after %d events", next)
				}
				caughtUpAt = int(next)
			case m.EventAppeared != nil:
				if got := m.EventAppeared.OriginalEvent().EventNumber; got != next {
					t.Fatalf("event %d has revision %d (gap or duplicate)", next, got)
				}
				next++
			}
		}
		if caughtUpAt < existing {
			t.Fatalf("caught-up after %d events, want after at least %d", caughtUpAt, existing)
		}
		sub.quiet(t, 50*time.Millisecond)
	})

	t.Run("$all", func(t *testing.T) {
		t.Parallel()
		_, c := startTestNode(t) // own node: the whole of $all is this test's
		for i := range 6 {
			appendMany(t, c, fmt.Sprintf("dataset-%d", i), "Old", existing/6)
		}
		sub := subscribeAll(t, c, esdb.SubscribeToAllOptions{From: esdb.Start{}})
		writeConcurrently(t, c, func(w int) string { return fmt.Sprintf("writer-%d", w) }, writers, perWriter)
		var got []esdb.Position
		caughtUpAt := -1
		for len(got) < total {
			m := sub.next(t)
			switch {
			case m.SubscriptionDropped != nil:
				t.Fatalf("dropped after %d events: %v", len(got), m.SubscriptionDropped.Error)
			case m.CaughtUp != nil:
				caughtUpAt = len(got)
			case m.EventAppeared != nil:
				got = append(got, m.EventAppeared.OriginalEvent().Position)
			}
		}
		if caughtUpAt < existing {
			t.Fatalf("caught-up after %d events, want after at least %d", caughtUpAt, existing)
		}
		want := mustReadAll(t, c, esdb.ReadAllOptions{}, total+10)
		if len(want) != total {
			t.Fatalf("$all has %d events, want %d", len(want), total)
		}
		for i, ev := range want {
			if got[i] != ev.OriginalEvent().Position {
				t.Fatalf("subscription event %d at %v, $all has %v there (order, gap or duplicate)", i, got[i], ev.OriginalEvent().Position)
			}
		}
		sub.quiet(t, 50*time.Millisecond)
	})
}

// writeConcurrently starts writers appending perWriter single events each
// to stream(w) and waits for them at the end of the test.
func writeConcurrently(tb testing.TB, c *esdb.Client, stream func(w int) string, writers, perWriter int) {
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				if _, err := c.AppendToStream(context.Background(), stream(w), esdb.AppendToStreamOptions{}, jsonEvent("Live", i)); err != nil {
					tb.Errorf("writer %d: %v", w, err)
					return
				}
			}
		}()
	}
	tb.Cleanup(wg.Wait)
}

func TestConformanceSubscribeAllFilters(t *testing.T) {
	t.Parallel()
	_, c := startTestNode(t) // own node: the whole of $all is this test's
	write := func(stream, typ string) { mustAppend(t, c, stream, esdb.Any{}, jsonEvent(typ, 0)) }
	for i := range 3 {
		write(fmt.Sprintf("order-%d", i), "OrderPlaced")
		write(fmt.Sprintf("order-%d", i), "OrderShipped")
		write(fmt.Sprintf("learner-%d", i), "LearnerEnrolled")
		write(fmt.Sprintf("journey-%d", i), "JourneyStarted")
	}
	meta := esdb.StreamMetadata{}
	meta.SetMaxCount(10)
	if _, err := c.SetStreamMetadata(context.Background(), "order-0", esdb.AppendToStreamOptions{}, meta); err != nil {
		t.Fatalf("set metadata: %v", err)
	}
	all := mustReadAll(t, c, esdb.ReadAllOptions{}, 1000)

	for _, tc := range []struct {
		name   string
		filter *esdb.SubscriptionFilter
		match  func(stream, typ string) bool
	}{
		{"stream prefixes", &esdb.SubscriptionFilter{Type: esdb.StreamFilterType, Prefixes: []string{"order-", "journey-"}},
			func(s, _ string) bool { return strings.HasPrefix(s, "order-") || strings.HasPrefix(s, "journey-") }},
		{"stream regex", &esdb.SubscriptionFilter{Type: esdb.StreamFilterType, Regex: "^learner-[12]$"},
			func(s, _ string) bool { return s == "learner-1" || s == "learner-2" }},
		{"event type prefix", &esdb.SubscriptionFilter{Type: esdb.EventFilterType, Prefixes: []string{"Order"}},
			func(_, typ string) bool { return strings.HasPrefix(typ, "Order") }},
		{"event type regex", &esdb.SubscriptionFilter{Type: esdb.EventFilterType, Regex: "Shipped$|^Journey"},
			func(_, typ string) bool {
				return strings.HasSuffix(typ, "Shipped") || strings.HasPrefix(typ, "Journey")
			}},
		{"exclude system events", esdb.ExcludeSystemEventsFilter(),
			func(_, typ string) bool { return !strings.HasPrefix(typ, "$") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sub := subscribeAll(t, c, esdb.SubscribeToAllOptions{From: esdb.Start{}, Filter: tc.filter})
			var want []esdb.Position
			for _, ev := range all {
				if o := ev.OriginalEvent(); tc.match(o.StreamID, o.EventType) {
					want = append(want, o.Position)
				}
			}
			got := sub.untilCaughtUp(t)
			if len(got) != len(want) {
				t.Fatalf("caught up after %d events, want %d", len(got), len(want))
			}
			for i, ev := range got {
				if ev.Position != want[i] || !tc.match(ev.StreamID, ev.EventType) {
					t.Fatalf("event %d = %s %s at %v, want position %v", i, ev.StreamID, ev.EventType, ev.Position, want[i])
				}
			}
			// Live: one event that matches and several that do not.
			var live esdb.Position
			for _, e := range []struct{ stream, typ string }{
				{"learner-1", "LearnerEnrolled"}, {"order-1", "OrderShipped"}, {"journey-9", "JourneyStarted"}, {"other-1", "Other"},
			} {
				res := mustAppend(t, c, e.stream, esdb.Any{}, jsonEvent(e.typ, 1))
				if tc.match(e.stream, e.typ) && live == (esdb.Position{}) {
					live = esdb.Position{Commit: res.CommitPosition, Prepare: res.PreparePosition}
				}
			}
			if ev := sub.nextEvent(t); ev.Position != live {
				t.Fatalf("first live event %s %s at %v, want the first matching one at %v", ev.StreamID, ev.EventType, ev.Position, live)
			}
			all = mustReadAll(t, c, esdb.ReadAllOptions{}, 1000)
		})
	}

	t.Run("invalid regex", func(t *testing.T) {
		_, err := c.SubscribeToAll(context.Background(), esdb.SubscribeToAllOptions{
			Filter: &esdb.SubscriptionFilter{Type: esdb.StreamFilterType, Regex: "(unclosed"}})
		if err == nil {
			t.Fatal("subscription with an invalid regex was accepted")
		}
	})
}

func TestConformanceSubscribeAllCheckpoints(t *testing.T) {
	t.Parallel()
	_, c := startTestNode(t) // own node: the whole of $all is this test's
	mustAppend(t, c, "match-1", esdb.NoStream{}, jsonEvent("Match", 0))
	appendMany(t, c, "noise-1", "Noise", 299)
	const window, multiplier = 10, 3
	const interval = window * multiplier

	sub := subscribeAll(t, c, esdb.SubscribeToAllOptions{
		From: esdb.Start{}, MaxSearchWindow: window, CheckpointInterval: multiplier,
		Filter: &esdb.SubscriptionFilter{Type: esdb.StreamFilterType, Prefixes: []string{"match-"}},
	})
	all := mustReadAll(t, c, esdb.ReadAllOptions{}, 1000)
	head := all[len(all)-1].OriginalEvent().Position.Commit
	var checkpoints []uint64
	events := 0
	for caughtUp := false; !caughtUp; {
		m := sub.next(t)
		switch {
		case m.SubscriptionDropped != nil:
			t.Fatalf("dropped: %v", m.SubscriptionDropped.Error)
		case m.EventAppeared != nil:
			events++
		case m.CheckPointReached != nil:
			p := *m.CheckPointReached
			if p.Commit != p.Prepare || p.Commit > head || (len(checkpoints) > 0 && p.Commit <= checkpoints[len(checkpoints)-1]) {
				t.Fatalf("checkpoint %v after %v (head %d)", p, checkpoints, head)
			}
			checkpoints = append(checkpoints, p.Commit)
		case m.CaughtUp != nil:
			caughtUp = true
		}
	}
	if events != 1 {
		t.Fatalf("%d matching events during catch-up, want 1", events)
	}
	if want := len(all) / interval; len(checkpoints) < want-1 || len(checkpoints) > want+1 {
		t.Fatalf("%d checkpoints while scanning %d events, want about %d (every %d)", len(checkpoints), len(all), want, interval)
	}

	// Live: scanning non-matching events still checkpoints.
	appendMany(t, c, "noise-2", "Noise", 2*interval)
	m := sub.next(t)
	if m.CheckPointReached == nil || m.CheckPointReached.Commit <= head {
		t.Fatalf("after %d live non-matching events got %+v, want a checkpoint beyond %d", 2*interval, m, head)
	}

	// A consumer resuming from its last checkpoint sees only what followed.
	last := esdb.Position{Commit: checkpoints[len(checkpoints)-1], Prepare: checkpoints[len(checkpoints)-1]}
	resumed := subscribeAll(t, c, esdb.SubscribeToAllOptions{From: last,
		Filter: &esdb.SubscriptionFilter{Type: esdb.StreamFilterType, Prefixes: []string{"match-"}}})
	res := mustAppend(t, c, "match-1", esdb.Revision(0), jsonEvent("Match", 1))
	if ev := resumed.nextEvent(t); ev.Position.Commit != res.CommitPosition {
		t.Fatalf("resumed subscription's first event at %v, want the new one at %d", ev.Position, res.CommitPosition)
	}
}

func TestConformanceSubscribeTombstone(t *testing.T) {
	t.Parallel()
	_, c := startTestNode(t)

	t.Run("live subscription ends", func(t *testing.T) {
		t.Parallel()
		stream := newStreamID("tomb")
		mustAppend(t, c, stream, esdb.NoStream{}, jsonEvents("E", 0, 2)...)
		sub := subscribeStream(t, c, stream, esdb.Start{})
		requireRecordedRevs(t, sub.untilCaughtUp(t), revRange(0, 1))
		if _, err := c.TombstoneStream(context.Background(), stream, esdb.TombstoneStreamOptions{ExpectedRevision: esdb.Revision(1)}); err != nil {
			t.Fatalf("tombstone: %v", err)
		}
		var m *esdb.SubscriptionEvent
		for m = sub.next(t); m.SubscriptionDropped == nil; m = sub.next(t) {
			if m.EventAppeared != nil {
				t.Fatalf("event %+v after the tombstone", m.EventAppeared.OriginalEvent())
			}
		}
		// The client hands a dropped subscription's gRPC status through
		// unmapped: FailedPrecondition with the stream-deleted message (the
		// stream-deleted trailer only becomes ErrorCodeStreamDeleted on
		// calls that go through the client's error handling).
		err := m.SubscriptionDropped.Error
		if st, ok := status.FromError(err); !ok || st.Code() != codes.FailedPrecondition || !strings.Contains(st.Message(), "deleted") {
			t.Fatalf("drop error = %v, want FailedPrecondition stream deleted", err)
		}
	})

	t.Run("subscribing to a tombstoned stream fails", func(t *testing.T) {
		t.Parallel()
		stream := newStreamID("tomb")
		mustAppend(t, c, stream, esdb.NoStream{}, jsonEvent("E", 0))
		if _, err := c.TombstoneStream(context.Background(), stream, esdb.TombstoneStreamOptions{}); err != nil {
			t.Fatalf("tombstone: %v", err)
		}
		for _, from := range []esdb.StreamPosition{esdb.Start{}, esdb.End{}, esdb.Revision(0)} {
			_, err := c.SubscribeToStream(context.Background(), stream, esdb.SubscribeToStreamOptions{From: from})
			requireCode(t, err, esdb.ErrorCodeStreamDeleted)
		}
	})
}

func requireRecordedRevs(tb testing.TB, evs []*esdb.RecordedEvent, want []uint64) {
	tb.Helper()
	if got := recordedRevs(evs); !equalRevs(got, want) {
		tb.Fatalf("revisions = %v, want %v", got, want)
	}
}
