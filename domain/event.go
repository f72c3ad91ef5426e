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

// PersonalDataOfOthers is implemented by an event whose personal fields
// belong to more than one person: the fields tagged `personal:"<role>"` with
// another role than "subject" (e.g. `personal:"participant"` for the scores a
// rater gave about the participant) are encrypted with the key of
// PersonalDataSubjectOf(role). Fields tagged `personal:"subject"` stay
// PersonalDataSubject's.
type PersonalDataOfOthers interface {
	PersonalData
	PersonalDataSubjectOf(role string) string
}

// SubjectRole is the role of the fields tagged `personal:"subject"`: they are
// the data of the event's PersonalDataSubject.
const SubjectRole = "subject"

// PersonalDataSubjectOf returns the id of the person whose key encrypts the
// fields of e tagged `personal:"<role>"`, or "" when e names nobody in that
// role.
func PersonalDataSubjectOf(e PersonalData, role string) string {
	if role == SubjectRole {
		return e.PersonalDataSubject()
	}
	if o, ok := e.(PersonalDataOfOthers); ok {
		return o.PersonalDataSubjectOf(role)
	}
	return ""
}

// Erased is what a personal text field holds once its person has been erased
// (their key deleted): the event store's codec decodes every such string
// field as Erased, every list of strings as []string{Erased}, and any other
// personal field (numbers, lists of answers) as its zero value. Read models
// show it where the person's text was. It is Dutch first, as user-facing text
// is; the API shows it as it is.
const Erased = "[gewist]"

// IsErased reports whether a personal text field holds the marker of an
// erased person (Erased), so that a read model can say "gewist / erased"
// instead of showing the text, or leave the person out of a count.
func IsErased(s string) bool { return s == Erased }

// AnyErased reports whether any of the strings is the marker of an erased
// person.
func AnyErased(ss []string) bool {
	for _, s := range ss {
		if s == Erased {
			return true
		}
	}
	return false
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
