package watermillesdb

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/google/uuid"
)

// Metadata keys the Subscriber sets on every message, over whatever the
// event's custom metadata holds under the same keys.
const (
	// MetadataStream is the stream the event was appended to.
	MetadataStream = "stream"
	// MetadataRevision is the event's revision in its stream (0-based, decimal).
	MetadataRevision = "revision"
	// MetadataPosition is the event's commit position in $all (decimal).
	MetadataPosition = "position"
	// MetadataEventType is the event type.
	MetadataEventType = "event_type"
	// MetadataCreated is when the node stored the event (RFC 3339, UTC).
	MetadataCreated = "created"
	// MetadataOriginalUUID holds a message UUID that was not a UUID, from
	// which the event id was derived (see EventID).
	MetadataOriginalUUID = "watermill_message_uuid"
)

// messageIDNamespace is the name-based UUID namespace for message UUIDs that
// are not UUIDs. It is a function, not a variable, so nothing can change it.
func messageIDNamespace() uuid.UUID {
	return uuid.UUID{0x5b, 0x0e, 0x3c, 0x1a, 0x6f, 0x44, 0x4d, 0x2e, 0x9a, 0x1c, 0x2f, 0x71, 0x8b, 0x52, 0xe0, 0x4d}
}

// EventID is the event id a message UUID is stored under: the UUID itself
// when it parses as one, else a name-based (version 5, SHA-1) UUID derived
// from it, so that publishing the same message again yields the same event
// id and the server deduplicates the retry.
func EventID(messageUUID string) (id uuid.UUID, derived bool) {
	if id, err := uuid.Parse(messageUUID); err == nil {
		return id, false
	}
	return uuid.NewSHA1(messageIDNamespace(), []byte(messageUUID)), true
}

// toEventData maps a message to the event the Publisher appends.
func toEventData(msg *message.Message, cfg PublisherConfig) (esdb.EventData, error) {
	id, derived := EventID(msg.UUID)
	meta := make(map[string]string, len(msg.Metadata)+1)
	for k, v := range msg.Metadata {
		meta[k] = v
	}
	if derived {
		meta[MetadataOriginalUUID] = msg.UUID
	}
	var metaJSON []byte
	if len(meta) > 0 {
		var err error
		if metaJSON, err = json.Marshal(meta); err != nil {
			return esdb.EventData{}, err
		}
	}
	eventType := msg.Metadata.Get(cfg.EventTypeMetadataKey)
	if eventType == "" {
		eventType = cfg.DefaultEventType
	}
	contentType := esdb.ContentTypeBinary
	if json.Valid(msg.Payload) {
		contentType = esdb.ContentTypeJson
	}
	return esdb.EventData{
		EventID:     id,
		EventType:   eventType,
		ContentType: contentType,
		Data:        msg.Payload,
		Metadata:    metaJSON,
	}, nil
}

// recordedOf is the event a resolved event carries: the link target when the
// server resolved a link, else the event itself.
func recordedOf(ev *esdb.ResolvedEvent) *esdb.RecordedEvent {
	if ev.Event != nil {
		return ev.Event
	}
	return ev.Link
}

// toMessage maps a recorded event to a fresh message. A message is acked or
// nacked once, so every delivery gets its own.
func toMessage(rec *esdb.RecordedEvent) *message.Message {
	msg := message.NewMessage(rec.EventID.String(), rec.Data)
	for k, v := range customMetadata(rec.UserMetadata) {
		msg.Metadata.Set(k, v)
	}
	msg.Metadata.Set(MetadataStream, rec.StreamID)
	msg.Metadata.Set(MetadataRevision, strconv.FormatUint(rec.EventNumber, 10))
	msg.Metadata.Set(MetadataPosition, strconv.FormatUint(rec.Position.Commit, 10))
	msg.Metadata.Set(MetadataEventType, rec.EventType)
	msg.Metadata.Set(MetadataCreated, rec.CreatedDate.UTC().Format(time.RFC3339Nano))
	return msg
}

// customMetadata decodes an event's custom metadata: a JSON object whose
// string values are taken as they are and whose other values keep their JSON
// text. Metadata that is not a JSON object (written by another tool) is
// ignored rather than failing the delivery.
func customMetadata(raw []byte) map[string]string {
	if len(raw) == 0 {
		return nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil
	}
	out := make(map[string]string, len(fields))
	for k, v := range fields {
		var s string
		if err := json.Unmarshal(v, &s); err == nil {
			out[k] = s
		} else {
			out[k] = string(v)
		}
	}
	return out
}
