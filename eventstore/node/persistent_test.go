package node

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/persistent"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Persistent subscription tests drive the node through the official client.

const psWait = 3 * time.Second

func psEvents(n int) []esdb.EventData {
	out := make([]esdb.EventData, n)
	for i := range out {
		out[i] = esdb.EventData{EventID: uuid.New(), EventType: "test.happened",
			ContentType: esdb.ContentTypeJson, Data: fmt.Appendf(nil, `{"i":%d}`, i)}
	}
	return out
}

func psAppend(tb testing.TB, c *esdb.Client, stream string, evs ...esdb.EventData) {
	tb.Helper()
	if _, err := c.AppendToStream(context.Background(), stream, esdb.AppendToStreamOptions{}, evs...); err != nil {
		tb.Fatalf("append to %s: %v", stream, err)
	}
}

func psSettingsWith(mod func(*esdb.PersistentSubscriptionSettings)) *esdb.PersistentSubscriptionSettings {
	s := esdb.SubscriptionSettingsDefault()
	if mod != nil {
		mod(&s)
	}
	return &s
}

func psCreate(tb testing.TB, c *esdb.Client, stream, group string, from esdb.StreamPosition, s *esdb.PersistentSubscriptionSettings) {
	tb.Helper()
	err := c.CreatePersistentSubscription(context.Background(), stream, group,
		esdb.PersistentStreamSubscriptionOptions{StartFrom: from, Settings: s})
	if err != nil {
		tb.Fatalf("create %s::%s: %v", stream, group, err)
	}
}

// psSub is a connected consumer whose events arrive on a channel.
type psSub struct {
	*esdb.PersistentSubscription
	events  chan *esdb.EventAppeared
	dropped chan error
}

func psSubscribe(tb testing.TB, c *esdb.Client, stream, group string, buffer uint32) *psSub {
	tb.Helper()
	opts := esdb.SubscribeToPersistentSubscriptionOptions{BufferSize: buffer}
	var sub *esdb.PersistentSubscription
	var err error
	if stream == "$all" {
		sub, err = c.SubscribeToPersistentSubscriptionToAll(context.Background(), group, opts)
	} else {
		sub, err = c.SubscribeToPersistentSubscription(context.Background(), stream, group, opts)
	}
	if err != nil {
		tb.Fatalf("subscribe to %s::%s: %v", stream, group, err)
	}
	s := &psSub{PersistentSubscription: sub, events: make(chan *esdb.EventAppeared, 1000), dropped: make(chan error, 1)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			ev := sub.Recv()
			if ev.SubscriptionDropped != nil {
				s.dropped <- ev.SubscriptionDropped.Error
				return
			}
			if ev.EventAppeared != nil {
				s.events <- ev.EventAppeared
			}
		}
	}()
	tb.Cleanup(func() {
		_ = sub.Close()
		<-done
	})
	return s
}

func (s *psSub) next(tb testing.TB) *esdb.EventAppeared {
	tb.Helper()
	select {
	case ev := <-s.events:
		return ev
	case err := <-s.dropped:
		tb.Fatalf("subscription dropped: %v", err)
	case <-time.After(psWait):
		tb.Fatal("no event within the deadline")
	}
	return nil
}

func (s *psSub) none(tb testing.TB, d time.Duration) {
	tb.Helper()
	select {
	case ev := <-s.events:
		tb.Fatalf("unexpected event %s@%d (retry %d)", ev.Event.OriginalEvent().StreamID,
			ev.Event.OriginalEvent().EventNumber, ev.RetryCount)
	case <-time.After(d):
	}
}

func (s *psSub) ack(tb testing.TB, evs ...*esdb.EventAppeared) {
	tb.Helper()
	for _, ev := range evs {
		if err := s.Ack(ev.Event); err != nil {
			tb.Fatalf("ack: %v", err)
		}
	}
}

func (s *psSub) nack(tb testing.TB, action esdb.NackAction, evs ...*esdb.EventAppeared) {
	tb.Helper()
	for _, ev := range evs {
		if err := s.Nack("test", action, ev.Event); err != nil {
			tb.Fatalf("nack: %v", err)
		}
	}
}

func psCode(err error) esdb.ErrorCode {
	var e *esdb.Error
	if errors.As(err, &e) {
		return e.Code()
	}
	return -1
}

func psInfo(tb testing.TB, c *esdb.Client, stream, group string) *esdb.PersistentSubscriptionInfo {
	tb.Helper()
	var info *esdb.PersistentSubscriptionInfo
	var err error
	if stream == "$all" {
		info, err = c.GetPersistentSubscriptionInfoToAll(context.Background(), group, esdb.GetPersistentSubscriptionOptions{})
	} else {
		info, err = c.GetPersistentSubscriptionInfo(context.Background(), stream, group, esdb.GetPersistentSubscriptionOptions{})
	}
	if err != nil {
		tb.Fatalf("info %s::%s: %v", stream, group, err)
	}
	return info
}

// psEventually polls cond until it holds.
func psEventually(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(psWait)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestPersistentManagement(t *testing.T) {
	_, c := startTestNode(t)
	ctx := context.Background()
	stream := "orders-" + uuid.NewString()

	// A group on a stream that does not exist yet is legal.
	psCreate(t, c, stream, "g1", esdb.Start{}, nil)
	psCreate(t, c, stream, "g2", esdb.End{}, psSettingsWith(func(s *esdb.PersistentSubscriptionSettings) {
		s.ConsumerStrategyName = esdb.ConsumerStrategyPinned
	}))
	psCreate(t, c, stream, "/g3/x", esdb.Revision(7), nil)
	err := c.CreatePersistentSubscription(ctx, stream, "g1", esdb.PersistentStreamSubscriptionOptions{})
	if psCode(err) != esdb.ErrorCodeResourceAlreadyExists {
		t.Fatalf("duplicate create: %v, want ResourceAlreadyExists", err)
	}
	if err := c.CreatePersistentSubscriptionToAll(ctx, "all1", esdb.PersistentAllSubscriptionOptions{
		StartFrom: esdb.Position{Commit: 42, Prepare: 42},
		Filter:    &esdb.SubscriptionFilter{Type: esdb.StreamFilterType, Prefixes: []string{"orders-"}},
	}); err != nil {
		t.Fatalf("create $all group: %v", err)
	}
	if err := c.CreatePersistentSubscriptionToAll(ctx, "all2", esdb.PersistentAllSubscriptionOptions{}); err != nil {
		t.Fatalf("create $all group: %v", err)
	}
	err = c.CreatePersistentSubscriptionToAll(ctx, "all2", esdb.PersistentAllSubscriptionOptions{})
	if psCode(err) != esdb.ErrorCodeResourceAlreadyExists {
		t.Fatalf("duplicate $all create: %v, want ResourceAlreadyExists", err)
	}

	info := psInfo(t, c, stream, "g1")
	if info.EventSource != stream || info.GroupName != "g1" || info.Status != "Live" {
		t.Fatalf("info = %+v", info)
	}
	if _, ok := info.Settings.StartFrom.(esdb.Start); !ok {
		t.Fatalf("g1 start = %#v, want Start", info.Settings.StartFrom)
	}
	if info.Settings.ConsumerStrategyName != esdb.ConsumerStrategyRoundRobin || info.Settings.MaxRetryCount != 10 {
		t.Fatalf("g1 settings = %+v", info.Settings)
	}
	if info := psInfo(t, c, stream, "g2"); info.Settings.ConsumerStrategyName != esdb.ConsumerStrategyPinned {
		t.Fatalf("g2 strategy = %q", info.Settings.ConsumerStrategyName)
	} else if _, ok := info.Settings.StartFrom.(esdb.End); !ok {
		t.Fatalf("g2 start = %#v, want End", info.Settings.StartFrom)
	}
	if info := psInfo(t, c, stream, "/g3/x"); info.Settings.StartFrom != esdb.Revision(7) {
		t.Fatalf("g3 start = %#v, want revision 7", info.Settings.StartFrom)
	}
	if info := psInfo(t, c, "$all", "all1"); info.EventSource != "$all" {
		t.Fatalf("all1 source = %q", info.EventSource)
	} else if p, ok := info.Settings.StartFrom.(*esdb.Position); !ok || p.Commit != 42 {
		t.Fatalf("all1 start = %#v, want C:42/P:42", info.Settings.StartFrom)
	}

	list, err := c.ListAllPersistentSubscriptions(ctx, esdb.ListPersistentSubscriptionsOptions{})
	if err != nil || len(list) != 5 {
		t.Fatalf("list all = %d, %v; want 5", len(list), err)
	}
	list, err = c.ListPersistentSubscriptionsForStream(ctx, stream, esdb.ListPersistentSubscriptionsOptions{})
	if err != nil || len(list) != 3 {
		t.Fatalf("list for stream = %d, %v; want 3", len(list), err)
	}
	list, err = c.ListPersistentSubscriptionsToAll(ctx, esdb.ListPersistentSubscriptionsOptions{})
	if err != nil || len(list) != 2 {
		t.Fatalf("list $all = %d, %v; want 2", len(list), err)
	}
	_, err = c.ListPersistentSubscriptionsForStream(ctx, "nothing-here", esdb.ListPersistentSubscriptionsOptions{})
	if psCode(err) != esdb.ErrorCodeResourceNotFound {
		t.Fatalf("list for a stream without groups: %v, want ResourceNotFound", err)
	}

	upd := psSettingsWith(func(s *esdb.PersistentSubscriptionSettings) {
		s.MaxRetryCount = 3
		s.ConsumerStrategyName = esdb.ConsumerStrategyDispatchToSingle
		s.MessageTimeout = 1234
		s.CheckpointLowerBound, s.CheckpointUpperBound = 11, 1001
		s.ResolveLinkTos = true
	})
	if err := c.UpdatePersistentSubscription(ctx, stream, "g1", esdb.PersistentStreamSubscriptionOptions{
		StartFrom: esdb.Revision(2), Settings: upd}); err != nil {
		t.Fatalf("update: %v", err)
	}
	info = psInfo(t, c, stream, "g1")
	s := info.Settings
	if s.MaxRetryCount != 3 || s.ConsumerStrategyName != esdb.ConsumerStrategyDispatchToSingle || s.MessageTimeout != 1234 ||
		s.CheckpointLowerBound != 11 || s.CheckpointUpperBound != 1001 || !s.ResolveLinkTos || s.StartFrom != esdb.Revision(2) {
		t.Fatalf("settings after update = %+v", s)
	}
	if err := c.UpdatePersistentSubscriptionToAll(ctx, "all2", esdb.PersistentAllSubscriptionOptions{Settings: upd}); err != nil {
		t.Fatalf("update $all: %v", err)
	}

	for name, err := range map[string]error{
		"update missing":      c.UpdatePersistentSubscription(ctx, stream, "nope", esdb.PersistentStreamSubscriptionOptions{}),
		"delete missing":      c.DeletePersistentSubscription(ctx, stream, "nope", esdb.DeletePersistentSubscriptionOptions{}),
		"delete missing $all": c.DeletePersistentSubscriptionToAll(ctx, "nope", esdb.DeletePersistentSubscriptionOptions{}),
		"replay missing":      c.ReplayParkedMessages(ctx, stream, "nope", esdb.ReplayParkedMessagesOptions{}),
	} {
		if psCode(err) != esdb.ErrorCodeResourceNotFound {
			t.Errorf("%s: %v, want ResourceNotFound", name, err)
		}
	}
	if _, err := c.GetPersistentSubscriptionInfo(ctx, stream, "nope", esdb.GetPersistentSubscriptionOptions{}); psCode(err) != esdb.ErrorCodeResourceNotFound {
		t.Errorf("info missing: %v, want ResourceNotFound", err)
	}
	if _, err := c.SubscribeToPersistentSubscription(ctx, stream, "nope", esdb.SubscribeToPersistentSubscriptionOptions{}); psCode(err) != esdb.ErrorCodeResourceNotFound {
		t.Errorf("subscribe missing: %v, want ResourceNotFound", err)
	}

	if err := c.DeletePersistentSubscription(ctx, stream, "g1", esdb.DeletePersistentSubscriptionOptions{}); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if err := c.DeletePersistentSubscriptionToAll(ctx, "all1", esdb.DeletePersistentSubscriptionOptions{}); err != nil {
		t.Fatalf("delete $all: %v", err)
	}
	if err := c.DeletePersistentSubscription(ctx, stream, "g1", esdb.DeletePersistentSubscriptionOptions{}); psCode(err) != esdb.ErrorCodeResourceNotFound {
		t.Fatalf("second delete: %v, want ResourceNotFound", err)
	}
	psCreate(t, c, stream, "g1", esdb.Start{}, nil) // again after deleting
	if err := c.RestartPersistentSubscriptionSubsystem(ctx, esdb.RestartPersistentSubscriptionSubsystemOptions{}); err != nil {
		t.Fatalf("restart subsystem: %v", err)
	}
	list, err = c.ListAllPersistentSubscriptions(ctx, esdb.ListPersistentSubscriptionsOptions{})
	if err != nil || len(list) != 4 {
		t.Fatalf("list after restart = %d, %v; want 4", len(list), err)
	}
}

func TestPersistentStartPoints(t *testing.T) {
	_, c := startTestNode(t)
	stream := "start-" + uuid.NewString()
	evs := psEvents(12)
	psAppend(t, c, stream, evs[:10]...)

	psCreate(t, c, stream, "start", esdb.Start{}, nil)
	psCreate(t, c, stream, "end", esdb.End{}, nil)
	psCreate(t, c, stream, "rev4", esdb.Revision(4), nil)
	psCreate(t, c, stream, "rev11", esdb.Revision(11), nil)
	psAppend(t, c, stream, evs[10:]...)

	for group, want := range map[string]uint64{"start": 0, "end": 10, "rev4": 4, "rev11": 11} {
		ev := psSubscribe(t, c, stream, group, 10).next(t)
		if got := ev.Event.OriginalEvent(); got.EventNumber != want || got.EventID != evs[want].EventID {
			t.Errorf("%s: first event %d (%s), want %d", group, got.EventNumber, got.EventID, want)
		}
		if ev.Event.Commit == nil || *ev.Event.Commit == 0 || ev.Event.OriginalEvent().Position.Commit == 0 {
			t.Errorf("%s: event without position", group)
		}
		if ev.Event.OriginalEvent().EventType != "test.happened" || ev.Event.OriginalEvent().CreatedDate.IsZero() {
			t.Errorf("%s: event = %+v", group, ev.Event.OriginalEvent())
		}
	}

	// $all from a position is inclusive.
	var pos esdb.Position
	read, err := c.ReadStream(context.Background(), stream, esdb.ReadStreamOptions{From: esdb.Revision(3)}, 1)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := read.Recv()
	if err != nil {
		t.Fatal(err)
	}
	read.Close()
	pos = ev.OriginalEvent().Position
	if err := c.CreatePersistentSubscriptionToAll(context.Background(), "all-from", esdb.PersistentAllSubscriptionOptions{
		StartFrom: pos,
		Filter:    &esdb.SubscriptionFilter{Type: esdb.StreamFilterType, Prefixes: []string{stream}},
	}); err != nil {
		t.Fatal(err)
	}
	if got := psSubscribe(t, c, "$all", "all-from", 10).next(t).Event.OriginalEvent(); got.EventNumber != 3 || got.StreamID != stream {
		t.Fatalf("$all from %v: first event %s@%d, want %s@3", pos, got.StreamID, got.EventNumber, stream)
	}
}

func TestPersistentBufferSizeAndAck(t *testing.T) {
	_, c := startTestNode(t)
	stream := "buffer-" + uuid.NewString()
	psAppend(t, c, stream, psEvents(5)...)
	psCreate(t, c, stream, "g", esdb.Start{}, nil)
	sub := psSubscribe(t, c, stream, "g", 2)

	first, second := sub.next(t), sub.next(t)
	if first.Event.OriginalEvent().EventNumber != 0 || second.Event.OriginalEvent().EventNumber != 1 || first.RetryCount != 0 {
		t.Fatalf("first events %d, %d", first.Event.OriginalEvent().EventNumber, second.Event.OriginalEvent().EventNumber)
	}
	sub.none(t, 150*time.Millisecond) // the buffer is full
	if info := psInfo(t, c, stream, "g"); len(info.Connections) != 1 || info.Connections[0].InFlightMessages != 2 ||
		info.Connections[0].AvailableSlots != 0 || info.Stats.TotalInFlightMessages != 2 {
		t.Fatalf("info with a full buffer = %+v %+v", info.Connections, info.Stats)
	}
	sub.ack(t, first)
	if got := sub.next(t).Event.OriginalEvent().EventNumber; got != 2 {
		t.Fatalf("after one ack: event %d, want 2", got)
	}
	sub.none(t, 100*time.Millisecond)

	// Live events after catching up.
	psAppend(t, c, stream, psEvents(1)...)
	sub.ack(t, second)
	if got := sub.next(t).Event.OriginalEvent().EventNumber; got != 3 {
		t.Fatalf("event %d, want 3", got)
	}
}

func TestPersistentNackActions(t *testing.T) {
	_, c := startTestNode(t)
	stream := "nack-" + uuid.NewString()
	psCreate(t, c, stream, "g", esdb.Start{}, nil)
	sub := psSubscribe(t, c, stream, "g", 10)
	psAppend(t, c, stream, psEvents(4)...)

	evs := []*esdb.EventAppeared{sub.next(t), sub.next(t), sub.next(t), sub.next(t)}
	sub.nack(t, esdb.NackActionPark, evs[0])
	sub.nack(t, esdb.NackActionSkip, evs[1])
	sub.nack(t, esdb.NackActionRetry, evs[2])
	sub.nack(t, esdb.NackActionUnknown, evs[3])
	r1, r2 := sub.next(t), sub.next(t)
	if r1.Event.OriginalEvent().EventNumber != 2 || r1.RetryCount != 1 || r2.Event.OriginalEvent().EventNumber != 3 || r2.RetryCount != 1 {
		t.Fatalf("retries: %d (retry %d), %d (retry %d)", r1.Event.OriginalEvent().EventNumber, r1.RetryCount,
			r2.Event.OriginalEvent().EventNumber, r2.RetryCount)
	}
	sub.nack(t, esdb.NackActionRetry, r1)
	if r := sub.next(t); r.Event.OriginalEvent().EventNumber != 2 || r.RetryCount != 2 {
		t.Fatalf("second retry: %d (retry %d)", r.Event.OriginalEvent().EventNumber, r.RetryCount)
	} else {
		sub.ack(t, r, r2)
	}
	sub.none(t, 100*time.Millisecond)
	psEventually(t, "one parked message", func() bool { return psInfo(t, c, stream, "g").Stats.ParkedMessagesCount == 1 })

	if err := c.ReplayParkedMessages(context.Background(), stream, "g", esdb.ReplayParkedMessagesOptions{}); err != nil {
		t.Fatalf("replay: %v", err)
	}
	r := sub.next(t)
	if r.Event.OriginalEvent().EventNumber != 0 || r.Event.OriginalEvent().EventID != evs[0].Event.OriginalEvent().EventID {
		t.Fatalf("replayed %d, want 0", r.Event.OriginalEvent().EventNumber)
	}
	sub.ack(t, r)
	sub.none(t, 100*time.Millisecond)
	if n := psInfo(t, c, stream, "g").Stats.ParkedMessagesCount; n != 0 {
		t.Fatalf("parked after replay = %d", n)
	}
	// A replay with nothing parked is a no-op.
	if err := c.ReplayParkedMessages(context.Background(), stream, "g", esdb.ReplayParkedMessagesOptions{StopAt: 5}); err != nil {
		t.Fatalf("empty replay: %v", err)
	}
	sub.none(t, 100*time.Millisecond)

	// Stop ends the consumer's connection.
	psAppend(t, c, stream, psEvents(1)...)
	sub.nack(t, esdb.NackActionStop, sub.next(t))
	select {
	case err := <-sub.dropped:
		t.Logf("subscription ended: %v", err)
	case <-time.After(psWait):
		t.Fatal("nack stop did not end the subscription")
	}
}

func TestPersistentMessageTimeoutParksAfterMaxRetries(t *testing.T) {
	_, c := startTestNode(t)
	stream := "timeout-" + uuid.NewString()
	psAppend(t, c, stream, psEvents(1)...)
	psCreate(t, c, stream, "g", esdb.Start{}, psSettingsWith(func(s *esdb.PersistentSubscriptionSettings) {
		s.MessageTimeout = 100
		s.MaxRetryCount = 2
	}))
	sub := psSubscribe(t, c, stream, "g", 10)
	for want := 0; want <= 2; want++ {
		if ev := sub.next(t); ev.RetryCount != want || ev.Event.OriginalEvent().EventNumber != 0 {
			t.Fatalf("delivery %d: retry count %d", want, ev.RetryCount)
		}
	}
	sub.none(t, 300*time.Millisecond)
	psEventually(t, "the timed-out message parked", func() bool { return psInfo(t, c, stream, "g").Stats.ParkedMessagesCount == 1 })
}

func TestPersistentCompetingConsumers(t *testing.T) {
	_, c := startTestNode(t)
	stream := "compete-" + uuid.NewString()
	psCreate(t, c, stream, "g", esdb.Start{}, nil)
	a := psSubscribe(t, c, stream, "g", 3)
	b := psSubscribe(t, c, stream, "g", 3)
	psEventually(t, "two connections", func() bool { return len(psInfo(t, c, stream, "g").Connections) == 2 })
	const n = 30
	psAppend(t, c, stream, psEvents(n)...)

	seen := map[uint64]int{}
	perConsumer := map[*psSub]int{}
	deadline := time.After(psWait)
	for len(seen) < n {
		var ev *esdb.EventAppeared
		var from *psSub
		select {
		case ev = <-a.events:
			from = a
		case ev = <-b.events:
			from = b
		case <-deadline:
			t.Fatalf("got %d of %d events", len(seen), n)
		}
		seen[ev.Event.OriginalEvent().EventNumber]++
		perConsumer[from]++
		from.ack(t, ev)
	}
	for rev, k := range seen {
		if k != 1 {
			t.Errorf("event %d delivered %d times", rev, k)
		}
	}
	if perConsumer[a] == 0 || perConsumer[b] == 0 {
		t.Fatalf("round robin gave a:%d b:%d", perConsumer[a], perConsumer[b])
	}

	// A consumer that leaves hands its unacknowledged messages to the other.
	psAppend(t, c, stream, psEvents(1)...)
	var leaving, staying *psSub
	select {
	case <-a.events:
		leaving, staying = a, b
	case <-b.events:
		leaving, staying = b, a
	case <-time.After(psWait):
		t.Fatal("no live event")
	}
	_ = leaving.Close()
	if ev := staying.next(t); ev.Event.OriginalEvent().EventNumber != n || ev.RetryCount != 1 {
		t.Fatalf("handed over %d (retry %d)", ev.Event.OriginalEvent().EventNumber, ev.RetryCount)
	}
}

func TestPersistentAllFilterAndLive(t *testing.T) {
	_, c := startTestNode(t)
	prefix := "pfx-" + uuid.NewString()[:8] + "-"
	psAppend(t, c, prefix+"a", psEvents(2)...)
	psAppend(t, c, "other-"+uuid.NewString(), psEvents(3)...)
	err := c.CreatePersistentSubscriptionToAll(context.Background(), "filtered", esdb.PersistentAllSubscriptionOptions{
		StartFrom: esdb.Start{},
		Filter:    &esdb.SubscriptionFilter{Type: esdb.StreamFilterType, Prefixes: []string{prefix}},
		Settings: psSettingsWith(func(s *esdb.PersistentSubscriptionSettings) {
			s.CheckpointLowerBound, s.CheckpointUpperBound = 1, 1
		}),
	})
	if err != nil {
		t.Fatal(err)
	}
	err = c.CreatePersistentSubscriptionToAll(context.Background(), "by-type", esdb.PersistentAllSubscriptionOptions{
		StartFrom: esdb.Start{},
		Filter:    &esdb.SubscriptionFilter{Type: esdb.EventFilterType, Regex: "^typed\\."},
	})
	if err != nil {
		t.Fatal(err)
	}
	sub := psSubscribe(t, c, "$all", "filtered", 10)
	for i := 0; i < 2; i++ {
		ev := sub.next(t)
		if ev.Event.OriginalEvent().StreamID != prefix+"a" || ev.Event.Commit == nil {
			t.Fatalf("event from %s", ev.Event.OriginalEvent().StreamID)
		}
		sub.ack(t, ev)
	}
	sub.none(t, 100*time.Millisecond)
	psAppend(t, c, "other-"+uuid.NewString(), psEvents(1)...)
	psAppend(t, c, prefix+"b", psEvents(1)...)
	ev := sub.next(t)
	if ev.Event.OriginalEvent().StreamID != prefix+"b" {
		t.Fatalf("live event from %s", ev.Event.OriginalEvent().StreamID)
	}
	sub.ack(t, ev)
	psEventually(t, "a $all checkpoint", func() bool {
		st := psInfo(t, c, "$all", "filtered").Stats
		return st.LastCheckpointedPosition != nil && st.LastCheckpointedPosition.Commit >= ev.Event.OriginalEvent().Position.Commit
	})

	typed := psSubscribe(t, c, "$all", "by-type", 10)
	psAppend(t, c, "any-"+uuid.NewString(), esdb.EventData{EventID: uuid.New(), EventType: "typed.one",
		ContentType: esdb.ContentTypeBinary, Data: []byte("x")})
	if ev := typed.next(t); ev.Event.OriginalEvent().EventType != "typed.one" {
		t.Fatalf("type filter delivered %q", ev.Event.OriginalEvent().EventType)
	}
}

func TestPersistentReplayParkedToAll(t *testing.T) {
	_, c := startTestNode(t)
	stream := "park-all-" + uuid.NewString()
	if err := c.CreatePersistentSubscriptionToAll(context.Background(), "g", esdb.PersistentAllSubscriptionOptions{}); err != nil {
		t.Fatal(err)
	}
	sub := psSubscribe(t, c, "$all", "g", 10)
	psAppend(t, c, stream, psEvents(3)...)
	parked := 0
	for parked < 3 {
		ev := sub.next(t)
		if ev.Event.OriginalEvent().StreamID == stream {
			sub.nack(t, esdb.NackActionPark, ev)
			parked++
		} else {
			sub.ack(t, ev)
		}
	}
	psEventually(t, "three parked", func() bool { return psInfo(t, c, "$all", "g").Stats.ParkedMessagesCount == 3 })
	// stop_at is a revision of the parked stream: replay the first two.
	if err := c.ReplayParkedMessagesToAll(context.Background(), "g", esdb.ReplayParkedMessagesOptions{StopAt: 2}); err != nil {
		t.Fatal(err)
	}
	for want := uint64(0); want < 2; want++ {
		ev := sub.next(t)
		if got := ev.Event.OriginalEvent(); got.StreamID != stream || got.EventNumber != want {
			t.Fatalf("replayed %s@%d, want %s@%d", got.StreamID, got.EventNumber, stream, want)
		}
		sub.ack(t, ev)
	}
	sub.none(t, 100*time.Millisecond)
	if n := psInfo(t, c, "$all", "g").Stats.ParkedMessagesCount; n != 1 {
		t.Fatalf("parked after partial replay = %d, want 1", n)
	}
}

func TestPersistentDeleteDropsConsumers(t *testing.T) {
	_, c := startTestNode(t)
	stream := "drop-" + uuid.NewString()
	psCreate(t, c, stream, "g", esdb.Start{}, nil)
	sub := psSubscribe(t, c, stream, "g", 10)
	psEventually(t, "a connection", func() bool { return len(psInfo(t, c, stream, "g").Connections) == 1 })
	if err := c.DeletePersistentSubscription(context.Background(), stream, "g", esdb.DeletePersistentSubscriptionOptions{}); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-sub.dropped:
		if err == nil {
			t.Fatal("dropped without an error")
		}
	case <-time.After(psWait):
		t.Fatal("delete did not drop the consumer")
	}
}

func TestPersistentStateSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	n, c := startTestNodeIn(t, dir)
	stream := "restart-" + uuid.NewString()
	evs := psEvents(6)
	psAppend(t, c, stream, evs...)
	psCreate(t, c, stream, "g", esdb.Start{}, psSettingsWith(func(s *esdb.PersistentSubscriptionSettings) {
		s.CheckpointLowerBound, s.CheckpointUpperBound = 1, 1
		s.MaxRetryCount = 4
	}))
	if err := c.CreatePersistentSubscriptionToAll(context.Background(), "all", esdb.PersistentAllSubscriptionOptions{}); err != nil {
		t.Fatal(err)
	}
	sub := psSubscribe(t, c, stream, "g", 10)
	got := []*esdb.EventAppeared{sub.next(t), sub.next(t), sub.next(t), sub.next(t)}
	sub.ack(t, got[0], got[2])
	sub.nack(t, esdb.NackActionPark, got[1])
	// Revisions 0..2 are finished; 3 is still in flight.
	psEventually(t, "checkpoint at 2", func() bool {
		st := psInfo(t, c, stream, "g").Stats
		return st.LastCheckpointedEventRevision != nil && *st.LastCheckpointedEventRevision == 2 && st.ParkedMessagesCount == 1
	})
	_ = sub.Close()
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}

	n, c = startTestNodeIn(t, dir)
	info := psInfo(t, c, stream, "g")
	if info.Settings.MaxRetryCount != 4 || info.Stats.ParkedMessagesCount != 1 ||
		info.Stats.LastCheckpointedEventRevision == nil || *info.Stats.LastCheckpointedEventRevision != 2 {
		t.Fatalf("after restart: settings %+v stats %+v", info.Settings, info.Stats)
	}
	if _, err := c.GetPersistentSubscriptionInfoToAll(context.Background(), "all", esdb.GetPersistentSubscriptionOptions{}); err != nil {
		t.Fatalf("$all group after restart: %v", err)
	}
	sub = psSubscribe(t, c, stream, "g", 10)
	for want := uint64(3); want < 6; want++ {
		ev := sub.next(t)
		if ev.Event.OriginalEvent().EventNumber != want || ev.Event.OriginalEvent().EventID != evs[want].EventID {
			t.Fatalf("resumed with %d, want %d", ev.Event.OriginalEvent().EventNumber, want)
		}
		sub.ack(t, ev)
	}
	sub.none(t, 100*time.Millisecond)
	if err := c.ReplayParkedMessages(context.Background(), stream, "g", esdb.ReplayParkedMessagesOptions{}); err != nil {
		t.Fatal(err)
	}
	if ev := sub.next(t); ev.Event.OriginalEvent().EventNumber != 1 {
		t.Fatalf("replayed %d, want 1", ev.Event.OriginalEvent().EventNumber)
	}

	// A replayed message that was not acked before a restart stays parked.
	_ = sub.Close()
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	n, c = startTestNodeIn(t, dir)
	if got := psInfo(t, c, stream, "g").Stats.ParkedMessagesCount; got != 1 {
		t.Fatalf("parked after an unfinished replay and a restart = %d, want 1", got)
	}
	if err := c.ReplayParkedMessages(context.Background(), stream, "g", esdb.ReplayParkedMessagesOptions{}); err != nil {
		t.Fatal(err)
	}
	sub = psSubscribe(t, c, stream, "g", 10)
	ev := sub.next(t)
	if ev.Event.OriginalEvent().EventNumber != 1 {
		t.Fatalf("replayed %d, want 1", ev.Event.OriginalEvent().EventNumber)
	}
	sub.ack(t, ev)
	parked := psParkedStream(stream, "g")
	psEventually(t, "the replayed record truncated", func() bool {
		found := false
		err := n.Engine().ReadStream(context.Background(), parked, 0, false, 1, func(*Event) error { found = true; return nil })
		return err == nil && !found
	})
	_ = sub.Close()
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	_, c = startTestNodeIn(t, dir)
	if got := psInfo(t, c, stream, "g").Stats.ParkedMessagesCount; got != 0 {
		t.Fatalf("parked after a finished replay and a restart = %d, want 0", got)
	}
}

func TestPersistentMaxSubscribers(t *testing.T) {
	_, c := startTestNode(t)
	stream := "max-" + uuid.NewString()
	psCreate(t, c, stream, "g", esdb.Start{}, psSettingsWith(func(s *esdb.PersistentSubscriptionSettings) { s.MaxSubscriberCount = 1 }))
	psSubscribe(t, c, stream, "g", 1)
	_, err := c.SubscribeToPersistentSubscription(context.Background(), stream, "g", esdb.SubscribeToPersistentSubscriptionOptions{})
	if err == nil {
		t.Fatal("second subscriber accepted")
	}
}

// TestPersistentServiceDirect covers what the client cannot send (invalid
// requests) and checks that Close leaves no goroutine behind.
func TestPersistentServiceDirect(t *testing.T) {
	e, err := OpenEngine(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = e.Close() }()
	before := runtime.NumGoroutine()
	p, err := newPersistentService(e, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	stream := func(name string) *persistent.CreateReq_Options_Stream {
		return &persistent.CreateReq_Options_Stream{Stream: &persistent.CreateReq_StreamOptions{
			StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(name)},
			RevisionOption:   &persistent.CreateReq_StreamOptions_Start{Start: &shared.Empty{}}}}
	}
	settings := &persistent.CreateReq_Settings{NamedConsumerStrategy: persistent.CreateReq_RoundRobin, MaxRetryCount: 1}
	for name, req := range map[string]*persistent.CreateReq{
		"no options": {},
		"no group":   {Options: &persistent.CreateReq_Options{StreamOption: stream("s"), Settings: settings}},
		"no stream":  {Options: &persistent.CreateReq_Options{StreamOption: stream(""), GroupName: "g", Settings: settings}},
		"negative": {Options: &persistent.CreateReq_Options{StreamOption: stream("s"), GroupName: "g",
			Settings: &persistent.CreateReq_Settings{MaxRetryCount: -1}}},
		"bad strategy": {Options: &persistent.CreateReq_Options{StreamOption: stream("s"), GroupName: "g",
			Settings: &persistent.CreateReq_Settings{ConsumerStrategy: "Random"}}},
		"bad regex": {Options: &persistent.CreateReq_Options{GroupName: "g", Settings: settings,
			StreamOption: &persistent.CreateReq_Options_All{All: &persistent.CreateReq_AllOptions{
				AllOption: &persistent.CreateReq_AllOptions_Start{Start: &shared.Empty{}},
				FilterOption: &persistent.CreateReq_AllOptions_Filter{Filter: &persistent.CreateReq_AllOptions_FilterOptions{
					Filter: &persistent.CreateReq_AllOptions_FilterOptions_StreamIdentifier{
						StreamIdentifier: &persistent.CreateReq_AllOptions_FilterOptions_Expression{Regex: "("}}}}}}}},
	} {
		if _, err := p.Create(ctx, req); status.Code(err) != codes.InvalidArgument {
			t.Errorf("%s: %v, want InvalidArgument", name, err)
		}
	}
	// Deprecated form: stream identifier plus settings.revision.
	if _, err := p.Create(ctx, &persistent.CreateReq{Options: &persistent.CreateReq_Options{
		StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte("old")}, GroupName: "g",
		Settings: &persistent.CreateReq_Settings{Revision: 3, NamedConsumerStrategy: persistent.CreateReq_RoundRobin}}}); err != nil {
		t.Fatalf("deprecated create: %v", err)
	}
	resp, err := p.GetInfo(ctx, &persistent.GetInfoReq{Options: &persistent.GetInfoReq_Options{
		StreamOption: &persistent.GetInfoReq_Options_StreamIdentifier{StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte("old")}},
		GroupName:    "g"}})
	if err != nil || resp.GetSubscriptionInfo().GetStartFrom() != "3" {
		t.Fatalf("deprecated group info: %v %v", resp, err)
	}
	p.Close()
	p.Close() // idempotent
	deadline := time.Now().Add(time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Fatalf("%d goroutines after Close, %d before", n, before)
	}
}

func TestPersistentManyEventsManyConsumers(t *testing.T) {
	_, c := startTestNode(t)
	stream := "many-" + uuid.NewString()
	const n = 1500
	for i := 0; i < n; i += 500 {
		psAppend(t, c, stream, psEvents(500)...)
	}
	psCreate(t, c, stream, "g", esdb.Start{}, psSettingsWith(func(s *esdb.PersistentSubscriptionSettings) {
		s.CheckpointLowerBound, s.CheckpointUpperBound = 1, 500
		s.CheckpointAfter = 50 // ms: the remainder below the lower bound is written on time
	}))
	subs := []*psSub{psSubscribe(t, c, stream, "g", 20), psSubscribe(t, c, stream, "g", 7), psSubscribe(t, c, stream, "g", 1)}
	acked := make(map[uint64]bool, n)
	retried := 0
	deadline := time.After(10 * time.Second)
	for len(acked) < n {
		var ev *esdb.EventAppeared
		var s *psSub
		select {
		case ev = <-subs[0].events:
			s = subs[0]
		case ev = <-subs[1].events:
			s = subs[1]
		case ev = <-subs[2].events:
			s = subs[2]
		case <-deadline:
			t.Fatalf("acked %d of %d", len(acked), n)
		}
		rev := ev.Event.OriginalEvent().EventNumber
		if rev%97 == 0 && ev.RetryCount == 0 {
			s.nack(t, esdb.NackActionRetry, ev)
			retried++
			continue
		}
		if acked[rev] {
			t.Fatalf("event %d delivered after its ack", rev)
		}
		acked[rev] = true
		s.ack(t, ev)
	}
	if retried == 0 {
		t.Fatal("nothing retried")
	}
	psEventually(t, "checkpoint at the last event", func() bool {
		st := psInfo(t, c, stream, "g").Stats
		return st.LastCheckpointedEventRevision != nil && *st.LastCheckpointedEventRevision == n-1 &&
			st.LastKnownEventRevision != nil && *st.LastKnownEventRevision == n-1
	})
}
