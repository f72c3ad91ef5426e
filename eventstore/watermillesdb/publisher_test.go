package watermillesdb_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"testing"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/google/uuid"

	"github.com/leerpad/leerpad/eventstore/watermillesdb"
)

// readAll reads a whole stream forwards.
func readAll(t *testing.T, client *esdb.Client, stream string) []*esdb.RecordedEvent {
	t.Helper()
	rs, err := client.ReadStream(context.Background(), stream, esdb.ReadStreamOptions{From: esdb.Start{}}, 1000)
	if err != nil {
		t.Fatalf("read %s: %v", stream, err)
	}
	defer rs.Close()
	var out []*esdb.RecordedEvent
	for {
		ev, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("read %s: %v", stream, err)
		}
		out = append(out, ev.Event)
	}
}

func TestPublishMapsMessagesToEvents(t *testing.T) {
	_, client := startNode(t)
	pub := publisher(t, client)
	stream := "journey-" + uuid.NewString()

	jsonMsg := message.NewMessage(uuid.NewString(), []byte(`{"milestoneId":"m1"}`))
	jsonMsg.Metadata.Set("event_type", "journey.milestone_completed")
	jsonMsg.Metadata.Set("correlation_id", "c-1")
	binMsg := message.NewMessage("not-a-uuid-"+uuid.NewString(), []byte{0xff, 0x00})
	if err := pub.Publish(stream, jsonMsg, binMsg); err != nil {
		t.Fatalf("publish: %v", err)
	}

	evs := readAll(t, client, stream)
	if len(evs) != 2 {
		t.Fatalf("stream has %d events, want 2", len(evs))
	}
	if evs[0].EventID.String() != jsonMsg.UUID || evs[0].EventType != "journey.milestone_completed" ||
		evs[0].ContentType != "application/json" || evs[0].EventNumber != 0 {
		t.Errorf("json event = id %s type %q content %q rev %d", evs[0].EventID, evs[0].EventType, evs[0].ContentType, evs[0].EventNumber)
	}
	var meta map[string]string
	if err := json.Unmarshal(evs[0].UserMetadata, &meta); err != nil || meta["correlation_id"] != "c-1" {
		t.Errorf("json event metadata = %s (%v), want correlation_id c-1", evs[0].UserMetadata, err)
	}

	wantID, derived := watermillesdb.EventID(binMsg.UUID)
	if !derived || evs[1].EventID != wantID || evs[1].EventType != "watermill.message" ||
		evs[1].ContentType != "application/octet-stream" || evs[1].EventNumber != 1 {
		t.Errorf("binary event = id %s (want %s) type %q content %q rev %d", evs[1].EventID, wantID, evs[1].EventType, evs[1].ContentType, evs[1].EventNumber)
	}
	if evs[0].Position.Commit >= evs[1].Position.Commit {
		t.Errorf("positions %d, %d not increasing", evs[0].Position.Commit, evs[1].Position.Commit)
	}

	// A retried publish of the same messages is deduplicated by the server.
	if err := pub.Publish(stream, jsonMsg.Copy(), binMsg.Copy()); err != nil {
		t.Fatalf("publish again: %v", err)
	}
	if evs := readAll(t, client, stream); len(evs) != 2 {
		t.Errorf("after a retried publish the stream has %d events, want 2", len(evs))
	}
}

func TestEventIDIsDeterministic(t *testing.T) {
	id := uuid.NewString()
	if got, derived := watermillesdb.EventID(id); derived || got.String() != id {
		t.Errorf("EventID(%s) = %s, %v; want itself", id, got, derived)
	}
	a, derivedA := watermillesdb.EventID("01HZX-ulid-like")
	b, _ := watermillesdb.EventID("01HZX-ulid-like")
	c, _ := watermillesdb.EventID("another")
	if !derivedA || a != b || a == c || a.Version() != 5 {
		t.Errorf("derived ids: %s %s %s (version %d)", a, b, c, a.Version())
	}
}

func TestPublishRefusesBadTopicsAndWorksUntilClosed(t *testing.T) {
	_, client := startNode(t)
	pub := publisher(t, client)
	for _, topic := range []string{"", "$all", "$$journey-1"} {
		if err := pub.Publish(topic, message.NewMessage(watermill.NewUUID(), nil)); !errors.Is(err, watermillesdb.ErrInvalidConfig) {
			t.Errorf("Publish(%q) = %v, want ErrInvalidConfig", topic, err)
		}
	}
	if err := pub.Publish("empty-" + uuid.NewString()); err != nil {
		t.Errorf("publishing nothing: %v", err)
	}
	if err := pub.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if err := pub.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
	if err := pub.Publish("journey-1", message.NewMessage(watermill.NewUUID(), nil)); !errors.Is(err, watermillesdb.ErrClosed) {
		t.Errorf("Publish after Close = %v, want ErrClosed", err)
	}
}

func TestPublishToTombstonedStream(t *testing.T) {
	_, client := startNode(t)
	pub := publisher(t, client)
	stream := "cohort-" + uuid.NewString()
	if err := pub.Publish(stream, message.NewMessage(watermill.NewUUID(), []byte("{}"))); err != nil {
		t.Fatalf("publish: %v", err)
	}
	if _, err := client.TombstoneStream(context.Background(), stream, esdb.TombstoneStreamOptions{ExpectedRevision: esdb.Any{}}); err != nil {
		t.Fatalf("tombstone: %v", err)
	}
	err := pub.Publish(stream, message.NewMessage(watermill.NewUUID(), []byte("{}")))
	var esErr *esdb.Error
	if !errors.Is(err, watermillesdb.ErrTopicDeleted) || !errors.As(err, &esErr) {
		t.Errorf("publish to a tombstoned stream = %v, want ErrTopicDeleted wrapping *esdb.Error", err)
	}
}

func TestNewPublisherValidates(t *testing.T) {
	if _, err := watermillesdb.NewPublisher(watermillesdb.PublisherConfig{}, nil, nil); !errors.Is(err, watermillesdb.ErrInvalidConfig) {
		t.Errorf("nil client: %v", err)
	}
}
