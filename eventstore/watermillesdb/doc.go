// Package watermillesdb is a watermill Publisher and Subscriber over the
// event store, spoken to only through the official EventStoreDB client.
//
// Topics are stream names. Publish appends the messages of one call to the
// stream named by the topic in one atomic append; the message UUID becomes
// the event id (so a retried publish is deduplicated by the server), the
// payload the event data and the metadata the event's custom metadata.
//
// Subscribe without a consumer group is a catch-up subscription: to the
// stream named by the topic, or to $all (server-side filtered) for the topic
// "$all" and for topics configured in SubscriberConfig.Filters. It resumes
// from a checkpoint kept in a CheckpointStore under "<Name>@<topic>", delivers
// one message at a time in order, advances the checkpoint on Ack and delivers
// the same message again on Nack.
//
// Subscribe with a consumer group joins a persistent subscription group
// (created when missing), so that several processes share the work: Ack is a
// persistent ack, Nack a persistent nack with the Retry action.
//
// Delivery is at least once in both modes.
//
// The Publisher and Subscriber take an *esdb.Client that the caller owns and
// closes. The client logs every error status it maps at error level (also a
// consumer group that already exists, or a subscription closed on purpose):
// build it with Configuration.Logger = ClientLogger(logger) to send those
// lines to Debug, or esdb.NoopLogging() to drop them.
package watermillesdb
