package watermillesdb_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/google/uuid"

	"github.com/leerpad/leerpad/eventstore/watermillesdb"
)

const waitFor = 10 * time.Second

// receive returns the next message or fails the test.
func receive(t *testing.T, msgs <-chan *message.Message) *message.Message {
	t.Helper()
	select {
	case msg, ok := <-msgs:
		if !ok {
			t.Fatal("channel closed, want a message")
		}
		return msg
	case <-time.After(waitFor):
		t.Fatal("no message within", waitFor)
	}
	return nil
}

// expectNothing fails if a message arrives within d.
func expectNothing(t *testing.T, msgs <-chan *message.Message, d time.Duration) {
	t.Helper()
	select {
	case msg, ok := <-msgs:
		if ok {
			t.Fatalf("unexpected message %s (stream %s)", msg.UUID, msg.Metadata.Get("stream"))
		}
		t.Fatal("channel closed unexpectedly")
	case <-time.After(d):
	}
}

// expectClosed fails unless msgs is closed within waitFor.
func expectClosed(t *testing.T, msgs <-chan *message.Message) {
	t.Helper()
	deadline := time.After(waitFor)
	for {
		select {
		case msg, ok := <-msgs:
			if !ok {
				return
			}
			msg.Nack()
		case <-deadline:
			t.Fatal("channel not closed within", waitFor)
		}
	}
}

func publishN(t *testing.T, pub message.Publisher, topic string, n int) []*message.Message {
	t.Helper()
	var msgs []*message.Message
	for i := range n {
		msg := message.NewMessage(uuid.NewString(), []byte(`{"n":`+strconv.Itoa(i)+`}`))
		msg.Metadata.Set("event_type", "test.happened")
		if err := pub.Publish(topic, msg); err != nil {
			t.Fatalf("publish: %v", err)
		}
		msgs = append(msgs, msg)
	}
	return msgs
}

func TestSubscribeMessageCarriesEventMetadata(t *testing.T) {
	_, client := startNode(t)
	pub := publisher(t, client)
	sub := subscriber(t, watermillesdb.SubscriberConfig{Name: "meta"}, client)
	stream := "journey-" + uuid.NewString()

	in := message.NewMessage(uuid.NewString(), []byte(`{"a":1}`))
	in.Metadata.Set("event_type", "journey.started")
	in.Metadata.Set("correlation_id", "corr")
	in.Metadata.Set("stream", "spoofed") // the stored fact wins
	before := time.Now().Add(-time.Second)
	publishN(t, pub, stream, 1)
	if err := pub.Publish(stream, in); err != nil {
		t.Fatalf("publish: %v", err)
	}

	msgs, err := sub.Subscribe(context.Background(), stream)
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	receive(t, msgs).Ack()
	got := receive(t, msgs)
	got.Ack()
	if got.UUID != in.UUID || string(got.Payload) != `{"a":1}` {
		t.Errorf("message = %s %s", got.UUID, got.Payload)
	}
	md := got.Metadata
	if md.Get("stream") != stream || md.Get("revision") != "1" || md.Get("event_type") != "journey.started" || md.Get("correlation_id") != "corr" {
		t.Errorf("metadata = %v", md)
	}
	if pos, err := strconv.ParseUint(md.Get("position"), 10, 64); err != nil || pos == 0 {
		t.Errorf("position = %q", md.Get("position"))
	}
	if created, err := time.Parse(time.RFC3339, md.Get("created")); err != nil || created.Before(before) || created.After(time.Now().Add(time.Second)) {
		t.Errorf("created = %q (%v)", md.Get("created"), err)
	}
}

func TestNackRedeliversBeforeLaterMessages(t *testing.T) {
	_, client := startNode(t)
	pub := publisher(t, client)
	sub := subscriber(t, watermillesdb.SubscriberConfig{Name: "nack"}, client)
	stream := "journey-" + uuid.NewString()
	sent := publishN(t, pub, stream, 2)

	msgs, err := sub.Subscribe(context.Background(), stream)
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	first := receive(t, msgs)
	if first.UUID != sent[0].UUID {
		t.Fatalf("first = %s, want %s", first.UUID, sent[0].UUID)
	}
	first.Nack()
	select {
	case <-first.Context().Done():
	case <-time.After(waitFor):
		t.Error("message context still alive after nack")
	}
	again := receive(t, msgs)
	if again.UUID != sent[0].UUID {
		t.Fatalf("after nack got %s, want %s again", again.UUID, sent[0].UUID)
	}
	expectNothing(t, msgs, 50*time.Millisecond) // nothing before the ack
	again.Ack()
	if next := receive(t, msgs); next.UUID != sent[1].UUID {
		t.Fatalf("next = %s, want %s", next.UUID, sent[1].UUID)
	}
}

func TestCatchUpResumesFromStreamCheckpoint(t *testing.T) {
	_, client := startNode(t)
	pub := publisher(t, client)
	store := watermillesdb.NewStreamCheckpointStore(client, "")
	stream := "journey-" + uuid.NewString()
	sent := publishN(t, pub, stream, 5)

	cfg := watermillesdb.SubscriberConfig{Name: "resume", Checkpoints: store, CheckpointEvery: 1000, CheckpointInterval: time.Hour}
	sub := subscriber(t, cfg, client)
	msgs, err := sub.Subscribe(context.Background(), stream)
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	for range 3 {
		receive(t, msgs).Ack()
	}
	receive(t, msgs) // the fourth is never acked
	if err := sub.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	expectClosed(t, msgs)

	cp, ok, err := store.Load(context.Background(), "resume@"+stream)
	if err != nil || !ok || cp.Revision != 2 {
		t.Fatalf("saved checkpoint = %+v, %v, %v; want revision 2 (saved on close)", cp, ok, err)
	}

	sub2 := subscriber(t, cfg, client)
	msgs2, err := sub2.Subscribe(context.Background(), stream)
	if err != nil {
		t.Fatalf("subscribe again: %v", err)
	}
	for _, want := range sent[3:] {
		got := receive(t, msgs2)
		got.Ack()
		if got.UUID != want.UUID {
			t.Fatalf("resumed with %s, want %s", got.UUID, want.UUID)
		}
	}
	expectNothing(t, msgs2, 50*time.Millisecond)
	if err := sub.Close(); err != nil {
		t.Fatalf("close again: %v", err)
	}
}

func TestFilteredAllTopic(t *testing.T) {
	_, client := startNode(t)
	pub := publisher(t, client)
	prefix := "journey" + uuid.NewString()[:8] + "-"
	checkpoints := watermillesdb.NewMemoryCheckpointStore()
	cfg := watermillesdb.SubscriberConfig{
		Name:        "portfolio",
		Checkpoints: checkpoints,
		Filters: map[string]*esdb.SubscriptionFilter{
			"journeys": {Type: esdb.StreamFilterType, Prefixes: []string{prefix}},
		},
		CheckpointEvery: 1,
	}
	sent := publishN(t, pub, prefix+"1", 2)
	publishN(t, pub, "cohort-"+uuid.NewString(), 3)
	sent = append(sent, publishN(t, pub, prefix+"2", 1)...)

	sub := subscriber(t, cfg, client)
	msgs, err := sub.Subscribe(context.Background(), "journeys")
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	for _, want := range sent {
		got := receive(t, msgs)
		got.Ack()
		if got.UUID != want.UUID {
			t.Fatalf("got %s from %s, want %s", got.UUID, got.Metadata.Get("stream"), want.UUID)
		}
	}
	expectNothing(t, msgs, 50*time.Millisecond)
	if err := sub.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	cp, ok, _ := checkpoints.Load(context.Background(), "portfolio@journeys")
	if !ok || cp.Commit == 0 {
		t.Fatalf("checkpoint = %+v, %v; want a $all position", cp, ok)
	}

	// A new subscriber with the same store resumes after the last ack.
	later := publishN(t, pub, prefix+"3", 1)
	sub2 := subscriber(t, cfg, client)
	msgs2, err := sub2.Subscribe(context.Background(), "journeys")
	if err != nil {
		t.Fatalf("subscribe again: %v", err)
	}
	if got := receive(t, msgs2); got.UUID != later[0].UUID {
		t.Fatalf("resumed with %s, want %s", got.UUID, later[0].UUID)
	}
}

func TestAllTopicExcludesSystemEvents(t *testing.T) {
	_, client := startNode(t)
	pub := publisher(t, client)
	// Checkpoints kept as events must not feed the $all subscription itself.
	store := watermillesdb.NewStreamCheckpointStore(client, "")
	sub := subscriber(t, watermillesdb.SubscriberConfig{Name: "all", Checkpoints: store, CheckpointEvery: 1}, client)
	sent := publishN(t, pub, "journey-"+uuid.NewString(), 3)

	msgs, err := sub.Subscribe(context.Background(), watermillesdb.AllTopic)
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	for _, want := range sent {
		got := receive(t, msgs)
		got.Ack()
		if got.UUID != want.UUID {
			t.Fatalf("got %s (%s in %s), want %s", got.UUID, got.Metadata.Get("event_type"), got.Metadata.Get("stream"), want.UUID)
		}
	}
	expectNothing(t, msgs, 300*time.Millisecond)
}

func TestSubscribeStopsOnContextAndClose(t *testing.T) {
	_, client := startNode(t)
	sub := subscriber(t, watermillesdb.SubscriberConfig{Name: "stop"}, client)
	ctx, cancel := context.WithCancel(context.Background())
	byCtx, err := sub.Subscribe(ctx, "journey-"+uuid.NewString())
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	byClose, err := sub.Subscribe(context.Background(), "journey-"+uuid.NewString())
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	group := subscriber(t, watermillesdb.SubscriberConfig{ConsumerGroup: "stop"}, client)
	byGroupClose, err := group.Subscribe(context.Background(), "journey-"+uuid.NewString())
	if err != nil {
		t.Fatalf("subscribe in group: %v", err)
	}

	cancel()
	expectClosed(t, byCtx)
	if err := sub.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	expectClosed(t, byClose)
	if err := group.Close(); err != nil {
		t.Fatalf("close group subscriber: %v", err)
	}
	expectClosed(t, byGroupClose)
	if _, err := sub.Subscribe(context.Background(), "journey-1"); !errors.Is(err, watermillesdb.ErrClosed) {
		t.Errorf("Subscribe after Close = %v, want ErrClosed", err)
	}
	if _, err := group.Subscribe(context.Background(), "journey-1"); !errors.Is(err, watermillesdb.ErrClosed) {
		t.Errorf("group Subscribe after Close = %v, want ErrClosed", err)
	}
}

func TestSubscriptionToTombstonedStreamEnds(t *testing.T) {
	_, client := startNode(t)
	pub := publisher(t, client)
	sub := subscriber(t, watermillesdb.SubscriberConfig{Name: "tomb"}, client)
	stream := "cohort-" + uuid.NewString()
	publishN(t, pub, stream, 1)
	msgs, err := sub.Subscribe(context.Background(), stream)
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	receive(t, msgs).Ack()
	if _, err := client.TombstoneStream(context.Background(), stream, esdb.TombstoneStreamOptions{ExpectedRevision: esdb.Any{}}); err != nil {
		t.Fatalf("tombstone: %v", err)
	}
	expectClosed(t, msgs)
	if _, err := sub.Subscribe(context.Background(), stream); !errors.Is(err, watermillesdb.ErrTopicDeleted) {
		t.Errorf("subscribing to a tombstoned stream = %v, want ErrTopicDeleted", err)
	}
}

func TestConsumerGroupSharesWork(t *testing.T) {
	_, client := startNode(t)
	pub := publisher(t, client)
	stream := "journey-" + uuid.NewString()
	if err := subscriber(t, watermillesdb.SubscriberConfig{ConsumerGroup: "notify"}, client).SubscribeInitialize(stream); err != nil {
		t.Fatalf("initialise: %v", err)
	}
	sent := publishN(t, pub, stream, 20)

	a := subscriber(t, watermillesdb.SubscriberConfig{ConsumerGroup: "notify", BufferSize: 1}, client)
	b := subscriber(t, watermillesdb.SubscriberConfig{ConsumerGroup: "notify", BufferSize: 1}, client)
	msgsA, err := a.Subscribe(context.Background(), stream)
	if err != nil {
		t.Fatalf("subscribe a: %v", err)
	}
	msgsB, err := b.Subscribe(context.Background(), stream)
	if err != nil {
		t.Fatalf("subscribe b: %v", err)
	}
	seen := map[string]int{}
	perConsumer := map[string]int{}
	nacked := false
	for len(seen) < len(sent) {
		var msg *message.Message
		var who string
		select {
		case msg = <-msgsA:
			who = "a"
		case msg = <-msgsB:
			who = "b"
		case <-time.After(waitFor):
			t.Fatalf("received %d of %d", len(seen), len(sent))
		}
		if !nacked { // the first one comes back after a nack
			nacked = true
			msg.Nack()
			continue
		}
		seen[msg.UUID]++
		perConsumer[who]++
		msg.Ack()
	}
	for _, m := range sent {
		if seen[m.UUID] != 1 {
			t.Errorf("message %s seen %d times", m.UUID, seen[m.UUID])
		}
	}
	if perConsumer["a"] == 0 || perConsumer["b"] == 0 {
		t.Errorf("work not shared: %v", perConsumer)
	}
}

func TestNewSubscriberValidates(t *testing.T) {
	_, client := startNode(t)
	for name, cfg := range map[string]watermillesdb.SubscriberConfig{
		"no name":      {},
		"negative":     {Name: "x", NackResendSleep: -1},
		"empty filter": {Name: "x", Filters: map[string]*esdb.SubscriptionFilter{"t": {}}},
	} {
		if _, err := watermillesdb.NewSubscriber(cfg, client, watermill.NopLogger{}); !errors.Is(err, watermillesdb.ErrInvalidConfig) {
			t.Errorf("%s: err = %v, want ErrInvalidConfig", name, err)
		}
	}
	if _, err := watermillesdb.NewSubscriber(watermillesdb.SubscriberConfig{Name: "x"}, nil, nil); !errors.Is(err, watermillesdb.ErrInvalidConfig) {
		t.Errorf("nil client: %v", err)
	}
}

func TestConsumerGroupOnAllTopics(t *testing.T) {
	_, client := startNode(t)
	pub := publisher(t, client)
	prefix := "journey" + uuid.NewString()[:8] + "-"
	filters := map[string]*esdb.SubscriptionFilter{"journeys": {Type: esdb.StreamFilterType, Prefixes: []string{prefix}}}
	sent := publishN(t, pub, prefix+"1", 2)
	publishN(t, pub, "cohort-"+uuid.NewString(), 2)
	sent = append(sent, publishN(t, pub, prefix+"2", 2)...)

	for _, topic := range []string{"journeys", watermillesdb.AllTopic} {
		t.Run(topic, func(t *testing.T) {
			sub := subscriber(t, watermillesdb.SubscriberConfig{ConsumerGroup: "exports", Filters: filters}, client)
			msgs, err := sub.Subscribe(context.Background(), topic)
			if err != nil {
				t.Fatalf("subscribe: %v", err)
			}
			want := map[string]bool{}
			for _, m := range sent {
				want[m.UUID] = true
			}
			for len(want) > 0 {
				got := receive(t, msgs)
				got.Ack()
				if strings.HasPrefix(got.Metadata.Get("event_type"), "$") {
					t.Fatalf("system event %s delivered", got.Metadata.Get("event_type"))
				}
				if topic == "journeys" && !want[got.UUID] {
					t.Fatalf("unexpected %s from %s", got.UUID, got.Metadata.Get("stream"))
				}
				delete(want, got.UUID)
			}
		})
	}
	groups, err := client.ListPersistentSubscriptionsToAll(context.Background(), esdb.ListPersistentSubscriptionsOptions{})
	if err != nil {
		t.Fatalf("list $all groups: %v", err)
	}
	var names []string
	for _, g := range groups {
		names = append(names, g.GroupName)
	}
	if !slices.Contains(names, "exports@journeys") || !slices.Contains(names, "exports") {
		t.Errorf("$all groups = %v, want exports and exports@journeys", names)
	}
}
