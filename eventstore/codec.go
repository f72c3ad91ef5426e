// Package eventstore is Leerpad's only way to its event store: the codec for
// domain events, the Store over the official EventStoreDB client, and the
// repositories the domain services use. The embedded node lives in node/.
package eventstore

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/leerpad/leerpad/domain"
)

// ErrUnknownEventType is returned when a stored event name has no registered
// type. Aggregates fail on it; projections skip and count it.
var ErrUnknownEventType = errors.New("unknown event type")

// Codec maps stored event names to domain event types. Build one instance in
// cmd and pass it on; there is no global registry. With keys (WithKeys) it
// encrypts every personal field of an event with the key of its person and
// decrypts it again (fieldcrypt.go, docs/decisions/0014); without, it writes
// them as they are. It reads plain-text payloads (written before encryption)
// either way.
type Codec struct {
	types    map[string]domain.EventType
	fast     map[string]fastDecoder              // see fastDecoderOf
	personal map[string]map[string]personalField // by event name, then JSON field name
	keys     Keys                                // nil: personal fields are stored as they are
}

// NewCodec registers every given event type. A name registered twice is a
// programming error and fails.
func NewCodec(groups ...[]domain.EventType) (*Codec, error) {
	c := &Codec{types: make(map[string]domain.EventType), fast: make(map[string]fastDecoder),
		personal: make(map[string]map[string]personalField)}
	for _, g := range groups {
		for _, t := range g {
			if _, dup := c.types[t.Name]; dup {
				return nil, fmt.Errorf("event type %q registered twice", t.Name)
			}
			c.types[t.Name] = t
			if fast := fastDecoderOf(t); fast != nil {
				c.fast[t.Name] = fast
			}
			if p := personalFieldsOf(t); p != nil {
				c.personal[t.Name] = p
			}
		}
	}
	return c, nil
}

// WithKeys returns a codec of the same event types that encrypts personal
// fields with the keys of keys (a keystore.Store) and decrypts them.
func (c *Codec) WithKeys(keys Keys) *Codec {
	out := *c
	out.keys = keys
	return &out
}

// HasPersonalData reports whether events called name have fields tagged
// personal.
func (c *Codec) HasPersonalData(name string) bool { return c.personal[name] != nil }

// Encrypted reports whether a stored payload holds encrypted fields.
func Encrypted(payload []byte) bool { return bytes.Contains(payload, encKey) }

// Keys returns the keys the codec encrypts with, or nil.
func (c *Codec) Keys() Keys { return c.keys }

// Encrypts reports whether the codec encrypts personal fields.
func (c *Codec) Encrypts() bool { return c.keys != nil }

// Encode returns the stored name, the JSON payload and the schema version of
// e, with each personal field encrypted when the codec has keys. It fails
// with keystore.ErrErased for an event holding new data of an erased person.
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
	if fields := c.personal[name]; fields != nil && c.keys != nil {
		if payload, err = c.seal(e, fields, payload); err != nil {
			return "", nil, 0, fmt.Errorf("encode %s: %w", name, err)
		}
	}
	return name, payload, t.Version, nil
}

// Decode decrypts the personal fields of a stored payload, upcasts it from
// the given schema version and decodes it. A field whose person was erased
// decodes as domain.Erased (text), []string{domain.Erased} (a list of texts)
// or its zero value; a field that does not open in its place fails with
// ErrTampered.
func (c *Codec) Decode(name string, version int, payload []byte) (domain.Event, error) {
	t, ok := c.types[name]
	if !ok {
		return nil, fmt.Errorf("decode %s: %w", name, ErrUnknownEventType)
	}
	if bytes.Contains(payload, encKey) {
		fields := c.personal[name]
		plain, done, err := c.open(name, fields, payload)
		if err != nil {
			return nil, fmt.Errorf("decode %s: %w", name, err)
		}
		e, err := c.decode(t, version, plain)
		if err != nil {
			return nil, err
		}
		if err := checkOpened(e, fields, done); err != nil {
			return nil, fmt.Errorf("decode %s: %w", name, err)
		}
		return e, nil
	}
	return c.decode(t, version, payload)
}

func (c *Codec) decode(t domain.EventType, version int, payload []byte) (domain.Event, error) {
	name := t.Name
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
