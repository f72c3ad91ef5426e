package node

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// Helpers of the conformance suite: it drives the node through the official
// client exactly as an application does, and through the raw generated gRPC
// client for requests the official client cannot produce.

// waitFor bounds every wait of the suite for something the node should do
// promptly; hitting it is a failure, never a slow pass.
const waitFor = 10 * time.Second

// newStreamID returns a fresh stream name shaped like Leerpad's (category,
// hyphen, UUID), so hyphenated names are exercised everywhere.
func newStreamID(category string) string { return category + "-" + uuid.NewString() }

// jsonEvent is a JSON event of type typ whose data and metadata carry n.
func jsonEvent(typ string, n int) esdb.EventData {
	return esdb.EventData{
		EventID:     uuid.New(),
		EventType:   typ,
		ContentType: esdb.ContentTypeJson,
		Data:        fmt.Appendf(nil, `{"n":%d}`, n),
		Metadata:    fmt.Appendf(nil, `{"m":%d}`, n),
	}
}

// jsonEvents is n JSON events of type typ numbered from first.
func jsonEvents(typ string, first, n int) []esdb.EventData {
	evs := make([]esdb.EventData, n)
	for i := range evs {
		evs[i] = jsonEvent(typ, first+i)
	}
	return evs
}

// mustAppend appends and fails the test on any error.
func mustAppend(tb testing.TB, c *esdb.Client, stream string, expected esdb.ExpectedRevision, evs ...esdb.EventData) *esdb.WriteResult {
	tb.Helper()
	res, err := c.AppendToStream(context.Background(), stream, esdb.AppendToStreamOptions{ExpectedRevision: expected}, evs...)
	if err != nil {
		tb.Fatalf("append %d events to %s (expected %#v): %v", len(evs), stream, expected, err)
	}
	return res
}

// appendMany appends n events to stream in batches of at most 500.
func appendMany(tb testing.TB, c *esdb.Client, stream, typ string, n int) {
	tb.Helper()
	for i := 0; i < n; i += 500 {
		mustAppend(tb, c, stream, esdb.Any{}, jsonEvents(typ, i, min(500, n-i))...)
	}
}

// collect drains a finite read; the error is the read's, io.EOF excluded.
func collectRead(rs *esdb.ReadStream) ([]*esdb.ResolvedEvent, error) {
	defer rs.Close()
	var out []*esdb.ResolvedEvent
	for {
		ev, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, ev)
	}
}

// readStream reads a stream to the end (or count); the error is the read's.
func readStream(tb testing.TB, c *esdb.Client, stream string, opts esdb.ReadStreamOptions, count uint64) ([]*esdb.ResolvedEvent, error) {
	tb.Helper()
	rs, err := c.ReadStream(context.Background(), stream, opts, count)
	if err != nil {
		return nil, err
	}
	return collectRead(rs)
}

// mustReadStream is readStream failing the test on an error.
func mustReadStream(tb testing.TB, c *esdb.Client, stream string, opts esdb.ReadStreamOptions, count uint64) []*esdb.ResolvedEvent {
	tb.Helper()
	evs, err := readStream(tb, c, stream, opts, count)
	if err != nil {
		tb.Fatalf("read %s: %v", stream, err)
	}
	return evs
}

// mustReadAll reads $all and fails the test on an error.
func mustReadAll(tb testing.TB, c *esdb.Client, opts esdb.ReadAllOptions, count uint64) []*esdb.ResolvedEvent {
	tb.Helper()
	rs, err := c.ReadAll(context.Background(), opts, count)
	if err != nil {
		tb.Fatalf("read $all: %v", err)
	}
	evs, err := collectRead(rs)
	if err != nil {
		tb.Fatalf("read $all: %v", err)
	}
	return evs
}

// errorCode is the client's classification of err, or -1 when err is not
// (and does not wrap) an *esdb.Error.
func errorCode(err error) esdb.ErrorCode {
	var e *esdb.Error
	if errors.As(err, &e) {
		return e.Code()
	}
	return -1
}

func requireCode(tb testing.TB, err error, want esdb.ErrorCode) {
	tb.Helper()
	if err == nil {
		tb.Fatalf("err = nil, want client error code %d", want)
	}
	if got := errorCode(err); got != want {
		tb.Fatalf("err = %v (client code %d), want client code %d", err, got, want)
	}
}

// revisions lists the stream revisions of events.
func revisions(evs []*esdb.ResolvedEvent) []uint64 {
	out := make([]uint64, len(evs))
	for i, ev := range evs {
		out[i] = ev.OriginalEvent().EventNumber
	}
	return out
}

// revRange is [from, to] ascending, or descending when from > to.
func revRange(from, to uint64) []uint64 {
	var out []uint64
	if from <= to {
		for r := from; r <= to; r++ {
			out = append(out, r)
		}
		return out
	}
	for r := from; ; r-- {
		out = append(out, r)
		if r == to {
			return out
		}
	}
}

func equalRevs(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func requireRevs(tb testing.TB, evs []*esdb.ResolvedEvent, want []uint64) {
	tb.Helper()
	if got := revisions(evs); !equalRevs(got, want) {
		tb.Fatalf("revisions = %v, want %v", got, want)
	}
}

// ofStream keeps the events of $all that belong to stream.
func ofStream(evs []*esdb.ResolvedEvent, stream string) []*esdb.ResolvedEvent {
	var out []*esdb.ResolvedEvent
	for _, ev := range evs {
		if ev.OriginalEvent().StreamID == stream {
			out = append(out, ev)
		}
	}
	return out
}

// subWatcher consumes a client subscription in the background so tests
// can wait for its messages with a timeout.
type subWatcher struct {
	sub  *esdb.Subscription
	msgs chan *esdb.SubscriptionEvent
	done chan struct{}
}

func watchSubscription(tb testing.TB, sub *esdb.Subscription) *subWatcher {
	s := &subWatcher{sub: sub, msgs: make(chan *esdb.SubscriptionEvent, 1024), done: make(chan struct{})}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			m := sub.Recv()
			select {
			case s.msgs <- m:
			case <-s.done:
				return
			}
			if m.SubscriptionDropped != nil {
				return
			}
		}
	}()
	tb.Cleanup(func() {
		close(s.done)
		_ = sub.Close()
		wg.Wait()
	})
	return s
}

func subscribeStream(tb testing.TB, c *esdb.Client, stream string, from esdb.StreamPosition) *subWatcher {
	tb.Helper()
	sub, err := c.SubscribeToStream(context.Background(), stream, esdb.SubscribeToStreamOptions{From: from})
	if err != nil {
		tb.Fatalf("subscribe to %s: %v", stream, err)
	}
	return watchSubscription(tb, sub)
}

func subscribeAll(tb testing.TB, c *esdb.Client, opts esdb.SubscribeToAllOptions) *subWatcher {
	tb.Helper()
	sub, err := c.SubscribeToAll(context.Background(), opts)
	if err != nil {
		tb.Fatalf("subscribe to $all: %v", err)
	}
	return watchSubscription(tb, sub)
}

// next returns the next message of any kind.
func (s *subWatcher) next(tb testing.TB) *esdb.SubscriptionEvent {
	tb.Helper()
	select {
	case m := <-s.msgs:
		return m
	case <-time.After(waitFor):
		tb.Fatalf("no subscription message within %v", waitFor)
		return nil
	}
}

// nextEvent returns the next event, skipping checkpoints and caught-up
// messages; a drop fails the test.
func (s *subWatcher) nextEvent(tb testing.TB) *esdb.RecordedEvent {
	tb.Helper()
	for {
		m := s.next(tb)
		switch {
		case m.SubscriptionDropped != nil:
			tb.Fatalf("subscription dropped: %v", m.SubscriptionDropped.Error)
		case m.EventAppeared != nil:
			return m.EventAppeared.OriginalEvent()
		}
	}
}

// untilCaughtUp returns the events received before the caught-up message,
// failing on a drop.
func (s *subWatcher) untilCaughtUp(tb testing.TB) []*esdb.RecordedEvent {
	tb.Helper()
	var out []*esdb.RecordedEvent
	for {
		m := s.next(tb)
		switch {
		case m.SubscriptionDropped != nil:
			tb.Fatalf("subscription dropped after %d events: %v", len(out), m.SubscriptionDropped.Error)
		case m.EventAppeared != nil:
			out = append(out, m.EventAppeared.OriginalEvent())
		case m.CaughtUp != nil:
			return out
		}
	}
}

// quiet fails if an event or drop arrives within d.
func (s *subWatcher) quiet(tb testing.TB, d time.Duration) {
	tb.Helper()
	deadline := time.After(d)
	for {
		select {
		case m := <-s.msgs:
			if m.EventAppeared != nil {
				ev := m.EventAppeared.OriginalEvent()
				tb.Fatalf("unexpected event %s@%d (%s)", ev.StreamID, ev.EventNumber, ev.EventType)
			}
			if m.SubscriptionDropped != nil {
				tb.Fatalf("subscription dropped: %v", m.SubscriptionDropped.Error)
			}
		case <-deadline:
			return
		}
	}
}

func recordedRevs(evs []*esdb.RecordedEvent) []uint64 {
	out := make([]uint64, len(evs))
	for i, ev := range evs {
		out[i] = ev.EventNumber
	}
	return out
}

// rawStreams dials the node with the generated gRPC client, for requests
// the official client never sends.
func rawStreams(tb testing.TB, n *Node) (streams.StreamsClient, *grpc.ClientConn) {
	tb.Helper()
	conn, err := grpc.NewClient(n.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		tb.Fatalf("dial %s: %v", n.Addr(), err)
	}
	tb.Cleanup(func() { _ = conn.Close() })
	return streams.NewStreamsClient(conn), conn
}

// startNodeWith is startTestNode with engine options (a settable clock, a
// slow fsync) the official client cannot reach.
func startNodeWith(tb testing.TB, opts Options) (*Node, *esdb.Client) {
	tb.Helper()
	n, err := Start(context.Background(), Config{DataDir: tb.TempDir(), Listen: "127.0.0.1:0", engineOptions: opts})
	if err != nil {
		tb.Fatalf("start node: %v", err)
	}
	tb.Cleanup(func() { _ = n.Close() })
	return n, newTestClient(tb, n.ConnectionString())
}
