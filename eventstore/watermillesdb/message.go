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

// NewMessage returns a new message for rec, exactly as the Subscriber
// delivers it (payload, custom metadata, and the keys above), for readers
// that read events through the client themselves and need the message only
// now and then.
func NewMessage(rec *esdb.RecordedEvent) *message.Message { return toMessage(rec) }

// CustomMetadata returns an event's custom metadata as the Subscriber puts it
// on a message, before the keys above: the values of a JSON object, strings
// as they are, other values as their JSON text; nothing when raw is not an
// object.
func CustomMetadata(raw []byte) message.Metadata {
	md := make(message.Metadata, 4)
	setCustomMetadata(md, raw)
	return md
}

// toMessage maps a recorded event to a fresh message. A message is acked or
// nacked once, so every delivery gets its own.
func toMessage(rec *esdb.RecordedEvent) *message.Message {
	msg := message.NewMessage(rec.EventID.String(), rec.Data)
	setCustomMetadata(msg.Metadata, rec.UserMetadata)
	msg.Metadata.Set(MetadataStream, rec.StreamID)
	msg.Metadata.Set(MetadataRevision, strconv.FormatUint(rec.EventNumber, 10))
	msg.Metadata.Set(MetadataPosition, strconv.FormatUint(rec.Position.Commit, 10))
	msg.Metadata.Set(MetadataEventType, rec.EventType)
	msg.Metadata.Set(MetadataCreated, rec.CreatedDate.UTC().Format(time.RFC3339Nano))
	return msg
}

// setCustomMetadata sets the keys of an event's custom metadata (see
// customMetadata) on md. The metadata the codec writes, a flat object of
// plain strings and integers, is read by a scanner that allocates only the
// strings it keeps; anything else (escapes, other kinds of values, metadata
// that is not an object) takes customMetadata, with the same result.
func setCustomMetadata(md message.Metadata, raw []byte) {
	if len(raw) == 0 {
		return
	}
	var kv [16]string
	n, ok := scanFlatMetadata(raw, kv[:])
	if !ok {
		for k, v := range customMetadata(raw) {
			md[k] = v
		}
		return
	}
	for i := 0; i+1 < n; i += 2 {
		md[kv[i]] = kv[i+1]
	}
}

// scanFlatMetadata reads raw when it is a JSON object whose keys are plain
// strings (printable ASCII, no escapes) and whose values are such strings or
// integers, into kv as key, value, key, value... (the integers keep their
// text). It reports false for anything else, and when kv is too short; the
// caller then decodes raw with encoding/json.
func scanFlatMetadata(raw []byte, kv []string) (n int, ok bool) {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return 0, false
	}
	i = skipSpace(raw, i+1)
	if i < len(raw) && raw[i] == '}' {
		return 0, skipSpace(raw, i+1) == len(raw)
	}
	for {
		if n+2 > len(kv) {
			return 0, false
		}
		var key []byte
		var val string
		if key, i, ok = scanPlainString(raw, i); !ok {
			return 0, false
		}
		i = skipSpace(raw, i)
		if i >= len(raw) || raw[i] != ':' {
			return 0, false
		}
		i = skipSpace(raw, i+1)
		if i < len(raw) && raw[i] == '"' {
			var b []byte
			b, i, ok = scanPlainString(raw, i)
			val = string(b)
		} else {
			val, i, ok = scanInteger(raw, i)
		}
		if !ok {
			return 0, false
		}
		kv[n], kv[n+1] = internKey(key), val
		n += 2
		i = skipSpace(raw, i)
		if i >= len(raw) {
			return 0, false
		}
		switch raw[i] {
		case ',':
			i = skipSpace(raw, i+1)
		case '}':
			return n, skipSpace(raw, i+1) == len(raw)
		default:
			return 0, false
		}
	}
}

func skipSpace(raw []byte, i int) int {
	for i < len(raw) && (raw[i] == ' ' || raw[i] == '\t' || raw[i] == '\n' || raw[i] == '\r') {
		i++
	}
	return i
}

// internKey returns the constant for the keys eventstore.Metadata writes,
// so that the metadata of every message shares them.
func internKey(k []byte) string {
	switch string(k) {
	case "correlationId":
		return "correlationId"
	case "causationId":
		return "causationId"
	case "actor":
		return "actor"
	case "schemaVersion":
		return "schemaVersion"
	}
	return string(k)
}

// scanPlainString reads a JSON string at raw[i] made of printable ASCII
// without escapes, and returns its bytes and the index after its closing
// quote.
func scanPlainString(raw []byte, i int) (s []byte, next int, ok bool) {
	if i >= len(raw) || raw[i] != '"' {
		return nil, i, false
	}
	for j := i + 1; j < len(raw); j++ {
		switch c := raw[j]; {
		case c == '"':
			return raw[i+1 : j], j + 1, true
		case c == '\\', c < 0x20, c >= 0x80:
			return nil, i, false
		}
	}
	return nil, i, false
}

// scanInteger reads a JSON integer (-?(0|[1-9][0-9]*)) at raw[i], as text.
func scanInteger(raw []byte, i int) (s string, next int, ok bool) {
	j := i
	if j < len(raw) && raw[j] == '-' {
		j++
	}
	digits := j
	for j < len(raw) && raw[j] >= '0' && raw[j] <= '9' {
		j++
	}
	if j == digits || (raw[digits] == '0' && j-digits > 1) {
		return "", i, false
	}
	if j < len(raw) && (raw[j] == '.' || raw[j] == 'e' || raw[j] == 'E') {
		return "", i, false // a fraction or exponent: left to encoding/json
	}
	return string(raw[i:j]), j, true
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
