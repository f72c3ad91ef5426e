package watermillesdb_test

import (
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/tests"

	"github.com/leerpad/leerpad/eventstore/watermillesdb"
)

// universalFeatures is what the Pub/Sub declares to watermill's universal
// suite for catch-up subscriptions (the default), with consumer groups
// through persistent subscriptions.
func universalFeatures() tests.Features {
	return tests.Features{
		ConsumerGroups:      true,  // persistent subscription groups
		ExactlyOnceDelivery: false, // at least once: redelivery after a crash or a lagging checkpoint
		GuaranteedOrder:     true,  // catch-up: one stream (or $all) in commit order, one message at a time
		Persistent:          true,  // the log keeps every message
		// Every pubsub the constructor makes is the same named subscriber
		// sharing checkpoints, so a new one resumes where the last one
		// stopped; a subscriber with a new name does receive old messages,
		// which TestNewSubscriberReceivesOldMessages checks on its own below.
		NewSubscriberReceivesOldMessages: false,
		RestartServiceCommand:            nil, // no external service; TestResubscribeAfterNodeRestart covers reconnects
		RequireSingleInstance:            false,
		ContextPreserved:                 false,
	}
}

// publisher returns a Publisher with default settings, closed with the test.
func publisher(t *testing.T, client *esdb.Client) *watermillesdb.Publisher {
	t.Helper()
	pub, err := watermillesdb.NewPublisher(watermillesdb.PublisherConfig{}, client, watermill.NopLogger{})
	if err != nil {
		t.Fatalf("new publisher: %v", err)
	}
	t.Cleanup(func() { _ = pub.Close() })
	return pub
}

// subscriber returns a Subscriber (nacks resent after 10 ms), closed with
// the test.
func subscriber(t *testing.T, cfg watermillesdb.SubscriberConfig, client *esdb.Client) *watermillesdb.Subscriber {
	t.Helper()
	if cfg.NackResendSleep == 0 {
		cfg.NackResendSleep = 10 * time.Millisecond
	}
	sub, err := watermillesdb.NewSubscriber(cfg, client, watermill.NopLogger{})
	if err != nil {
		t.Fatalf("new subscriber: %v", err)
	}
	t.Cleanup(func() { _ = sub.Close() })
	return sub
}

// TestUniversalPubSub runs watermill's universal suite, with its full message
// counts, on catch-up subscriptions: every pubsub is the subscriber "universal"
// with checkpoints in the event store, so TestContinueAfterSubscribeClose
// checks resuming from them. TestConsumerGroups uses persistent subscriptions.
func TestUniversalPubSub(t *testing.T) {
	_, client := startNode(t)
	checkpoints := watermillesdb.NewStreamCheckpointStore(client, "")

	pubSub := func(t *testing.T) (message.Publisher, message.Subscriber) {
		return publisher(t, client), subscriber(t, watermillesdb.SubscriberConfig{
			Name: "universal", Checkpoints: checkpoints,
		}, client)
	}
	groupPubSub := func(t *testing.T, group string) (message.Publisher, message.Subscriber) {
		return publisher(t, client), subscriber(t, watermillesdb.SubscriberConfig{ConsumerGroup: group}, client)
	}
	tests.TestPubSub(t, universalFeatures(), pubSub, groupPubSub)
}

// TestUniversalNewSubscriberReceivesOldMessages runs the suite's test for
// that feature with a subscriber of a new name per pubsub.
func TestUniversalNewSubscriberReceivesOldMessages(t *testing.T) {
	_, client := startNode(t)
	features := universalFeatures()
	features.NewSubscriberReceivesOldMessages = true
	pubSub := func(t *testing.T) (message.Publisher, message.Subscriber) {
		return publisher(t, client), subscriber(t, watermillesdb.SubscriberConfig{Name: watermill.NewShortUUID()}, client)
	}
	tests.TestNewSubscriberReceivesOldMessages(t, tests.TestContext{TestID: tests.NewTestID(), Features: features}, pubSub)
}

// TestUniversalPubSubConsumerGroup runs the whole suite with every pubsub in
// one consumer group (persistent subscriptions), so that Ack, Nack, ordering
// and resuming are checked for that mode too. Order is not guaranteed there:
// a nacked event is retried by the server after later ones.
//
// The server parks an event nacked MaxRetryCount times (default 10), which
// is its poison-message handling; TestContinueAfterErrors nacks up to 300
// times in a row, so the groups here allow more retries.
func TestUniversalPubSubConsumerGroup(t *testing.T) {
	_, client := startNode(t)
	features := universalFeatures()
	features.GuaranteedOrder = false

	settings := esdb.SubscriptionSettingsDefault()
	settings.MaxRetryCount = 1000
	groupPubSub := func(t *testing.T, group string) (message.Publisher, message.Subscriber) {
		return publisher(t, client), subscriber(t, watermillesdb.SubscriberConfig{ConsumerGroup: group, GroupSettings: &settings}, client)
	}
	pubSub := func(t *testing.T) (message.Publisher, message.Subscriber) { return groupPubSub(t, "universal") }
	tests.TestPubSub(t, features, pubSub, groupPubSub)
}
