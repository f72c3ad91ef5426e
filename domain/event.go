package domain

import (
	"encoding/json"
	"fmt"
)

// Event is a fact recorded in a stream. EventName is stored with the payload;
// never change it once events of that name have been written.
type Event interface {
	EventName() string
}

// PersonalData is implemented by every event with fields tagged
// `personal:"subject"`. PersonalDataSubject returns the id of the person whose
// key encrypts those fields (see the package documentation).
type PersonalData interface {
	Event
	PersonalDataSubject() string
}

// EventType is what the event store's codec needs to know about one stored
// event name: the schema version written today, how to bring an older payload
// up to it, and how to decode the current payload. Each domain package lists
// its event types in an EventTypes function.
type EventType struct {
	// Name is the stored event name, e.g. "journey.experiment_logged".
	Name string
	// Version is the schema version of the payload written today, from 1. The
	// codec stores it in the event's metadata; a payload without one is version 1.
	Version int
	// Upcast turns a payload of schema version from (from < Version) into a
	// payload of Version. It is nil while there is only version 1.
	Upcast func(from int, payload []byte) ([]byte, error)

	decode func(payload []byte) (Event, error)
}

// NewEventType returns the type of the events of Go type E, at schema version 1.
func NewEventType[E Event]() EventType {
	var zero E
	return EventType{
		Name:    zero.EventName(),
		Version: 1,
		decode: func(payload []byte) (Event, error) {
			var e E
			if err := json.Unmarshal(payload, &e); err != nil {
				return nil, err
			}
			return e, nil
		},
	}
}

// WithUpcast returns t at schema version v, with up to bring older payloads to v.
func (t EventType) WithUpcast(v int, up func(from int, payload []byte) ([]byte, error)) EventType {
	t.Version, t.Upcast = v, up
	return t
}

// Decode upcasts payload from schema version to t.Version when it is older,
// then decodes it. A version newer than t.Version, written by newer code, is
// refused.
func (t EventType) Decode(version int, payload []byte) (Event, error) {
	if version < 1 {
		version = 1
	}
	if version > t.Version {
		return nil, fmt.Errorf("decode %s: schema version %d is newer than %d: %w", t.Name, version, t.Version, ErrInvalid)
	}
	if version < t.Version {
		if t.Upcast == nil {
			return nil, fmt.Errorf("decode %s: no upcast from schema version %d: %w", t.Name, version, ErrInvalid)
		}
		up, err := t.Upcast(version, payload)
		if err != nil {
			return nil, fmt.Errorf("upcast %s from schema version %d: %w", t.Name, version, err)
		}
		payload = up
	}
	e, err := t.decode(payload)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w: %w", t.Name, ErrInvalid, err)
	}
	return e, nil
}
