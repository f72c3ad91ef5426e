// Package eventstore is Leerpad's only way to its event store: the codec for
// domain events, the Store over the official EventStoreDB client, and the
// repositories the domain services use. The embedded node lives in node/.
package eventstore

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/leerpad/leerpad/domain"
)

// ErrUnknownEventType is returned when a stored event name has no registered
// type. Aggregates fail on it; projections skip and count it.
var ErrUnknownEventType = errors.New("unknown event type")

// Codec maps stored event names to domain event types. Build one instance in
// cmd and pass it on; there is no global registry.
type Codec struct {
	types map[string]domain.EventType
	fast  map[string]fastDecoder // see fastDecoderOf
}

// NewCodec registers every given event type. A name registered twice is a
// programming error and fails.
func NewCodec(groups ...[]domain.EventType) (*Codec, error) {
	c := &Codec{types: make(map[string]domain.EventType), fast: make(map[string]fastDecoder)}
	for _, g := range groups {
		for _, t := range g {
			if _, dup := c.types[t.Name]; dup {
				return nil, fmt.Errorf("event type %q registered twice", t.Name)
			}
			c.types[t.Name] = t
			if fast := fastDecoderOf(t); fast != nil {
				c.fast[t.Name] = fast
			}
		}
	}
	return c, nil
}

// Encode returns the stored name, the JSON payload and the schema version of e.
func (c *Codec) Encode(e domain.Event) (name string, payload []byte, version int, err error) {
	name = e.EventName()
	t, ok := c.types[name]
	if !ok {
		return "", nil, 0, fmt.Errorf("encode %s: %w", name, ErrUnknownEventType)
	}
	payload, err = json.Marshal(e)
	if err != nil {
		return "", nil, 0, fmt.Errorf("encode %s: %w", name, err)
	}
	return name, payload, t.Version, nil
}

// Decode upcasts a stored payload of the given schema version and decodes it.
func (c *Codec) Decode(name string, version int, payload []byte) (domain.Event, error) {
	t, ok := c.types[name]
	if !ok {
		return nil, fmt.Errorf("decode %s: %w", name, ErrUnknownEventType)
	}
	// The fast decoder (go-json) reads the current schema version (a payload
	// without one is version 1); everything else is the event type's.
	if fast := c.fast[name]; fast != nil && max(version, 1) == t.Version {
		if e, ok := fast(payload); ok {
			return e, nil
		}
	}
	return t.Decode(version, payload)
}

// Versions returns the schema version written today of every registered
// event type, by name.
func (c *Codec) Versions() map[string]int {
	out := make(map[string]int, len(c.types))
	for n, t := range c.types {
		out[n] = t.Version
	}
	return out
}

// Known reports whether name is a registered event type.
func (c *Codec) Known(name string) bool {
	_, ok := c.types[name]
	return ok
}
